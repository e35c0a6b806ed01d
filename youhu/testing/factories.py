"""Small builders for tests across apps: a unit, a user with roles, a category, a ticket in a state."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from youhu.directory.models import Area, Unit, User
from youhu.directory.models import District as DistrictRow
from youhu.taxonomy.models import Category
from youhu.tickets import services
from youhu.tickets.models import Channel, Status, Ticket

_seq = itertools.count(1)
TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """'2026-03-02 10:00' in the district's time zone."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def make_area(name: str, *, kind: str = Area.Kind.STREET, parent: Area | None = None) -> Area:
    return Area.objects.create(code=f"A{next(_seq):05d}", name=name, kind=kind, parent=parent)


def make_unit(name: str, *, kind: str = Unit.Kind.DEPARTMENT, parent: Unit | None = None,
              area: Area | None = None) -> Unit:
    return Unit.objects.create(code=f"U{next(_seq):05d}", name=name, kind=kind, parent=parent, area=area)


def make_user(username: str, *roles: str, unit: Unit | None = None, password: str = "pass-1234") -> User:
    user = User.objects.create_user(username=username, password=password, unit=unit, display_name=username)
    user.set_roles(list(roles))
    return user


def make_category(path: str, *, unit: Unit | None = None, is_local: bool = False) -> Category:
    """Creates each missing level of '一级/二级/三级' and returns the deepest."""
    parent = None
    parts = path.split("/")
    for depth in range(1, len(parts) + 1):
        sub = "/".join(parts[:depth])
        parent, _ = Category.objects.get_or_create(
            path=sub, defaults={"name": parts[depth - 1], "level": depth, "parent": parent}
        )
    assert parent is not None
    if unit is not None or is_local:
        parent.default_unit = unit
        parent.is_local = is_local
        parent.save()
    return parent


def make_ticket(*, title: str = "小区门口路灯不亮", content: str = "海珠区某路口路灯连续一周不亮，夜间行人不便。",
                channel: str = Channel.WEB, now: datetime | None = None, **fields) -> Ticket:
    appeal = services.NewAppeal(title=title, content=content, channel=channel, **fields)
    return services.create_ticket(appeal, now=now or at("2026-03-02 09:30"))


class District:
    """A tiny district: one street with its office, two departments, and a user for every role."""

    def __init__(self) -> None:
        self.street = make_area("琶洲街道")
        self.community = make_area("黄埔村社区", kind=Area.Kind.COMMUNITY, parent=self.street)
        self.centre = make_unit("区指挥中心", kind=Unit.Kind.CENTRE)
        self.roads = make_unit("区住房建设和交通局")
        self.env = make_unit("区生态环境分局")
        self.street_office = make_unit("琶洲街道办事处", kind=Unit.Kind.STREET_OFFICE, area=self.street)
        self.category = make_category("城乡建设/市政设施/路灯", unit=self.roads)
        self.dispatcher = make_user("dispatcher", "dispatcher", unit=self.centre)
        self.supervisor = make_user("supervisor", "supervisor", unit=self.centre)
        self.handler = make_user("roads", "handler", unit=self.roads)
        self.env_handler = make_user("env", "handler", unit=self.env)
        self.street_handler = make_user("street", "handler", unit=self.street_office)
        self.admin = make_user("admin", "admin", unit=self.centre)

    def ticket_in(self, status: str, *, now: datetime | None = None, **fields) -> Ticket:
        """A ticket walked through the lifecycle to `status` (dispatched to the roads department)."""
        now = now or at("2026-03-02 09:30")
        ticket = make_ticket(now=now, **fields)
        if status == Status.NEW:
            return ticket
        services.register(ticket, by=self.dispatcher, category=self.category, now=now)
        if status == Status.REGISTERED:
            return ticket
        services.dispatch(ticket, by=self.dispatcher, unit=self.roads, now=now)
        if status == Status.DISPATCHED:
            return ticket
        services.accept(ticket, by=self.handler, now=now)
        if status == Status.HANDLING:
            return ticket
        services.reply(ticket, by=self.handler, text="经核查，路灯线路老化，已于当日更换，现已恢复照明。", now=now)
        if status == Status.REPLIED:
            return ticket
        services.review(ticket, by=None, resolved=True, satisfaction="satisfied", now=now)
        return ticket


class Level:
    """One district of a `City`: its centre with a dispatcher and a supervisor, a department with its handler,
    a street with its office. Every username starts with the district's `prefix`."""

    def __init__(self, name: str, code: str, prefix: str) -> None:
        self.district = DistrictRow.objects.create(code=code, name=name)
        self.street = Area.objects.create(code=f"A{next(_seq):05d}", name=f"{prefix}街道", kind=Area.Kind.STREET,
                                          district=self.district)
        self.centre = self._unit(f"{name}指挥中心", Unit.Kind.CENTRE)
        self.dept = self._unit(f"{name}住房建设局", Unit.Kind.DEPARTMENT)
        self.street_office = self._unit(f"{prefix}街道办事处", Unit.Kind.STREET_OFFICE, area=self.street)
        self.dispatcher = make_user(f"{prefix}_dispatcher", "dispatcher", unit=self.centre)
        self.supervisor = make_user(f"{prefix}_supervisor", "supervisor", unit=self.centre)
        self.handler = make_user(f"{prefix}_handler", "handler", unit=self.dept)

    def _unit(self, name: str, kind: str, area: Area | None = None) -> Unit:
        return Unit.objects.create(code=f"U{next(_seq):05d}", name=name, kind=kind, area=area,
                                   district=self.district)


class City:
    """A city centre above two districts (docs/levels.md): a city dispatcher and supervisor, a city-level
    department, and districts `a` and `b`."""

    def __init__(self) -> None:
        self.centre = make_unit("市12345指挥中心", kind=Unit.Kind.CENTRE)
        self.city_dept = make_unit("市住房和城乡建设局")
        self.dispatcher = make_user("city_dispatcher", "dispatcher", unit=self.centre)
        self.supervisor = make_user("city_supervisor", "supervisor", unit=self.centre)
        self.a = Level("海珠区", "440105", "hz")
        self.b = Level("越秀区", "440104", "yx")
        self.category = make_category("城乡建设/市政设施/路灯", unit=self.a.dept)

    def registered(self, *, now: datetime | None = None, **fields) -> Ticket:
        """A new appeal the city centre registered: it waits at the city level."""
        now = now or at("2026-03-02 09:30")
        ticket = make_ticket(now=now, **fields)
        return services.register(ticket, by=self.dispatcher, category=self.category, now=now)

    def in_district(self, level: Level, *, status: str = Status.REGISTERED, now: datetime | None = None,
                    **fields) -> Ticket:
        """A ticket the city sent to `level` (派至区), and there dispatched on to its department when `status` asks."""
        now = now or at("2026-03-02 09:30")
        ticket = services.to_district(self.registered(now=now, **fields), by=self.dispatcher, centre=level.centre,
                                      now=now)
        if status == Status.REGISTERED:
            return ticket
        services.dispatch(ticket, by=level.dispatcher, unit=level.dept, now=now)
        if status == Status.DISPATCHED:
            return ticket
        return services.accept(ticket, by=level.handler, now=now)
