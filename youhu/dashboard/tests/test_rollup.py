"""The dashboard's rollups give the figures a count of the tickets themselves gives, for every scope; a refresh
picks up new work; each district sees only its own rows; the queue runs them on schedule."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from youhu.dashboard import figures, rollup, selectors, tasks
from youhu.directory.models import Area
from youhu.testing.factories import City, at, make_category
from youhu.tickets import services
from youhu.tickets.models import OPEN_STATUSES, Channel, Status, Ticket

pytestmark = pytest.mark.django_db

NOW = at("2026-03-20 15:00")
CHANNELS = (Channel.WEB, Channel.HOTLINE, Channel.GRID)


@pytest.fixture
def city() -> City:
    """Two districts with two streets each, two first-level categories and unclassified appeals, three
    channels, 40 days of appeals: waiting at the city, open in a district, overdue, replied, closed."""
    city = City()
    noise = make_category("环境保护/噪声污染/施工噪声", unit=city.a.dept)
    city.a.other = Area.objects.create(code="A-HZ2", name="南洲街道", kind=Area.Kind.STREET, district=city.a.district)
    city.b.other = Area.objects.create(code="A-YX2", name="北京街道", kind=Area.Kind.STREET, district=city.b.district)
    for i in range(40):
        when = NOW - timedelta(days=i % 37, hours=i % 5)
        level = (city.a, city.b)[i % 2]
        fields = {"channel": CHANNELS[i % 3], "street": (level.street, level.other)[i // 2 % 2]}
        kind = i % 6
        if kind == 0:  # new, at the city, no category yet
            services.create_ticket(services.NewAppeal(title="路灯不亮", content="路灯不亮。", **fields), now=when)
            continue
        status = Status.HANDLING if kind in (1, 2, 3) else Status.DISPATCHED
        ticket = city.in_district(level, status=status, now=when, **fields)
        if kind == 2:  # classified again: another first-level category
            Ticket.objects.filter(pk=ticket.pk).update(category=noise)
        if kind == 3:
            services.reply(ticket, by=level.handler, text="经核查，已安排维修，现已恢复。", now=when + timedelta(hours=1))
            if i % 4 == 1:
                services.review(ticket, by=None, resolved=True, satisfaction="satisfied", now=when + timedelta(hours=2))
    return city


def _counted(district_id: int | None, days: int) -> dict:
    """The figures counted from the tickets, one by one, as the page defines them."""
    tickets = [t for t in Ticket.objects.select_related("street", "category__parent__parent", "main_unit")
               if district_id is None or t.district_id == district_id]
    today = timezone.localdate(NOW)
    first = today - timedelta(days=days - 1)
    window = [t for t in tickets if first <= timezone.localdate(t.created_at) <= today]
    overdue = {t.pk for t in Ticket.objects.filter(selectors.overdue_q(NOW))}

    def root(t: Ticket) -> str:
        return t.category.ancestors()[-1].name if t.category else selectors.UNCLASSIFIED

    streets: dict[str, dict] = {}
    for t in tickets:
        if t.street and (t in window or t.status in (*OPEN_STATUSES, Status.REPLIED)):
            row = streets.setdefault(t.street.name, {"street_id": t.street_id, "street": t.street.name,
                                                     "intake": 0, "open": 0, "overdue": 0})
            row["intake"] += t in window
            row["open"] += t.status in OPEN_STATUSES
            row["overdue"] += t.pk in overdue
    late_units = Counter(t.main_unit.name for t in tickets if t.pk in overdue and t.main_unit)
    categories = Counter(root(t) for t in window)
    return {
        "overview": {"today": sum(timezone.localdate(t.created_at) == today for t in tickets),
                     "open": sum(t.status in OPEN_STATUSES for t in tickets),
                     "overdue": sum(t.pk in overdue for t in tickets),
                     "replied": sum(t.status == Status.REPLIED for t in tickets)},
        "trend": Counter((timezone.localdate(t.created_at).isoformat(), t.channel) for t in window),
        "categories": sorted(({"category": c, "count": n} for c, n in categories.items()),
                             key=lambda r: (-r["count"], r["category"])),
        "streets": sorted(streets.values(), key=lambda r: (-r["intake"], r["street"])),
        "units": sorted(late_units.items(), key=lambda kv: (-kv[1], kv[0])),
    }


def _trend(data: dict) -> Counter:
    return Counter({(day, s["channel"]): n for s in data["series"] for day, n in zip(data["dates"], s["counts"],
                                                                                   strict=True) if n})


@pytest.mark.parametrize("days", [30, 90])
def test_the_rollups_figures_are_the_tickets_own(city, days):
    rollup.rebuild(NOW)
    for district_id in (None, city.a.district.pk, city.b.district.pk):
        scope = {"district_id": district_id}
        expected = _counted(district_id, days)
        assert selectors.overview(NOW, **scope) == expected["overview"]
        assert _trend(selectors.intake_trend(NOW, days, **scope)) == expected["trend"]
        assert selectors.top_categories(NOW, days, **scope) == expected["categories"]
        assert selectors.street_figures(NOW, days, **scope) == expected["streets"]
        assert [(u["unit"], u["overdue"]) for u in selectors.overdue_by_unit(NOW, **scope)] == expected["units"]
    whole = _counted(None, days)
    assert whole["overview"]["overdue"] > 0 and whole["overview"]["replied"] > 0 and len(whole["trend"]) > 10
    assert {c["category"] for c in whole["categories"]} == {"城乡建设", "环境保护", selectors.UNCLASSIFIED}


def test_a_district_sees_only_its_rows(city):
    rollup.rebuild(NOW)
    a, b = city.a.district.pk, city.b.district.pk
    streets_b = {s["street"] for s in selectors.street_figures(NOW, 90, district_id=b)}
    assert streets_b == {city.b.street.name, city.b.other.name}
    units_b = {u["unit"] for u in selectors.overdue_by_unit(NOW, district_id=b)}
    assert city.a.dept.name not in units_b
    city_open = selectors.overview(NOW)["open"]
    # the city's own (waiting at the city, sent to no district) count for the city only
    assert selectors.overview(NOW, district_id=a)["open"] + selectors.overview(NOW, district_id=b)["open"] < city_open


def test_a_refresh_picks_up_new_work_and_the_nightly_pass_late_changes(city):
    rollup.rebuild(NOW)
    before = selectors.overview(NOW, district_id=city.b.district.pk)
    city.in_district(city.b, status=Status.HANDLING, now=NOW, street=city.b.street)
    assert selectors.overview(NOW, district_id=city.b.district.pk) == before, "read from the rollup"
    assert rollup.refresh(NOW + timedelta(minutes=1))
    after = selectors.overview(NOW, district_id=city.b.district.pk)
    assert (after["today"], after["open"]) == (before["today"] + 1, before["open"] + 1)
    # a street corrected ten days after: the minutely refresh leaves that day alone, the nightly pass counts it
    old = Ticket.objects.filter(district=city.b.district, created_at__lt=NOW - timedelta(days=9),
                                created_at__gte=NOW - timedelta(days=12), street=city.b.street).first()
    Ticket.objects.filter(pk=old.pk).update(street=city.b.other)

    def intake(street: Area) -> int:
        return next(s["intake"] for s in selectors.street_figures(NOW, 30) if s["street_id"] == street.pk)

    counted = intake(city.b.other)
    rollup.refresh(NOW + timedelta(minutes=2))
    assert intake(city.b.other) == counted
    rollup.reroll_recent(NOW + timedelta(minutes=3))
    assert intake(city.b.other) == counted + 1


def test_the_first_read_builds_the_rollups_and_says_when(city, client):
    assert rollup.refreshed_at() is None
    client.force_login(city.supervisor)
    with mock.patch("youhu.clock.now", return_value=NOW):
        data = client.get("/api/dashboard/summary").json()
    assert data["updated_at"] == NOW.isoformat()
    assert data["overview"] == _counted(None, 30)["overview"]


def test_hotspots_before_the_first_computation_are_being_computed_not_an_error(city, client):
    client.force_login(city.supervisor)
    with mock.patch.object(tasks, "compute_scope"):  # the queue has not run it yet
        response = client.get("/api/dashboard/hotspots")
    assert response.status_code == 200
    assert response.json() == {"computed_at": None, "hotspots": []}
    page = client.get("/dashboard/").content.decode()
    assert 'id="dash-hotspots-at"' in page


def _runs_at(task, moment: datetime) -> bool:
    return task.task_class().validate_datetime(moment)


def test_the_queue_runs_the_refreshes_on_schedule():
    periodic = {t.name for t in HUEY._registry.periodic_tasks}
    assert {"refresh_dashboard_rollup", "reroll_recent_days", "compute_figures"} <= periodic
    minute = datetime(2026, 3, 20, 10, 7)
    assert _runs_at(tasks.refresh_dashboard_rollup, minute)
    assert not _runs_at(tasks.compute_figures, minute) and _runs_at(tasks.compute_figures, minute.replace(minute=5))
    assert _runs_at(tasks.reroll_recent_days, datetime(2026, 3, 20, 3, 40))
    assert not _runs_at(tasks.reroll_recent_days, minute)
    assert max(figures.TREND_DAYS) <= rollup.RECHECK_DAYS, "the nightly pass covers the longest window"


def test_the_periodic_refresh_fills_the_rollups(city):
    with mock.patch("youhu.clock.now", return_value=NOW):
        assert tasks.refresh_dashboard_rollup.call_local()
    assert rollup.refreshed_at() == NOW
    assert selectors.overview(NOW) == _counted(None, 30)["overview"]
