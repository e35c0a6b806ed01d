"""Every change of a key project: the register, nodes, completion with evidence, monthly reports and
problems raised as tickets. Each records a ProjectEvent (who, when, what) in the same transaction.

Functions take the acting user (`by`; None = the trusted system, e.g. the import command run by the
office) and `now`; they raise the ticket errors (InvalidInput with `.field`, NotAllowed) so pages and
the API report them as ticket actions are reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from youhu import clock, db
from youhu.directory.models import Area, Role, Unit, User
from youhu.enterprise.models import Company
from youhu.tickets import services as tickets
from youhu.tickets.errors import InvalidInput, NotAllowed
from youhu.tickets.models import Channel

from .models import (
    Evidence,
    Investment,
    Kind,
    Node,
    Problem,
    ProblemKind,
    ProgressReport,
    Project,
    ProjectEvent,
    ReportPhoto,
    Stage,
)
from .policy import can_view, completes, is_office, reports_for

SYSTEM_LABEL = "系统"
MAX_MONEY = Decimal("999999999999")  # fits the 14-digit column; no district project is this large
MAX_FILES = 10
FILE_MAX_BYTES = 20 * 1024 * 1024
EVIDENCE_TYPES = (".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".webp", ".doc", ".docx", ".xls", ".xlsx", ".zip")


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _text(value: str | None, field_name: str, label: str, max_len: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise InvalidInput(f"{label}不能包含 NUL 字符", field=field_name)
    if required and not text:
        raise InvalidInput(f"请填写{label}", field=field_name)
    if len(text) > max_len:
        raise InvalidInput(f"{label}不能超过 {max_len} 字", field=field_name)
    return text


def _money(value: Decimal | None, field_name: str, label: str) -> Decimal:
    if value is None:
        return Decimal(0)
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0 or value > MAX_MONEY:
        raise InvalidInput(f"{label}须为不小于 0 的金额（万元）", field=field_name)
    return value.quantize(Decimal("0.01"))


def log(project: Project, action: str, *, by: User | None, now: datetime, node: Node | None = None,
        **payload: Any) -> ProjectEvent:
    """The audit row of one change (append-only)."""
    return ProjectEvent.objects.create(project=project, node=node, action=action, actor=by,
                                       actor_label=str(by) if by else SYSTEM_LABEL, at=now, payload=payload)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, Decimal)):
        return str(value)
    if hasattr(value, "pk"):
        return str(value)
    return value


def _apply(obj: Any, values: dict[str, Any]) -> dict[str, list]:
    """Set the fields that differ; return {field: [old, new]} for the audit row."""
    changed = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changed[name] = [_jsonable(old), _jsonable(new)]
            setattr(obj, name, new)
    return changed


# ---------------------------------------------------------------- the register


@dataclass
class ProjectData:
    code: str
    name: str
    kind: str
    stage: str
    lead_unit: Unit | None
    total_investment: Decimal | None = None
    co_units: list[Unit] = field(default_factory=list)
    leader: User | None = None
    company: Company | None = None
    cso: User | None = None
    street: Area | None = None
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    year: int | None = None  # with year_planned / year_completed: that year's investment
    year_planned: Decimal | None = None
    year_completed: Decimal | None = None


def validate_project(data: ProjectData) -> dict[str, Any]:
    """Every field checked; returns the model's values. Raises InvalidInput naming the field."""
    code = _text(data.code, "code", "项目编号", 32)
    if data.kind not in Kind.values:
        raise InvalidInput(f"未知项目类型：{data.kind}（应为 {'/'.join(Kind.labels)}）", field="kind")
    if data.stage not in Stage.values:
        raise InvalidInput(f"未知项目阶段：{data.stage}（应为 {'/'.join(Stage.labels)}）", field="stage")
    if data.lead_unit is None:
        raise InvalidInput("请填写牵头单位", field="lead_unit")
    if data.leader is not None and not data.leader.has_role(Role.PROJECT_LEADER):
        raise InvalidInput(f"“{data.leader}”不是挂点领导", field="leader")
    cso = data.cso or (data.company.service_officer if data.company else None)
    if cso is not None and not cso.has_role(Role.SERVICE_OFFICER):
        raise InvalidInput(f"“{cso}”不是首席服务官", field="cso")
    if data.street is not None and data.street.kind != Area.Kind.STREET:
        raise InvalidInput(f"“{data.street}”不是街道", field="street")
    if (data.lon is None) != (data.lat is None):
        raise InvalidInput("经纬度须同时填写", field="lon" if data.lon is None else "lat")
    if data.lon is not None and not (-180 <= data.lon <= 180 and -90 <= data.lat <= 90):
        raise InvalidInput("经纬度超出范围", field="lon")
    if data.year is not None and not 2000 <= data.year <= 2100:
        raise InvalidInput(f"年度不合理：{data.year}", field="year")
    return {
        "code": code, "name": _text(data.name, "name", "项目名称", 200), "kind": data.kind, "stage": data.stage,
        "total_investment": _money(data.total_investment, "total_investment", "计划总投资"),
        "lead_unit": data.lead_unit, "leader": data.leader, "company": data.company, "cso": cso,
        "street": data.street, "address": _text(data.address, "address", "地址", 255, required=False),
        "lon": data.lon, "lat": data.lat,
    }


