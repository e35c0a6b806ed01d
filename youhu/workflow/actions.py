"""The one table of lifecycle actions, read by the staff pages (`web`) and the REST API (`workflow.api`).

For each action: its code and label, the page's form (whose data becomes an `ActionInput`, as the API's
body does), how the page presents it, and the call it makes — including the look-ups of the merge target,
the extension to decide and the units to escalate to. A new action is added here, once.

Who may take an action comes from `tickets.policy.allowed_actions` only; the services check it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from youhu.directory.models import User
from youhu.dispatch import services as dispatch
from youhu.knowledge import services as knowledge
from youhu.supervision import flows as supervision_flows
from youhu.supervision import services as supervision
from youhu.tickets import services
from youhu.tickets.errors import InvalidInput
from youhu.tickets.models import Ticket
from youhu.tickets.policy import ACTION_LABELS, allowed_actions
from youhu.tickets.selectors import merge_target, pending_extension

from . import forms as f
from .inputs import ActionInput

Perform = Callable[[Ticket, User, ActionInput], object]


@dataclass(frozen=True)
class Action:
    code: str
    reads: tuple[str, ...]  # the `ActionInput` fields it uses; a channel parses only these
    form: type[f.ActionForm]  # the page's form
    perform: Perform
    hint: str = ""
    danger: bool = False  # irreversible or ends the ticket: the page's button asks before posting
    primary: bool = False  # the step the ticket waits for: the page's form starts open
    done: str = ""  # the page's success message, when "已<label>" reads badly
    on_page: bool = True
    in_api: bool = True
    # Beyond the permission table, without which the form could only fail (an extension to decide, ...).
    meaningful: Callable[[Ticket], bool] | None = None

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.code, self.code)


# ---------------------------------------------------------------- calls needing a look-up or a check


def _merge(ticket: Ticket, user: User, data: ActionInput) -> object:
    return services.merge(ticket, by=user, into=merge_target(user, data.into), reason=data.reason)


def _request_extension(ticket: Ticket, user: User, data: ActionInput) -> object:
    if data.working_days is None:
        raise InvalidInput("请填写延期工作日", field="working_days")
    return services.request_extension(ticket, by=user, working_days=data.working_days, reason=data.reason)


def _decide_extension(ticket: Ticket, user: User, data: ActionInput) -> object:
    extension = pending_extension(ticket, pk=data.extension)
    if extension is None:
        raise InvalidInput("没有待审批的延期申请", field="extension")
    if data.approve is None:
        raise InvalidInput("请选择批准或驳回", field="approve")
    extension.ticket = ticket  # carries the version the caller acted on
    return services.decide_extension(extension, by=user, approve=data.approve, reason=data.reason)


def _review(ticket: Ticket, user: User, data: ActionInput) -> object:
    if data.resolved is None:
        raise InvalidInput("请选择是否已解决", field="resolved")
    return services.review(ticket, by=user, resolved=data.resolved, satisfaction=data.satisfaction,
                           comment=data.comment)


def _escalate(kind: str) -> Perform:
    def perform(ticket: Ticket, user: User, data: ActionInput) -> object:
        message = data.reason.strip()
        if not message:
            raise InvalidInput("请填写督办内容", field="reason")
        # The main unit answers for the ticket (首接负责制), as in the supervisor's workspace.
        units = [ticket.main_unit] if ticket.main_unit else []
        return services.record_escalation(ticket, kind=kind, message=message, units=units, by=user)
    return perform


def _has_pending_extension(ticket: Ticket) -> bool:
    return pending_extension(ticket) is not None


def _co_parts_missing(ticket: Ticket) -> bool:
    return not ticket.co_parts_waived and bool(services.missing_co_parts(ticket))


def _has_main_unit(ticket: Ticket) -> bool:
    return ticket.main_unit_id is not None


def _answer_directly(ticket: Ticket, user: User, data: ActionInput) -> object:
    """From a knowledge entry when one is named: its answer unless the text is given, and the entry recorded."""
    if data.entry is not None:
        return knowledge.answer_from_entry(ticket, by=user, entry_id=data.entry, reply=data.text)
    return services.answer_directly(ticket, by=user, reply=data.text)


def _reopen(ticket: Ticket, user: User, data: ActionInput) -> object:
    return services.reopen(ticket, by=user, reason=data.reason)


# ---------------------------------------------------------------- the table

_ACTIONS = [
    Action("register", ("category",), f.RegisterForm, lambda t, u, d: services.register(t, by=u, category=d.category),
           primary=True),
    Action("answer_directly", ("text", "entry"), f.AnswerDirectlyForm, _answer_directly,
           danger=True, hint="当场答复并办结，无需派单"),
    Action("reject", ("reason",), f.ReasonForm, lambda t, u, d: services.reject(t, by=u, reason=d.reason),
           danger=True, hint="诉求无效，直接办结"),
    Action("merge", ("into", "reason"), f.MergeForm, _merge, danger=True, hint="与已有工单重复，随主件一并答复"),
    # Through smart dispatch, which keeps the dispatcher's category choice as a labelled example.
    Action("dispatch", ("unit", "co_units", "category"), f.DispatchForm, lambda t, u, d: dispatch.dispatch_ticket(
        t, by=u, unit=d.unit, co_units=d.co_units or [], category=d.category), primary=True),
    # Two levels (docs/levels.md): the city sends a ticket to a district centre, which dispatches it on or returns it.
    Action("to_district", ("unit",), f.ToDistrictForm,
           lambda t, u, d: services.to_district(t, by=u, centre=d.unit), hint="交由区指挥中心二级派单"),
    Action("return_to_city", ("reason",), f.ReasonForm,
           lambda t, u, d: services.return_to_city(t, by=u, reason=d.reason), hint="不属本区，退回市级重新派单"),
    Action("transfer", ("unit", "co_units", "reason"), f.TransferForm, lambda t, u, d: services.transfer(
        t, by=u, unit=d.unit, reason=d.reason, co_units=d.co_units)),
    Action("accept", (), f.AcceptForm, lambda t, u, d: services.accept(t, by=u), hint="确认由本单位办理", primary=True),
    Action("return", ("reason",), f.ReasonForm, lambda t, u, d: services.return_ticket(t, by=u, reason=d.reason),
           hint="非本单位职责，退回指挥中心重新派单"),
    # The API has long taken the record as `text` too.
    Action("handle", ("note", "text"), f.HandleForm, lambda t, u, d: services.handle(t, by=u, note=d.note or d.text),
           done="办理记录已保存"),
    Action("submit_co_part", ("text",), f.CoPartForm, lambda t, u, d: services.submit_co_part(t, by=u, text=d.text),
           primary=True, done="协办意见已提交"),
    Action("request_extension", ("working_days", "reason"), f.RequestExtensionForm, _request_extension, done="延期申请已提交，等待审批"),
    Action("decide_extension", ("extension", "approve", "reason"), f.DecideExtensionForm, _decide_extension, primary=True, done="延期申请已审批",
           meaningful=_has_pending_extension),
    Action("waive_co_parts", ("reason",), f.ReasonForm, lambda t, u, d: services.waive_co_parts(t, by=u, reason=d.reason),
           hint="协办单位未全部提交意见时，允许主办单位先行答复", done="已准予主办单位先行答复",
           meaningful=_co_parts_missing),
    # Reply and quality check in one transaction: a poor reply is held before anyone can see it.
    Action("reply", ("text",), f.ReplyForm, lambda t, u, d: supervision_flows.reply_with_check(t, by=u, text=d.text),
           hint="最终答复诉求人，提交后进入回访"),
    Action("review", ("resolved", "satisfaction", "comment"), f.ReviewForm, _review, hint="中心电话回访结果", primary=True, done="回访结果已记录"),
    Action("reopen", ("reason",), f.ReasonForm, _reopen, hint="退回主办单位重新办理"),
    # The API's `reopen` reopens a closed ticket too (the service tells the two apart).
    Action("force_reopen", ("reason",), f.ReasonForm, _reopen, danger=True, hint="已归档工单重新交办", in_api=False),
    Action("close", ("reason",), f.ReasonForm, lambda t, u, d: services.close(t, by=u, reason=d.reason), danger=True),
    Action("supervise", ("reason",), f.EscalationForm, _escalate("supervise"), meaningful=_has_main_unit),
    Action("notice", ("reason",), f.EscalationForm, _escalate("notice"), meaningful=_has_main_unit),
    # The staff pages release held replies from the supervisor's workspace.
    Action("release_reply", ("reason",), f.ReasonForm, lambda t, u, d: supervision.release(t, by=u, reason=d.reason),
           on_page=False),
]
ACTIONS: dict[str, Action] = {a.code: a for a in _ACTIONS}
PAGE_ACTIONS: dict[str, Action] = {a.code: a for a in _ACTIONS if a.on_page}
API_ACTIONS: tuple[str, ...] = tuple(a.code for a in _ACTIONS if a.in_api)


def offered(user: User, ticket: Ticket, table: dict[str, Action] = PAGE_ACTIONS) -> list[str]:
    """The actions of `table` this user may take on the ticket now, in the permission table's order."""
    return [code for code in allowed_actions(user, ticket)
            if code in table and (table[code].meaningful is None or table[code].meaningful(ticket))]


def perform(code: str, ticket: Ticket, user: User, data: ActionInput) -> object:
    """Take the action: the services check state and permission."""
    return ACTIONS[code].perform(ticket, user, data)
