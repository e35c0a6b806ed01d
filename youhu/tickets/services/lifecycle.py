"""Every change of a ticket's state. Each function checks the actor, changes the ticket in one write section
(optimistic lock on `version`: of two people acting at once exactly one wins) and appends one event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings

from youhu import clock, db
from youhu.directory.models import Area, District, Unit, User
from youhu.notify import outbox
from youhu.taxonomy.models import Category, DeadlineRuleMissing, deadline_rule_for
from youhu.workdays import calendar

from ..errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from ..models import CloseReason, Extension, Satisfaction, Status, Ticket, TicketEvent, TicketUnit
from ..policy import ACTION_LABELS, RULES, co_link, require, same_level
from .events import (
    APPELLANT_LABEL,
    REASON_MAX,
    REPLY_MAX,
    label_of,
    log_event,
    notify,
    require_text,
    tell_appellant,
)

# A new value of a deadline is escalated afresh (催办 / 督办 / 书面通报): from the moment of the change the ticket is
# due for the escalation pass to look at (Ticket.next_escalation_at), whatever the ladder will make of it.
DEADLINE_FIELDS = ("accept_due", "reply_due")


def _apply(
    ticket: Ticket,
    action: str,
    *,
    by: User | None,
    now: datetime,
    to_status: str | None = None,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    public: bool = False,
    changes: dict[str, Any] | None = None,
    event_action: str | None = None,
    actor_label: str | None = None,
) -> TicketEvent:
    """Check state and actor, write the change if nobody changed the ticket meanwhile, log the event.

    Must run inside a write section (`db.writing()`) together with the caller's other writes.
    """
    _check_allowed(ticket, action, by)
    fields = dict(changes or {})
    from_status = ticket.status
    if to_status is not None:
        fields["status"] = to_status
    if not fields.keys().isdisjoint(DEADLINE_FIELDS):
        fields["next_escalation_at"] = now
    updated = db.update_row(Ticket, ticket.pk, fields, counter="version", expected=ticket.version)
    if updated == 0:
        current = Ticket.objects.filter(pk=ticket.pk).values_list("status", flat=True).first()
        label = Status(current).label if current else "已删除"
        raise Conflict(f"工单 {ticket.number} 刚被他人处理（当前状态：{label}），请刷新后重试")
    ticket.version += 1
    for name, value in fields.items():
        setattr(ticket, name, value)
    return log_event(ticket, event_action or action, by=by, now=now, from_status=from_status,
                to_status=ticket.status, reason=reason, payload=payload, public=public, actor_label=actor_label)


def _check_allowed(ticket: Ticket, action: str, by: User | None) -> None:
    """State first, then actor: raised before any input check that would leak ticket details."""
    states, _who = RULES[action]
    if ticket.status not in states:
        raise InvalidTransition(
            f"工单 {ticket.number} 当前状态为“{ticket.get_status_display()}”，不能{ACTION_LABELS[action]}"
        )
    require(action, by, ticket)


def _deadlines(ticket: Ticket, category: Category | None, start: datetime) -> dict[str, Any]:
    try:
        rule = deadline_rule_for(category, ticket.appeal_type, ticket.urgency)
    except DeadlineRuleMissing as exc:
        raise InvalidInput(str(exc), field="category") from exc
    # The district's own calendar exceptions count for its tickets (docs/levels.md).
    accept = calendar.add_office_minutes(start, rule.accept_office_minutes, ticket.district_id)
    reply = calendar.add_working_days(start, rule.reply_working_days, ticket.district_id)
    return {"accept_due": accept.at, "reply_due": reply.at, "due_estimated": accept.estimated or reply.estimated}


def _check_unit(unit: Unit | None, field: str) -> Unit:
    if unit is None:
        raise InvalidInput("请选择承办单位", field=field)
    if not unit.active or unit.kind == Unit.Kind.CENTRE:
        raise InvalidInput(f"“{unit}”不能承办工单", field=field)
    return unit


def _level_name(district: District | None) -> str:
    return district.name if district is not None else "市级"


def _check_level(ticket: Ticket, units: Iterable[Unit], field: str) -> None:
    """Each level dispatches to its own units only: a district centre to its district's, the city centre to the
    city's (on a deployment of one district every unit and ticket has none, and this never refuses)."""
    for unit in units:
        if unit.district_id != ticket.district_id:
            raise InvalidInput(f"“{unit}”不是{_level_name(ticket.district)}的单位，不能派给它", field=field)


