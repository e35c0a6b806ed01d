"""/api/enterprise: companies, visits (issues become tickets) and the zone figures. Thin over services."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from youhu import clock
from youhu.access.auth import api_auth
from youhu.directory.models import Area, User
from youhu.taxonomy.models import Category, Urgency
from youhu.tickets.errors import InvalidInput
from youhu.tickets.models import OPEN_STATUSES

from . import selectors, services
from .models import Building, Company, CompanyDemand, VisitPlan

router = Router(auth=api_auth, tags=["enterprise"])


class ContactOut(Schema):
    name: str
    phone: str
    position: str


class AssignmentOut(Schema):
    officer: str
    started_at: datetime
    ended_at: datetime | None
    reason: str


class DemandOut(Schema):
    number: str
    title: str
    status: str
    status_label: str
    source: str
    unit: str | None
    category: str | None
    created_at: datetime
    reply_due: datetime | None


class CompanyOut(Schema):
    id: int
    name: str
    uscc: str
    industry: str
    size: str
    address: str
    street: str | None
    building: str | None
    key_flags: list[str]
    service_officer: str | None
    open_demands: int


class CompanyDetailOut(CompanyOut):
    contacts: list[ContactOut]
    officer_history: list[AssignmentOut]
    demands: list[DemandOut]


class IssueIn(Schema):
    title: str
    content: str
    category_id: int
    urgency: str = Urgency.NORMAL


class VisitIn(Schema):
    visited_on: clock.Day
    people_met: str
    topics: str
    notes: str = ""
    plan_id: int | None = None
    issues: list[IssueIn] = Field(default_factory=list, max_length=20)


class ContactIn(Schema):
    name: str
    phone: str = ""
    position: str = ""


class CompanyIn(Schema):
    name: str
    uscc: str
    industry: str = ""
    size: str = ""
    address: str = ""
    street_id: int | None = None
    building_id: int | None = None
    above_scale: bool = False
    specialized: bool = False
    unicorn: bool = False
    headquarters: bool = False
    contacts: list[ContactIn] = Field(default_factory=list, max_length=20)


class AssignIn(Schema):
    officer: str = Field(description="首席服务官的用户名")
    reason: str = ""


class PlanIn(Schema):
    planned_on: clock.Day
    purpose: str = ""


class PlanOut(Schema):
    id: int
    planned_on: date
    officer: str


class VisitOut(Schema):
    id: int
    visited_on: clock.Day
    tickets: list[DemandOut]


def _user(request) -> User:
    user = request.auth
    if not user.has_role(*selectors.STAFF_ROLES):
        raise HttpError(403, "企业服务仅对首席服务官、督办员和管理员开放")
    return user


MAX_ID = 2**63 - 1  # beyond a database integer: simply not found


def _company(user: User, pk: int) -> Company:
    company = selectors.visible_companies(user).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if company is None:
        raise HttpError(404, "没有这家企业，或您无权查看")
    return company


def _demand_out(demand: CompanyDemand) -> dict:
    t = demand.ticket
    return {"number": t.number, "title": t.title, "status": t.status, "status_label": t.get_status_display(),
            "source": demand.source, "unit": t.main_unit.name if t.main_unit else None,
            "category": t.category.path if t.category else None, "created_at": t.created_at,
            "reply_due": t.reply_due}


def _company_out(company: Company) -> dict:
    return {"id": company.pk, "name": company.name, "uscc": company.uscc, "industry": company.industry,
            "size": company.size, "address": company.address,
            "street": company.street.name if company.street else None,
            "building": company.building.name if company.building else None,
            "key_flags": company.key_flags,
            "service_officer": str(company.service_officer) if company.service_officer else None,
            "open_demands": company.demands.filter(ticket__status__in=OPEN_STATUSES).count()}


@router.get("/companies", response=list[CompanyOut])
def list_companies(request, q: str = "", limit: int = 100, offset: int = 0):
    user = _user(request)
    companies = selectors.visible_companies(user)
    q = q.replace("\x00", "").strip()
    if q:
        companies = companies.filter(name__icontains=q)
    start = min(max(offset, 0), 10**9)  # a database OFFSET has its limits too
    return [_company_out(c) for c in companies[start:start + min(max(limit, 1), 500)]]


@router.get("/companies/{company_id}", response=CompanyDetailOut)
def get_company(request, company_id: int):
    user = _user(request)
    company = _company(user, company_id)
    return {
        **_company_out(company),
        "contacts": selectors.contacts_for(user, company),
        "officer_history": [{"officer": str(a.officer), "started_at": a.started_at, "ended_at": a.ended_at,
                             "reason": a.reason} for a in selectors.officer_history(company)],
        "demands": [_demand_out(d) for d in selectors.company_demands(company)],
    }


def _lookup(model, pk: int | None, field: str, label: str):
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise InvalidInput(f"未知{label}：{pk}", field=field)
    return found


@router.post("/companies", response={201: CompanyOut})
def register_company(request, payload: CompanyIn):
    user = _user(request)
    data = services.CompanyData(
        **payload.dict(exclude={"street_id", "building_id", "contacts"}),
        street=_lookup(Area, payload.street_id, "street", "街道"),
        building=_lookup(Building, payload.building_id, "building", "楼宇/园区"),
        contacts=[services.ContactData(**c.dict()) for c in payload.contacts],
    )
    return Status(201, _company_out(services.register_company(data, by=user)))


@router.post("/companies/{company_id}/officer", response=AssignmentOut)
def assign_officer(request, company_id: int, payload: AssignIn):
    user = _user(request)
    company = _company(user, company_id)
    officer = User.objects.filter(username=payload.officer).first()
    if officer is None:
        raise InvalidInput(f"未知首席服务官：{payload.officer}", field="officer")
    a = services.assign_officer(company, officer, by=user, reason=payload.reason)
    return {"officer": str(a.officer), "started_at": a.started_at, "ended_at": a.ended_at, "reason": a.reason}


@router.post("/companies/{company_id}/plans", response={201: PlanOut})
def plan_visit(request, company_id: int, payload: PlanIn):
    user = _user(request)
    plan = services.plan_visit(_company(user, company_id), by=user, planned_on=payload.planned_on,
                               purpose=payload.purpose)
    return Status(201, {"id": plan.pk, "planned_on": plan.planned_on, "officer": str(plan.officer)})


@router.post("/companies/{company_id}/visits", response={201: VisitOut})
def create_visit(request, company_id: int, payload: VisitIn):
    user = _user(request)
    company = _company(user, company_id)
    issues = []
    for index, item in enumerate(payload.issues, start=1):
        category = _lookup(Category, item.category_id, f"issues.{index}.category", "诉求分类")
        issues.append(services.Issue(title=item.title, content=item.content, category=category,
                                     urgency=item.urgency))
    plan = _lookup(VisitPlan, payload.plan_id, "plan", "走访计划")
    visit = services.record_visit(company, by=user, visited_on=payload.visited_on, people_met=payload.people_met,
                                  topics=payload.topics, notes=payload.notes, issues=issues, plan=plan)
    demands = visit.demands.select_related("ticket__main_unit", "ticket__category").order_by("id")
    return Status(201, {"id": visit.pk, "visited_on": visit.visited_on, "tickets": [_demand_out(d) for d in demands]})


@router.get("/figures")
def figures(request, start: clock.Day, end: clock.Day):
    _user(request)
    if start > end:
        raise InvalidInput("结束日期不能早于开始日期", field="end")
    return selectors.zone_figures(start, end)
