"""The escalation pass: 催办 before and on a deadline's day, 督办 once it is missed, 书面通报 when
督办 has not helped after some working days, and the automatic close of replies nobody reviewed.

Rules (deadline = a ticket's accept_due while it waits to be accepted, its reply_due while open):
- 催办 (remind, stage `before`) from the start of the N-th working day before the deadline's day,
  N = the ticket's DeadlineRule.remind_before_working_days (1 when no rule applies; 0 = none);
- 催办 (remind, stage `due_day`) from the start of the deadline's day, while it has not passed;
  for the accept deadline (office hours, usually the same day) a reminder whose moment came
  before the ticket was dispatched is skipped: the dispatch message already says it;
- 督办 (supervise) as soon as the deadline has passed and the ticket is still waiting for it;
- 书面通报 (notice) from the NOTICE_AFTER_WORKING_DAYS-th working day (5) after the 督办,
  if the same deadline is still missed.
A deadline that is already passed gets no late reminder, only 督办. An approved extension or a
reopen sets a new deadline value, which is escalated afresh. Working days are the ticket's district's
(the city's calendar with the district's own exceptions, docs/levels.md), as its deadlines were.

Every escalation is recorded once (Escalation, unique per ticket/deadline/value/kind/stage), with
a ticket event and inbox messages for the main unit (and its unit heads for 督办/通报).

A pass reads only the tickets whose `next_escalation_at` has come (one range of a partial index): a change
of a deadline sets it to the moment of the change (the tickets app's rule), and the pass, having decided
what is due, sets it to the next moment at which the ticket's ladder has something due (the start of a
reminder day, the deadline passing, the start of the 书面通报 day), or to none when the ladder has ended.
Those moments are worked out from the rules, the calendar and the 书面通报 delay; a pass that finds
these changed (`LadderInputs`) first brings every waiting ticket forward to a moment no later than its
ladder's first possible step, so nothing is missed (docs/scale.md).

Two copies may run at once on PostgreSQL: each batch locks its due tickets with SELECT ... FOR NO KEY
UPDATE SKIP LOCKED (it conflicts with another copy and with a ticket update, not with the inserts
of events and messages that refer to the ticket) and reads what was sent after taking the locks, so a ticket
is escalated by whichever copy holds it and looked at by the other only once its next moment comes; the
unique constraint is the last guard.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from youhu import clock, db
from youhu.directory.models import District, Role, User
from youhu.taxonomy.models import Category, DeadlineRule
from youhu.tickets import services as tickets
from youhu.tickets.errors import TicketError
from youhu.tickets.models import CloseReason, Status, Ticket
from youhu.workdays import calendar

from .models import Deadline, Escalation, Kind, LadderInputs, Stage

log = logging.getLogger(__name__)

DEFAULT_BATCH = 2000
# Tickets one pass looks at, at most, earliest moment first: the rest are left to the next pass (a minute later
# with `escalate --loop`). It bounds a pass where many steps fall on one moment (the start of a day: every
# reminder of the day) to a few seconds (docs/scale.md: ≈ 0.4 ms a ticket, sending included).
DEFAULT_LIMIT = 20_000
DEFAULT_REMIND_BEFORE = 1
# The first moment at which a deadline counts as passed (`decide`: due < now).
_JUST_AFTER = timedelta(microseconds=1)


def notice_after_working_days() -> int:
    return int(settings.YOUHU.get("NOTICE_AFTER_WORKING_DAYS", 5))


@dataclass
class PassSummary:
    remind: int = 0
    supervise: int = 0
    notice: int = 0
    closed: int = 0
    scanned: int = 0  # tickets looked at
    skipped: int = 0  # due for something but held by another copy of the pass (or changed meanwhile)
    capped: bool = False  # more were due than the pass's limit: the next pass goes on with them
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return (f"催办 {self.remind}，督办 {self.supervise}，书面通报 {self.notice}，回访期满归档 {self.closed}；"
                f"检查工单 {self.scanned}，跳过 {self.skipped}，用时 {self.seconds:.2f} 秒"
                + ("（其余到期工单留待下一轮）" if self.capped else ""))


@dataclass(frozen=True)
class _Track:
    """One deadline column and the states in which a ticket is still waiting for it."""

    deadline: str
    field: str
    statuses: tuple[str, ...]
    verb: str  # what the unit has to do by then
    set_field: str | None  # when the deadline was set, if known (reminders before it are moot)

    def due(self, row: _Row) -> datetime | None:
        """The deadline's value while the ticket waits for it, else None."""
        return getattr(row, self.field) if row.status in self.statuses else None