def _district_centre(unit: Unit | None) -> Unit:
    if unit is None:
        raise InvalidInput("请选择要派往的区", field="unit")
    district = unit.district
    if unit.kind != Unit.Kind.CENTRE or district is None or not unit.active or not district.active:
        raise InvalidInput(f"“{unit}”不是区指挥中心", field="unit")
    return unit


def city_centre() -> Unit | None:
    """The city's dispatch centre: the centre of no district."""
    return (Unit.objects.filter(kind=Unit.Kind.CENTRE, district__isnull=True, active=True)
            .order_by("code").first())


def _set_units(ticket: Ticket, main: Unit, co_units: Iterable[Unit]) -> None:
    co = [u for u in dict.fromkeys(co_units) if u.pk != main.pk]
    for u in co:
        _check_unit(u, "co_units")
    ticket.unit_links.filter(active=True).update(active=False)
    # Mostly one row (the main unit): the compiled single-row insert costs a fraction of a bulk_create.
    for unit, role in [(main, TicketUnit.Role.MAIN), *((u, TicketUnit.Role.CO) for u in co)]:
        db.insert(TicketUnit(ticket=ticket, unit=unit, role=role))


def update_location(ticket: Ticket, *, street: Area | None, community: Area | None, unresolved: bool,
                    by: User | None = None, now: datetime | None = None) -> None:
    """Record where the appeal is (resolved by dispatch's locator or corrected by a dispatcher)."""
    now = now or clock.now()
    with db.writing():
        db.update_row(Ticket, ticket.pk, {"street": street, "community": community, "location_unresolved": unresolved})
        ticket.street, ticket.community, ticket.location_unresolved = street, community, unresolved
        log_event(ticket, "locate", by=by, now=now, payload={
            "street": street.name if street else None,
            "community": community.name if community else None,
            "unresolved": unresolved,
        })


def register(ticket: Ticket, *, by: User | None, category: Category | None = None,
             now: datetime | None = None) -> Ticket:
    now = now or clock.now()
    changes: dict[str, Any] = {"registered_at": now}
    if category is not None:
        changes["category"] = category
    with db.writing():
        _apply(ticket, "register", by=by, now=now, to_status=Status.REGISTERED, changes=changes, public=True,
               payload={"category": category.path if category else None})
    return ticket


def answer_directly(ticket: Ticket, *, by: User, reply: str, now: datetime | None = None,
                    source: dict[str, Any] | None = None) -> Ticket:
    """`source`: where the answer came from (a knowledge base entry's id and question), kept in the event."""
    now = now or clock.now()
    text = require_text(reply, "reply", "答复内容", REPLY_MAX)
    with db.writing():
        _apply(ticket, "answer_directly", by=by, now=now, to_status=Status.CLOSED, public=True,
               changes={"reply_text": text, "replied_at": now, "closed_at": now,
                        "close_reason": CloseReason.ANSWERED_DIRECTLY,
                        "registered_at": ticket.registered_at or now},
               payload={"reply": text, **(source or {})})
    return ticket


def reject(ticket: Ticket, *, by: User, reason: str, now: datetime | None = None) -> Ticket:
    now = now or clock.now()
    why = require_text(reason, "reason", "无效原因")
    with db.writing():
        _apply(ticket, "reject", by=by, now=now, to_status=Status.CLOSED, reason=why, public=True,
               changes={"closed_at": now, "close_reason": CloseReason.REJECTED})
    return ticket


def merge(ticket: Ticket, *, by: User, into: Ticket, reason: str = "", now: datetime | None = None) -> Ticket:
    """Close `ticket` as a duplicate of `into`; the handling of `into` answers both appellants."""
    now = now or clock.now()
    if into is None:
        raise InvalidInput("请选择要合并到的主件", field="into")
    if into.pk == ticket.pk:
        raise InvalidInput("不能与自身合并", field="into")
    master = into
    while master.duplicate_of_id:
        master = master.duplicate_of
    if master.pk == ticket.pk:
        raise InvalidInput("不能合并到自己的重复件", field="into")
    if master.status == Status.CLOSED and master.close_reason in (CloseReason.REJECTED, CloseReason.MERGED):
        raise InvalidInput(f"工单 {master.number} 已作废，不能作为主件", field="into")
    changes: dict[str, Any] = {"duplicate_of": master, "closed_at": now, "close_reason": CloseReason.MERGED}
    if master.replied_at is not None and master.reply_text:
        # The master was answered already: its reply answers this appellant now (later replies follow).
        changes.update(reply_text=master.reply_text, replied_at=master.replied_at)
    with db.writing():
        _apply(ticket, "merge", by=by, now=now, to_status=Status.CLOSED, reason=reason.strip(), public=True,
               changes=changes, payload={"into": master.number})
        Ticket.objects.filter(duplicate_of=ticket).update(duplicate_of=master)
        log_event(master, "merged_in", by=by, now=now, payload={"ticket": ticket.number})
    return ticket


