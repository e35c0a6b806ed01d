"""The one way in: `tell(...)` writes outbox rows in the caller's transaction; the queue delivers them once it
commits. Nothing here talks to a gateway, and nothing here raises for a message that cannot be sent (a bad
number, a template with an unknown placeholder): such a row is written as failed, with its reason, and the
state change that caused it goes on."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from youhu import clock, db
from youhu.directory.models import Role, RoleGrant, User

from . import links, texts
from .models import Channel, Message, OptIn, Status, Told, UnitChannel
from .phones import NotAMobile, mainland_mobile
from .rules import EVENTS, Audience, Event

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Notice:
    """What happened, as plain values (the caller's models stay the caller's)."""

    event: str
    ticket_id: int | None = None
    number: str = ""
    title: str = ""
    message: str = ""  # the caller's own one-line account, for staff messages
    phone: str = ""  # resident events: the number the appellant gave
    code: str = ""  # resident.registered only: the tracking code, shown to the appellant once
    unit_ids: tuple[int, ...] = ()
    user_ids: tuple[int, ...] = ()
    path: str = ""  # staff: the page the link opens, if not the ticket page (a CSO follows on /enterprise/)


def enabled() -> bool:
    return bool(settings.YOUHU_NOTIFY["ENABLED"])


def tell(*notices: Notice, now: datetime | None = None) -> list[Message]:
    """Write the messages these notices call for; queue them when the current transaction commits."""
    if not enabled() or not notices:
        return []
    now = now or clock.now()
    plan = _Plan(now)
    for notice in notices:
        event = EVENTS.get(notice.event)
        if event is None:  # a caller's new kind of message with no rule yet: its state change goes on
            log.error("notify: no rule for event %r (ticket %s); nothing sent", notice.event, notice.number)
            continue
        if event.audience is Audience.RESIDENT:
            plan.resident(event, notice)
        else:
            plan.staff(event, notice)
    plan.cap()
    _write(plan.rows, now)
    queue_on_commit([(m.pk, m.not_before) for m in plan.rows if m.status == Status.PENDING and m.pk is not None])
    return plan.rows


def _write(rows: list[Message], now: datetime) -> None:
    """All the call's rows in one bulk write (youhu/db: for an import block of hundreds of receipts the ORM's
    bulk_create cost more than the rest of the block), their keys set on the instances. A row whose key cannot
    be read back waits for the sweep."""
    if not rows:
        return
    fields = [f for f in Message._meta.concrete_fields if not f.primary_key]
    pks = db.insert_records(Message, [{f.attname: getattr(m, f.attname) for f in fields} for m in rows])
    if pks is None and all(m.ticket_id is not None for m in rows):
        # A bulk insert returns no keys: the call's rows are the last ones of its `now`, events and tickets.
        pks = list(Message.objects.filter(
            created_at=now, event__in={m.event for m in rows}, ticket_id__in={m.ticket_id for m in rows},
        ).order_by("-pk").values_list("pk", flat=True)[:len(rows)])[::-1]
    if pks is None or len(pks) != len(rows):
        log.warning("notify: %s outbox rows written, their keys not read back; the sweep queues them", len(rows))
        return
    for row, pk in zip(rows, pks, strict=True):
        row.pk = pk
        row._state.adding = False


def first_time(key: str, now: datetime | None = None) -> bool:
    """Claim `key` in the caller's transaction: True the first time, False ever after. A periodic job that
    tells of a state rather than a change (visits due today, a surge) runs on every worker's schedule and
    again after a restart; it tells only when this says so. Two jobs racing on PostgreSQL: the second's
    insert waits for the first's commit and then finds the key taken."""
    try:
        with transaction.atomic():
            Told.objects.create(key=key[:200], at=now or clock.now())
    except IntegrityError:
        return False
    return True


def cancel(event: str, *, ticket_id: int, reason: str) -> int:
    """Withdraw the messages of this event for this ticket that have not gone yet (a reply held back)."""
    return Message.objects.filter(event=event, ticket_id=ticket_id, status=Status.PENDING).update(
        status=Status.CANCELLED, reason=reason)


def queue_on_commit(items: list[tuple[int, datetime | None]]) -> None:
    if items:
        from .tasks import enqueue  # the tasks module needs the queue; keep it out of import time

        transaction.on_commit(partial(enqueue, items))


