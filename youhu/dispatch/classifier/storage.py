"""The model file: a one-line JSON header, then the pickled model.

The header is read and checked before anything is unpickled, so a file written by another format
version or another scikit-learn release is refused with a message that says what to do, instead of
failing deep inside unpickling (or, worse, loading and predicting wrongly).
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import sklearn

MAGIC = b"YOUHU-DISPATCH-MODEL\n"
# Bump when the pickled payload's shape changes: older files are then refused and must be retrained.
FORMAT_VERSION = 1
RETRAIN_HINT = "请运行 `youhu model train` 重新训练 (retrain with `youhu model train`)"


class ModelFileError(Exception):
    """The model file is missing, unreadable, corrupt or made by an incompatible version."""


def youhu_version() -> str:
    try:
        return metadata.version("youhu")
    except metadata.PackageNotFoundError:
        return "unknown"


def make_header(labels: list[str], training: dict[str, Any]) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "youhu_version": youhu_version(),
        "sklearn_version": sklearn.__version__,
        "labels": list(labels),
        "training": training,
    }


def save(path: Path, header: dict[str, Any], payload: Any) -> Path:
    """Write atomically: a reader sees the old file or the complete new one, never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC)
            fh.write(json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n")
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _check_compatible(path: Path, header: dict[str, Any]) -> None:
    made_by = (
        f"format {header.get('format_version')}, youhu {header.get('youhu_version')}, "
        f"scikit-learn {header.get('sklearn_version')}"
    )
    if header.get("format_version") != FORMAT_VERSION or header.get("sklearn_version") != sklearn.__version__:
        raise ModelFileError(
            f"模型文件 {path} 由其他版本生成 (model file made by {made_by}; this is format "
            f"{FORMAT_VERSION}, scikit-learn {sklearn.__version__}): {RETRAIN_HINT}"
        )


def read_header(path: Path) -> dict[str, Any]:
    """The header alone, checked for compatibility; cheap (does not unpickle the model)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            return _read_header(path, fh)
    except FileNotFoundError:
        raise ModelFileError(f"模型文件不存在 (no model file at {path}): {RETRAIN_HINT}") from None
    except OSError as exc:
        raise ModelFileError(f"无法读取模型文件 {path} ({exc})") from exc


def _read_header(path: Path, fh: Any) -> dict[str, Any]:
    if fh.read(len(MAGIC)) != MAGIC:
        raise ModelFileError(f"不是有效的模型文件 (not a Youhu model file: {path}): {RETRAIN_HINT}")
    try:
        header = json.loads(fh.readline(1_000_000).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(f"模型文件头已损坏 (corrupt header in {path}): {RETRAIN_HINT}") from exc
    if not isinstance(header, dict):
        raise ModelFileError(f"模型文件头已损坏 (corrupt header in {path}): {RETRAIN_HINT}")
    _check_compatible(path, header)
    return header


def load(path: Path) -> tuple[dict[str, Any], Any]:
    """(header, payload), or ModelFileError with a message fit to show an operator."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            header = _read_header(path, fh)
            payload = pickle.load(fh)  # noqa: S301 - our own file, written by save() above
    except ModelFileError:
        raise
    except FileNotFoundError:
        raise ModelFileError(f"模型文件不存在 (no model file at {path}): {RETRAIN_HINT}") from None
    except Exception as exc:  # a truncated or tampered pickle can raise nearly anything
        raise ModelFileError(f"模型文件已损坏 (corrupt model file {path}: {exc!r}): {RETRAIN_HINT}") from exc
    return header, payload
