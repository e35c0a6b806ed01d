"""The demo city (docs/levels.md): Guangzhou's 12345 centre above two districts — 海珠区, the full demo the
rest of this package loads, and 越秀区, a small second district with a few units, streets and tickets.

Loaded after the rest (`load_demo`): the first time, every unit, area and ticket the 海珠区 demo made becomes
海珠区's, as when a deployment that ran one district joins a city; the city centre and its staff, 越秀区 and its
tickets are added, each ticket walked through the services (派至区, 区级派单, 退回市级) so its trail is real.
Idempotent. Both districts' outlines are in the repository (youhu/dispatch/data/guangzhou_districts.geojson).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q

from youhu.directory.models import Area, District, RoleGrant, Unit, User
from youhu.dispatch.models import RoutingRule
from youhu.taxonomy.models import Category
from youhu.tickets import services
from youhu.tickets.models import Channel, Ticket

from . import district as d
from .phrases import person_name

CITY_CENTRE_CODE = "CITY-CENTRE"
CITY_CENTRE_NAME = "广州市12345热线指挥中心"
CITY_DEPARTMENT_CODE = "CITY-ZJJ"  # a city-level unit the city centre dispatches to itself
SECOND_NAME = "越秀区"
SECOND_ADCODE = 440104  # in the shared outlines (../shared/data/geo), carried in youhu/dispatch/data
SECOND_CENTRE_CODE = "YX-CENTRE"
EXTERNAL_PREFIX = "city-demo-"  # the city demo's tickets, by external id (channel 坐席录入)


@dataclass(frozen=True)
class SecondStreet:
    slug: str
    name: str
    lon: float
    lat: float  # approximate office location (GCJ-02), inside 越秀区's outline (tested)


SECOND_STREETS = [
    SecondStreet("beijing", "北京街道", 113.2707, 23.1255),
    SecondStreet("renmin", "人民街道", 113.2602, 23.1226),
    SecondStreet("dongshan", "东山街道", 113.2935, 23.1246),
    SecondStreet("liuhua", "流花街道", 113.2600, 23.1420),
]
# slug -> (name, first-level categories it handles): a few departments, each routed by a rule per street.
SECOND_DEPARTMENTS = {
    "zjj": ("越秀区住房和城乡建设局", ("城乡建设",)),
    "jtj": ("越秀区交通运输局", ("交通运输",)),
    "sthj": ("越秀区生态环境分局", ("环境保护",)),
}

def _users() -> list[tuple[str, tuple[str, ...], str, str]]:
    """(username, roles, unit code, display name); `youhu demo logins` lists the centres' (FEATURED_USERNAMES)."""
    users = [
        ("city_dispatcher", ("dispatcher",), CITY_CENTRE_CODE, "市级派单员 何丽"),
        ("city_supervisor", ("supervisor",), CITY_CENTRE_CODE, "市级督办员 邓峰"),
        ("yx_dispatcher", ("dispatcher",), SECOND_CENTRE_CODE, "越秀区派单员 梁敏"),
        ("yx_supervisor", ("supervisor",), SECOND_CENTRE_CODE, "越秀区督办员 罗刚"),
        ("city_zjj", ("handler",), CITY_DEPARTMENT_CODE, "市住房和城乡建设局承办人"),
    ]
    users += [(f"yx_{slug}", ("handler",), f"YX-D-{slug.upper()}", f"{name}承办人")
              for slug, (name, _) in SECOND_DEPARTMENTS.items()]
    users += [(f"yx_{s.slug}", ("handler",), f"YX-S-{s.slug.upper()}", f"越秀区{s.name}办承办人") for s in SECOND_STREETS]
    return users