TRACKS = (
    _Track(Deadline.ACCEPT, "accept_due", (Status.DISPATCHED,), "签收", "dispatched_at"),
    _Track(Deadline.REPLY, "reply_due", (Status.DISPATCHED, Status.HANDLING), "办结", None),
)

_ESCALATION_COLUMNS = ("ticket_id", "kind", "deadline", "stage", "due", "sent_at")
_ROW_FIELDS = ("pk", "number", "main_unit_id", "category_id", "appeal_type", "urgency", "dispatched_at",
               "district_id", "status", "accept_due", "reply_due")


class _Row(NamedTuple):  # a tuple: tens of thousands are made by the pass after a quiet night
    pk: int
    number: str
    main_unit_id: int | None
    category_id: int | None
    appeal_type: str
    urgency: str
    dispatched_at: datetime | None
    district_id: int | None  # whose calendar counts its 催办 / 书面通报 days (docs/levels.md)
    status: str
    accept_due: datetime | None
    reply_due: datetime | None


# (kind, stage) -> sent_at, for one ticket, one deadline and one deadline value
_Sent = dict[tuple[str, str], datetime]


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class _RemindDays:
    """remind_before_working_days of the rule `deadline_rule_for` picks, for every ticket of a pass,
    from two queries instead of a few per category: the same precedence (nearest category first,
    then the global rules; the exact appeal type before "any type") over rules and category parents
    read once. test_remind_days_agree_with_deadline_rule_for keeps the two in step.
    """

    def __init__(self) -> None:
        self.parents = dict(Category.objects.values_list("pk", "parent_id"))
        self.rules = {
            (category_id, appeal_type, urgency): days
            for category_id, appeal_type, urgency, days in DeadlineRule.objects.values_list(
                "category_id", "appeal_type", "urgency", "remind_before_working_days")
        }
        self._memo: dict[tuple[int | None, str, str], int] = {}

    def scopes(self, category_id: int | None) -> list[int | None]:
        chain: list[int | None] = []
        node = category_id
        while node is not None and node not in chain:  # `not in`: a parent loop in bad data ends here
            chain.append(node)
            node = self.parents.get(node)
        return [*chain, None]

    def __call__(self, category_id: int | None, appeal_type: str, urgency: str) -> int:
        key = (category_id, appeal_type, urgency)
        if key not in self._memo:
            found = (self.rules.get((scope, wanted, urgency))
                     for scope in self.scopes(category_id) for wanted in (appeal_type, ""))
            self._memo[key] = next((days for days in found if days is not None), DEFAULT_REMIND_BEFORE)
        return self._memo[key]


