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
from django.db import connection, transaction
from django.utils import timezone

from youhu import clock
from youhu.directory.models import Role, RoleGrant, User

from . import links, texts
from .models import Channel, Message, OptIn, Status, UnitChannel
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
    # PostgreSQL and SQLite >= 3.35 return the ids; rows written without (another backend) wait for the sweep.
    rows = Message.objects.bulk_create(plan.rows)
    queue_on_commit([(m.pk, m.not_before) for m in rows if m.status == Status.PENDING and m.pk is not None])
    return rows


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
            self._cap(row)
        self.rows.append(row)

    def _hold(self, event: Event, row: Message) -> None:
        due = self.now + timedelta(seconds=event.delay_seconds)
        if event.quiet_hours:
            due = after_quiet_hours(due)
        row.not_before = due if due > self.now else None

    def _cap(self, row: Message) -> None:
        cap = int(settings.YOUHU_NOTIFY["SMS_DAILY_CAP"])
        day_start = timezone.localtime(self.now).replace(hour=0, minute=0, second=0, microsecond=0)
        counted = _sms_today(row.address, day_start)
        counted += sum(1 for r in self.rows if r.address == row.address and r.status == Status.PENDING)
        if counted >= cap:
            row.status = Status.SKIPPED
            row.reason = f"已达每日上限 {cap} 条（daily cap per phone number reached）"

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
        if event.audience is Audience.UNIT_AND_SUPERVISORS:
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


_CAP_SQL: str | None = None


def _sms_today(phone: str, since: datetime) -> int:
    """SMS to this phone since `since` that count against the cap. Written as SQL once: this runs in intake's
    serialised write section for every appeal with a phone number, where the ORM's query building cost more
    than the query (measured by bench/notify.py)."""
    global _CAP_SQL
    if _CAP_SQL is None:
        qn, table = connection.ops.quote_name, Message._meta.db_table
        uncounted = ", ".join(f"'{s}'" for s in (Status.SKIPPED, Status.FAILED, Status.CANCELLED))
        _CAP_SQL = (f"SELECT COUNT(*) FROM {qn(table)} WHERE {qn('channel')} = %s AND {qn('address')} = %s "
                    f"AND {qn('created_at')} >= %s AND {qn('status')} NOT IN ({uncounted})")
    with connection.cursor() as cursor:
        cursor.execute(_CAP_SQL, [Channel.SMS.value, phone, connection.ops.adapt_datetimefield_value(since)])
        return cursor.fetchone()[0]


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
