"""The model file: a NumPy `.npz` archive of plain arrays and a JSON header, read with allow_pickle=False.

Nothing in the file is code or a scikit-learn object: loading it cannot run anything, and a file does
not depend on the scikit-learn release it was trained with. The header (format version, labels, the
training data's checksums, spec, cross-validation figures) is checked before the arrays are used, and
every array's shape is checked against the others, so a damaged or foreign file is refused with a
message that says what to do instead of predicting wrongly.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from .ngrams import BITS

KIND = "youhu-dispatch-classifier"
# Bump when the arrays' meaning changes: older files are then refused and must be retrained.
# 1 was a pickle (refused since: loading a pickle runs code); 2 is this archive.
FORMAT_VERSION = 2
RETRAIN_HINT = "请运行 `youhu model train` 重新训练 (retrain with `youhu model train`)"
# The first line of a format-1 file (a pickle behind a JSON header).
PICKLE_MAGIC = b"YOUHU-DISPATCH-MODEL\n"
ARRAYS = ("labels", "buckets", "ngram_range", "idf", "weights", "intercepts", "slopes", "offsets", "columns")


class ModelFileError(Exception):
    """The model file is missing, unreadable, corrupt or made by an incompatible version."""


@dataclass(frozen=True)
class ModelArrays:
    """What a prediction needs: TF-IDF over kept n-gram buckets, linear scores, sigmoid calibration.

    `weights` has one column per (calibrated copy, output): a copy's outputs are the classes at
    `columns[copy]` (one output, for labels[1], in a two-label model).
    """

    labels: np.ndarray  # (n_labels,) str
    buckets: np.ndarray  # (n_features,) int64, sorted: feature j counts the n-grams hashed to buckets[j]
    ngram_range: np.ndarray  # (2,) int64: shortest and longest n-gram
    idf: np.ndarray  # (n_features,) float32
    weights: np.ndarray  # (n_features, n_copies * width) float32 in memory (float16 in the file), C order
    intercepts: np.ndarray  # (n_copies * width,) float64
    slopes: np.ndarray  # (n_copies * width,) float64: calibrated = expit(-(slope * score + offset))
    offsets: np.ndarray  # (n_copies * width,) float64
    columns: np.ndarray  # (n_copies, width) int64: the label index of each output

    def arrays(self) -> dict[str, np.ndarray]:
        """As stored: buckets fit in 32 bits (BITS wide); weights are rounded to float16, which halves the
        file (the weights are most of it). The rounding's cost is bounded by a test on real appeals and
        written in docs/dispatch-model.md; the arithmetic on the loaded arrays is float64 all the same."""
        return {name: getattr(self, name) for name in ARRAYS} | {
            "buckets": self.buckets.astype(np.int32),
            "weights": self.weights.astype(np.float16),
        }


def youhu_version() -> str:
    try:
        return metadata.version("youhu")
    except metadata.PackageNotFoundError:
        return "unknown"


def make_header(labels: list[str], training: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "youhu_version": youhu_version(),
        "labels": list(labels),
        "training": training,
    }


def save(path: Path, header: dict[str, Any], model: ModelArrays) -> Path:
    """Write atomically: a reader sees the old file or the complete new one, never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, header=np.array(json.dumps(header, ensure_ascii=False)), **model.arrays())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _open(path: Path) -> Any:
    try:
        with path.open("rb") as fh:
            if fh.read(len(PICKLE_MAGIC)) == PICKLE_MAGIC:
                raise ModelFileError(
                    f"模型文件 {path} 是旧的 pickle 格式，已不再加载 (old pickle model file, no longer loaded: "
                    f"loading a pickle runs code): {RETRAIN_HINT}"
                )
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise ModelFileError(f"模型文件不存在 (no model file at {path}): {RETRAIN_HINT}") from None
    except ModelFileError:
        raise
    except IsADirectoryError as exc:
        raise ModelFileError(f"无法读取模型文件 {path} ({exc})") from exc
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"不是有效的模型文件 (not a Youhu model file: {path}: {exc}): {RETRAIN_HINT}") from exc


