"""Demo data of the company service: Pazhou-style (琶洲) companies, buildings, three CSOs, visits and
demands in every state. `youhu demo load` calls `load(now)` after the base district exists.

Every company name, person and USCC here is fictitious: the USCCs carry the organisation code
"YHDEM…" (Youhu demo) with a correct GB 32100 check character. Idempotent: a second call adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from youhu.directory.models import Area, Role, Unit, User
from youhu.taxonomy.models import Category, DeadlineRule
from youhu.tickets import services as tickets
from youhu.tickets.models import Status, Ticket

from . import services
from .categories import ROOT, ensure_categories
from .models import Building, Company, CompanyDemand, Visit, VisitPlan
from .uscc import with_check_character

DEMO_PASSWORD = "demo1234"  # the same as the base demo's accounts
CSO_USERS = [("cso1", "首席服务官 王晓东"), ("cso2", "首席服务官 刘芳"), ("cso3", "首席服务官 张海涛")]
CSO_UNIT = "琶洲试验区管委会"

# category branch -> the demo department that leads it (first one present wins)
CATEGORY_UNITS: dict[str, tuple[str, ...]] = {
    ROOT: ("区发展和改革局",),
    "政策兑现": ("区发展和改革局",),
    "用地": ("区规划和自然资源分局",),
    "人才与安居": ("区人力资源和社会保障局",),
    "融资": ("区商务局", "区发展和改革局"),
    "审批办证": ("区政务服务数据管理局", "区市场监督管理局"),
    "用工": ("区人力资源和社会保障局",),
    "知识产权": ("区市场监督管理局",),
    "应用场景对接": ("区科技工业和信息化局",),
}

BUILDINGS = [
    ("琶洲互联网创新集聚区·云汇大厦", Building.Kind.BUILDING, "琶洲大道东 8 号"),
    ("琶洲互联网创新集聚区·智链中心", Building.Kind.BUILDING, "琶洲大道东 12 号"),
    ("琶洲互联网创新集聚区·数港塔", Building.Kind.BUILDING, "阅江中路 6 号"),
    ("琶洲会展数字产业园", Building.Kind.PARK, "新港东路 1000 号"),
    ("琶洲南岸人工智能园", Building.Kind.PARK, "琶洲南路 20 号"),
]


@dataclass(frozen=True)
class DemoCompany:
    name: str
    industry: str
    size: str
    building: int  # index in BUILDINGS
    flags: str  # letters: g 规上, z 专精特新, d 独角兽, h 总部
    contact: str
    position: str


COMPANIES = [
    DemoCompany("广州云汇星图科技有限公司", "软件和信息技术服务业", "large", 0, "gh", "陈立新", "行政总监"),
    DemoCompany("广州智链未来网络有限公司", "互联网平台", "large", 1, "gdh", "黄嘉怡", "政府事务经理"),
    DemoCompany("广州数港云算信息技术有限公司", "云计算与大数据", "medium", 2, "gz", "林浩", "副总经理"),
    DemoCompany("广州会展数创文化传播有限公司", "数字创意", "medium", 3, "g", "吴晓琳", "综合部经理"),
    DemoCompany("广州南岸灵犀人工智能有限公司", "人工智能", "medium", 4, "zd", "郑思远", "创始人"),
    DemoCompany("广州琶洲示范电子商务有限公司", "电子商务", "large", 0, "gh", "何俊峰", "运营总监"),
    DemoCompany("广州星河智造装备科技有限公司", "智能制造", "medium", 4, "gz", "罗静", "人力资源经理"),
    DemoCompany("广州阅江金融科技服务有限公司", "金融科技", "small", 2, "", "梁子豪", "财务总监"),
    DemoCompany("广州云栈软件开发有限公司", "软件和信息技术服务业", "small", 1, "z", "冯晓燕", "行政主管"),
    DemoCompany("广州展翼会展服务有限公司", "会展服务", "medium", 3, "g", "邓伟明", "总经理助理"),
    DemoCompany("广州芯语智能语音科技有限公司", "人工智能", "small", 4, "z", "谢文斌", "技术总监"),
    DemoCompany("广州数链物流科技有限公司", "电子商务", "medium", 2, "g", "许嘉欣", "行政经理"),
    DemoCompany("广州琶洲游戏互娱网络有限公司", "数字创意", "large", 1, "gh", "朱海涛", "公共事务总监"),
    DemoCompany("广州微光视觉算法有限公司", "人工智能", "micro", 4, "", "曾一鸣", "联合创始人"),
    DemoCompany("广州云帆数据安全技术有限公司", "云计算与大数据", "small", 0, "z", "彭丽华", "综合部主管"),
    DemoCompany("广州会通供应链管理有限公司", "会展服务", "small", 3, "", "苏建国", "总经理"),
    DemoCompany("广州启明工业互联网有限公司", "智能制造", "medium", 2, "gz", "卢晓峰", "副总裁"),
    DemoCompany("广州琶洲直播电商产业有限公司", "电子商务", "medium", 3, "g", "蒋婷婷", "运营经理"),
    DemoCompany("广州南岸元宇宙数字科技有限公司", "数字创意", "small", 4, "", "蔡明辉", "创始人"),
    DemoCompany("广州智汇医疗信息技术有限公司", "软件和信息技术服务业", "medium", 1, "gz", "贾晓雯", "行政总监"),
    DemoCompany("广州云途出行科技有限公司", "互联网平台", "large", 0, "gdh", "丁志强", "政府关系总监"),
    DemoCompany("广州数智财税科技有限公司", "金融科技", "small", 2, "", "魏小红", "财务经理"),
    DemoCompany("广州光合低碳能源科技有限公司", "智能制造", "small", 4, "z", "薛文涛", "总经理"),
    DemoCompany("广州跨境通数字贸易有限公司", "电子商务", "small", 3, "", "叶慧敏", "行政专员"),
    DemoCompany("广州琶洲算力中心运营有限公司", "云计算与大数据", "large", 2, "gh", "阎国栋", "运营总监"),
]
FLAG_FIELDS = {"g": "above_scale", "z": "specialized", "d": "unicorn", "h": "headquarters"}

# Visits: (company index, days ago, [(branch, title, target state)]). Older visits have finished demands.
VISITS: list[tuple[int, int, list[tuple[str, str, str]]]] = [
    (0, 100, [("政策兑现", "总部企业奖励资金兑现进度", "closed"), ("人才与安居", "高管人才公寓申请", "closed")]),
    (1, 92, [("用地", "研发总部二期用地规划调整", "reviewed_unresolved")]),
    (2, 85, [("融资", "申请科技信贷风险补偿", "closed"), ("知识产权", "专利质押融资咨询", "replied")]),
    (3, 70, [("审批办证", "大型展会临时活动审批", "closed")]),
    (4, 61, [("应用场景对接", "AI 政务场景试点对接", "closed"), ("政策兑现", "专精特新奖励申报", "handling_overdue")]),
    (5, 50, [("用工", "直播电商旺季用工缺口", "replied")]),
    (6, 40, [("用地", "智能装备中试基地选址", "handling_overdue")]),
    (7, 33, []),
    (8, 26, [("人才与安居", "软件工程师子女入学咨询", "returned")]),
    (9, 19, [("审批办证", "展馆消防验收办理时限", "handling")]),
    (10, 12, [("知识产权", "语音算法商标被抢注维权", "handling"), ("融资", "天使轮融资对接需求", "dispatched")]),
    (11, 6, [("用工", "仓储员工社保转移", "dispatched")]),
    (12, 3, [("应用场景对接", "文旅元宇宙场景开放需求", "dispatched")]),
    (0, 2, []),
]
# Plans: (company index, days from today; negative = overdue)
PLANS = [(13, -4), (14, -1), (15, 2), (16, 5), (17, 9), (1, 14)]
REPLY = "经核查，已会同相关科室研究办理，并与企业联系人当面沟通具体政策依据和下一步安排，企业表示认可。"


def _local(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def _department(names: tuple[str, ...]) -> Unit | None:
    for name in names:
        unit = Unit.objects.filter(name=name, active=True).first()
        if unit is not None:
            return unit
    return Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, active=True).order_by("code").first()


def _categories() -> dict[str, Category]:
    root = ensure_categories(Category, DeadlineRule)
    found = {ROOT: root, **{c.name: c for c in root.children.all()}}
    for name, category in found.items():
        if category.default_unit_id is None:  # an admin's choice stays
            category.default_unit = _department(CATEGORY_UNITS.get(name, CATEGORY_UNITS[ROOT]))
            category.save(update_fields=["default_unit"])
    return found


def _officers() -> list[User]:
    unit = Unit.objects.filter(name=CSO_UNIT).first()
    officers = []
    for username, display in CSO_USERS:
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={"display_name": display, "unit": unit, "password": make_password(DEMO_PASSWORD)},
        )
        if not user.has_role(Role.SERVICE_OFFICER):
            user.set_roles([*user.role_grants.values_list("role", flat=True), Role.SERVICE_OFFICER])
        officers.append(user)
    return officers


def demo_uscc(index: int) -> str:
    return with_check_character(f"91440105YHDEM{index:04d}")


def _companies(now: datetime, officers: list[User]) -> list[Company]:
    street = Area.objects.filter(kind=Area.Kind.STREET, name__startswith="琶洲").first()
    buildings = [Building.objects.get_or_create(name=name, defaults={"kind": kind, "street": street,
                                                                     "address": address})[0]
                 for name, kind, address in BUILDINGS]
    companies = []
    for i, spec in enumerate(COMPANIES, start=1):
        building = buildings[spec.building]
        data = services.CompanyData(
            name=spec.name, uscc=demo_uscc(i), industry=spec.industry, size=spec.size,
            address=f"广州市海珠区{building.address}", street=street, building=building,
            contacts=[services.ContactData(spec.contact, f"138000{i:05d}", spec.position)],
            **{field: letter in spec.flags for letter, field in FLAG_FIELDS.items()},
        )
        company, _ = services.upsert_company(data, by=None, now=now - timedelta(days=120))
        companies.append(company)
    for i, company in enumerate(companies):
        if company.service_officer_id is None:
            if i == 0:  # one company changed officer: its page shows the history
                services.assign_officer(company, officers[2], by=None, now=now - timedelta(days=120))
                services.assign_officer(company, officers[0], by=None, reason="工作调整，移交首席服务官",
                                        now=now - timedelta(days=45))
            else:
                services.assign_officer(company, officers[i % len(officers)], by=None,
                                        now=now - timedelta(days=120))
    return companies


def _handler(ticket: Ticket) -> User | None:
    return (User.objects.filter(unit=ticket.main_unit, role_grants__role=Role.HANDLER, is_active=True)
            .order_by("username").first())


def _walk(ticket: Ticket, target: str, start: datetime, pace: int) -> None:
    """Move a freshly dispatched demand ticket to the target state through the lifecycle services."""
    handler = _handler(ticket)
    if target == "dispatched" or handler is None:
        return
    if target == "returned":
        tickets.return_ticket(ticket, by=handler, now=start + timedelta(hours=1),
                              reason="子女入学属教育部门职责，请改派区教育局")
        return
    tickets.accept(ticket, by=handler, now=start + timedelta(hours=2))
    tickets.handle(ticket, by=handler, note="已电话联系企业了解具体情况", now=start + timedelta(days=1))
    if target in ("handling", "handling_overdue"):
        return
    tickets.reply(ticket, by=handler, text=REPLY, now=start + timedelta(days=pace))
    if target == "replied":
        return
    resolved = target == "closed"
    tickets.review(ticket, by=None, resolved=resolved, satisfaction="satisfied" if resolved else "dissatisfied",
                   comment="" if resolved else "用地指标仍未落实", now=start + timedelta(days=pace + 1))


def _visits(now: datetime, companies: list[Company], categories: dict[str, Category]) -> int:
    today = timezone.localdate(now)
    created = 0
    for index, days_ago, issues in VISITS:
        company = companies[index]
        day = today - timedelta(days=days_ago)
        when = _local(day, 15)
        contact = company.contacts.first()
        visit = services.record_visit(
            company, by=company.service_officer, visited_on=day,
            people_met=f"{contact.name}（{contact.position}）" if contact else "企业负责人",
            topics="了解企业经营、研发投入和扩产计划，宣讲园区惠企政策。",
            issues=[services.Issue(title=title, content=f"{company.name}反映：{title}，希望尽快协调解决。",
                                   category=categories[branch]) for branch, title, _state in issues],
            now=when,
        )
        demands = list(visit.demands.select_related("ticket").order_by("id"))
        for demand, (_branch, _title, state) in zip(demands, issues, strict=True):
            _walk(demand.ticket, state, when, pace=2 + days_ago % 7)
            created += 1
    return created


def _plans(now: datetime, companies: list[Company]) -> None:
    today = timezone.localdate(now)
    for index, offset in PLANS:
        company = companies[index]
        planned = today + timedelta(days=offset)
        # Overdue plans were made before their day: plan them "then".
        made = min(now, _local(planned, 9) - timedelta(days=7))
        services.plan_visit(company, by=company.service_officer, planned_on=planned,
                            purpose="季度走访，跟进诉求办理情况", now=made)


def _portal_demand(now: datetime, company: Company, category: Category) -> None:
    contact = company.contacts.first()
    when = now - timedelta(days=1)
    challenge, code = services.start_portal_challenge(company.uscc, contact.phone, now=when)
    services.submit_portal_demand(challenge.pk, code, services.Issue(
        title="申请参加数字经济应用场景发布会", content="企业希望参加园区下一期应用场景发布会，展示工业互联网产品。",
        category=category), now=when)


def load(now: datetime) -> None:
    """Load the demo's companies, officers, visits, plans and demands (idempotent)."""
    with transaction.atomic():
        categories = _categories()
        officers = _officers()
        companies = _companies(now, officers)
        if CompanyDemand.objects.filter(company__in=companies).exists() or \
                Visit.objects.filter(company__in=companies).exists():
            return  # the activity was loaded before
        _visits(now, companies, categories)
        if not VisitPlan.objects.filter(company__in=companies).exists():
            _plans(now, companies)
        _portal_demand(now, companies[16], categories["应用场景对接"])


def summary() -> dict[str, int]:
    return {
        "companies": Company.objects.count(),
        "visits": Visit.objects.count(),
        "demands": CompanyDemand.objects.count(),
        "open_demands": CompanyDemand.objects.exclude(ticket__status=Status.CLOSED).count(),
    }