class _Pass:
    """One pass at one moment: the memoised calendar and rule look-ups it needs."""

    def __init__(self, now: datetime):
        self.now = now
        self.tz = calendar.local_tz()
        self.today = timezone.localdate(now, self.tz)
        # Many tickets share a deadline value (reply deadlines fall at the close of office hours):
        # local times, payloads and database values are worked out once per value.
        self._local: dict[datetime, datetime] = {}
        self._payload: dict[tuple[str, str, datetime], dict[str, Any]] = {}
        self._db_due: dict[datetime, Any] = {}
        self.remind_days = _RemindDays()
        self._before_day: dict[tuple[date, int, int | None], date] = {}
        self._notice_day: dict[tuple[date, int | None], date] = {}
        self.notice_after = notice_after_working_days()
        self.heads = self._unit_heads()

    def inputs_digest(self) -> str:
        """What every moment `next_look` works out depends on besides the ticket: the rules' reminder days, the
        working calendar, the 书面通报 delay."""
        rules = sorted(self.remind_days.rules.items(), key=repr)
        inputs = (rules, DEFAULT_REMIND_BEFORE, self.notice_after, calendar.fingerprint())
        return hashlib.sha256(repr(inputs).encode()).hexdigest()

    def reminder_reach(self) -> timedelta:
        """How long before its deadline a ticket's first 催办 may come: the most calendar days the largest number of
        reminder working days spans before any day of the coming year, in any district's calendar, and a day."""
        most = max([DEFAULT_REMIND_BEFORE, *(days for days in self.remind_days.rules.values() if days is not None)])
        levels = (None, *District.objects.values_list("pk", flat=True))
        days = [self.today + timedelta(days=k) for k in range(400)]
        span = max((day - calendar.working_day_before(day, most, level)).days for level in levels for day in days)
        return timedelta(days=span + 1)

    @staticmethod
    def _unit_heads() -> dict[int, tuple[int, ...]]:
        heads: dict[int, list[int]] = defaultdict(list)
        rows = User.objects.filter(is_active=True, unit__isnull=False, role_grants__role=Role.UNIT_HEAD)
        for user_id, unit_id in rows.values_list("pk", "unit_id").distinct():
            heads[unit_id].append(user_id)
        return {unit: tuple(users) for unit, users in heads.items()}

    def local(self, moment: datetime) -> datetime:
        if moment not in self._local:
            self._local[moment] = timezone.localtime(moment, self.tz)
        return self._local[moment]

    def payload(self, track: _Track, stage: str, due: datetime) -> dict[str, Any]:
        key = (track.deadline, stage, due)
        if key not in self._payload:
            self._payload[key] = {"deadline": track.deadline, "stage": stage, "due": self.local(due).isoformat()}
        return self._payload[key]

    def db_due(self, due: datetime) -> Any:
        if due not in self._db_due:
            self._db_due[due] = db.db_datetime(due)
        return self._db_due[due]

    def before_day(self, due_day: date, days: int, district_id: int | None) -> date:
        key = (due_day, days, district_id)
        if key not in self._before_day:
            self._before_day[key] = calendar.working_day_before(due_day, days, district_id)
        return self._before_day[key]

    def notice_day(self, supervised_at: datetime, district_id: int | None) -> date:
        key = (self.local(supervised_at).date(), district_id)
        if key not in self._notice_day:
            self._notice_day[key] = calendar.add_working_days_to_date(key[0], self.notice_after, district_id)
        return self._notice_day[key]

    def decide(self, track: _Track, row: _Row, due: datetime, sent: _Sent,
               now: datetime | None = None) -> tuple[str, str] | None:
        """What, if anything, is due for this deadline value now (or at `now`): (kind, stage)."""
        now = now or self.now
        today = self.today if now is self.now else timezone.localdate(now, self.tz)
        if due < now:
            supervised_at = sent.get((Kind.SUPERVISE, Stage.OVERDUE))
            if supervised_at is None:
                return Kind.SUPERVISE, Stage.OVERDUE
            if (Kind.NOTICE, Stage.OVERDUE) not in sent and today >= self.notice_day(supervised_at, row.district_id):
                return Kind.NOTICE, Stage.OVERDUE
            return None
        if (Kind.REMIND, Stage.DUE_DAY) in sent:
            return None
        due_day = self.local(due).date()
        set_at = row.dispatched_at if track.set_field else None
        if due_day <= today:
            if set_at is not None and set_at >= calendar.start_of_day(due_day):
                return None
            return Kind.REMIND, Stage.DUE_DAY
        days = self.remind_days(row.category_id, row.appeal_type, row.urgency)
        if days <= 0 or (Kind.REMIND, Stage.BEFORE) in sent:
            return None
        before = self.before_day(due_day, days, row.district_id)
        if before > today or (set_at is not None and set_at >= calendar.start_of_day(before)):
            return None
        return Kind.REMIND, Stage.BEFORE

    def next_look(self, track: _Track, row: _Row, due: datetime, sent: _Sent) -> datetime | None:
        """The first moment after now at which `decide` has something for this deadline value, with what has
        been sent so far; None when its ladder has ended. `decide` can change its answer only at the turns
        below, so trying them in order finds it."""
        due_day = self.local(due).date()
        turns = [calendar.start_of_day(due_day), due + _JUST_AFTER]
        days = self.remind_days(row.category_id, row.appeal_type, row.urgency)
        if days > 0:
            turns.append(calendar.start_of_day(self.before_day(due_day, days, row.district_id)))
        supervised_at = sent.get((Kind.SUPERVISE, Stage.OVERDUE))
        if supervised_at is not None:
            turns.append(calendar.start_of_day(self.notice_day(supervised_at, row.district_id)))
        return next((turn for turn in sorted(turns)
                     if turn > self.now and self.decide(track, row, due, sent, now=turn) is not None), None)

    def message(self, track: _Track, row: _Row, due: datetime, kind: str, stage: str) -> str:
        due = self.local(due)
        when = f"{due:%Y-%m-%d %H:%M}"
        if kind == Kind.REMIND and stage == Stage.BEFORE:
            return f"催办：工单 {row.number} 须于 {when} 前{track.verb}，请抓紧办理"
        if kind == Kind.REMIND:
            return f"催办：工单 {row.number} 今日 {due:%H:%M} 到{track.verb}时限，请抓紧办理"
        if kind == Kind.SUPERVISE:
            return f"督办：工单 {row.number} 已超过{track.verb}时限（{when}），请立即办理并说明超期原因"
        return (f"书面通报：工单 {row.number} 超过{track.verb}时限（{when}），"
                f"督办后 {self.notice_after} 个工作日仍未{track.verb}，予以书面通报")

    def recipients(self, row: _Row, kind: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
        if row.main_unit_id is None:
            return (), ()
        users = self.heads.get(row.main_unit_id, ()) if kind in (Kind.SUPERVISE, Kind.NOTICE) else ()
        return (row.main_unit_id,), users


def _sent_for(ticket_ids: Sequence[int]) -> dict[tuple[int, str, datetime], _Sent]:
    """What was sent about these tickets, by (ticket, deadline, deadline value)."""
    sent: dict[tuple[int, str, datetime], _Sent] = defaultdict(dict)
    rows = Escalation.objects.filter(ticket_id__in=ticket_ids).order_by()
    for ticket_id, deadline, due, kind, stage, sent_at in rows.values_list(
            "ticket_id", "deadline", "due", "kind", "stage", "sent_at"):
        sent[(ticket_id, deadline, due)][(kind, stage)] = sent_at
    return sent


# One escalation to send: the deadline, the ticket, the deadline's value, kind and stage.
_Todo = tuple[_Track, _Row, datetime, str, str]


def _decide_ticket(run: _Pass, row: _Row, sent: dict[tuple[int, str, datetime], _Sent],
                   todo: list[_Todo]) -> datetime | None:
    """Add what is due now for each deadline the ticket waits for to `todo`; return when to look at it next."""
    looks = []
    for track in TRACKS:
        due = track.due(row)
        if due is None:
            continue
        mine = sent[(row.pk, track.deadline, due)]
        decision = run.decide(track, row, due, mine)
        if decision is not None:
            todo.append((track, row, due, *decision))
            mine[decision] = run.now
        look = run.next_look(track, row, due, mine)
        if look is not None:
            looks.append(look)
    return min(looks, default=None)


def _due_for_a_look(now: datetime):
    """The pass's candidates: one range of the partial index `ticket_escalation_due`."""
    return Ticket.objects.filter(next_escalation_at__lte=now).order_by()


def _escalate_chunk(run: _Pass, chunk: Sequence[int], summary: PassSummary) -> None:
    """Decide and record the escalations of a chunk of due tickets, and when to look at each next, atomically.

    Where the database has row locks, the chunk's tickets are locked, skipping those another copy (or a
    person's change) holds: those stay due for the next pass. SQLite has no row locks but runs one writing
    transaction at a time, from its BEGIN.
    """
    due = _due_for_a_look(run.now).filter(pk__in=chunk)
    with db.writing():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, no_key=True)
        rows = [_Row._make(values) for values in due.values_list(*_ROW_FIELDS)]
        summary.scanned += len(rows)
        summary.skipped += len(chunk) - len(rows)
        sent = _sent_for([row.pk for row in rows])
        todo: list[_Todo] = []
        looks = {row.pk: _decide_ticket(run, row, sent, todo) for row in rows}
        if todo:
            notes = []
            for track, row, deadline, kind, stage in todo:
                units, users = run.recipients(row, kind)
                notes.append(tickets.EscalationNote(
                    ticket_id=row.pk, kind=kind, message=run.message(track, row, deadline, kind, stage),
                    unit_ids=units, user_ids=users, payload=run.payload(track, stage, deadline),
                ))
            tickets.record_escalations(notes, now=run.now)
            sent_at = db.db_datetime(run.now)
            db.insert_rows(Escalation, _ESCALATION_COLUMNS, [
                (row.pk, kind, track.deadline, stage, run.db_due(deadline), sent_at)
                for track, row, deadline, kind, stage in todo
            ])
        tickets.schedule_escalation_looks(looks)
    for _track, _row, _deadline, kind, _stage in todo:
        setattr(summary, kind, getattr(summary, kind) + 1)


