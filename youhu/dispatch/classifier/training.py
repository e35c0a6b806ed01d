"""Training data (the public labelled CSV + dispatchers' confirmed corrections) and fitting.

Training uses scikit-learn (features.py); what is saved is its result as plain arrays (storage.py).
"""

from __future__ import annotations

import csv
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from threadpoolctl import threadpool_limits

from . import storage
from .features import DEFAULT_SPEC, ModelSpec, build_pipeline, to_arrays
from .model import Classifier
from .text import is_readable, prepare, text_hash

log = logging.getLogger(__name__)

# A class needs a few examples to be learnt and calibrated at all; rarer labels are left out (logged).
MIN_PER_CLASS = 3


class TrainingDataError(ValueError):
    """The training data cannot be used (missing file, wrong columns, too few examples)."""


@dataclass
class Dataset:
    texts: list[str]  # already prepared (see text.prepare)
    labels: list[str]
    sources: dict[str, int]  # where the rows came from: {"csv:labeled_appeals.csv": 6513, "db": 12}
    sha256: dict[str, str] = field(default_factory=dict)  # each CSV's checksum: {"labeled_appeals.csv": "…"}
    relabelled: int = 0  # rows whose label an admin's review corrected (dispatch.reviews)

    def __len__(self) -> int:
        return len(self.texts)


def default_data_path() -> Path:
    """The public labelled appeals (2020 Teddy Cup, problem C): in ../shared, or YOUHU_SHARED_DIR."""
    return Path(settings.SHARED_DIR) / "data" / "appeals" / "labeled_appeals.csv"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_csv(path: Path) -> list[tuple[str, str]]:
    """(prepared text, label) rows from a CSV with columns text, label and optionally title."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            fields = set(reader.fieldnames or [])
            if not {"text", "label"} <= fields:
                raise TrainingDataError(f"{path}: 需要列 text 和 label (columns text,label required; got {sorted(fields)})")
            return [
                (prepare(row.get("title") or "", row.get("text") or ""), (row.get("label") or "").strip())
                for row in reader
            ]
    except FileNotFoundError:
        hint = ""
        if path == default_data_path():
            hint = (" — 默认训练数据是公开的 2020 泰迪杯 C 题留言 labeled_appeals.csv，放在 ../shared/data/appeals/ 或用"
                    " YOUHU_SHARED_DIR 指定，或用 --data 给出自己的 CSV (the default training data is the public 2020"
                    " Teddy Cup problem C file labeled_appeals.csv: put it under ../shared/data/appeals/, point"
                    " YOUHU_SHARED_DIR at a folder holding data/appeals/labeled_appeals.csv, or pass --data CSV;"
                    " without it the shipped default model serves)")
        raise TrainingDataError(f"训练数据文件不存在 (no such file: {path}){hint}") from None
    except UnicodeDecodeError as exc:
        raise TrainingDataError(f"{path}: 不是 UTF-8 编码的 CSV ({exc})") from exc


def _from_database(read: Callable[[], Any], default: Any, what: str) -> Any:
    """What `read` returns, or `default` when the database cannot answer (its table absent: not migrated).
    The read runs in a savepoint: inside a caller's transaction a failed statement aborts the whole
    transaction on PostgreSQL, and only rolling back to the savepoint makes it usable again."""
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic():
            return read()
    except DatabaseError as exc:
        log.warning("%s not read from the database: %s", what, exc)
        return default


def read_corrections(before: datetime | None = None) -> list[tuple[str, str]]:
    """Dispatchers' confirmed labels, the newest decision per ticket (a ticket dispatched, returned and
    re-dispatched must not teach both answers)."""
    from youhu.dispatch.services import labelled_examples

    return _from_database(lambda: [(prepare("", text), (label or "").strip())
                                   for text, label in labelled_examples(before)], [], "labelled examples")


def read_overrides(before: datetime | None = None) -> dict[tuple[str, str], str]:
    """{(text hash, given label): corrected label} from the label reviews; none if the table is absent."""
    from youhu.dispatch.reviews import label_overrides

    return _from_database(lambda: label_overrides(before), {}, "label reviews")


def apply_overrides(rows: list[tuple[str, str]], overrides: dict[tuple[str, str], str]) -> tuple[list, int]:
    """Rows with each reviewed example's corrected label, and how many changed. Matched on the text as
    training reads it and the label it was given, so a row relabelled at the source is left alone."""
    if not overrides:
        return rows, 0
    out, changed = [], 0
    for text, label in rows:
        corrected = overrides.get((text_hash(text), label))
        if corrected:
            changed += 1
        out.append((text, corrected or label))
    return out, changed


def load_dataset(
    csv_paths: Iterable[Path] | None = None, *, include_db: bool = True, as_of: datetime | None = None
) -> Dataset:
    """The training rows; `as_of`: with the database's corrections and reviews as they stood then."""
    rows: list[tuple[str, str]] = []
    sources: dict[str, int] = {}
    checksums: dict[str, str] = {}
    for path in csv_paths or [default_data_path()]:
        part = read_csv(path)
        sources[f"csv:{Path(path).name}"] = len(part)
        checksums[Path(path).name] = sha256_of(path)
        rows += part
    if include_db:
        part = read_corrections(as_of)
        sources["db"] = len(part)
        rows += part
    relabelled = 0
    if include_db:
        rows, relabelled = apply_overrides(rows, read_overrides(as_of))
    rows = [(t, lab) for t, lab in rows if lab and is_readable(t)]
    counts = Counter(lab for _, lab in rows)
    rare = sorted(lab for lab, n in counts.items() if n < MIN_PER_CLASS)
    if rare:
        log.warning("labels with fewer than %d examples left out: %s", MIN_PER_CLASS, ", ".join(rare))
        rows = [(t, lab) for t, lab in rows if lab not in rare]
    if len({lab for _, lab in rows}) < 2:
        raise TrainingDataError(f"训练数据不足：至少需要两个类别、每类 {MIN_PER_CLASS} 条 (need ≥2 labels with ≥{MIN_PER_CLASS} rows each)")
    return Dataset([t for t, _ in rows], [lab for _, lab in rows], sources, checksums, relabelled)