class _Plan:
    """The rows of one `tell` call, with what they need read once."""

    def __init__(self, now: datetime):
        self.now = now
        self.rows: list[Message] = []
        self._robots: dict[int, UnitChannel] | None = None
        self._optin_rows: list[OptIn] | None = None
        self._supervisors: set[int] = set()
        self._capped: list[Message] = []  # the residents' pending SMS, checked against the cap together

    # ---------------------------------------------------------------- residents

    def resident(self, event: Event, notice: Notice) -> None:
        if not notice.phone.strip():
            return  # gave no phone: nothing to tell, nothing to record
        context = {"number": notice.number, "link": links.short_tracking(notice.number)}
        if notice.code:
            context["code"] = notice.code
        row = self._row(event, notice, Channel.SMS, "sms", context)
        try:
            row.address = mainland_mobile(notice.phone)
        except NotAMobile as exc:
            row.address = notice.phone.strip()[:254]
            self._fail(row, str(exc))
        if row.status == Status.PENDING:
            self._hold(event, row)
            self._capped.append(row)
        self.rows.append(row)

    def _hold(self, event: Event, row: Message) -> None:
        due = self.now + timedelta(seconds=event.delay_seconds)
        if event.quiet_hours:
            due = after_quiet_hours(due)
        row.not_before = due if due > self.now else None

    def cap(self) -> None:
        """Skip the residents' SMS over the daily cap per phone number: the day's count of every number in
        the call read in one grouped query (an import block tells hundreds of appellants at once)."""
        if not self._capped:
            return
        limit = int(settings.YOUHU_NOTIFY["SMS_DAILY_CAP"])
        day_start = timezone.localtime(self.now).replace(hour=0, minute=0, second=0, microsecond=0)
        counted = _sms_since([r.address for r in self._capped], day_start)
        for row in self._capped:
            if counted.get(row.address, 0) >= limit:
                row.status = Status.SKIPPED
                row.reason = f"已达每日上限 {limit} 条（daily cap per phone number reached）"
            else:
                counted[row.address] = counted.get(row.address, 0) + 1

    # ---------------------------------------------------------------- staff

    def staff(self, event: Event, notice: Notice) -> None:
        page = links.absolute(notice.path or links.ticket_path(notice.number))
        context = {"number": notice.number, "title": notice.title, "message": notice.message or notice.title,
                   "label": event.label, "link": page}
        for unit_id in dict.fromkeys(notice.unit_ids):
            robot = self._robot(unit_id)
            if robot is None or (robot.events and event.code not in robot.events):
                continue
            if robot.dingtalk_webhook:
                self._robot_row(event, notice, Channel.DINGTALK, unit_id, context)
            if robot.wecom_webhook:
                self._robot_row(event, notice, Channel.WECOM, unit_id, context)
        for optin in self._optins(event, notice):
            user = optin.user
            if optin.channel == Channel.SMS:
                sms_context = {**context, "link": page if notice.path else links.short_ticket(notice.number)}
                row = self._row(event, notice, Channel.SMS, "sms", sms_context, user=user)
                try:
                    row.address = mainland_mobile(user.phone)
                except NotAMobile as exc:
                    row.address = user.phone[:254]
                    self._fail(row, str(exc))
            else:
                row = self._row(event, notice, Channel.EMAIL, "email", context, user=user)
                row.address = user.email
                if not user.email:
                    self._fail(row, "用户未填写邮箱（the user has no e-mail address）")
            self.rows.append(row)

    def _robot(self, unit_id: int) -> UnitChannel | None:
        if self._robots is None:  # read once per call: a few rows per unit that has robots at all
            self._robots = {c.unit_id: c for c in UnitChannel.objects.filter(active=True)}
        return self._robots.get(unit_id)

    def _robot_row(self, event: Event, notice: Notice, channel: str, unit_id: int, context: dict[str, str]) -> None:
        row = self._row(event, notice, channel, "robot", context)
        row.unit_id = unit_id
        self.rows.append(row)

    def _optins(self, event: Event, notice: Notice) -> Iterable[OptIn]:
        if self._optin_rows is None:  # the staff who opted in, read once per call (a short table)
            self._optin_rows = list(OptIn.objects.filter(active=True, user__is_active=True).select_related("user"))
            supervisors = set(RoleGrant.objects.filter(role=Role.SUPERVISOR).values_list("user_id", flat=True)) \
                if self._optin_rows else set()
            self._supervisors = supervisors
        units, users = set(notice.unit_ids), set(notice.user_ids)
        if event.audience in (Audience.UNIT_AND_SUPERVISORS, Audience.SUPERVISORS):
            users |= self._supervisors
        return [o for o in self._optin_rows
                if (o.user.unit_id in units or o.user_id in users) and (not o.events or event.code in o.events)]

    # ---------------------------------------------------------------- rows

    def _row(self, event: Event, notice: Notice, channel: str, kind: str, context: dict[str, str],
             user: User | None = None) -> Message:
        row = Message(event=event.code, channel=channel, ticket_id=notice.ticket_id, ticket_number=notice.number,
                      template=f"{event.code}/{kind}", context=context, link=context.get("link", ""),
                      created_at=self.now, user=user, status=Status.PENDING, body="")
        text = texts.text_for(event.code, kind)
        if text is None:
            self._fail(row, "模板已停用（template switched off）")
            row.status = Status.SKIPPED
            return row
        subject, body, _vendor_code, _vendor_params = text
        try:
            row.subject = texts.render(event.code, subject, context)[:200]
            row.body = texts.render(event.code, body, context)
        except texts.UnknownPlaceholder as exc:
            row.body = body
            self._fail(row, str(exc))
        return row

    @staticmethod
    def _fail(row: Message, reason: str) -> None:
        row.status = Status.FAILED
        row.reason = reason


# Rows that went out or may still go count against the cap; those never sent do not.
_UNCOUNTED = (Status.SKIPPED.value, Status.FAILED.value, Status.CANCELLED.value)


def _sms_since(phones: list[str], since: datetime) -> dict[str, int]:
    """SMS to each of these phones since `since` that count against the cap. A compiled statement (youhu/db):
    this runs in intake's serialised write section for every appeal with a phone number, where the ORM's
    query building cost more than the query (measured by bench/notify.py)."""
    return db.counts_by(Message, "address", phones, equal={"channel": Channel.SMS.value},
                        at_least={"created_at": since}, not_in={"status": _UNCOUNTED})


def after_quiet_hours(moment: datetime) -> datetime:
    """The moment itself, or the end of the quiet hours it falls in (local time)."""
    start, end = (time.fromisoformat(t) for t in settings.YOUHU_NOTIFY["QUIET_HOURS"])
    local = timezone.localtime(moment)
    t = local.time()
    quiet = start <= t < end if start <= end else (t >= start or t < end)
    if not quiet:
        return moment
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end), local.tzinfo)