def wake_waiting(run: _Pass) -> None:
    """Bring every ticket that waits for a deadline, with its ladder not ended, forward to no later than the
    first moment its ladder could have a step (its deadline less the reminders' reach): one UPDATE per
    deadline. The passes that follow work out each one's exact moment when they look at it."""
    reach = run.reminder_reach()
    for track in TRACKS:
        ended = Escalation.objects.filter(ticket=OuterRef("pk"), deadline=track.deadline, due=OuterRef(track.field),
                                          kind=Kind.NOTICE)
        waiting = (Ticket.objects.filter(status__in=track.statuses, **{f"{track.field}__isnull": False})
                   .exclude(Exists(ended)))
        tickets.wake_for_escalation(waiting, F(track.field) - reach)


def _wake_if_inputs_changed(run: _Pass) -> None:
    digest = run.inputs_digest()
    if LadderInputs.objects.filter(digest=digest).exists():
        return
    wake_waiting(run)
    with db.writing():
        LadderInputs.objects.exclude(digest=digest).delete()
        LadderInputs.objects.bulk_create([LadderInputs(digest=digest, since=run.now)], ignore_conflicts=True)


def _review_cutoff(run: _Pass, district_id: int | None = None) -> datetime:
    """Tickets replied before this moment have had their whole review window (working days, in the district's
    calendar)."""
    window = tickets.review_window_days()
    day = run.today
    for _ in range(400):  # a year back is far more than any window plus holidays
        if calendar.add_working_days(calendar.start_of_day(day), window, district_id).at < run.now:
            return calendar.start_of_day(day + timedelta(days=1))
        day -= timedelta(days=1)
    return calendar.start_of_day(day)


