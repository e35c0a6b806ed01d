"""The ticket page's actions: for each lifecycle action, its form and the service call it makes.

Which actions a user may take comes from `policy.allowed_actions` only; this module adds the few
preconditions a form needs to be meaningful (an extension to decide, a co-handling part to waive).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from youhu.directory.models import User
from youhu.dispatch import services as dispatch_services
from youhu.supervision.reply_quality import reply_with_check
from youhu.tickets import services
from youhu.tickets.errors import InvalidInput
from youhu.tickets.models import Extension, Ticket
from youhu.tickets.policy import ACTION_LABELS, allowed_actions
from youhu.tickets.selectors import visible_tickets

from . import forms as f

Perform = Callable[[Ticket, User, dict[str, Any]], object]


@dataclass(frozen=True)
class ActionSpec:
    form: type[f.ActionForm]
    perform: Perform
    danger: bool = False  # irreversible or ends the ticket: the button asks before posting
    hint: str = ""
    primary: bool = False  # the step the ticket waits for: its form starts open
    done: str = ""  # the success message, when "已<label>" reads badly


def _pending_extension(ticket: Ticket) -> Extension | None:
    return ticket.extensions.filter(state=Extension.State.PENDING).order_by("-requested_at").first()


def _merge(ticket: Ticket, user: User, data: dict[str, Any]) -> object:
    number = (data.get("into") or "").strip()
    if not number:
        raise InvalidInput("请填写主件工单编号", field="into")
    into = visible_tickets(user).filter(number=number).first()
    if into is None:
        raise InvalidInput(f"找不到工单 {number}", field="into")
    return services.merge(ticket, by=user, into=into, reason=data.get("reason") or "")


def _decide_extension(ticket: Ticket, user: User, data: dict[str, Any]) -> object:
    extension = _pending_extension(ticket)
    if extension is None:
        raise InvalidInput("没有待审批的延期申请", field="decision")
    extension.ticket = ticket  # carries the version posted with the page
    return services.decide_extension(extension, by=user, approve=data["decision"] == "approve",
                                     reason=data.get("reason") or "")


def _request_extension(ticket: Ticket, user: User, data: dict[str, Any]) -> object:
    days = data.get("working_days")
    if days is None:
        raise InvalidInput("请填写延期工作日", field="working_days")
    return services.request_extension(ticket, by=user, working_days=days, reason=data.get("reason") or "")


def _escalate(kind: str) -> Perform:
    def perform(ticket: Ticket, user: User, data: dict[str, Any]) -> object:
        message = (data.get("message") or "").strip()
        if not message:
            raise InvalidInput("请填写督办内容", field="message")
        units = [ticket.main_unit] if ticket.main_unit else []
        return services.record_escalation(ticket, kind=kind, message=message, units=units, by=user)
    return perform


ACTIONS: dict[str, ActionSpec] = {
    "register": ActionSpec(f.RegisterForm, lambda t, u, d: services.register(t, by=u, category=d.get("category")),
                           primary=True),
    "answer_directly": ActionSpec(f.AnswerDirectlyForm,
                                  lambda t, u, d: services.answer_directly(t, by=u, reply=d.get("reply") or ""),
                                  danger=True, hint="当场答复并办结，无需派单"),
    "reject": ActionSpec(f.ReasonForm, lambda t, u, d: services.reject(t, by=u, reason=d.get("reason") or ""),
                         danger=True, hint="诉求无效，直接办结"),
    "merge": ActionSpec(f.MergeForm, _merge, danger=True, hint="与已有工单重复，随主件一并答复"),
    # Through smart dispatch, which keeps the dispatcher's category choice as a labelled example.
    "dispatch": ActionSpec(f.DispatchForm, lambda t, u, d: dispatch_services.dispatch_ticket(
        t, by=u, unit=d.get("unit"), co_units=d.get("co_units") or [], category=d.get("category")), primary=True),
    "transfer": ActionSpec(f.TransferForm, lambda t, u, d: services.transfer(
        t, by=u, unit=d.get("unit"), reason=d.get("reason") or "")),
    "accept": ActionSpec(f.AcceptForm, lambda t, u, d: services.accept(t, by=u), hint="确认由本单位办理", primary=True),
    "return": ActionSpec(f.ReasonForm, lambda t, u, d: services.return_ticket(t, by=u, reason=d.get("reason") or ""),
                         hint="非本单位职责，退回指挥中心重新派单"),
    "handle": ActionSpec(f.HandleForm, lambda t, u, d: services.handle(t, by=u, note=d.get("note") or ""),
                         done="办理记录已保存"),
    "submit_co_part": ActionSpec(f.CoPartForm,
                                 lambda t, u, d: services.submit_co_part(t, by=u, text=d.get("text") or ""),
                                 primary=True, done="协办意见已提交"),
    "request_extension": ActionSpec(f.RequestExtensionForm, _request_extension, done="延期申请已提交，等待审批"),
    "decide_extension": ActionSpec(f.DecideExtensionForm, _decide_extension, primary=True, done="延期申请已审批"),
    "waive_co_parts": ActionSpec(f.ReasonForm,
                                 lambda t, u, d: services.waive_co_parts(t, by=u, reason=d.get("reason") or ""),
                                 hint="协办单位未全部提交意见时，允许主办单位先行答复", done="已准予主办单位先行答复"),
    "reply": ActionSpec(f.ReplyForm, lambda t, u, d: reply_with_check(t, by=u, text=d.get("text") or ""),
                        hint="最终答复诉求人，提交后进入回访"),
    "review": ActionSpec(f.ReviewForm, lambda t, u, d: services.review(
        t, by=u, resolved=d["resolved"], satisfaction=d["satisfaction"], comment=d.get("comment") or ""),
        hint="中心电话回访结果", primary=True, done="回访结果已记录"),
    "reopen": ActionSpec(f.ReasonForm, lambda t, u, d: services.reopen(t, by=u, reason=d.get("reason") or ""),
                         hint="退回主办单位重新办理"),
    "force_reopen": ActionSpec(f.ReasonForm, lambda t, u, d: services.reopen(t, by=u, reason=d.get("reason") or ""),
                               danger=True, hint="已归档工单重新交办"),
    "close": ActionSpec(f.ReasonForm, lambda t, u, d: services.close(t, by=u, reason=d.get("reason") or ""),
                        danger=True),
    "supervise": ActionSpec(f.EscalationForm, _escalate("supervise")),
    "notice": ActionSpec(f.EscalationForm, _escalate("notice")),
}


def _meaningful(action: str, ticket: Ticket) -> bool:
    """Preconditions beyond the permission table, without which the form could only fail."""
    if action == "decide_extension":
        return _pending_extension(ticket) is not None
    if action == "waive_co_parts":
        return not ticket.co_parts_waived and bool(services.missing_co_parts(ticket))
    if action in ("supervise", "notice"):
        return ticket.main_unit_id is not None
    return True


def page_actions(user: User, ticket: Ticket) -> list[str]:
    """The actions the ticket page offers this user now, in the permission table's order."""
    return [a for a in allowed_actions(user, ticket) if a in ACTIONS and _meaningful(a, ticket)]


def label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