def save_project(data: ProjectData, *, by: User | None, now: datetime | None = None) -> tuple[Project, str]:
    """Create or update by project code (the import's key). Returns (project, "created"|"updated"|"same")."""
    _require(by is None or is_office(by), "只有重点项目办可以登记或修改项目")
    now = now or clock.now()
    values = validate_project(data)
    year_values = None
    if data.year is not None:
        year_values = {"planned": _money(data.year_planned, "year_planned", "年度计划投资"),
                       "completed": _money(data.year_completed, "year_completed", "年度完成投资")}
    co_units = [u for u in dict.fromkeys(data.co_units) if u.pk != data.lead_unit.pk]
    with db.writing():
        project = Project.objects.select_for_update().filter(code=values["code"]).first()
        created = project is None
        if created:
            project = Project.objects.create(created_at=now, updated_at=now, **values)
            changed: dict[str, Any] = {"name": project.name}
        else:
            changed = _apply(project, values)
        old_co = sorted(u.name for u in project.co_units.all()) if not created else []
        new_co = sorted(u.name for u in co_units)
        if old_co != new_co:
            project.co_units.set(co_units)
            changed["co_units"] = [old_co, new_co]
        if year_values is not None:
            if ProgressReport.objects.filter(project=project, month__year=data.year).exists():
                # once the lead unit reports, the year's completed investment follows its reports
                del year_values["completed"]
            investment, new_year = Investment.objects.get_or_create(project=project, year=data.year,
                                                                    defaults=year_values)
            year_changed = _apply(investment, year_values) if not new_year else year_values
            if year_changed:
                investment.save()
                changed[f"investment_{data.year}"] = {k: _jsonable(v) for k, v in year_values.items()}
        if changed and not created:
            project.updated_at = now
            project.save()
        if changed:
            log(project, "create" if created else "update", by=by, now=now,
                changes={k: v for k, v in changed.items()})
    return project, "created" if created else ("updated" if changed else "same")


@dataclass
class NodeData:
    name: str
    planned_end: date | None
    owner_unit: Unit | None
    seq: int = 0
    planned_start: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None


def validate_node(data: NodeData) -> dict[str, Any]:
    name = _text(data.name, "name", "节点名称", 100)
    if not isinstance(data.planned_end, date):
        raise InvalidInput("请填写计划完成日期", field="planned_end")
    if data.planned_start is not None and data.planned_start > data.planned_end:
        raise InvalidInput("计划开始日期晚于计划完成日期", field="planned_start")
    if data.actual_start and data.actual_end and data.actual_start > data.actual_end:
        raise InvalidInput("实际开始日期晚于实际完成日期", field="actual_start")
    if data.owner_unit is None:
        raise InvalidInput("请填写节点责任单位", field="owner_unit")
    if not 0 <= data.seq <= 999:
        raise InvalidInput("序号须在 0 到 999 之间", field="seq")
    return {"name": name, "seq": data.seq, "planned_start": data.planned_start, "planned_end": data.planned_end,
            "actual_start": data.actual_start, "actual_end": data.actual_end, "owner_unit": data.owner_unit}


