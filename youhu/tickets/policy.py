"""Who may do what to which ticket: the one place the lifecycle's permission table lives.

Services call `require(action, user, ticket)`; pages call `allowed_actions(user, ticket)` to show
only the forms the user may submit now. Both read the same table, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable

from youhu.directory.models import District, Role, User

from .errors import NotAllowed
from .models import Status, Ticket, TicketUnit

CENTRE_ROLES = (Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN)
UNIT_ROLES = (Role.HANDLER, Role.UNIT_HEAD)


def is_main_unit_user(user: User, ticket: Ticket) -> bool:
    return bool(user.unit_id) and user.unit_id == ticket.main_unit_id and user.has_role(*UNIT_ROLES)


def co_link(user: User, ticket: Ticket) -> TicketUnit | None:
    if not user.unit_id or not user.has_role(*UNIT_ROLES):
        return None
    return ticket.unit_links.filter(unit_id=user.unit_id, role=TicketUnit.Role.CO, active=True).first()


def same_level(user: User, ticket: Ticket) -> bool:
    """The user works at the level that holds the ticket: a district centre on its district's tickets, the city
    centre on those not sent to a district (on a deployment of one district both are always None)."""
    return user.district_id == ticket.district_id


def has_districts() -> bool:
    """A city's deployment: there are districts to dispatch to (docs/levels.md)."""
    return District.objects.filter(active=True).exists()


def _dispatcher(user: User, ticket: Ticket) -> bool:
    return user.has_role(Role.DISPATCHER, Role.ADMIN) and same_level(user, ticket)


def _city_dispatcher(user: User, ticket: Ticket) -> bool:
    return _dispatcher(user, ticket) and user.district_id is None and has_districts()


def _district_dispatcher(user: User, ticket: Ticket) -> bool:
    return _dispatcher(user, ticket) and ticket.district_id is not None


def _supervisor(user: User, ticket: Ticket) -> bool:
    """The city supervises every district; a district's supervisors their own district."""
    return user.has_role(Role.SUPERVISOR, Role.ADMIN) and (user.district_id is None or same_level(user, ticket))


def _centre(user: User, ticket: Ticket) -> bool:
    return user.has_role(Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN) and same_level(user, ticket)


def _co_unit(user: User, ticket: Ticket) -> bool:
    link = co_link(user, ticket)
    return link is not None and link.part_submitted_at is None


# action -> (states it may start from, who may do it)
RULES: dict[str, tuple[tuple[str, ...], Callable[[User, Ticket], bool]]] = {
    "register": ((Status.NEW,), _dispatcher),
    "answer_directly": ((Status.NEW, Status.REGISTERED), _dispatcher),
    "reject": ((Status.NEW, Status.REGISTERED), _dispatcher),
    "merge": ((Status.NEW, Status.REGISTERED), _dispatcher),
    "dispatch": ((Status.REGISTERED,), _dispatcher),
    "to_district": ((Status.REGISTERED,), _city_dispatcher),
    "return_to_city": ((Status.REGISTERED,), _district_dispatcher),
    "transfer": ((Status.DISPATCHED, Status.HANDLING), _dispatcher),
    "accept": ((Status.DISPATCHED,), is_main_unit_user),
    "return": ((Status.DISPATCHED, Status.HANDLING), is_main_unit_user),
    "handle": ((Status.HANDLING,), is_main_unit_user),
    "submit_co_part": ((Status.DISPATCHED, Status.HANDLING), _co_unit),
    "request_extension": ((Status.HANDLING,), is_main_unit_user),
    "decide_extension": ((Status.DISPATCHED, Status.HANDLING), _supervisor),
    "waive_co_parts": ((Status.HANDLING,), _supervisor),
    "reply": ((Status.HANDLING,), is_main_unit_user),
    "review": ((Status.REPLIED,), _centre),
    "reopen": ((Status.REPLIED,), _centre),
    "force_reopen": ((Status.CLOSED,), _supervisor),
    "close": ((Status.REPLIED,), _centre),
    "supervise": ((Status.DISPATCHED, Status.HANDLING), _supervisor),
    "notice": ((Status.DISPATCHED, Status.HANDLING), _supervisor),
}

ACTION_LABELS = {
    "register": "受理",
    "answer_directly": "直办答复",
    "reject": "无效",
    "merge": "合并重复件",
    "dispatch": "派单",
    "to_district": "派至区",
    "return_to_city": "退回市级",
    "district_dispatch": "区级派单",
    "transfer": "转派",
    "accept": "签收",
    "return": "退单",
    "handle": "办理记录",
    "submit_co_part": "提交协办意见",
    "request_extension": "申请延期",
    "decide_extension": "审批延期",
    "waive_co_parts": "准予先行答复",
    "reply": "办结答复",
    "review": "回访",
    "reopen": "重办",
    "force_reopen": "督办重办",
    "close": "归档",
    "supervise": "督办",
    "notice": "书面通报",
    "release_reply": "放行答复",
    "remind": "催办",
    "create": "登记",
    "co_part": "协办意见",
    "extension_approved": "延期批准",
    "extension_refused": "延期驳回",
    "merged_reply": "主件答复",
}


def is_allowed(action: str, user: User | None, ticket: Ticket) -> bool:
    states, who = RULES[action]
    if ticket.status not in states:
        return False
    return user is None or who(user, ticket)


def require(action: str, user: User | None, ticket: Ticket) -> None:
    """Raise NotAllowed unless `user` may do `action` (state is checked by the transition itself).

    `user=None` is the system (the escalation loop, an intake channel), trusted by the caller.
    """
    if user is None:
        return
    _states, who = RULES[action]
    if not who(user, ticket):
        raise NotAllowed(f"您无权对工单 {ticket.number} 执行“{ACTION_LABELS[action]}”")


def allowed_actions(user: User, ticket: Ticket) -> list[str]:
    return [action for action in RULES if is_allowed(action, user, ticket)]