def dispatch(ticket: Ticket, *, by: User | None, unit: Unit | None, co_units: Iterable[Unit] = (),
             category: Category | None = None, confidence: float | None = None,
             now: datetime | None = None) -> Ticket:
    """Send the ticket to its main unit (主办) and any co-handling units (协办), with deadlines."""
    now = now or clock.now()
    main = _check_unit(unit, "unit")
    co = [_check_unit(u, "co_units") for u in co_units]
    _check_allowed(ticket, "dispatch", by)  # before the level's check, which would tell where the ticket is
    _check_level(ticket, [main], "unit")
    _check_level(ticket, co, "co_units")
    category = category or ticket.category
    with db.writing():
        changes = {"main_unit": main, "category": category, "dispatched_at": now, **_deadlines(ticket, category, now)}
        # A district centre's dispatch is the second level's (区级派单): its own event in the one trail.
        _apply(ticket, "dispatch", by=by, now=now, to_status=Status.DISPATCHED, changes=changes, public=True,
               event_action="district_dispatch" if ticket.district_id else None,
               payload={"unit": main.name, "co_units": [u.name for u in co],
                        **({"district": ticket.district.name} if ticket.district_id else {}),
                        "category": category.path if category else None,
                        "auto": by is None, "confidence": confidence,
                        "accept_due": changes["accept_due"].isoformat(),
                        "reply_due": changes["reply_due"].isoformat()})
        _set_units(ticket, main, co)
        notify(ticket=ticket, kind="dispatch", now=now, units=[main, *co],
               message=f"新工单 {ticket.number}：{ticket.title}")
    return ticket


def to_district(ticket: Ticket, *, by: User | None, centre: Unit | None, now: datetime | None = None) -> Ticket:
    """派至区: the city centre sends a registered ticket to a district's centre, which dispatches it on to its
    own units (二级派单). The ticket keeps its number and its one trail of events."""
    now = now or clock.now()
    centre = _district_centre(centre)
    district = centre.district
    with db.writing():
        _apply(ticket, "to_district", by=by, now=now, public=True, changes={"district": district},
               payload={"district": district.name, "unit": centre.name})
        notify(ticket=ticket, kind="dispatch", now=now, units=[centre],
               message=f"市级派至{district.name}的工单 {ticket.number}：{ticket.title}")
    return ticket


def return_to_city(ticket: Ticket, *, by: User | None, reason: str, now: datetime | None = None) -> Ticket:
    """退回市级: a district says a ticket it was sent is not its own; it waits in the city centre's queue again."""
    now = now or clock.now()
    why = require_text(reason, "reason", "退回理由")
    with db.writing():
        district = ticket.district
        _apply(ticket, "return_to_city", by=by, now=now, reason=why,
               changes={"district": None, "return_count": ticket.return_count + 1},
               payload={"district": _level_name(district)})
        city = city_centre()
        if city is not None:
            notify(ticket=ticket, kind="dispatch", now=now, units=[city],
                   message=f"{_level_name(district)}退回工单 {ticket.number}：{why}")
    return ticket