def save_node(project: Project, data: NodeData, *, by: User | None,
              now: datetime | None = None) -> tuple[Node, str]:
    """Create or update by (project, node name). Returns (node, "created"|"updated"|"same")."""
    _require(by is None or is_office(by), "只有重点项目办可以设置项目节点")
    now = now or clock.now()
    values = validate_node(data)
    with db.writing():
        node = Node.objects.select_for_update().filter(project=project, name=values["name"]).first()
        if node is None:
            node = Node.objects.create(project=project, **values)
            log(project, "node_create", by=by, now=now, node=node,
                changes={k: _jsonable(v) for k, v in values.items()})
            return node, "created"
        changed = _apply(node, values)
        if changed:
            node.save()
            log(project, "node_update", by=by, now=now, node=node, changes=changed)
    return node, "updated" if changed else "same"


def _local_today(now: datetime) -> date:
    return timezone.localdate(now)


def start_node(node: Node, *, by: User | None, on: date | None, now: datetime | None = None) -> Node:
    _require(completes(by, node), f"您不是“{node}”的责任单位，不能填报")
    now = now or clock.now()
    if not isinstance(on, date) or on > _local_today(now):
        raise InvalidInput("请填写不晚于今天的实际开始日期", field="actual_start")
    with db.writing():
        changed = _apply(node, {"actual_start": on})
        if changed:
            node.save(update_fields=["actual_start"])
            log(node.project, "node_start", by=by, now=now, node=node, changes=changed)
    return node


def complete_node(node: Node, *, by: User | None, on: date | None, files: Sequence[UploadedFile] = (),
                  now: datetime | None = None) -> Node:
    """Mark a node done on `on` with its evidence. A unit must attach at least one file."""
    _require(completes(by, node), f"您不是“{node}”的责任单位，不能填报完成")
    now = now or clock.now()
    if not isinstance(on, date) or on > _local_today(now):
        raise InvalidInput("请填写不晚于今天的实际完成日期", field="actual_end")
    if node.actual_start and on < node.actual_start:
        raise InvalidInput("实际完成日期早于实际开始日期", field="actual_end")
    if by is not None and not files and not node.evidence.exists():
        raise InvalidInput("请上传完成佐证材料（批复、照片或验收记录）", field="evidence")
    if len(files) > MAX_FILES:
        raise InvalidInput(f"一次最多上传 {MAX_FILES} 个文件", field="evidence")
    for upload in files:
        _check_file(upload, "evidence", EVIDENCE_TYPES)
    with db.writing():
        locked = Node.objects.select_for_update().get(pk=node.pk)
        values = {"actual_end": on, "completed_by": by, "actual_start": locked.actual_start or node.actual_start or on}
        changed = _apply(node, values)
        node.save(update_fields=["actual_end", "completed_by", "actual_start"])
        names = [_save_evidence(node, f, by, now) for f in files]
        log(node.project, "node_complete", by=by, now=now, node=node, changes=changed, evidence=names)
    return node


def _check_file(upload: UploadedFile, field_name: str, types: tuple[str, ...]) -> str:
    name = _text(upload.name, field_name, "文件名", 200)
    if not name.lower().endswith(types):
        raise InvalidInput(f"“{name}”的类型不支持（可上传 {' '.join(types)}）", field=field_name)
    if upload.size > FILE_MAX_BYTES:
        raise InvalidInput(f"“{name}”超过 {FILE_MAX_BYTES // (1024 * 1024)}MB", field=field_name)
    return name


def _check_photo(upload: UploadedFile) -> None:
    from PIL import Image, UnidentifiedImageError

    name = _check_file(upload, "photos", (".jpg", ".jpeg", ".png", ".webp"))
    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise InvalidInput(f"“{name}”不是有效的图片", field="photos") from None
    finally:
        upload.seek(0)


def _save_evidence(node: Node, upload: UploadedFile, by: User | None, now: datetime) -> str:
    name = _check_file(upload, "evidence", EVIDENCE_TYPES)
    Evidence.objects.create(node=node, file=upload, name=name, uploaded_by=by, uploaded_at=now)
    return name


# ---------------------------------------------------------------- monthly progress


def month_start(day: date) -> date:
    return day.replace(day=1)


