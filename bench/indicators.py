"""Benchmark: scoring 10,000 entities × 50 indicators (target: well under a second).

    .venv/bin/python bench/indicators.py [--entities 10000] [--indicators 50] [--repeat 5]

Pure NumPy, no database: the matrix has 5 % of its values missing, a quarter of the indicators are
lower-is-better, in 5 dimensions. Prints the best and median time of each weighting.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from youhu.indicators.scoring import ENTROPY, GIVEN, score  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    n, m = args.entities, args.indicators
    values = rng.lognormal(3, 1, (n, m))
    values[rng.random((n, m)) < 0.05] = np.nan
    kwargs = {"higher_is_better": rng.random(m) > 0.25, "weights": np.full(m, 1 / m),
              "dimension": np.arange(m) % 5, "n_dimensions": 5}
    print(f"scoring {n:,} entities × {m} indicators ({np.isnan(values).mean():.0%} missing), "
          f"{args.repeat} runs each")
    for method in (GIVEN, ENTROPY):
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = score(values, method=method, **kwargs)
            times.append(time.perf_counter() - start)
        print(f"  {method:8s} best {min(times) * 1000:7.1f} ms   median {statistics.median(times) * 1000:7.1f} ms"
              f"   (top index {np.nanmax(result.index):.2f}, ranks 1..{result.rank.max()})")


if __name__ == "__main__":
    main()