def transfer(ticket: Ticket, *, by: User, unit: Unit | None, reason: str, co_units: Iterable[Unit] | None = None,
             now: datetime | None = None) -> Ticket:
    """Re-dispatch to another unit (转派). The reply deadline stands; the accept clock restarts."""
    now = now or clock.now()
    main = _check_unit(unit, "unit")
    why = require_text(reason, "reason", "转派原因")
    if main.pk == ticket.main_unit_id:
        raise InvalidInput("新承办单位与原单位相同", field="unit")
    if co_units is None:
        co_units = [link.unit for link in ticket.unit_links.filter(active=True, role=TicketUnit.Role.CO)]
    co = [_check_unit(u, "co_units") for u in co_units]
    _check_allowed(ticket, "transfer", by)
    _check_level(ticket, [main], "unit")
    _check_level(ticket, co, "co_units")
    deadlines = _deadlines(ticket, ticket.category, now)
    with db.writing():
        old = ticket.main_unit
        _apply(ticket, "transfer", by=by, now=now, to_status=Status.DISPATCHED, reason=why, public=True,
               changes={"main_unit": main, "accept_due": deadlines["accept_due"], "accepted_at": None,
                        "dispatched_at": now},
               payload={"from_unit": old.name if old else None, "unit": main.name})
        _set_units(ticket, main, co)
        notify(ticket=ticket, kind="dispatch", now=now, units=[main],
               message=f"转派工单 {ticket.number}：{ticket.title}")
    return ticket


def accept(ticket: Ticket, *, by: User, now: datetime | None = None) -> Ticket:
    now = now or clock.now()
    with db.writing():
        _apply(ticket, "accept", by=by, now=now, to_status=Status.HANDLING, public=True,
               changes={"accepted_at": now, "accepted_on_time": ticket.accept_due is None or now <= ticket.accept_due})
    return ticket


def return_ticket(ticket: Ticket, *, by: User, reason: str, now: datetime | None = None) -> Ticket:
    """退单: the unit says the ticket is not theirs; it goes back to the dispatcher."""
    now = now or clock.now()
    why = require_text(reason, "reason", "退单理由")
    with db.writing():
        unit = ticket.main_unit
        _apply(ticket, "return", by=by, now=now, to_status=Status.REGISTERED, reason=why,
               changes={"main_unit": None, "accept_due": None, "accepted_at": None,
                        "return_count": ticket.return_count + 1},
               payload={"unit": unit.name if unit else None})
        ticket.unit_links.filter(active=True).update(active=False)
    return ticket


def handle(ticket: Ticket, *, by: User, note: str, now: datetime | None = None) -> TicketEvent:
    """A note on the work in progress (办理记录); the state does not change."""
    now = now or clock.now()
    text = require_text(note, "note", "办理记录")
    with db.writing():
        return _apply(ticket, "handle", by=by, now=now, reason=text)


def submit_co_part(ticket: Ticket, *, by: User, text: str, now: datetime | None = None) -> Ticket:
    now = now or clock.now()
    body = require_text(text, "text", "协办意见", REPLY_MAX)
    with db.writing():
        link = co_link(by, ticket)
        _apply(ticket, "submit_co_part", by=by, now=now, reason=body, event_action="co_part",
               payload={"unit": by.unit.name if by.unit else None})
        if link is not None:
            TicketUnit.objects.filter(pk=link.pk).update(part_text=body, part_submitted_at=now)
        if ticket.main_unit:
            notify(ticket=ticket, kind="co_part", now=now, units=[ticket.main_unit],
                   message=f"{by.unit} 已提交工单 {ticket.number} 的协办意见")
    return ticket


def request_extension(ticket: Ticket, *, by: User, working_days: int, reason: str,
                      now: datetime | None = None) -> Extension:
    now = now or clock.now()
    why = require_text(reason, "reason", "延期理由")
    _check_allowed(ticket, "request_extension", by)
    if isinstance(working_days, bool) or not isinstance(working_days, int) or not 1 <= working_days <= 60:
        raise InvalidInput("延期天数须为 1 到 60 个工作日", field="working_days")
    if ticket.reply_due and now > ticket.reply_due:
        raise InvalidInput("已超过办结时限，不能再申请延期", field="working_days")
    if ticket.extensions.filter(state=Extension.State.PENDING).exists():
        raise InvalidInput("已有一个待审批的延期申请", field="working_days")
    with db.writing():
        _apply(ticket, "request_extension", by=by, now=now, reason=why, payload={"working_days": working_days})
        ext = Extension.objects.create(ticket=ticket, requested_by=by, requested_at=now,
                                       working_days=working_days, reason=why)
    return ext


