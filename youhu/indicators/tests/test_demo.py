from __future__ import annotations

import pytest

from youhu.indicators import demo, selectors
from youhu.indicators.models import Entity, Period, ScoreRun, Value
from youhu.testing.factories import at, make_unit

pytestmark = pytest.mark.django_db


def test_the_demo_has_parks_and_peers_over_three_years_scored_both_ways():
    office = make_unit(demo.OFFICE)
    now = at("2026-03-01 10:00")
    demo.load(now)
    assert Entity.objects.count() == 10 and Entity.objects.filter(unit=office).count() == 5
    assert list(Period.objects.values_list("code", flat=True)) == ["2023", "2024", "2025"]
    assert ScoreRun.objects.count() == 6
    latest = selectors.latest_run(Period.objects.get(code="2025"), "given").result
    assert sorted(e["rank"] for e in latest["entities"]) == list(range(1, 11))
    nanan = next(e for e in latest["entities"] if e["code"] == "PZ03")
    assert nanan["counted"] == 13
    revenue = {e["code"]: e["raw"][0] for e in latest["entities"]}
    assert revenue["PZ01"] == 1850 and revenue["PEER01"] > revenue["PZ02"]
    late = selectors.missing_unit_figures(Period.objects.get(code="2025"), today=at("2026-04-01 10:00").date())
    assert [(r["entity"].code, r["indicator"].code) for r in late] == [("PZ03", "compute")]
    values = Value.objects.count()
    demo.load(now)  # again: nothing doubled, nothing recomputed
    assert (Value.objects.count(), ScoreRun.objects.count()) == (values, 6)
