"""The loaded demo reads like a working district, by the dashboard's and supervision's own figures.

One demo is loaded for the whole module (inside a transaction rolled back at the end), at a fixed
`now`: a Tuesday morning, so that the previous month is complete and today's surge has begun.
"""

import pytest
from django.db import transaction

from youhu.dashboard import rollup, selectors, stored
from youhu.demo import district as d
from youhu.demo.loader import load_demo
from youhu.demo.profiles import HOTSPOT, LAGGING_UNITS, SURGE
from youhu.directory.models import Unit
from youhu.dispatch.hotspots import current_hotspots
from youhu.supervision.metrics import month_period, scorecard
from youhu.supervision.ranking import monthly_ranking
from youhu.testing.factories import at

NOW = at("2026-06-16 10:30")
LAST_MONTH = "2026-05"
# The smallest demo in which each lagging unit still has a rankable month (min_volume) and the
# hotspot and the surge have their full size.
TICKETS = 1000


def _street_name(slug: str) -> str:
    return next(s.name for s in d.STREETS if s.slug == slug)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(TICKETS, now=NOW, extras=[])
        rollup.rebuild(NOW)  # what the queue does (dashboard.tasks): the dashboard reads these
        stored.compute_scope(None, NOW)
        yield
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_open_tickets_are_mostly_within_their_deadlines():
    overview = selectors.overview(NOW)
    assert overview["open"] >= 50
    assert 0 < overview["overdue"] <= 0.1 * overview["open"], overview


def test_the_dashboard_rates_are_those_of_a_working_district():
    rates = {r["key"]: r["value"] for r in stored.read(stored.rates_key(30, None)).value}
    assert rates["response_rate"] >= 0.9, rates
    assert 0.85 <= rates["satisfaction_rate"] <= 0.97, rates
    assert rates["resolution_rate"] >= 0.85, rates


def test_last_month_is_mostly_on_time():
    card = scorecard(month_period(LAST_MONTH, now=NOW), now=NOW)
    assert card.received >= 150
    assert card.response_rate >= 0.9, card.rates()
    assert card.reply_on_time_rate >= 0.85, card.rates()
    assert 0.85 <= card.satisfaction_rate <= 0.97, card.rates()


def test_the_lagging_units_rank_at_the_bottom():
    ranking = monthly_ranking(month_period(LAST_MONTH, now=NOW), now=NOW)
    lagging = set(Unit.objects.filter(code__in=LAGGING_UNITS).values_list("pk", flat=True))
    assert len(lagging) == len(LAGGING_UNITS)
    bottom = ranking.ranked[-len(lagging):]
    assert {row.unit.pk for row in bottom} == lagging, [(r.unit.name, r.score) for r in ranking.ranked]
    # clearly behind, not by a hair: below every other ranked unit by a margin
    others = ranking.ranked[:-len(lagging)]
    assert len(others) >= 5
    assert max(row.score for row in bottom) + 8 <= min(row.score for row in others)
    # and the dashboard's overdue list starts with one of them
    assert selectors.overdue_by_unit(NOW)[0]["unit_id"] in lagging


def test_the_hotspot_is_found_by_the_hotspot_detection():
    hottest = current_hotspots(NOW)[0]
    assert hottest.size >= 10
    assert _street_name(HOTSPOT.street_slug) in hottest.place
    assert "紫龙府" in hottest.title
    assert hottest.growth > 0  # more residents speak up in the last week than in the week before


def test_todays_surge_is_found_by_the_surge_detection():
    surges = selectors.surges(NOW)
    streets = [s for s in surges if s["dimension"] == "street"]
    assert [s["name"] for s in streets] == [_street_name(SURGE.street_slug)], surges
    assert streets[0]["today"] >= 10


def test_intake_is_even_over_the_history():
    """No pile-up of recent tickets: the last week's daily intake is like the history's."""
    trend = selectors.intake_trend(NOW, days=90)
    daily = [sum(s["counts"][i] for s in trend["series"]) for i in range(90)]
    past, last_week = daily[:-7], daily[-7:-1]  # today is partial (and has the surge)
    mean = sum(past) / len(past)
    assert max(last_week) <= 2.2 * mean, (mean, last_week)
    assert min(daily[:-1]) > 0
