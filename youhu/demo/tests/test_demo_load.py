"""The demo district: a reduced load, twice, must be complete and create nothing the second time."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from shapely.geometry import Point

from youhu.demo import city
from youhu.demo import district as d
from youhu.demo.geo import DistrictOutline, nearest_street
from youhu.demo.loader import load_demo
from youhu.demo.models import DemoTicket
from youhu.demo.simulate import SCENARIO_BY_NAME, SCENARIOS, allocate
from youhu.directory.models import Area, Role, Unit, User
from youhu.dispatch.geo import district_shape
from youhu.taxonomy.models import Category
from youhu.testing.factories import at
from youhu.tickets.models import (
    OPEN_STATUSES,
    Channel,
    CloseReason,
    Extension,
    Notification,
    Satisfaction,
    Status,
    Ticket,
    TicketEvent,
)

NOW = at("2026-06-16 10:30")
MODELS = (Area, Unit, User, Category, Ticket, TicketEvent, Extension, Notification, DemoTicket)


def snapshot() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.mark.django_db
def test_reduced_demo_loads_complete_and_twice_creates_nothing():
    first = load_demo(60, now=NOW, extras=[])
    after_first = snapshot()
    second = load_demo(60, now=NOW + timedelta(minutes=3), extras=[])

    assert snapshot() == after_first
    assert second.tickets["skipped"] == 60 and sum(second.reference.values()) == 0
    assert first.tickets["skipped"] == 0 and DemoTicket.objects.count() == 60

    demo = Ticket.objects.filter(pk__in=DemoTicket.objects.values("ticket"))
    # every state, every close reason, every channel
    assert set(demo.values_list("status", flat=True)) == set(Status.values)
    closed = demo.filter(status=Status.CLOSED).values_list("close_reason", flat=True)
    assert set(closed) == set(CloseReason.values)
    assert set(demo.values_list("channel", flat=True)) == set(Channel.values)
    # the detours of the lifecycle
    assert set(Extension.objects.values_list("state", flat=True)) == set(Extension.State.values)
    actions = set(TicketEvent.objects.values_list("action", flat=True))
    assert {"return", "transfer", "reopen", "co_part", "extension_approved", "extension_refused",
            "merge", "answer_directly", "reject", "review"} <= actions
    assert demo.filter(review_satisfaction=Satisfaction.DISSATISFIED).exists()
    assert demo.filter(status=Status.REGISTERED, return_count__gt=0).exists()
    assert demo.filter(status__in=OPEN_STATUSES, reply_due__lt=NOW).exists()  # overdue
    assert demo.filter(urgency="urgent").exists()
    # everything happened through the services, in the past, within the history window
    assert not TicketEvent.objects.filter(at__gt=NOW).exists()
    assert not demo.filter(created_at__lt=NOW - timedelta(days=121)).exists()
    for ticket in demo:
        assert ticket.events.filter(action="create").count() == 1
        assert ticket.events.order_by("-at", "-id").first().to_status in ("", ticket.status)


@pytest.mark.django_db
def test_reference_data_every_role_streets_and_points_inside_the_district():
    # every extension too: the key-project office and leaders are the projects demo's accounts
    load_demo(len(SCENARIOS) + 5, now=NOW)

    for role in Role.values:
        assert User.objects.filter(role_grants__role=role).exists() or (
            role == Role.ADMIN and User.objects.filter(is_superuser=True).exists()
        ), role
    streets = Area.objects.filter(kind=Area.Kind.STREET, district__code=str(d.DISTRICT_ADCODE))  # the full demo
    assert sorted(s.name for s in streets) == sorted(f"{s.short}街道" for s in d.STREETS)
    assert streets.count() == 18
    for street in streets:
        assert 3 <= street.children.count() <= 6
        assert Unit.objects.get(kind=Unit.Kind.STREET_OFFICE, area=street).name == f"{street.name}办事处"
    assert Unit.objects.filter(kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.OTHER]).count() >= 30

    outline = DistrictOutline.load()
    for area in Area.objects.filter(district__code=str(d.DISTRICT_ADCODE)):
        assert outline.contains(area.lon, area.lat), area.name
    for lon, lat in Ticket.objects.exclude(lon=None).values_list("lon", "lat"):
        assert outline.contains(lon, lat), (lon, lat)
    second = district_shape(city.SECOND_ADCODE)  # the city's second district (docs/levels.md)
    for area in Area.objects.filter(district__code=str(city.SECOND_ADCODE)):
        assert second.contains(Point(area.lon, area.lat)), area.name

    # routing data: a local matter goes to the street office, others to a department
    env = Category.objects.get(path="城乡建设/城市建设和市政管理/环境卫生")
    assert env.effective_is_local() and env.effective_unit().name == "区城市管理和综合执法局"
    wages = Category.objects.get(path="劳动和社会保障/工资福利/福利待遇")
    assert not wages.effective_is_local() and wages.effective_unit().name == "区人力资源和社会保障局"
    power = Category.objects.get(path="城乡建设/城市建设和市政管理/电力供应")
    assert power.effective_unit().name == "区供电局" and power.effective_unit().kind == Unit.Kind.OTHER

@pytest.mark.django_db
def test_demo_users_can_log_in_and_logins_lists_them(client, capsys):
    call_command("demo", "load", "--tickets", "0")
    assert "新建街道 18" in capsys.readouterr().out
    assert client.login(username="dispatcher1", password=d.DEMO_PASSWORD)
    assert client.login(username="admin", password=d.ADMIN_PASSWORD)
    assert User.objects.get(username="admin").is_superuser

    call_command("demo", "logins")
    out = capsys.readouterr().out
    for name in ("admin", "dispatcher1", "supervisor1", "zjj", "pazhou_head", "cso1", "cso3"):
        assert name in out
    assert "首席服务官" in out and d.DEMO_PASSWORD in out
    call_command("demo", "logins", "--all")
    assert "nanshitou_head" in capsys.readouterr().out


def test_every_demo_point_lies_inside_the_district_and_its_own_street():
    outline = DistrictOutline.load()
    for street in d.STREETS:
        assert outline.contains(street.lon, street.lat), street.name
        assert 3 <= len(street.communities) <= 6
        for name, lon, lat in street.communities:
            assert outline.contains(lon, lat), name
            assert nearest_street(lon, lat) is street, name


def test_the_outline_is_the_real_district():
    outline = DistrictOutline.load()
    assert outline.contains(113.3245, 23.1064)  # 广州塔 (GCJ-02)
    assert not outline.contains(113.3308, 23.1200)  # 花城广场, across the river in 天河区


@pytest.mark.parametrize("n", [len(SCENARIOS), 60, 2000])
def test_allocation_covers_every_scenario_in_proportion(n):
    names = allocate(n)
    assert len(names) == n
    assert {s.name for s in SCENARIOS} == set(names)
    if n == 2000:
        assert 140 <= names.count("triage") <= 160  # about 150 tickets come in digitally and are triaged
        # the episodes get their full size in a demo of this size, and the forced states stay few
        assert names.count("hotspot") >= SCENARIO_BY_NAME["hotspot"].at_least
        assert names.count("surge") >= SCENARIO_BY_NAME["surge"].at_least
        assert names.count("dispatched") <= 3
    if n == len(SCENARIOS):
        assert names.count("hotspot") == names.count("surge") == 1  # no room: one of each, like the rest


def test_allocation_refuses_too_few_tickets():
    assert allocate(0) == []
    with pytest.raises(ValueError, match="至少"):
        allocate(len(SCENARIOS) - 1)


def test_demo_load_refuses_too_few_tickets_with_one_line(capsys):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=f"至少 {len(SCENARIOS)}"):
        call_command("demo", "load", "--tickets", "5")
