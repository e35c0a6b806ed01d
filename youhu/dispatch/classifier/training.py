"""Training data (the shared labelled CSV + dispatchers' confirmed corrections) and fitting."""

from __future__ import annotations

import csv
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from threadpoolctl import threadpool_limits

from . import storage
from .features import DEFAULT_SPEC, ModelSpec, build_estimator, build_vectorizer
from .model import Classifier
from .text import is_readable, prepare

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

    def __len__(self) -> int:
        return len(self.texts)


def default_data_path() -> Path:
    return Path(settings.SHARED_DIR) / "data" / "appeals" / "labeled_appeals.csv"


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
        raise TrainingDataError(f"训练数据文件不存在 (no such file: {path})") from None
    except UnicodeDecodeError as exc:
        raise TrainingDataError(f"{path}: 不是 UTF-8 编码的 CSV ({exc})") from exc


def read_corrections() -> list[tuple[str, str]]:
    """Dispatchers' confirmed labels, the newest decision per ticket (a ticket dispatched, returned and
    re-dispatched must not teach both answers)."""
    from django.db import DatabaseError

    from youhu.dispatch.services import labelled_examples

    try:
        return [(prepare("", text), (label or "").strip()) for text, label in labelled_examples()]
    except DatabaseError as exc:
        log.warning("labelled examples not read from the database: %s", exc)
        return []


def load_dataset(csv_paths: Iterable[Path] | None = None, *, include_db: bool = True) -> Dataset:
    rows: list[tuple[str, str]] = []
    sources: dict[str, int] = {}
    for path in csv_paths or [default_data_path()]:
        part = read_csv(path)
        sources[f"csv:{Path(path).name}"] = len(part)
        rows += part
    if include_db:
        part = read_corrections()
        sources["db"] = len(part)
        rows += part
    rows = [(t, lab) for t, lab in rows if lab and is_readable(t)]
    counts = Counter(lab for _, lab in rows)
    rare = sorted(lab for lab, n in counts.items() if n < MIN_PER_CLASS)
    if rare:
        log.warning("labels with fewer than %d examples left out: %s", MIN_PER_CLASS, ", ".join(rare))
        rows = [(t, lab) for t, lab in rows if lab not in rare]
    if len({lab for _, lab in rows}) < 2:
        raise TrainingDataError(f"训练数据不足：至少需要两个类别、每类 {MIN_PER_CLASS} 条 (need ≥2 labels with ≥{MIN_PER_CLASS} rows each)")
    return Dataset([t for t, _ in rows], [lab for _, lab in rows], sources)


def fit(texts: list[str], labels: list[str], spec: ModelSpec = DEFAULT_SPEC) -> Classifier:
    """Fit on prepared texts."""
    vectorizer = build_vectorizer(spec, len(texts))
    features = vectorizer.fit_transform(texts)
    estimator = build_estimator(spec, labels)
    # The calibration's many tiny L-BFGS steps are slowed 5-10x by multi-threaded BLAS on a busy machine.
    with threadpool_limits(limits=1, user_api="blas"):
        estimator.fit(features, labels)
    return Classifier(vectorizer, estimator)


def train(
    dataset: Dataset,
    output: Path,
    *,
    spec: ModelSpec = DEFAULT_SPEC,
    cv: dict | None = None,
) -> Classifier:
    """Fit on the whole dataset and save it, with its training metadata, to `output`."""
    started = time.perf_counter()
    classifier = fit(dataset.texts, dataset.labels, spec)
    training = {
        "rows": len(dataset),
        "sources": dataset.sources,
        "class_counts": dict(sorted(Counter(dataset.labels).items())),
        "trained_at": timezone.now().isoformat(),
        "seconds": round(time.perf_counter() - started, 1),
        "spec": spec.as_dict(),
        "cv": cv,
    }
    header = storage.make_header(classifier.labels, training)
    storage.save(output, header, {"vectorizer": classifier.vectorizer, "estimator": classifier.estimator})
    classifier.header = header
    return classifier
