"""Work queues (待办): which tickets each role has to act on now.

A queue narrows `visible_tickets(user)`, so a unit never sees another unit's tickets through it.
The home page shows the queues of every role a user holds; the ticket list accepts `?queue=<key>`
to show one queue in full, with the list's filters and pagination.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from youhu.directory.models import Role, User
from youhu.tickets.models import Extension, Status, Ticket, TicketEvent, TicketUnit
from youhu.tickets.policy import UNIT_ROLES
from youhu.tickets.selectors import at_level, reply_overdue_q, visible_tickets
from youhu.workdays import calendar

# "即将到期": the reply deadline falls within this many working days.
DUE_SOON_WORKING_DAYS = 2
UNIT_OPEN = (Status.DISPATCHED, Status.HANDLING)


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    roles: tuple[str, ...]
    narrow: Callable[[QuerySet[Ticket], User, datetime], QuerySet[Ticket]]
    tone: str = ""  # "danger" / "warn" / "": how the count tile is coloured
    empty: str = "暂无工单"
    order: tuple[str, ...] = ("created_at", "id")
    own_unit: bool = False  # every ticket is the viewer's own unit's: no need for a main-unit column


def _own_unit(qs: QuerySet[Ticket], user: User) -> QuerySet[Ticket]:
    """Tickets the user's unit (or a unit below it) leads as main unit."""
    if not user.unit_id:
        return qs.none()
    return qs.filter(main_unit_id__in=user.unit.subtree_ids())


def _co_requests(qs: QuerySet[Ticket], user: User, now: datetime) -> QuerySet[Ticket]:
    if not user.unit_id:
        return qs.none()
    # The unit's waiting co-handling links of open tickets are few: read their ids first and select the
    # tickets by primary key. Left as a subquery, PostgreSQL planned the page (ordered by reply_due, LIMIT 8)
    # as a walk of the reply_due index probing every open ticket: 5.3 s at 5 M when the unit had none waiting.
    waiting = list(TicketUnit.objects.filter(
        unit_id__in=user.unit.subtree_ids(), role=TicketUnit.Role.CO, active=True, part_submitted_at__isnull=True,
        ticket__status__in=UNIT_OPEN,
    ).values_list("ticket_id", flat=True))
    return qs.filter(pk__in=waiting, status__in=UNIT_OPEN)


# Why a returned ticket came back (a unit's 退单, or a district's 退回市级): the dispatcher re-routes on it.
_last_return = TicketEvent.objects.filter(ticket=OuterRef("pk"), action__in=("return", "return_to_city")).order_by(
    "-at", "-id")


def due_soon_cutoff(now: datetime) -> datetime:
    return calendar.add_working_days(now, DUE_SOON_WORKING_DAYS).at


def _pending_extension(qs: QuerySet[Ticket], user: User, now: datetime) -> QuerySet[Ticket]:
    pending = Extension.objects.filter(ticket=OuterRef("pk"), state=Extension.State.PENDING)
    return qs.filter(Exists(pending), status__in=UNIT_OPEN)


QUEUES: dict[str, Queue] = {
    q.key: q
    for q in [
        # A dispatcher's queues hold their own level's tickets: the city's are those not sent to a district.
        Queue("new", "待受理", (Role.DISPATCHER, Role.ADMIN),
              lambda qs, u, now: at_level(qs, u).filter(status=Status.NEW), empty="没有待受理的诉求"),
        Queue("to_dispatch", "待派单", (Role.DISPATCHER, Role.ADMIN),
              lambda qs, u, now: at_level(qs, u).filter(status=Status.REGISTERED, return_count=0),
              empty="没有待派单的工单"),
        Queue("returned", "被退回", (Role.DISPATCHER, Role.ADMIN),
              lambda qs, u, now: at_level(qs, u).filter(status=Status.REGISTERED, return_count__gt=0).annotate(
                  last_return_reason=Subquery(_last_return.values("reason")[:1])),
              tone="warn", empty="没有被退回的工单"),
        Queue("to_review", "待回访", (Role.DISPATCHER, Role.ADMIN),
              lambda qs, u, now: at_level(qs, u).filter(status=Status.REPLIED), empty="没有待回访的工单",
              order=("replied_at", "id")),
        Queue("to_accept", "待签收", UNIT_ROLES,
              lambda qs, u, now: _own_unit(qs, u).filter(status=Status.DISPATCHED),
              empty="没有待签收的工单", own_unit=True, order=("accept_due", "id")),
        Queue("handling", "办理中", UNIT_ROLES,
              lambda qs, u, now: _own_unit(qs, u).filter(status=Status.HANDLING),
              empty="没有办理中的工单", own_unit=True, order=("reply_due", "id")),
        Queue("due_soon", "即将到期", UNIT_ROLES,
              lambda qs, u, now: _own_unit(qs, u).filter(
                  status__in=UNIT_OPEN, reply_due__gte=now, reply_due__lte=due_soon_cutoff(now)),
              tone="warn", empty=f"没有 {DUE_SOON_WORKING_DAYS} 个工作日内到期的工单", own_unit=True, order=("reply_due", "id")),
        Queue("unit_overdue", "已超期", UNIT_ROLES,
              lambda qs, u, now: _own_unit(qs, u).filter(reply_overdue_q(now)),
              tone="danger", empty="没有超期工单", own_unit=True, order=("reply_due", "id")),
        Queue("co_requests", "协办请求", UNIT_ROLES, _co_requests,
              empty="没有待提交意见的协办工单", order=("reply_due", "id")),
        Queue("extensions", "待审批延期", (Role.SUPERVISOR, Role.ADMIN), _pending_extension,
              tone="warn", empty="没有待审批的延期申请", order=("reply_due", "id")),
        Queue("overdue", "超期工单", (Role.SUPERVISOR, Role.ADMIN),
              lambda qs, u, now: qs.filter(reply_overdue_q(now)),
              tone="danger", empty="没有超期工单", order=("reply_due", "id")),
        Queue("withheld", "答复待放行", (Role.SUPERVISOR, Role.ADMIN),
              lambda qs, u, now: qs.filter(status=Status.REPLIED, reply_withheld=True),
              empty="没有被暂缓公开的答复", order=("replied_at", "id")),
    ]
}

# The home page groups queues under a heading per role.
SECTIONS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("派单调度", (Role.DISPATCHER, Role.ADMIN), ("new", "to_dispatch", "returned", "to_review")),
    ("本单位办理", UNIT_ROLES, ("to_accept", "handling", "due_soon", "unit_overdue", "co_requests")),
    ("督查督办", (Role.SUPERVISOR, Role.ADMIN), ("extensions", "overdue", "withheld")),
]


def queue_tickets(key: str, user: User, now: datetime) -> QuerySet[Ticket]:
    queue = QUEUES[key]
    if not user.has_role(*queue.roles):
        return Ticket.objects.none()
    return queue.narrow(visible_tickets(user), user, now).order_by(*queue.order)


def queues_for(user: User) -> list[Queue]:
    return [q for q in QUEUES.values() if user.has_role(*q.roles)]


def is_overdue(ticket: Ticket, now: datetime) -> bool:
    return ticket.status in UNIT_OPEN and ticket.reply_due is not None and ticket.reply_due < now