def decide_extension(extension: Extension, *, by: User, approve: bool, reason: str = "",
                     now: datetime | None = None) -> Extension:
    now = now or clock.now()
    ticket = extension.ticket
    why = reason.strip() if approve else require_text(reason, "reason", "驳回理由")
    if extension.state != Extension.State.PENDING:
        raise InvalidTransition("该延期申请已审批")
    with db.writing():
        changes: dict[str, Any] = {}
        payload: dict[str, Any] = {"working_days": extension.working_days}
        if approve:
            base = max(ticket.reply_due or now, now)
            new_due = calendar.add_working_days(base, extension.working_days, ticket.district_id)
            changes = {"reply_due": new_due.at, "due_estimated": ticket.due_estimated or new_due.estimated,
                       "extension_count": ticket.extension_count + 1}
            payload["reply_due"] = new_due.at.isoformat()
        _apply(ticket, "decide_extension", by=by, now=now, reason=why, changes=changes, payload=payload,
               event_action="extension_approved" if approve else "extension_refused", public=approve)
        updated = Extension.objects.filter(pk=extension.pk, state=Extension.State.PENDING).update(
            state=Extension.State.APPROVED if approve else Extension.State.REFUSED,
            decided_by=by, decided_at=now, decision_reason=why,
        )
        if not updated:
            raise Conflict("该延期申请刚被他人审批")
        extension.refresh_from_db()
        if ticket.main_unit:
            verdict = "批准" if approve else "驳回"
            notify(ticket=ticket, kind="extension", now=now, units=[ticket.main_unit],
                   message=f"工单 {ticket.number} 的延期申请已{verdict}")
    return extension


def waive_co_parts(ticket: Ticket, *, by: User, reason: str, now: datetime | None = None) -> Ticket:
    """A supervisor lets the main unit reply before every co-handling unit has sent its part."""
    now = now or clock.now()
    why = require_text(reason, "reason", "理由")
    with db.writing():
        _apply(ticket, "waive_co_parts", by=by, now=now, reason=why, changes={"co_parts_waived": True})
    return ticket


def missing_co_parts(ticket: Ticket) -> list[str]:
    return list(
        ticket.unit_links.filter(role=TicketUnit.Role.CO, active=True, part_submitted_at__isnull=True)
        .values_list("unit__name", flat=True)
    )


def reply(ticket: Ticket, *, by: User, text: str, now: datetime | None = None) -> Ticket:
    """办结: the main unit's final reply; the ticket waits for review. Merged duplicates get it too."""
    now = now or clock.now()
    body = require_text(text, "text", "答复内容", REPLY_MAX)
    _check_allowed(ticket, "reply", by)
    missing = missing_co_parts(ticket)
    if missing and not ticket.co_parts_waived:
        raise InvalidInput(f"协办单位尚未提交意见：{'、'.join(missing)}", field="text")
    days = calendar.working_days_between(ticket.dispatched_at or ticket.created_at, now, ticket.district_id)
    with db.writing():
        _apply(ticket, "reply", by=by, now=now, to_status=Status.REPLIED, public=True, payload={"reply": body},
               changes={"reply_text": body, "replied_at": now, "handling_working_days": days,
                        "replied_on_time": ticket.reply_due is None or now <= ticket.reply_due})
        dups = list(Ticket.objects.filter(duplicate_of=ticket))
        for dup in dups:
            Ticket.objects.filter(pk=dup.pk).update(reply_text=body, replied_at=now)
            log_event(dup, "merged_reply", by=by, now=now, public=True, payload={"reply": body, "from": ticket.number})
        tell_appellant("resident.replied", ticket, *dups, now=now)
    return ticket


def review(ticket: Ticket, *, by: User | None, resolved: bool, satisfaction: str, comment: str = "",
           now: datetime | None = None) -> Ticket:
    """回访. Resolved and (basically) satisfied closes the ticket; anything else waits for the centre
    to decide between 重办 (reopen) and 归档 (close) — a dissatisfied verdict is not always the unit's fault.

    `by=None` is the appellant, identified by the tracking code before this is called.
    """
    now = now or clock.now()
    if satisfaction not in Satisfaction.values:
        raise InvalidInput("请选择满意度：满意、基本满意或不满意", field="satisfaction")
    if not isinstance(resolved, bool):
        raise InvalidInput("请选择是否已解决", field="resolved")
    if len(comment) > REASON_MAX:
        raise InvalidInput(f"评价不能超过 {REASON_MAX} 字", field="comment")
    good = resolved and satisfaction != Satisfaction.DISSATISFIED
    changes: dict[str, Any] = {"review_resolved": resolved, "review_satisfaction": satisfaction,
                               "review_comment": comment.strip(), "reviewed_at": now}
    if good:
        changes.update(closed_at=now, close_reason=CloseReason.REVIEWED)
    with db.writing():
        _apply(ticket, "review", by=by, now=now, to_status=Status.CLOSED if good else None, public=True,
               changes=changes, payload={"resolved": resolved, "satisfaction": satisfaction},
               reason=comment.strip(), actor_label=label_of(by, APPELLANT_LABEL))
    return ticket


