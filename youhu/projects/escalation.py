"""The escalation pass of the projects room: overdue nodes and missing monthly reports.

Each subject is escalated once (a unique constraint makes a second pass, or a second worker, a no-op),
recorded as an Escalation and a ProjectEvent, and told to the responsible unit and the project's leader.
Run by `youhu projects escalate` and by the huey periodic task in tasks.py; the ticket escalation
loop (`youhu escalate`) knows nothing of projects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from youhu import clock, db
from youhu.directory.models import Unit
from youhu.workdays import calendar

from . import services
from .lights import deadline_of
from .models import Escalation, Node, ProgressReport, Project, Stage


@dataclass
class EscalationSummary:
    nodes: int = 0
    reports: int = 0

    def __str__(self) -> str:
        return f"节点超期督办 {self.nodes} 个，月报缺报督办 {self.reports} 个"


def report_due(month: date) -> datetime:
    """A month's report is due by the close of the N-th working day of the next month."""
    last_day = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    nth = int(settings.YOUHU_PROJECTS["REPORT_DUE_WORKING_DAY"])
    return deadline_of(calendar.add_working_days_to_date(last_day, nth))


def previous_month(now: datetime) -> date:
    first = timezone.localdate(now).replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def _record(project: Project, *, kind: str, unit: Unit, message: str, now: datetime, node: Node | None = None,
            month: date | None = None) -> bool:
    try:
        with db.writing():
            Escalation.objects.create(project=project, node=node, month=month, kind=kind, unit=unit,
                                      message=message, at=now)
            services.log(project, "escalate", by=None, now=now, node=node, kind=kind, unit=unit.name,
                         message=message, month=f"{month:%Y-%m}" if month else None)
            units = [unit] if node is None or node.owner_unit_id == project.lead_unit_id else [unit, project.lead_unit]
            services.notify_responsible(units=units, users=[project.leader], kind="project_escalation",
                                        message=message, now=now)
    except IntegrityError:  # escalated already, by an earlier pass or another worker
        return False
    return True


def escalate_overdue_nodes(now: datetime) -> int:
    done = Escalation.objects.filter(kind=Escalation.Kind.NODE_OVERDUE).values("node_id")
    # planned_end before today is past its closing time; today's are checked against the clock
    today = timezone.localdate(now)
    candidates = (Node.objects.filter(actual_end__isnull=True, planned_end__lte=today)
                  .exclude(pk__in=done).select_related("project", "project__lead_unit", "project__leader",
                                                       "owner_unit"))
    count = 0
    for node in candidates:
        if now <= deadline_of(node.planned_end):
            continue
        message = (f"【节点超期督办】{node.project.name}（{node.project.code}）的节点“{node.name}”"
                   f"计划 {node.planned_end:%Y-%m-%d} 完成，现已超期，请 {node.owner_unit} 尽快推进并填报。")
        count += _record(node.project, kind=Escalation.Kind.NODE_OVERDUE, unit=node.owner_unit, node=node,
                         message=message, now=now)
    return count


def escalate_missing_reports(now: datetime) -> int:
    month = previous_month(now)
    if now <= report_due(month):
        return 0
    month_end = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    reported = ProgressReport.objects.filter(month=month).values("project_id")
    escalated = Escalation.objects.filter(kind=Escalation.Kind.REPORT_MISSING, month=month).values("project_id")
    projects = (Project.objects.exclude(stage=Stage.PRODUCING).exclude(pk__in=reported).exclude(pk__in=escalated)
                .filter(created_at__lt=calendar.start_of_day(month_end))
                .select_related("lead_unit", "leader"))
    count = 0
    for project in projects:
        message = (f"【月报缺报督办】{project.name}（{project.code}）{month:%Y 年 %m 月}进展未按时填报，"
                   f"请 {project.lead_unit} 立即补报。")
        count += _record(project, kind=Escalation.Kind.REPORT_MISSING, unit=project.lead_unit, month=month,
                         message=message, now=now)
    return count


def run_pass(now: datetime | None = None) -> EscalationSummary:
    now = now or clock.now()
    return EscalationSummary(nodes=escalate_overdue_nodes(now), reports=escalate_missing_reports(now))
