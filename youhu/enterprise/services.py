"""Every change in the company service: the registry, CSO assignment, visits, plans and demands.

Functions take the acting user (`by`, None = the trusted system such as an import command) and
`now`; they raise the ticket errors (InvalidInput with `.field`, NotAllowed, Conflict) so pages and
the API report them the same way as ticket actions.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from youhu import clock, db
from youhu.directory.models import Area, Role, User
from youhu.notify import outbox
from youhu.taxonomy.models import AppealType, Category, Urgency
from youhu.tickets import services as tickets
from youhu.tickets.errors import Conflict, InvalidInput, NotAllowed
from youhu.tickets.models import Channel

from .flows import demand_to_ticket
from .models import (
    Building,
    Company,
    CompanyDemand,
    Contact,
    CsoAssignment,
    PortalChallenge,
    Visit,
    VisitPlan,
)
from .uscc import validate_uscc

MANAGER_ROLES = (Role.SUPERVISOR, Role.ADMIN)
PORTAL_CODE_MINUTES = 10
PORTAL_MAX_ATTEMPTS = 5


# ---------------------------------------------------------------- permissions


def is_manager(user: User | None) -> bool:
    """Supervisors and admins run the registry and assign officers."""
    return user is not None and user.has_role(*MANAGER_ROLES)


def serves(user: User | None, company: Company) -> bool:
    return user is not None and user.pk is not None and company.service_officer_id == user.pk


def _require_manager(by: User | None, what: str) -> None:
    if by is not None and not is_manager(by):
        raise NotAllowed(f"只有督办员或管理员可以{what}")


def _require_officer_or_manager(by: User | None, company: Company, what: str) -> None:
    if by is not None and not (serves(by, company) or is_manager(by)):
        raise NotAllowed(f"您不是“{company}”的首席服务官，不能{what}")


def _text(value: str | None, field_name: str, label: str, max_len: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if "\x00" in text:  # PostgreSQL refuses NUL in text: say so instead of failing at the database
        raise InvalidInput(f"{label}不能包含 NUL 字符", field=field_name)
    if required and not text:
        raise InvalidInput(f"请填写{label}", field=field_name)
    if len(text) > max_len:
        raise InvalidInput(f"{label}不能超过 {max_len} 字", field=field_name)
    return text


# ---------------------------------------------------------------- registry


@dataclass
class ContactData:
    name: str
    phone: str = ""
    position: str = ""


@dataclass
class CompanyData:
    name: str
    uscc: str
    industry: str = ""
    size: str = ""
    address: str = ""
    street: Area | None = None
    building: Building | None = None
    above_scale: bool = False
    specialized: bool = False
    unicorn: bool = False
    headquarters: bool = False
    contacts: list[ContactData] = field(default_factory=list)


def validate_company(data: CompanyData) -> str:
    """Check every field; return the normalized USCC. Raises InvalidInput naming the field."""
    code = validate_uscc(data.uscc)
    _text(data.name, "name", "企业名称", 200)
    _text(data.industry, "industry", "行业", 64, required=False)
    _text(data.address, "address", "地址", 255, required=False)
    if data.size and data.size not in Company.Size.values:
        raise InvalidInput(f"未知企业规模：{data.size}（应为 大型/中型/小型/微型）", field="size")
    if data.street is not None and data.street.kind != Area.Kind.STREET:
        raise InvalidInput(f"“{data.street}”不是街道", field="street")
    for contact in data.contacts:
        _text(contact.name, "contact_name", "联系人姓名", 64)
        _text(contact.position, "contact_position", "联系人职务", 64, required=False)
        if contact.phone and not tickets.PHONE_RE.match(contact.phone.strip()):
            raise InvalidInput(f"联系人“{contact.name}”的电话格式不正确：{contact.phone}", field="contact_phone")
    return code


def _fields(data: CompanyData) -> dict:
    return {
        "name": data.name.strip(), "industry": data.industry.strip(), "size": data.size,
        "address": data.address.strip(), "street": data.street, "building": data.building,
        "above_scale": data.above_scale, "specialized": data.specialized, "unicorn": data.unicorn,
        "headquarters": data.headquarters,
    }


def _save_contacts(company: Company, contacts: list[ContactData]) -> None:
    # Matched by name within the company, so a re-import updates rather than adds.
    for contact in contacts:
        Contact.objects.update_or_create(
            company=company, name=contact.name.strip(),
            defaults={"phone": contact.phone.strip(), "position": contact.position.strip()},
        )


def register_company(data: CompanyData, *, by: User | None, now: datetime | None = None) -> Company:
    """Add a new company; a USCC already registered is refused (use upsert_company to update)."""
    _require_manager(by, "登记企业")
    now = now or clock.now()
    code = validate_company(data)
    with db.writing():
        existing = Company.objects.filter(uscc=code).first()
        if existing is not None:
            raise Conflict(f"统一社会信用代码 {code} 已登记为“{existing}”", field="uscc")
        company = Company.objects.create(uscc=code, created_at=now, updated_at=now, **_fields(data))
        _save_contacts(company, data.contacts)
    return company


def upsert_company(data: CompanyData, *, by: User | None, now: datetime | None = None,
                   only: set[str] | None = None) -> tuple[Company, bool]:
    """Create or update by USCC (the import's idempotency key). Returns (company, created).

    `only` names the fields an update may change (an import file without an address column must not
    blank the addresses already registered); None = all of them.
    """
    _require_manager(by, "导入企业")
    now = now or clock.now()
    code = validate_company(data)
    fields = _fields(data)
    updates = {k: v for k, v in fields.items() if only is None or k in only}
    with db.writing():
        company, created = Company.objects.update_or_create(
            uscc=code, defaults={**updates, "updated_at": now},
            create_defaults={**fields, "created_at": now, "updated_at": now},
        )
        _save_contacts(company, data.contacts)
    return company, created


# ---------------------------------------------------------------- service officers


def assign_officer(company: Company, officer: User | None, *, by: User | None, reason: str = "",
                   now: datetime | None = None) -> CsoAssignment:
    """Make `officer` the company's CSO. The previous assignment is ended, never deleted."""
    _require_manager(by, "指派首席服务官")
    now = now or clock.now()
    if officer is None:
        raise InvalidInput("请选择首席服务官", field="officer")
    if not officer.is_active or not officer.has_role(Role.SERVICE_OFFICER):
        raise InvalidInput(f"“{officer}”不是首席服务官，不能指派", field="officer")
    if company.service_officer_id == officer.pk:
        raise InvalidInput(f"“{officer}”已是该企业的首席服务官", field="officer")
    why = _text(reason, "reason", "调整原因", 500, required=company.service_officer_id is not None)
    with db.writing():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        if locked.service_officer_id != company.service_officer_id:
            raise Conflict("该企业的首席服务官刚被他人调整，请刷新后重试", field="officer")
        CsoAssignment.objects.filter(company=company, ended_at__isnull=True).update(ended_at=now)
        assignment = CsoAssignment.objects.create(company=company, officer=officer, started_at=now,
                                                  assigned_by=by, reason=why)
        Company.objects.filter(pk=company.pk).update(service_officer=officer, updated_at=now)
        company.service_officer = officer
    return assignment


# ---------------------------------------------------------------- demands


@dataclass
class Issue:
    """One problem a company raises, which becomes one ticket."""

    title: str
    content: str
    category: Category | None
    urgency: str = Urgency.NORMAL
    appeal_type: str = AppealType.HELP


def _enterprise_unit(category: Category | None):
    if category is None:
        raise InvalidInput("请选择诉求分类", field="category")
    if not any(c.is_enterprise for c in category.ancestors()):
        raise InvalidInput(f"“{category.path}”不是企业诉求分类", field="category")
    unit = category.effective_unit()
    if unit is None:
        raise InvalidInput(f"诉求分类“{category.path}”尚未设置默认承办单位，请联系管理员", field="category")
    return unit


def raise_demand(company: Company | None, issue: Issue, *, by: User | None, source: str,
                 visit: Visit | None = None, contact: Contact | None = None,
                 now: datetime | None = None) -> CompanyDemand:
    """The ticket (channel enterprise, registered and dispatched to the category's default unit with
    deadlines: `flows.demand_to_ticket`), linked to the company — all or nothing."""
    now = now or clock.now()
    if company is None:
        raise InvalidInput("企业诉求必须关联企业", field="company")
    unit = _enterprise_unit(issue.category)
    _text(issue.title, "title", "标题", tickets.TITLE_MAX)
    _text(issue.content, "content", "诉求内容", tickets.CONTENT_MAX)
    contact = contact or company.contacts.first()
    appeal = tickets.NewAppeal(
        title=issue.title, content=issue.content, channel=Channel.ENTERPRISE, appeal_type=issue.appeal_type,
        urgency=issue.urgency, category=issue.category,
        appellant_name=(contact.name if contact else company.name)[:64],
        appellant_phone=contact.phone if contact else "",
        address=company.address, street=company.street,
    )
    with db.writing():
        ticket = demand_to_ticket(appeal, unit=unit, by=by, now=now)
        demand = CompanyDemand.objects.create(ticket=ticket, company=company, visit=visit, raised_by=by,
                                              source=source, created_at=now)
        officer = company.service_officer
        if officer is not None and (by is None or by.pk != officer.pk):
            # The CSO follows every demand of their companies, including those they did not raise. No
            # ticket link: the staff ticket page is for the units; the CSO follows it on /enterprise/.
            message = f"{company} 提出新诉求 {ticket.number}：{ticket.title}"
            tickets.notify(ticket=None, kind="dispatch", now=now, users=[officer], message=message)
            outbox.tell(outbox.Notice("officer.demand", ticket_id=ticket.pk, number=ticket.number,
                                      title=ticket.title, message=message, user_ids=(officer.pk,),
                                      path=reverse("enterprise:demand", kwargs={"number": ticket.number})),
                        now=now)
    demand.tracking_code = ticket.tracking_code  # type: ignore[attr-defined]
    return demand


# ---------------------------------------------------------------- visits and plans


def plan_visit(company: Company, *, by: User, planned_on: date | None, purpose: str = "",
               now: datetime | None = None) -> VisitPlan:
    _require_officer_or_manager(by, company, "安排走访")
    now = now or clock.now()
    if not isinstance(planned_on, date):
        raise InvalidInput("请填写计划走访日期", field="planned_on")
    if planned_on < timezone.localdate(now):
        raise InvalidInput("计划走访日期不能早于今天", field="planned_on")
    officer = by if serves(by, company) else company.service_officer
    if officer is None:
        raise InvalidInput("该企业尚未指派首席服务官", field="company")
    return VisitPlan.objects.create(company=company, officer=officer, planned_on=planned_on,
                                    purpose=_text(purpose, "purpose", "走访目的", 500, required=False),
                                    created_at=now)


def record_visit(company: Company, *, by: User, visited_on: date | None, people_met: str, topics: str,
                 notes: str = "", issues: list[Issue] = (), plan: VisitPlan | None = None,
                 now: datetime | None = None) -> Visit:
    """A visit and one dispatched ticket per issue raised. Nothing is stored unless all of it is."""
    _require_officer_or_manager(by, company, "登记走访")
    now = now or clock.now()
    if not isinstance(visited_on, date):
        raise InvalidInput("请填写走访日期", field="visited_on")
    if visited_on > timezone.localdate(now):
        raise InvalidInput(f"走访日期 {visited_on:%Y-%m-%d} 晚于今天，不能登记未发生的走访", field="visited_on")
    met = _text(people_met, "people_met", "接待人员", 500)
    about = _text(topics, "topics", "走访内容", 5000)
    if plan is not None and (plan.company_id != company.pk or plan.visit_id is not None):
        raise InvalidInput("该走访计划不属于此企业或已完成", field="plan")
    with db.writing():
        visit = Visit.objects.create(company=company, officer=by, visited_on=visited_on, people_met=met,
                                     topics=about, notes=_text(notes, "notes", "备注", 5000, required=False),
                                     created_at=now)
        for index, issue in enumerate(issues, start=1):
            try:
                raise_demand(company, issue, by=by, source=CompanyDemand.Source.VISIT, visit=visit, now=now)
            except InvalidInput as exc:
                raise InvalidInput(f"第 {index} 个问题：{exc.message}", field=f"issues.{index}.{exc.field}") from exc
        if plan is not None:
            VisitPlan.objects.filter(pk=plan.pk).update(visit=visit)
    return visit


def tell_visits_due(now: datetime | None = None) -> int:
    """Each morning (enterprise.tasks): every officer with planned visits due today or overdue, and not yet
    recorded, is told once that day — their inbox, and SMS / e-mail / robot through the outbox rules. The job
    runs on every worker's schedule and may run again after a restart: `outbox.first_time` keeps it to one
    notice per officer and day. Returns how many officers were told."""
    now = now or clock.now()
    today = timezone.localdate(now)
    due: dict[int, list[VisitPlan]] = {}
    for plan in (VisitPlan.objects.filter(visit__isnull=True, planned_on__lte=today, officer__is_active=True)
                 .select_related("company", "officer").order_by("planned_on", "pk")):
        due.setdefault(plan.officer_id, []).append(plan)
    told = 0
    for plans in due.values():
        officer = plans[0].officer
        with db.writing():
            if not outbox.first_time(f"officer.visit_due:{officer.pk}:{today:%Y-%m-%d}", now):
                continue
            message = _visits_due_message(plans, today)
            tickets.notify(ticket=None, kind="visit_due", now=now, users=[officer], message=message)
            outbox.tell(outbox.Notice("officer.visit_due", message=message, user_ids=(officer.pk,),
                                      path=reverse("enterprise:home")), now=now)
        told += 1
    return told


def _visits_due_message(plans: list[VisitPlan], today: date) -> str:
    overdue = sum(1 for p in plans if p.planned_on < today)
    names = "、".join(str(p.company) for p in plans[:3]) + ("等" if len(plans) > 3 else "")
    late = f"（其中 {overdue} 家已过计划日期）" if overdue else ""
    return f"待走访企业 {len(plans)} 家{late}：{names}"


# ---------------------------------------------------------------- portal


def portal_shows_code() -> bool:
    """Demo mode: no SMS gateway, so the portal shows the verification code on screen."""
    return bool(settings.YOUHU.get("ENTERPRISE_PORTAL_SHOW_CODE", settings.DEBUG))


def _hash_code(challenge_salt: str, code: str) -> str:
    return hashlib.sha256(f"{challenge_salt}:{code.strip()}".encode()).hexdigest()


def start_portal_challenge(uscc: str, phone: str, *, now: datetime | None = None) -> tuple[PortalChallenge, str]:
    """A company identifies itself by USCC and a registered contact's phone; returns a 6-digit code
    (sent by SMS in production, shown on screen in demo mode)."""
    now = now or clock.now()
    code_uscc = validate_uscc(uscc)
    company = Company.objects.filter(uscc=code_uscc).first()
    # The same message whether the company or the phone is unknown: do not reveal who is registered.
    unknown = InvalidInput("统一社会信用代码与登记的联系人电话不匹配", field="phone")
    if company is None:
        raise unknown
    contact = company.contacts.filter(phone=(phone or "").strip()).exclude(phone="").first()
    if contact is None:
        raise unknown
    code = f"{secrets.randbelow(10**6):06d}"
    challenge = PortalChallenge.objects.create(
        company=company, contact=contact, code_hash="", created_at=now,
        expires_at=now + timedelta(minutes=PORTAL_CODE_MINUTES),
    )
    PortalChallenge.objects.filter(pk=challenge.pk).update(code_hash=_hash_code(str(challenge.pk), code))
    challenge.code_hash = _hash_code(str(challenge.pk), code)
    return challenge, code


def _check_portal_code(challenge_id: int, code: str, now: datetime) -> PortalChallenge:
    with db.writing():
        challenge = PortalChallenge.objects.select_for_update().filter(pk=challenge_id).first()
        if challenge is None or challenge.used_at is not None or now > challenge.expires_at:
            raise InvalidInput("验证码已失效，请重新获取", field="code")
        if challenge.attempts >= PORTAL_MAX_ATTEMPTS:
            raise InvalidInput("验证码错误次数过多，请重新获取", field="code")
        matches = secrets.compare_digest(challenge.code_hash, _hash_code(str(challenge.pk), code or ""))
        if not matches:
            # Counted (committed) before the error is raised, so guessing is limited.
            PortalChallenge.objects.filter(pk=challenge.pk).update(attempts=challenge.attempts + 1)
    if not matches:
        raise InvalidInput("验证码不正确", field="code")
    return challenge


def submit_portal_demand(challenge_id: int, code: str, issue: Issue, *,
                         now: datetime | None = None) -> CompanyDemand:
    """Check the one-time code, then raise the demand for the company it identifies."""
    now = now or clock.now()
    challenge = _check_portal_code(challenge_id, code, now)
    with db.writing():
        if PortalChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True).update(used_at=now) == 0:
            raise InvalidInput("验证码已使用，请重新获取", field="code")
        return raise_demand(challenge.company, issue, by=None, source=CompanyDemand.Source.PORTAL,
                            contact=challenge.contact, now=now)
