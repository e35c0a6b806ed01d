"""The daily rollup gives the same figures as counting the tickets (docs/metrics.md, "The monthly rollup"):
after a build, after changes and a refresh, as time makes open tickets overdue; each district its own."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from youhu.access.keys import create_api_key
from youhu.conftest import KeyClient
from youhu.supervision import rollup
from youhu.supervision.metrics import (
    Period,
    counted_scorecards,
    month_period,
    period_between,
    scorecard,
    scorecards,
)
from youhu.supervision.models import DayFigures, RollupState
from youhu.supervision.ranking import district_ranking, monthly_ranking
from youhu.supervision.tasks import rebuild_scorecard_rollup, refresh_scorecard_rollup
from youhu.testing.factories import City, Level, at, make_user
from youhu.tickets import services
from youhu.tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db

NOW = at("2026-12-02 10:00")
MONTHS = ("2026-08", "2026-09", "2026-10", "2026-11", "2026-12")
REPLY = "经现场核查，路灯线路老化，已安排维修人员更换线路，现已恢复照明。"


class Year:
    """Tickets of two districts and the city over September to November, each kind of history once or more."""

    def __init__(self, city: City):
        self.city = city
        self.city_handler = make_user("city_handler", "handler", unit=city.city_dept)
        self.t: dict[str, Ticket] = {}

    def district(self, name: str, level: Level, when: str, *, status: str = Status.DISPATCHED) -> Ticket:
        self.t[name] = self.city.in_district(level, status=status, now=at(when))
        return self.t[name]

    def city_level(self, name: str, when: str) -> Ticket:
        ticket = self.city.registered(now=at(when))
        self.t[name] = services.dispatch(ticket, by=self.city.dispatcher, unit=self.city.city_dept, now=at(when))
        return self.t[name]

    def reply(self, ticket: Ticket, level: Level | None, when: str) -> None:
        """Accepted (when not yet) and replied by the handler of the level's department (None: the city's)."""
        handler = level.handler if level is not None else self.city_handler
        if ticket.status == Status.DISPATCHED:
            services.accept(ticket, by=handler, now=at(when))
        services.reply(ticket, by=handler, text=REPLY, now=at(when))

    def review(self, ticket: Ticket, when: str, *, good: bool = True) -> None:
        services.review(ticket, by=None, resolved=good, satisfaction="satisfied" if good else "dissatisfied",
                        now=at(when))


def _year(city: City) -> Year:
    y, a, b = Year(city), city.a, city.b
    # August: never accepted, overdue before the month ended.
    y.district("a0", a, "2026-08-03 09:30")
    # September: replied on time and reviewed; one replied late; one never accepted (overdue since).
    y.reply(y.district("a1", a, "2026-09-07 09:30"), a, "2026-09-08 10:00")
    y.review(y.t["a1"], "2026-09-09 10:00")
    y.reply(y.district("a2", a, "2026-09-07 09:30"), a, "2026-09-30 10:00")
    y.district("a3", a, "2026-09-21 09:30")
    # Across midnight: dispatched 23:50 local on the last day of September, so it is September's.
    y.reply(y.district("b1", b, "2026-09-30 23:50"), b, "2026-10-08 10:00")
    y.review(y.t["b1"], "2026-10-09 10:00", good=False)  # reviewed in the next month
    # October: an extension, a 重办 still open, a 退单, a transfer, the city's own department.
    ext = services.request_extension(y.district("a4", a, "2026-10-12 09:30", status=Status.HANDLING),
                                     by=a.handler, working_days=3, reason="需协调供电部门", now=at("2026-10-13 09:00"))
    services.decide_extension(ext, by=a.supervisor, approve=True, now=at("2026-10-13 10:00"))
    y.t["a4"].refresh_from_db()
    y.reply(y.t["a4"], a, "2026-10-19 10:00")
    y.reply(y.district("a5", a, "2026-10-12 09:30"), a, "2026-10-13 10:00")
    y.review(y.t["a5"], "2026-10-14 09:00", good=False)
    services.reopen(y.t["a5"], by=a.supervisor, reason="未解决", now=at("2026-10-14 10:00"))
    services.return_ticket(y.district("b2", b, "2026-10-20 09:30", status=Status.HANDLING), by=b.handler,
                           reason="非本单位职责", now=at("2026-10-20 11:00"))
    services.transfer(y.district("b3", b, "2026-10-21 09:30"), by=b.dispatcher, unit=b.street_office,
                      reason="属街道职责", now=at("2026-10-22 09:00"))
    y.reply(y.city_level("c1", "2026-10-26 09:30"), None, "2026-10-27 10:00")
    y.city_level("c2", "2026-10-26 09:30")
    y.district("b4", b, "2026-10-28 09:30", status=Status.HANDLING)
    # November: dispatched, some replied, one open and due later.
    y.reply(y.district("a6", a, "2026-11-03 09:30"), a, "2026-11-04 10:00")
    y.district("a7", a, "2026-11-30 09:30", status=Status.HANDLING)
    y.district("b5", b, "2026-11-16 09:30")
    # December, the month of NOW: open, due later this month.
    y.district("a9", a, "2026-12-01 09:30", status=Status.HANDLING)
    for ticket in y.t.values():
        ticket.refresh_from_db()
    return y


@pytest.fixture
def year(db) -> Year:
    return _year(City())


def _figures(cards) -> dict:
    return {key: card.as_dict() for key, card in cards.items()}


def _views(city: City) -> list[dict]:
    """Every way the pages, the API, the workbook and the ranking ask for figures the rollup answers."""
    asks: list[dict] = [{"group_by": g} for g in (None, "unit", "district")]
    asks += [{"group_by": g, "district": level.district} for g in (None, "unit") for level in (city.a, city.b)]
    asks += [{"group_by": None, "unit": unit} for unit in (city.a.dept, city.b.dept, city.city_dept)]
    return asks


def assert_same_as_counted(city: City, *, now: datetime = NOW) -> None:
    for month in MONTHS:
        period = month_period(month, now=now)
        for ask in _views(city):
            summed = scorecards(period, now=now, **ask)
            assert summed.refreshed_at is not None, "the rollup should answer"
            assert _figures(summed) == _figures(counted_scorecards(period, now=now, **ask)), (month, ask)


def test_a_built_rollup_gives_the_figures_counted_over_the_tickets(year):
    rollup.build(now=NOW)
    assert DayFigures.objects.exists()
    assert_same_as_counted(year.city)
    october = scorecard(month_period("2026-10", now=NOW), district=year.city.b.district, now=NOW)
    assert (october.received, october.returns) == (2, 1)  # b3 (transferred) and b4; b2 returned


def test_changes_show_after_a_refresh_and_only_then(year):
    city, a, b, t = year.city, year.city.a, year.city.b, year.t
    rollup.build(now=NOW)
    november = month_period("2026-11", now=NOW)
    before = scorecard(november, district=a.district, now=NOW)
    # Later events on earlier months' tickets, and new ones.
    year.reply(t["a3"], a, "2026-12-01 10:00")  # September's overdue ticket replied late in December
    year.review(t["a4"], "2026-12-01 11:00")  # October's review arrives
    year.review(t["a6"], "2026-12-01 11:00", good=False)
    services.transfer(t["b4"], by=b.dispatcher, unit=b.street_office, reason="属街道职责",
                      now=at("2026-11-02 09:00"))  # moves from October's 28th to November's 2nd
    services.return_ticket(t["b5"], by=b.handler, reason="非本单位职责", now=at("2026-11-17 09:00"))
    services.return_to_city(t["b2"], by=b.dispatcher, reason="不属本区", now=at("2026-11-18 09:00"))  # its 退单 too
    year.district("a8", a, "2026-11-20 09:30", status=Status.HANDLING)
    stale = scorecard(november, district=a.district, now=NOW)
    assert stale.received == before.received and stale.refreshed_at == before.refreshed_at
    assert counted_scorecards(november, group_by=None, district=a.district, now=NOW)[None].received \
        == before.received + 1
    done = rollup.refresh(now=NOW + timedelta(minutes=10))
    assert done.tickets >= 6 and not done.full
    assert RollupState.objects.get().refreshed_at == NOW + timedelta(minutes=10)
    assert_same_as_counted(city)
    assert scorecard(month_period("2026-10", now=NOW), district=b.district, now=NOW).received == 1  # b3 only


def test_a_refresh_with_nothing_new_rewrites_little_and_changes_nothing(year):
    rollup.build(now=NOW)
    rows = list(DayFigures.objects.order_by("day", "district_id", "unit_id").values())
    rollup.refresh(now=NOW)
    assert [{k: v for k, v in r.items() if k != "id"} for r in rows] == \
        [{k: v for k, v in r.items() if k != "id"} for r in
         DayFigures.objects.order_by("day", "district_id", "unit_id").values()]


def test_a_month_that_has_ended_counts_its_open_late_tickets_at_its_end(year):
    rollup.build(now=NOW)
    august = month_period("2026-08", now=NOW)
    assert year.t["a0"].reply_due < august.end
    assert scorecard(august, now=NOW).overdue == 1
    assert scorecard(august, now=august.end - timedelta(days=30)).overdue == 0  # judged before it was due


def test_open_tickets_become_overdue_with_time_without_a_refresh(year):
    rollup.build(now=NOW)
    december = month_period("2026-12", now=NOW)
    due = year.t["a9"].reply_due
    before, after = due - timedelta(hours=1), due + timedelta(hours=1)
    assert scorecard(december, now=before).overdue + 1 == scorecard(december, now=after).overdue
    for when in (before, after):
        assert _figures(scorecards(december, group_by="unit", now=when)) == \
            _figures(counted_scorecards(december, group_by="unit", now=when))


def test_the_rollup_answers_whole_days_without_category_or_street_only(year):
    rollup.build(now=NOW)
    october = month_period("2026-10", now=NOW)
    assert scorecard(october, now=NOW).refreshed_at == NOW
    assert scorecard(october, street=year.city.a.street, now=NOW).refreshed_at is None
    assert scorecard(october, category=year.city.category, now=NOW).refreshed_at is None
    assert scorecards(october, group_by="street", now=NOW).refreshed_at is None
    partial = period_between(at("2026-10-12 09:00"), at("2026-10-21 09:00"))
    assert scorecard(partial, now=NOW).refreshed_at is None
    days = Period(start=at("2026-10-12 00:00"), end=at("2026-10-21 00:00"), label="")
    assert scorecard(days, now=NOW).as_dict() == counted_scorecards(days, group_by=None, now=NOW)[None].as_dict()
    assert scorecard(days, now=NOW).refreshed_at == NOW


def test_rankings_from_the_rollup_equal_the_counted_ones(year):
    period = month_period("2026-10", now=NOW)
    counted = [(r.unit.pk, r.rank, r.score, r.previous_rank) for r in monthly_ranking(period, now=NOW).ranked]
    counted_districts = [(r.unit.pk, r.score) for r in district_ranking(period, now=NOW).insufficient]
    rollup.build(now=NOW)
    table = monthly_ranking(period, now=NOW)
    assert table.refreshed_at == NOW
    assert [(r.unit.pk, r.rank, r.score, r.previous_rank) for r in table.ranked] == counted
    assert [(r.unit.pk, r.score) for r in district_ranking(period, now=NOW).insufficient] == counted_districts


def test_the_queue_refreshes_every_ten_minutes_and_rebuilds_nightly(year):
    from huey.contrib.djhuey import HUEY

    def due(*when: int) -> set[str]:  # what the consumer's scheduler starts at that minute
        return {task.name for task in HUEY.read_periodic(datetime(2026, 12, 2, *when))}

    assert {"refresh_scorecard_rollup", "rebuild_scorecard_rollup"} <= due(3, 40)
    assert "refresh_scorecard_rollup" in due(10, 20) and "refresh_scorecard_rollup" not in due(10, 25)
    assert "rebuild_scorecard_rollup" not in due(4, 40)
    assert "全部重建" in refresh_scorecard_rollup.call_local()  # the first run builds it
    assert "有变化" in refresh_scorecard_rollup.call_local()
    assert "全部重建" in rebuild_scorecard_rollup.call_local()
    assert RollupState.objects.count() == 1


def test_the_command_builds_and_refreshes(year, capsys):
    call_command("supervision", "rollup", "--all")
    assert "全部重建" in capsys.readouterr().out and RollupState.objects.exists()
    call_command("supervision", "rollup")
    assert "有变化" in capsys.readouterr().out


def test_each_district_sees_its_own_figures_from_the_rollup_and_how_fresh_they_are(client, year):
    city = year.city
    rollup.build(now=NOW)
    month = "2026-10"
    b_api = KeyClient(create_api_key(city.b.supervisor, name="t").secret)
    city_api = KeyClient(create_api_key(city.supervisor, name="t").secret)
    own = b_api.get(f"/api/supervision/metrics?month={month}").json()
    assert own["figures"]["received"] == 2 and own["figures_at"] is not None
    assert city_api.get(f"/api/supervision/metrics?month={month}").json()["figures"]["received"] == 6
    ranked = b_api.get(f"/api/supervision/ranking?month={month}").json()
    names = {r["unit_name"] for r in ranked["ranked"] + ranked["insufficient"]}
    assert city.b.dept.name in names and city.a.dept.name not in names and ranked["figures_at"] is not None
    client.force_login(city.b.supervisor)
    home = client.get(reverse("supervision:home") + f"?month={month}").content.decode()
    assert "数据截至 2026-12-02 10:00" in home and city.a.dept.name not in home
    page = client.get(reverse("supervision:ranking") + f"?month={month}").content.decode()
    assert "数据截至 2026-12-02 10:00" in page and city.a.dept.name not in page


def test_the_workbook_says_how_fresh_its_figures_are(year):
    from openpyxl import load_workbook

    from youhu.supervision.reports import monthly_workbook

    def summary() -> str:
        buffer = io.BytesIO()
        monthly_workbook(month_period("2026-10", now=NOW), now=NOW).save(buffer)
        sheet = load_workbook(buffer, read_only=True)["汇总"]
        return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)

    assert "数据截至" not in summary()  # counted live before the rollup is built
    rollup.build(now=NOW)
    assert "数据截至 2026-12-02 10:00" in summary()