def reopen(ticket: Ticket, *, by: User, reason: str, now: datetime | None = None) -> Ticket:
    """重办: back to the main unit with a new reply deadline."""
    now = now or clock.now()
    why = require_text(reason, "reason", "重办理由")
    action = "force_reopen" if ticket.status == Status.CLOSED else "reopen"
    if ticket.main_unit is None:
        raise InvalidTransition(f"工单 {ticket.number} 没有承办单位，不能重办")
    deadlines = _deadlines(ticket, ticket.category, now)
    with db.writing():
        _apply(ticket, action, by=by, now=now, to_status=Status.HANDLING, reason=why, public=True,
               event_action="reopen",
               changes={"reply_due": deadlines["reply_due"], "due_estimated": deadlines["due_estimated"],
                        "replied_at": None, "replied_on_time": None, "closed_at": None, "close_reason": "",
                        "reopen_count": ticket.reopen_count + 1, "co_parts_waived": False,
                        "reply_withheld": False})
        notify(ticket=ticket, kind="reopen", now=now, units=[ticket.main_unit],
               message=f"工单 {ticket.number} 被退回重办：{why}")
        tell_appellant("resident.reopened", ticket, now=now)
    return ticket


def close(ticket: Ticket, *, by: User | None, reason: str = "", now: datetime | None = None,
          close_reason: str = CloseReason.CLOSED_BY_CENTRE) -> Ticket:
    """归档 by the centre, or by the system when the review window has passed."""
    now = now or clock.now()
    why = reason.strip() if by is None else require_text(reason, "reason", "归档说明")
    with db.writing():
        _apply(ticket, "close", by=by, now=now, to_status=Status.CLOSED, reason=why, public=True,
               changes={"closed_at": now, "close_reason": close_reason})
    return ticket


def withhold_reply(ticket: Ticket, *, by: User | None, reason: str, now: datetime | None = None) -> Ticket:
    """Hold a replied ticket's reply back from the appellant until a supervisor has looked at it."""
    now = now or clock.now()
    why = require_text(reason, "reason", "暂缓公开理由")
    if ticket.status != Status.REPLIED:
        raise InvalidTransition(f"工单 {ticket.number} 未答复，无需暂缓")
    with db.writing():
        log_event(ticket, "withhold_reply", by=by, now=now, reason=why)
        Ticket.objects.filter(pk=ticket.pk).update(reply_withheld=True)
        ticket.reply_withheld = True
        outbox.cancel("resident.replied", ticket_id=ticket.pk, reason=f"答复暂缓公开（reply withheld）：{why}"[:500])
        outbox.tell(outbox.Notice("unit.withheld", ticket_id=ticket.pk, number=ticket.number, title=ticket.title,
                                  message=f"工单 {ticket.number} 的答复暂缓公开：{why}",
                                  unit_ids=(ticket.main_unit_id,) if ticket.main_unit_id else ()), now=now)
    return ticket


def release_reply(ticket: Ticket, *, by: User, reason: str = "", now: datetime | None = None) -> Ticket:
    """A supervisor lets a held reply through to the appellant."""
    now = now or clock.now()
    if not by.has_role("supervisor", "admin"):
        raise NotAllowed("只有督办员可以放行答复")
    if by.district_id is not None and not same_level(by, ticket):  # the city's supervisors: every district's
        raise NotAllowed(f"您无权对工单 {ticket.number} 执行“放行答复”")
    with db.writing():
        log_event(ticket, "release_reply", by=by, now=now, reason=reason.strip())
        Ticket.objects.filter(pk=ticket.pk).update(reply_withheld=False)
        ticket.reply_withheld = False
        tell_appellant("resident.replied", ticket, now=now)
    return ticket


def review_window_days() -> int:
    return int(settings.YOUHU["REVIEW_WINDOW_WORKING_DAYS"])