def _header_of(path: Path, archive: Any) -> dict[str, Any]:
    try:
        header = json.loads(str(archive["header"][()]))
    except KeyError:
        raise ModelFileError(f"不是有效的模型文件 (no header in {path}): {RETRAIN_HINT}") from None
    except (ValueError, TypeError, IndexError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"模型文件头已损坏 (corrupt header in {path}): {RETRAIN_HINT}") from exc
    if not isinstance(header, dict) or header.get("kind") != KIND:
        raise ModelFileError(f"不是有效的模型文件 (not a Youhu model file: {path}): {RETRAIN_HINT}")
    if header.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"模型文件 {path} 由其他版本生成 (model file made as format {header.get('format_version')} by youhu "
            f"{header.get('youhu_version')}; this is format {FORMAT_VERSION}): {RETRAIN_HINT}"
        )
    return header


def read_header(path: Path) -> dict[str, Any]:
    """The header alone, checked for compatibility; cheap (the arrays are not decompressed)."""
    path = Path(path)
    with _open(path) as archive:
        return _header_of(path, archive)


def load(path: Path) -> tuple[dict[str, Any], ModelArrays]:
    """(header, arrays), or ModelFileError with a message fit to show an operator."""
    path = Path(path)
    with _open(path) as archive:
        header = _header_of(path, archive)
        try:
            raw = {name: archive[name] for name in ARRAYS}
        except KeyError as exc:
            raise ModelFileError(f"模型文件内容不完整 (array {exc} missing in {path}): {RETRAIN_HINT}") from None
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ModelFileError(f"模型文件已损坏 (corrupt model file {path}: {exc!r}): {RETRAIN_HINT}") from exc
    try:
        model = _checked(raw, header)
    except (ValueError, TypeError) as exc:
        raise ModelFileError(f"模型文件内容不一致 (inconsistent model file {path}: {exc}): {RETRAIN_HINT}") from exc
    return header, model


def _checked(raw: dict[str, np.ndarray], header: dict[str, Any]) -> ModelArrays:
    """The arrays in the types the runtime uses, once their shapes agree (ValueError where not)."""
    labels, buckets, columns = raw["labels"], raw["buckets"], raw["columns"]
    weights = raw["weights"]
    if labels.dtype.kind != "U" or [str(x) for x in labels] != list(header.get("labels", [])):
        raise ValueError("labels differ from the header's")
    n_features = len(buckets)
    if buckets.ndim != 1 or (n_features and (buckets.min() < 0 or buckets.max() >= 1 << BITS)):
        raise ValueError("n-gram buckets out of range")
    if raw["idf"].shape != (n_features,) or weights.ndim != 2 or weights.shape[0] != n_features:
        raise ValueError(f"feature arrays disagree: {n_features} buckets, idf {raw['idf'].shape}, weights {weights.shape}")
    outputs = weights.shape[1]
    if columns.ndim != 2 or columns.size != outputs or columns.size == 0:
        raise ValueError(f"output columns {columns.shape} do not match weights {weights.shape}")
    if columns.min() < 0 or columns.max() >= len(labels):
        raise ValueError("output columns name unknown labels")
    for name in ("intercepts", "slopes", "offsets"):
        if raw[name].shape != (outputs,):
            raise ValueError(f"{name} {raw[name].shape} do not match weights {weights.shape}")
    ngram_range = raw["ngram_range"].astype(np.int64)
    if ngram_range.shape != (2,) or not 1 <= ngram_range[0] <= ngram_range[1] <= 8:
        raise ValueError(f"bad n-gram range {raw['ngram_range']}")
    return ModelArrays(
        labels=labels,
        buckets=buckets.astype(np.int64),
        ngram_range=ngram_range,
        idf=raw["idf"].astype(np.float32),
        # C order: scipy's sparse @ dense copies a dense operand that is not C-contiguous on every call.
        weights=np.ascontiguousarray(weights, dtype=np.float32),
        intercepts=raw["intercepts"].astype(np.float64),
        slopes=raw["slopes"].astype(np.float64),
        offsets=raw["offsets"].astype(np.float64),
        columns=columns.astype(np.int64),
    )
