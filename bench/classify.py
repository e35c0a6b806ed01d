"""Speed of the dispatch classifier: training time on the shared labelled appeals (6,513 rows) and
classification throughput on one core (batches, and one appeal at a time). Prints figures; asserts nothing.

    .venv/bin/python bench/classify.py [--rows 10000] [--cv]

Targets (issue 4): training < 2 min on this machine; ≥ 2,000 appeals/s on one core.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path


def rate(label: str, count: int, wall: float, cpu: float) -> None:
    print(f"{label:<44} {count:>6} in {wall:7.2f} s wall ({cpu:6.2f} s CPU)"
          f"  = {count / wall:7.0f} /s wall, {count / cpu:7.0f} /s CPU")


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="appeals to classify (the data repeated)")
    parser.add_argument("--cv", action="store_true", help="also run 5-fold cross-validation (slow)")
    args = parser.parse_args()
    os.environ.setdefault("YOUHU_VAR_DIR", tempfile.mkdtemp(prefix="youhu-bench-classify-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youhu.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as the target says
    import django

    django.setup()
    from shared_data import require
    from threadpoolctl import threadpool_limits

    from youhu.dispatch import classifier
    from youhu.dispatch.classifier.evaluation import cross_validate
    from youhu.dispatch.classifier.text import prepare
    from youhu.dispatch.classifier.training import default_data_path, load_dataset, train

    require(default_data_path())
    threadpool_limits(1)
    print(f"pinned to CPU {sorted(os.sched_getaffinity(0))}, load average {os.getloadavg()[0]:.1f}")
    model_path = Path(tempfile.mkdtemp(prefix="youhu-bench-model-")) / "model.npz"
    dataset, wall, cpu = timed(lambda: load_dataset(include_db=False))
    rate("read + prepare training data", len(dataset), wall, cpu)
    _, wall, cpu = timed(lambda: train(dataset, model_path))
    print(f"{'training (whole data, calibrated)':<44} {len(dataset):>6} rows in {wall:7.1f} s wall "
          f"({cpu:6.1f} s CPU); file {model_path.stat().st_size / 1e6:.1f} MB")
    clf, wall, cpu = timed(lambda: classifier.load(model_path))
    print(f"{'loading the model file':<44} {wall:7.2f} s wall")

    with default_data_path().open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    raw = [f"{r['title']}{r['text']}" for r in rows]
    texts = (raw * (args.rows // len(raw) + 1))[: args.rows]
    print(f"mean appeal length {sum(map(len, texts)) / len(texts):.0f} characters")
    for batch in (1000, 100):
        _, wall, cpu = timed(lambda b=batch: [clf.predict(texts[i:i + b]) for i in range(0, len(texts), b)])
        rate(f"predict, batches of {batch}", len(texts), wall, cpu)
    one = texts[:1000]
    _, wall, cpu = timed(lambda: [clf.predict([t]) for t in one])
    rate("predict, one appeal per call", len(one), wall, cpu)
    _, wall, cpu = timed(lambda: [clf.explain(t, "城乡建设") for t in one[:200]])
    rate("explain, one appeal per call", 200, wall, cpu)
    _, wall, cpu = timed(lambda: [prepare("", t) for t in texts])
    rate("  of which text normalisation", len(texts), wall, cpu)

    if args.cv:
        result, wall, cpu = timed(lambda: cross_validate(dataset, folds=5))
        print(f"5-fold CV in {wall:.0f} s: macro-F1 {result['macro_f1']}, accuracy {result['accuracy']}, "
              f"precision@coverage {result['precision_at_coverage']}")


if __name__ == "__main__":
    main()
