"""Speed of smart dispatch's place and grouping parts: point-in-polygon, gazetteer, duplicate search
and hotspot grouping on the shared message-board data. Prints figures; asserts nothing.

    .venv/bin/python bench/dispatch_geo.py [--rows N]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from shared_data import require


def rate(label: str, count: int, seconds: float) -> None:
    print(f"{label:<42} {count:>7} in {seconds:7.3f} s  = {count / seconds:10.0f} /s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=0, help="limit the hotspot input to N rows (0 = all)")
    args = parser.parse_args()
    os.environ.setdefault("YOUHU_VAR_DIR", tempfile.mkdtemp(prefix="youhu-bench-geo-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youhu.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()
    from django.conf import settings

    from youhu.dispatch import gazetteer, geo, hotspots
    from youhu.dispatch.textsim import similarities

    rng = random.Random(7)
    minx, miny, maxx, maxy = geo.district_outline().bounds
    points = [(rng.uniform(minx, maxx), rng.uniform(miny, maxy)) for _ in range(5000)]
    started = time.perf_counter()
    inside = sum(geo.street_at(x, y) is not None for x, y in points[:500])
    rate(f"street_at, one at a time ({inside} inside)", 500, time.perf_counter() - started)
    locate = geo.street_locator()
    started = time.perf_counter()
    inside = sum(locate(x, y) is not None for x, y in points)
    rate(f"street_locator, batch ({inside} inside)", len(points), time.perf_counter() - started)

    table = gazetteer.build()
    texts = ["琶洲会展中心附近路灯不亮", "新港中路中山大学门口井盖缺失", "小区门口垃圾无人清理", "江南大道中段积水"] * 1000
    started = time.perf_counter()
    resolved = sum(table.resolve(t).resolved for t in texts)
    rate(f"gazetteer resolve ({resolved} resolved)", len(texts), time.perf_counter() - started)

    path = Path(settings.SHARED_DIR) / "data" / "hotspot" / "messages_with_votes.csv"
    require(path)
    started = time.perf_counter()
    appeals = hotspots.appeals_from_csv(path)
    if args.rows:
        appeals = appeals[: args.rows]
    rate("read + parse message CSV", len(appeals), time.perf_counter() - started)

    pool = [f"{a.title}\n{a.text}"[:400] for a in appeals[:500]]
    started = time.perf_counter()
    for text in pool[:20]:
        similarities(text, pool)
    rate("duplicate search against 500 candidates", 20, time.perf_counter() - started)

    started = time.perf_counter()
    groups = hotspots.find_hotspots(appeals)
    seconds = time.perf_counter() - started
    rate(f"hotspot grouping ({len(groups)} groups)", len(appeals), seconds)


if __name__ == "__main__":
    main()