# The city demo's tickets: (key, title, content, street slug or None, first-level category, how far it went).
# "city": registered, waiting for the city; "returned": sent to 越秀区, which returned it; "district": waiting
# for 越秀区's dispatcher; "dispatched" / "handling" / "replied": dispatched on by 越秀区.
TICKETS = [
    ("c1", "北京路步行街夜间噪音扰民", "北京路步行街商铺夜间外放音乐至凌晨，附近居民无法休息。", "beijing", "环境保护", "handling"),
    ("c2", "人民北路人行道砖松动", "人民北路靠近公交站的人行道砖大面积松动，雨天踩踏溅水，老人易摔倒。", "renmin", "城乡建设", "replied"),
    ("c3", "东山口公交站候车亭破损", "东山口公交站候车亭顶棚破损漏雨，广告灯箱玻璃碎裂，存在安全隐患。", "dongshan", "交通运输", "dispatched"),
    ("c4", "流花湖公园周边垃圾堆放", "流花湖公园西门外绿化带长期堆放建筑垃圾，无人清运。", "liuhua", "环境保护", "district"),
    ("c5", "越秀区某小区电梯频繁故障", "小区3号楼电梯一个月内停运五次，物业维修不及时，请相关部门督促。", "dongshan", "城乡建设", "handling"),
    ("c6", "中山五路机动车违停占道", "中山五路路段机动车长期违停占用非机动车道，影响通行。", "beijing", "交通运输", "district"),
    ("c7", "小区楼下餐馆油烟扰民", "楼下新开餐馆油烟直排，居民窗户无法打开，请求查处。", None, "环境保护", "city"),
    ("c8", "市属道路路灯不亮", "环市路一段路灯连续多日不亮，夜间通行不便，请尽快维修。", None, "城乡建设", "city"),
    ("c9", "工地夜间施工噪音", "附近工地晚上十一点后仍在施工，噪音很大，影响休息。", None, "环境保护", "returned"),
]


def load(now: datetime) -> Counter:
    """Create what is missing of the city; return how many of each kind were created."""
    created: Counter = Counter()
    with transaction.atomic():
        haizhu, made = District.objects.get_or_create(code=str(d.DISTRICT_ADCODE), defaults={"name": d.DISTRICT_NAME})
        if made:
            _adopt_first_district(haizhu)
            created["districts"] += 1
        second, made = District.objects.get_or_create(code=str(SECOND_ADCODE), defaults={"name": SECOND_NAME})
        created["districts"] += int(made)
        _units_and_streets(second, created)
        _routing(second, created)
        _load_users(created)
        _load_tickets(second, now, created)
    return created


def _adopt_first_district(haizhu: District) -> None:
    """Everything the one-district demo made becomes 海珠区's (the district's own history, from before the
    city: its tickets have no 派至区 event); the administrator moves up to the city."""
    Unit.objects.filter(district__isnull=True).exclude(code__startswith="CITY-").update(district=haizhu)
    # Under a city, "区指挥中心" must say which district's.
    Unit.objects.filter(code=d.CENTRE_CODE, name=d.CENTRE_NAME).update(name=f"{d.DISTRICT_NAME}指挥中心")
    Area.objects.filter(district__isnull=True).update(district=haizhu)
    Ticket.objects.filter(district__isnull=True).update(district=haizhu)


def _get(model, counter: Counter, label: str, **kwargs):
    obj, made = model.objects.get_or_create(**kwargs)
    counter[label] += int(made)
    return obj


def _units_and_streets(second: District, created: Counter) -> None:
    centre = _get(Unit, created, "units", code=CITY_CENTRE_CODE,
                  defaults={"name": CITY_CENTRE_NAME, "kind": Unit.Kind.CENTRE, "phone": "12345"})
    _get(Unit, created, "units", code=CITY_DEPARTMENT_CODE,
         defaults={"name": "广州市住房和城乡建设局", "kind": Unit.Kind.DEPARTMENT})
    User.objects.filter(username=d.ADMIN_USERNAME, unit__code=d.CENTRE_CODE).update(unit=centre)
    _get(Unit, created, "units", code=SECOND_CENTRE_CODE,
         defaults={"name": "越秀区指挥中心", "kind": Unit.Kind.CENTRE, "district": second, "phone": "020-12345"})
    for slug, (name, _) in SECOND_DEPARTMENTS.items():
        _get(Unit, created, "units", code=f"YX-D-{slug.upper()}",
             defaults={"name": name, "kind": Unit.Kind.DEPARTMENT, "district": second})
    for seq, street in enumerate(SECOND_STREETS, start=1):
        area = _get(Area, created, "streets", code=f"{SECOND_ADCODE}{seq:03d}", defaults={
            "name": street.name, "kind": Area.Kind.STREET, "district": second, "lon": street.lon, "lat": street.lat,
            "aliases": street.name.removesuffix("街道")})
        _get(Unit, created, "units", code=f"YX-S-{street.slug.upper()}", defaults={
            "name": f"越秀区{street.name}办事处", "kind": Unit.Kind.STREET_OFFICE, "area": area, "district": second})


