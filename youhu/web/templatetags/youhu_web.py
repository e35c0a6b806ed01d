"""Small display helpers for the staff pages: status badges, deadlines, form fields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from youhu import clock
from youhu.tickets.models import Satisfaction, Status, Ticket
from youhu.tickets.policy import ACTION_LABELS

from ..queues import UNIT_OPEN, due_soon_cutoff, is_overdue

register = template.Library()
NO_DATE = mark_safe('<span class="muted">—</span>')

# Events the permission table has no label for (they are not actions a person chooses).
EXTRA_EVENT_LABELS = {
    "locate": "地点识别",
    "merged_in": "并入重复件",
    "withhold_reply": "暂缓公开答复",
}


@register.simple_tag
def status_badge(ticket: Ticket) -> str:
    return format_html('<span class="badge badge--{}">{}</span>', ticket.status, ticket.get_status_display())


@register.filter
def status_label(code: str) -> str:
    try:
        return Status(code).label
    except ValueError:
        return code


@register.filter
def action_label(action: str) -> str:
    return ACTION_LABELS.get(action) or EXTRA_EVENT_LABELS.get(action, action)


def _fmt(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


@register.simple_tag(takes_context=True)
def reply_due(context, ticket: Ticket) -> str:
    """The reply deadline, red when passed, amber when within the due-soon window."""
    if ticket.reply_due is None:
        return NO_DATE
    now, text = context.get("now") or clock.now(), _fmt(ticket.reply_due)
    estimated = format_html(' <span class="badge badge--muted" title="{}">估算</span>',
                            "时限落在未公布节假日安排的年份，按周末估算") if ticket.due_estimated else ""
    if is_overdue(ticket, now):
        return format_html('<span class="overdue">{} <span class="badge badge--danger">已超期</span></span>{}',
                           text, estimated)
    if ticket.status in UNIT_OPEN and ticket.reply_due <= due_soon_cutoff(now):
        return format_html('<span class="due-soon">{} <span class="badge badge--warn">即将到期</span></span>{}',
                           text, estimated)
    return format_html('<span class="nowrap">{}</span>{}', text, estimated)


@register.simple_tag(takes_context=True)
def accept_due(context, ticket: Ticket) -> str:
    if ticket.accept_due is None:
        return NO_DATE
    now, text = context.get("now") or clock.now(), _fmt(ticket.accept_due)
    if ticket.status == Status.DISPATCHED and ticket.accept_due < now:
        return format_html('<span class="overdue">{} <span class="badge badge--danger">签收超时</span></span>', text)
    return format_html('<span class="nowrap">{}</span>', text)


@register.filter(name="is_overdue")
def is_overdue_filter(ticket: Ticket, now: datetime) -> bool:
    return is_overdue(ticket, now)


@register.inclusion_tag("web/_field.html")
def field(bound_field, autofocus: bool = False):
    return {"f": bound_field, "radio": bound_field.widget_type in ("radioselect", "checkboxselectmultiple")}


NOTIFICATION_KINDS = {"dispatch": "新工单", "extension": "延期审批", "co_part": "协办意见"}
NOTIFICATION_TONES = {"remind": "warn", "supervise": "danger", "notice": "danger", "reopen": "warn"}


@register.filter
def kind_label(kind: str) -> str:
    return NOTIFICATION_KINDS.get(kind) or action_label(kind)


@register.filter
def kind_tone(kind: str) -> str:
    return NOTIFICATION_TONES.get(kind, "muted")


def _when(value: str | None) -> str:
    if not value:
        return ""
    try:
        return _fmt(datetime.fromisoformat(value))
    except ValueError:
        return value


SATISFACTION_LABELS = dict(Satisfaction.choices)

# payload key -> how to show it on the timeline
PAYLOAD_LINES: list[tuple[str, str, Callable[[Any], str]]] = [
    ("co_units", "协办单位：{}", "、".join),
    ("category", "分类：{}", str),
    ("accept_due", "签收时限：{}", _when),
    ("reply_due", "办结时限：{}", _when),
    ("into", "并入主件：{}", str),
    ("ticket", "重复件：{}", str),
    ("reply", "答复：{}", str),
    ("knowledge_question", "依据知识库条目：{}", str),  # a 直接答复 from an entry (docs/knowledge.md)
]


@register.simple_tag
def event_details(event) -> list[str]:
    """One line per fact worth showing from an event's payload (units, deadlines, verdicts)."""
    p = event.payload or {}
    lines: list[str] = []
    if p.get("from_unit") and p.get("unit"):
        lines.append(f"由 {p['from_unit']} 转至 {p['unit']}")
    elif event.action in ("to_district", "return_to_city") and p.get("district"):  # the levels (docs/levels.md)
        lines.append(f"{'派往' if event.action == 'to_district' else '退回自'}：{p['district']}")
    elif p.get("unit"):
        role = {"return": "退单单位", "co_part": "协办单位"}.get(event.action, "主办单位")
        lines.append(f"{role}：{p['unit']}")
    if p.get("auto"):
        conf = p.get("confidence")
        lines.append("系统自动派单" + (f"（置信度 {conf:.0%}）" if isinstance(conf, int | float) else ""))
    lines += [fmt.format(show(p[key])) for key, fmt, show in PAYLOAD_LINES if p.get(key)]
    if p.get("working_days") and event.action in ("request_extension", "extension_approved", "extension_refused"):
        lines.append(f"延期 {p['working_days']} 个工作日")
    if "resolved" in p:
        lines.append(f"{'已解决' if p['resolved'] else '未解决'} · "
                     f"{SATISFACTION_LABELS.get(p.get('satisfaction'), p.get('satisfaction') or '')}")
    if event.action == "locate":
        where = " · ".join(x for x in (p.get("street"), p.get("community")) if x)
        lines.append(where or "未能识别地点")
    return lines