def _window_passed(run: _Pass) -> Q:
    """Replied before the cutoff of the ticket's level: the city's calendar for most, a district's own where its
    exceptions move the cutoff (usually none do, and the condition stays one range)."""
    city = _review_cutoff(run)
    cutoffs = {d: _review_cutoff(run, d) for d in District.objects.values_list("pk", flat=True)}
    own = {d: cutoff for d, cutoff in cutoffs.items() if cutoff != city}
    passed = Q(replied_at__lt=city) & ~Q(district_id__in=own) if own else Q(replied_at__lt=city)
    for district_id, cutoff in own.items():
        passed |= Q(district_id=district_id, replied_at__lt=cutoff)
    return passed


def _close_unreviewed(run: _Pass, batch: int, summary: PassSummary, stop: Callable[[], bool]) -> None:
    # A reply still held back, or one the appellant already judged, waits for a person instead.
    waiting = Q(_window_passed(run), status=Status.REPLIED, reviewed_at__isnull=True, reply_withheld=False)
    ids = list(Ticket.objects.filter(waiting).order_by().values_list("pk", flat=True))
    for chunk in _chunks(ids, batch):
        if stop():
            return
        with db.writing():
            held = list(Ticket.objects.select_for_update(skip_locked=True, no_key=True).filter(waiting, pk__in=chunk).order_by())
            summary.skipped += len(chunk) - len(held)
            summary.scanned += len(held)
            for ticket in held:
                try:
                    tickets.close(ticket, by=None, now=run.now, close_reason=CloseReason.REVIEW_TIMEOUT,
                                  reason=f"答复后 {tickets.review_window_days()} 个工作日未回访，系统归档")
                except TicketError as exc:  # changed by a person meanwhile: theirs wins
                    log.info("review-timeout close skipped for %s: %s", ticket.number, exc)
                else:
                    summary.closed += 1


def run_pass(now: datetime | None = None, batch: int = DEFAULT_BATCH,
             stop: Callable[[], bool] | None = None, limit: int = DEFAULT_LIMIT) -> PassSummary:
    """One escalation pass over the tickets due for a look (at most `limit`, earliest first). Safe to repeat and
    to run in several processes.

    `stop` is asked between batches (a scheduler shutting down); each batch is all-or-nothing.
    """
    started = time.perf_counter()
    now = now or clock.now()
    stop = stop or (lambda: False)
    if batch < 1 or limit < 1:
        raise ValueError("batch and limit must be positive")
    run = _Pass(now)
    summary = PassSummary()
    _wake_if_inputs_changed(run)
    earliest = list(_due_for_a_look(now).order_by("next_escalation_at").values_list("pk", flat=True)[:limit + 1])
    summary.capped = len(earliest) > limit
    ids = sorted(earliest[:limit])  # by key: each chunk's rows and records are then near one another
    for chunk in _chunks(ids, batch):
        if stop():
            break
        try:
            _escalate_chunk(run, chunk, summary)
        except IntegrityError:
            # Only if another copy slipped past the locks: it has sent these, so nothing is lost.
            log.warning("escalation batch skipped: already sent by another process")
            summary.skipped += len(chunk)
    if not stop():
        _close_unreviewed(run, batch, summary, stop)
    summary.seconds = time.perf_counter() - started
    return summary