def submit_report(project: Project, *, by: User | None, month: date | None, text: str,
                  investment_completed: Decimal | None, photos: Sequence[UploadedFile] = (),
                  now: datetime | None = None) -> ProgressReport:
    """The month's progress; the year's completed investment follows the report. Resubmitting a month
    replaces its text and figure (the old ones stay in the events)."""
    _require(reports_for(by, project), f"您不是“{project.name}”的牵头单位，不能填报月度进展")
    now = now or clock.now()
    if not isinstance(month, date):
        raise InvalidInput("请选择填报月份", field="month")
    month = month_start(month)
    if month > month_start(_local_today(now)):
        raise InvalidInput("不能填报未来月份的进展", field="month")
    body = _text(text, "text", "进展情况", 5000)
    if investment_completed is None:
        raise InvalidInput("请填写本年累计完成投资", field="investment_completed")
    amount = _money(investment_completed, "investment_completed", "本年累计完成投资")
    if len(photos) > MAX_FILES:
        raise InvalidInput(f"一次最多上传 {MAX_FILES} 张照片", field="photos")
    for photo in photos:
        _check_photo(photo)
    with db.writing():
        report, created = ProgressReport.objects.get_or_create(
            project=project, month=month,
            defaults={"text": body, "investment_completed": amount, "reported_by": by, "reported_at": now})
        changed = {"text": body, "investment_completed": str(amount)}
        if not created:
            changed = _apply(report, {"text": body, "investment_completed": amount, "reported_by": by,
                                      "reported_at": now})
            report.save()
        for photo in photos:
            ReportPhoto.objects.create(report=report, file=photo, uploaded_at=now)
        investment, _ = Investment.objects.get_or_create(project=project, year=month.year)
        if investment.completed != amount:
            Investment.objects.filter(pk=investment.pk).update(completed=amount)
        log(project, "report" if created else "report_update", by=by, now=now, month=f"{month:%Y-%m}",
            changes=changed, photos=len(photos))
    return report


# ---------------------------------------------------------------- problems (问题清单)


@dataclass
class ProblemData:
    kind: str
    title: str
    content: str
    unit: Unit | None  # the unit that owns the blocker


def raise_problem(project: Project, data: ProblemData, *, by: User | None,
                  now: datetime | None = None) -> Problem:
    """Create the ticket, register and dispatch it to the owning unit (deadlines by the ordinary rules) and
    link it to the project — all or nothing. From then on it is an ordinary ticket: 派单, 催办/督办, reply."""
    _require(by is None or can_view(by, project), "您无权为该项目提交问题")
    now = now or clock.now()
    if data.kind not in ProblemKind.values:
        raise InvalidInput(f"未知问题类型：{data.kind}", field="kind")
    title = _text(data.title, "title", "问题标题", tickets.TITLE_MAX - 20)
    content = _text(data.content, "content", "问题描述", tickets.CONTENT_MAX - 300)
    if data.unit is None:
        raise InvalidInput("请选择负责解决问题的单位", field="unit")
    label = ProblemKind(data.kind).label
    appeal = tickets.NewAppeal(
        title=f"【重点项目·{label}】{title}",
        content=f"项目：{project.code} {project.name}\n牵头单位：{project.lead_unit}\n问题类型：{label}\n\n{content}",
        channel=Channel.STAFF, appeal_type="help",
        appellant_name=(str(by) if by else str(project.lead_unit))[:64],
        appellant_phone=(by.phone if by else "") or "",
        address=project.address, street=project.street, lat=project.lat, lon=project.lon,
    )
    with db.writing():
        ticket = tickets.create_ticket(appeal, by=by, now=now)
        tickets.register(ticket, by=None, now=now)
        tickets.dispatch(ticket, by=None, unit=data.unit, now=now)
        problem = Problem.objects.create(project=project, ticket=ticket, kind=data.kind, raised_by=by,
                                         created_at=now)
        log(project, "problem", by=by, now=now, ticket=ticket.number, kind=data.kind, unit=data.unit.name,
            title=title)
    return problem


# ---------------------------------------------------------------- telling people


def notify_responsible(*, units: Iterable[Unit], users: Iterable[User], kind: str, message: str,
                       now: datetime) -> None:
    """The one place the projects room tells people something.

    Today: the in-app inbox (tickets' Notification rows, no ticket link). The notify room's outbox
    (SMS, robots) is being built beside this; its rows belong here, written in the caller's transaction.
    """
    tickets.notify(ticket=None, kind=kind, message=message, now=now, units=list(units),
                   users=[u for u in users if u is not None])
