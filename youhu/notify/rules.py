"""Who is told what: every event, its audience, the placeholders its templates may use and its default texts.

The table in docs/notify.md is this module in prose; a unit narrows what reaches its robots in the admin
(UnitChannel.events) and each staff member chooses their own SMS / e-mail events (OptIn.events).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Audience(Enum):
    RESIDENT = "resident"  # the appellant, by SMS to the phone they gave
    UNIT = "unit"  # the unit's group robots, its handlers who opted in, named users who opted in
    UNIT_AND_SUPERVISORS = "unit+supervisors"  # as UNIT, and supervisors who opted in
    SUPERVISORS = "supervisors"  # supervisors who opted in (and the robots of units the notice names)


@dataclass(frozen=True, slots=True)
class Event:
    code: str
    label: str
    audience: Audience
    quiet_hours: bool = True  # residents get no SMS 22:00-08:00 for it: held until the morning
    delay_seconds: int = 0  # held back this long (a reply may yet be withheld by its quality check)


RESIDENT_PLACEHOLDERS = frozenset({"number", "link"})
UNIT_PLACEHOLDERS = frozenset({"number", "title", "message", "link", "label"})

EVENTS: dict[str, Event] = {e.code: e for e in (
    Event("resident.registered", "受理回执", Audience.RESIDENT, quiet_hours=False),
    Event("resident.replied", "答复通知", Audience.RESIDENT, delay_seconds=120),
    Event("resident.reopened", "重办通知", Audience.RESIDENT),
    Event("unit.dispatch", "新派单/协办", Audience.UNIT),
    Event("unit.co_part", "协办意见", Audience.UNIT),
    Event("unit.remind", "催办（即将超期）", Audience.UNIT),
    Event("unit.supervise", "督办（已超期）", Audience.UNIT),
    Event("unit.notice", "书面通报", Audience.UNIT_AND_SUPERVISORS),
    Event("unit.extension", "延期审批结果", Audience.UNIT),
    Event("unit.reopen", "重办", Audience.UNIT),
    Event("unit.withheld", "答复被暂缓公开", Audience.UNIT),
    # The service officer of the company (a named user: their opt-ins decide SMS / e-mail).
    Event("officer.demand", "企业新诉求", Audience.UNIT),
    # Each morning, the officer's planned visits due today or overdue (enterprise.tasks): once a day.
    Event("officer.visit_due", "走访到期提醒", Audience.UNIT),
    # A street's or a category's intake today far above its usual (dashboard.tasks): once per surge and day, to
    # the supervisors the notice names — those of the surge's level (a district's, or the city's).
    Event("supervisor.surge", "诉求激增", Audience.UNIT),
)}

# Events about no one ticket: their robot and e-mail texts name no ticket number.
NOT_ABOUT_A_TICKET = frozenset({"officer.visit_due", "supervisor.surge"})

UNIT_EVENT_CHOICES = [(e.code, e.label) for e in EVENTS.values() if e.audience is not Audience.RESIDENT]


def placeholders(event: str) -> frozenset[str]:
    if EVENTS[event].audience is Audience.RESIDENT:
        return RESIDENT_PLACEHOLDERS | ({"code"} if event == "resident.registered" else set())
    return UNIT_PLACEHOLDERS


SIGN = "【有呼必应】"
_UNIT_SMS = SIGN + "{message}，详见{link}"
_UNIT_ROBOT = ("{label}：工单 {number}", "#### {label}：工单 {number}\n\n{message}\n\n[查看工单]({link})")
_ROBOT = ("{label}", "#### {label}\n\n{message}\n\n[查看详情]({link})")
_EMAIL = ("【有呼必应】{label}", "{message}\n\n查看详情：{link}\n\n（本邮件由有呼必应系统自动发送，请勿回复）")
_UNIT_EMAIL = ("【有呼必应】{label}：工单 {number}", "{message}\n\n查看工单：{link}\n\n（本邮件由有呼必应系统自动发送，请勿回复）")

# (event, kind) -> (subject, body). Seeded into the Template table; used as they are where no row exists.
DEFAULT_TEXTS: dict[tuple[str, str], tuple[str, str]] = {
    ("resident.registered", "sms"): ("", SIGN + "已受理，单号{number}，查询码{code}，{link}"),
    ("resident.replied", "sms"): ("", SIGN + "您的诉求{number}已答复，请查看并评价{link}"),
    ("resident.reopened", "sms"): ("", SIGN + "您的诉求{number}已交承办单位重新办理，进度{link}"),
    **{(code, "sms"): ("", _UNIT_SMS) for code, _label in UNIT_EVENT_CHOICES},
    **{(code, "robot"): _UNIT_ROBOT for code, _label in UNIT_EVENT_CHOICES if code not in NOT_ABOUT_A_TICKET},
    **{(code, "email"): _UNIT_EMAIL for code, _label in UNIT_EVENT_CHOICES if code not in NOT_ABOUT_A_TICKET},
    **{(code, "robot"): _ROBOT for code in NOT_ABOUT_A_TICKET},
    **{(code, "email"): _EMAIL for code in NOT_ABOUT_A_TICKET},
}

# A sample context per audience, for the admin's preview.
SAMPLE_CONTEXT = {
    "number": "20260315-000123", "code": "K7QX2M9P", "link": "https://yh.example.cn/t/7NqW2",
    "title": "小区门口路灯不亮", "message": "新工单 20260315-000123：小区门口路灯不亮", "label": "新派单/协办",
}