def fit_pipeline(texts: list[str], labels: list[str], spec: ModelSpec = DEFAULT_SPEC) -> tuple[Any, Any]:
    """The fitted scikit-learn (vectorizer, estimator) on prepared texts."""
    pipeline = build_pipeline(spec, len(texts), labels)
    # The calibration's many tiny L-BFGS steps are slowed 5-10x by multi-threaded BLAS on a busy machine.
    with threadpool_limits(limits=1, user_api="blas"):
        pipeline.fit(texts, labels)
    return pipeline.named_steps["features"], pipeline.named_steps["model"]


def fit(texts: list[str], labels: list[str], spec: ModelSpec = DEFAULT_SPEC) -> Classifier:
    """Fit on prepared texts; the runtime model, as it will be saved."""
    return Classifier(to_arrays(*fit_pipeline(texts, labels, spec)))


def train(
    dataset: Dataset,
    output: Path,
    *,
    spec: ModelSpec = DEFAULT_SPEC,
    cv: dict | None = None,
    extra: dict | None = None,
) -> Classifier:
    """Fit on the whole dataset and save it, with its training metadata (and `extra`'s), to `output`."""
    started = time.perf_counter()
    classifier = fit(dataset.texts, dataset.labels, spec)
    training = {
        "rows": len(dataset),
        "sources": dataset.sources,
        "relabelled": dataset.relabelled,
        "sha256": dataset.sha256,
        "class_counts": dict(sorted(Counter(dataset.labels).items())),
        "trained_at": timezone.now().isoformat(),
        "seconds": round(time.perf_counter() - started, 1),
        "spec": spec.as_dict(),
        "cv": cv,
    } | (extra or {})
    header = storage.make_header(classifier.labels, training)
    storage.save(output, header, classifier.model)
    classifier.header = header
    return classifier