def _routing(second: District, created: Counter) -> None:
    """越秀区's own routing: each first-level category it handles goes to its department, by a rule per street
    (the categories' default units are 海珠区's)."""
    streets = list(Area.objects.filter(district=second, kind=Area.Kind.STREET))
    for slug, (_name, paths) in SECOND_DEPARTMENTS.items():
        unit = Unit.objects.get(code=f"YX-D-{slug.upper()}")
        for category in Category.objects.filter(level=1, path__in=paths):
            for street in streets:
                _get(RoutingRule, created, "routes", category=category, street=street, defaults={"unit": unit})


def _load_users(created: Counter) -> None:
    units = {u.code: u for u in Unit.objects.filter(Q(code__startswith="CITY-") | Q(code__startswith="YX-"))}
    wanted = [u for u in _users() if not User.objects.filter(username=u[0]).exists()]
    demo_hash = make_password(d.DEMO_PASSWORD) if wanted else ""
    for username, roles, unit_code, display in wanted:
        user = User.objects.create(username=username, password=demo_hash, unit=units[unit_code], display_name=display)
        RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role) for role in roles])
        created["users"] += 1


def _load_tickets(second: District, now: datetime, created: Counter) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in _users()])}
    city, district = users["city_dispatcher"], users["yx_dispatcher"]
    centre = Unit.objects.get(code=SECOND_CENTRE_CODE)
    # Seeded, so a reload names the same appellants; real-looking names keep the masking tests honest.
    rng = random.Random(SECOND_ADCODE)
    streets = {a.code: a for a in Area.objects.filter(district=second)}
    for index, (key, title, content, slug, level1, stage) in enumerate(TICKETS):
        external = f"{EXTERNAL_PREFIX}{key}"
        if Ticket.objects.filter(channel=Channel.STAFF, external_id=external).exists():
            continue
        street = next((streets[f"{SECOND_ADCODE}{i:03d}"] for i, s in enumerate(SECOND_STREETS, start=1)
                       if s.slug == slug), None)
        category = Category.objects.filter(level=1, path=level1).first()
        at = now - timedelta(days=6 - index % 5, hours=index)
        ticket = services.create_ticket(services.NewAppeal(
            title=title, content=content, channel=Channel.STAFF, external_id=external, street=street,
            appellant_name=person_name(rng), appellant_phone=f"1380000{index:04d}",
            address=f"广州市越秀区{street.name if street else ''}"), now=at)
        services.register(ticket, by=city, category=category, now=at + timedelta(minutes=5))
        created["tickets"] += 1
        if stage == "city":
            continue
        services.to_district(ticket, by=city, centre=centre, now=at + timedelta(minutes=20))
        if stage == "returned":
            services.return_to_city(ticket, by=district, reason="经核实，事发地点在海珠区，不属本区管辖",
                                    now=at + timedelta(hours=1))
            continue
        if stage == "district":
            continue
        _dispatch_on(ticket, district, users, street, level1, at + timedelta(hours=1), stage)


def _dispatch_on(ticket: Ticket, by: User, users: dict[str, User], street: Area | None, level1: str,
                 at: datetime, stage: str) -> None:
    """越秀区's dispatcher dispatches on (区级派单) to its department, which takes it as far as `stage`."""
    slug = next(s for s, (_n, paths) in SECOND_DEPARTMENTS.items() if level1 in paths)
    handler = users[f"yx_{slug}"]
    services.dispatch(ticket, by=by, unit=handler.unit, now=at)
    if stage == "dispatched":
        return
    services.accept(ticket, by=handler, now=at + timedelta(hours=2))
    if stage == "handling":
        return
    services.reply(ticket, by=handler, text="经现场核查，已安排施工单位于次日完成修复，并加强日常巡查。",
                   now=at + timedelta(days=1))
