"""Demo tickets: real appeal texts walked through the lifecycle by the demo users, through the ticket
services only (so every step is an audited event), with `now=` moved through the last ~120 days.

Each demo ticket has a sequence number and a scenario (the state it should end in and how it gets
there). The plan for all of them is drawn from one seeded random generator; tickets are created in
time order, and a ticket whose sequence number is already marked (DemoTicket) is skipped, so a second
load creates nothing.

Most tickets live a *natural* life: they come in at any time of the history and go through the whole
lifecycle, each step timed against its deadline and late only as often as the unit's profile says
(profiles.py); the walk stops at the first step that would come after `now`, so whatever is still
open is open because its time has not come, mostly within its deadlines. A few scenarios force one
state each (an extension waiting for a decision, a neglected ticket …) so that even a small demo
shows every state. Two episodes tell the recent weeks: a hotspot and today's surge.
"""

from __future__ import annotations

import contextlib
import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cached_property
from typing import Any

from django.db import transaction
from django.utils import timezone

from youhu.directory.models import Area, District, Role, Unit, User
from youhu.taxonomy.models import AppealType, Category, Urgency
from youhu.tickets import services
from youhu.tickets.models import Channel, CloseReason, Extension, Satisfaction, Status, Ticket
from youhu.workdays import calendar

from . import district as d
from . import phrases
from .geo import DistrictOutline
from .models import DemoTicket
from .profiles import HOTSPOT, LAGGING_UNITS, SURGE, Episode, Performance, performance_of
from .texts import AppealText, labelled_appeals, localise, replied_appeals, undated

SEED = 12345
HISTORY_DAYS = 120
CHUNK = 100  # tickets per transaction: a crash loses at most one chunk, never half a ticket


@dataclass(frozen=True)
class Scenario:
    name: str
    weight: float  # share of the tickets, in percent
    age_days: tuple[float, float]  # how long ago the appeal came in
    needs_reply: bool = False  # takes its text from the replied messages
    final: str = ""  # the status it ends in when it has lived long enough, for the tests and the summary
    natural: bool = False  # lives until `now` stops it (else its steps squeeze in before `now`)
    at_least: int = 1  # tickets of a demo big enough to give every scenario this many
    episode: Episode | None = None  # its appeals are one episode's: place, category and words


# The natural tickets (the bulk) spread over the whole history and end wherever `now` finds them. The
# forced ones are there so that a small demo shows every state: they last hours or a few days, so a
# larger weight would crowd the last days (by Little's law, the tickets found in a state are as many as
# come in per day times the days a ticket spends there).
SCENARIOS: list[Scenario] = [
    Scenario("new", 0.05, (0.0, 0.05), final=Status.NEW),
    Scenario("triage", 7.5, (0.0, HISTORY_DAYS), True, final=CloseReason.REVIEWED, natural=True),
    Scenario("registered", 0.05, (0.0, 0.1), final=Status.REGISTERED),
    Scenario("returned", 0.05, (0.1, 1.0), final=Status.REGISTERED),
    Scenario("dispatched", 0.05, (0.0, 0.06), final=Status.DISPATCHED),
    Scenario("handling", 0.1, (0.5, 2.5), final=Status.HANDLING),
    Scenario("extension_pending", 0.05, (1.0, 2.5), final=Status.HANDLING),
    Scenario("extension_refused", 0.05, (1.0, 2.5), final=Status.HANDLING),
    Scenario("co_pending", 0.05, (0.5, 2.5), final=Status.HANDLING),
    Scenario("transferred", 0.05, (0.5, 2.5), final=Status.HANDLING),
    Scenario("reopened", 0.05, (3.0, 12.0), True, final=Status.HANDLING),
    Scenario("overdue", 0.1, (30.0, 50.0), final=Status.HANDLING),  # neglected by a lagging unit
    Scenario("replied", 0.05, (0.5, 3.0), True, final=Status.REPLIED),
    Scenario("dissatisfied", 0.05, (1.0, 5.0), True, final=Status.REPLIED),
    Scenario("closed", 70.75, (0.0, HISTORY_DAYS), True, final=CloseReason.REVIEWED, natural=True),
    Scenario("closed_reopened", 1.5, (45.0, HISTORY_DAYS), True, final=CloseReason.REVIEWED),
    Scenario("review_timeout", 4.0, (45.0, HISTORY_DAYS), True, final=CloseReason.REVIEW_TIMEOUT),
    Scenario("closed_by_centre", 1.0, (45.0, HISTORY_DAYS), True, final=CloseReason.CLOSED_BY_CENTRE),
    Scenario("answered_directly", 6.0, (0.0, HISTORY_DAYS), final=CloseReason.ANSWERED_DIRECTLY),
    Scenario("rejected", 3.0, (0.0, HISTORY_DAYS), final=CloseReason.REJECTED),
    Scenario("merged", 3.5, (0.5, HISTORY_DAYS), final=CloseReason.MERGED),
    Scenario("hotspot", 1.5, (0.0, HOTSPOT.within_days), final=CloseReason.REVIEWED, natural=True,
             at_least=12, episode=HOTSPOT),
    Scenario("surge", 0.5, (0.0, 0.25), final=Status.DISPATCHED, natural=True, at_least=10, episode=SURGE),
]
SCENARIO_BY_NAME = {s.name: s for s in SCENARIOS}
# First-level categories whose usual unit lags: the neglected ("overdue") tickets are about these.
LAGGING_LEVEL1 = {path for path, slug in d.ROUTES.items()
                  if "/" not in path and d.department_code(slug) in LAGGING_UNITS}
EPISODE_WORDS = {HOTSPOT: (phrases.HOTSPOT_TITLES, phrases.HOTSPOT_PARTS),
                 SURGE: (phrases.SURGE_TITLES, phrases.SURGE_PARTS)}

CHANNEL_WEIGHTS = {
    Channel.HOTLINE: 40, Channel.WEB: 22, Channel.GRID: 10, Channel.OPEN311: 8, Channel.STAFF: 6,
    Channel.API: 6, Channel.ENTERPRISE: 8,
}
DIGITAL_CHANNELS = [Channel.WEB, Channel.API, Channel.OPEN311]  # the ones intake triages by itself
APPEAL_TYPE_WEIGHTS = {
    AppealType.COMPLAINT: 45, AppealType.CONSULT: 12, AppealType.HELP: 14, AppealType.REPORT: 12,
    AppealType.SUGGESTION: 15, AppealType.PRAISE: 2,
}
URGENT_SHARE = 0.05


def allocate(n: int) -> list[str]:
    """Scenario names for n tickets: every scenario once, the rest in the shares of SCENARIOS
    (largest remainders). n = 0 loads no tickets at all."""
    if n == 0:
        return []
    if n < len(SCENARIOS):
        raise ValueError(f"演示工单数须为 0 或至少 {len(SCENARIOS)}（每种场景至少一张）"
                         f" (the demo needs 0 or at least {len(SCENARIOS)} tickets: one per scenario)")
    total = sum(s.weight for s in SCENARIOS)
    extra = n - len(SCENARIOS)
    shares = {s.name: extra * s.weight / total for s in SCENARIOS}
    counts = {name: 1 + int(share) for name, share in shares.items()}
    by_remainder = sorted(shares, key=lambda name: shares[name] - int(shares[name]), reverse=True)
    for name in by_remainder[: n - sum(counts.values())]:
        counts[name] += 1
    _top_up(counts)
    return [name for name, k in counts.items() for _ in range(k)]


def _top_up(counts: dict[str, int]) -> None:
    """Give the episodes their `at_least` tickets, taken from the largest scenario, when the demo is big
    enough for that (a hotspot of two appeals is none)."""
    wanted = {s.name: s.at_least - counts[s.name] for s in SCENARIOS if counts[s.name] < s.at_least}
    largest = max(counts, key=lambda name: counts[name])
    if not wanted or counts[largest] - sum(wanted.values()) < sum(counts.values()) // 4:
        return
    for name, more in wanted.items():
        counts[name] += more
        counts[largest] -= more


@dataclass
class Plan:
    seq: int
    scenario: Scenario
    created_at: datetime
    rng: random.Random
    channel: str = Channel.HOTLINE
    appeal_type: str = AppealType.COMPLAINT
    urgency: str = Urgency.NORMAL
    text: AppealText | None = None


def make_plans(n: int, now: datetime, seed: int = SEED) -> list[Plan]:
    """The whole demo, ticket by ticket, in the order the appeals came in."""
    rng = random.Random(seed)
    names = allocate(n)
    rng.shuffle(names)
    labelled, replied = list(labelled_appeals()), list(replied_appeals())
    rng.shuffle(labelled)
    rng.shuffle(replied)
    lagging = [t for t in labelled if t.level1 in LAGGING_LEVEL1] or labelled
    plans = []
    for seq, name in enumerate(names, start=1):
        scenario = SCENARIO_BY_NAME[name]
        own = random.Random(rng.random())
        pool = replied if scenario.needs_reply else lagging if name == "overdue" else labelled
        plan = Plan(seq, scenario, _arrival(now, scenario, own), own, text=pool[seq % len(pool)])
        if scenario.episode is not None:
            plan.channel = Channel.HOTLINE if own.random() < 0.7 else Channel.WEB
        elif name == "triage":
            plan.channel = own.choice(DIGITAL_CHANNELS)
        else:
            plan.channel = own.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        if name == "answered_directly":
            plan.appeal_type = own.choice([AppealType.CONSULT, AppealType.CONSULT, AppealType.HELP])
        else:
            types = list(APPEAL_TYPE_WEIGHTS)
            plan.appeal_type = own.choices(types, weights=list(APPEAL_TYPE_WEIGHTS.values()))[0]
        if own.random() < URGENT_SHARE:
            plan.urgency = Urgency.URGENT
        plans.append(plan)
    _cover_channels(plans)
    plans.sort(key=lambda p: (p.created_at, p.seq))
    return plans


def _cover_channels(plans: list[Plan]) -> None:
    """Even a small demo shows every channel: give a missing one to a ticket of a common channel."""
    if len(plans) < 2 * len(CHANNEL_WEIGHTS):
        return
    for channel in CHANNEL_WEIGHTS:
        if any(p.channel == channel for p in plans):
            continue
        counts = Counter(p.channel for p in plans if p.scenario.name != "triage")
        donor = next(p for p in plans if p.scenario.name != "triage" and p.channel == counts.most_common(1)[0][0])
        donor.channel = channel


def _arrival(now: datetime, scenario: Scenario, rng: random.Random) -> datetime:
    lo, hi = scenario.age_days
    if scenario.episode is SURGE:  # this morning, up to now: the street's phones ring all at once
        start_of_today = calendar.start_of_day(timezone.localdate(now))
        at = now - min(now - start_of_today, timedelta(days=hi)) * rng.uniform(0.02, 1.0)
        return max(min(at, now - timedelta(minutes=2)), start_of_today)
    if scenario.episode is not None:  # more and more residents speak up: the later, the denser
        at = now - timedelta(days=lo + (hi - lo) * (1 - math.sqrt(rng.random())))
    else:
        at = now - timedelta(days=rng.uniform(lo, hi))
    if hi - lo > 1 and now - at > timedelta(days=1):  # older appeals: in the hours people call and write
        local = timezone.localtime(at)
        hour = rng.choices(range(7, 23), weights=[1, 4, 6, 6, 5, 3, 4, 6, 6, 5, 4, 3, 3, 3, 2, 1])[0]
        at = local.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
    return min(at, now - timedelta(minutes=5))


# ---------------------------------------------------------------- the cast


class Cast:
    """The demo's users, units, areas and categories, looked up once."""

    def __init__(self) -> None:
        users = list(User.objects.select_related("unit").prefetch_related("role_grants"))
        by_role: dict[str, list[User]] = {}
        self.handler_of: dict[int, User] = {}
        for user in sorted(users, key=lambda u: u.username):
            # Filled from the prefetch, so that every permission check does not ask the database again.
            user._roles_cache = frozenset(g.role for g in user.role_grants.all()) | (
                {Role.ADMIN} if user.is_superuser else set())
            for role in user.roles:
                by_role.setdefault(role, []).append(user)
            if Role.HANDLER in user.roles and user.unit_id and user.unit_id not in self.handler_of:
                self.handler_of[user.unit_id] = user
        self.dispatchers = [u for u in by_role.get(Role.DISPATCHER, []) if u.unit and u.unit.code == d.CENTRE_CODE]
        self.supervisors = [u for u in by_role.get(Role.SUPERVISOR, []) if u.unit and u.unit.code == d.CENTRE_CODE]
        units = {u.code: u for u in Unit.objects.all()}
        self.departments = {dep.slug: units[d.department_code(dep.slug)] for dep in d.DEPARTMENTS}
        self.streets = list(Area.objects.filter(kind=Area.Kind.STREET, code__in=[s.code for s in d.STREETS]))
        self.street_spec = {s.code: s for s in d.STREETS}
        self.street_office = {units[d.street_office_code(s)].area_id: units[d.street_office_code(s)]
                              for s in d.STREETS}
        self.communities: dict[int, list[Area]] = {}
        for area in Area.objects.filter(kind=Area.Kind.COMMUNITY, parent__in=self.streets):
            self.communities.setdefault(area.parent_id, []).append(area)
        self.leaves: dict[str, list[tuple[Category, set[str], set[str]]]] = {}
        self.category_at: dict[str, Category] = {}
        for cat in Category.objects.filter(level=3, is_enterprise=False).select_related("parent__parent"):
            self.leaves.setdefault(cat.path.split("/")[0], []).append(
                (cat, _bigrams(cat.name), _bigrams(cat.parent.name)))
            self.category_at[cat.path] = cat
        # Once the demo city is loaded (city.py), the simulated tickets are 海珠区's from the start.
        self.district = District.objects.filter(code=str(d.DISTRICT_ADCODE)).first()
        by_code = {street.code: street for street in self.streets}
        self.street_of_slug = {s.slug: by_code[s.code] for s in d.STREETS if s.code in by_code}

    def category_for(self, text: AppealText, rng: random.Random) -> Category | None:
        """The leaf of the text's first-level category whose names share most with the text."""
        leaves = self.leaves.get(text.level1)
        if not leaves:
            return None
        title, body = _bigrams(text.title), _bigrams(text.content)
        scored = [
            (3 * len(leaf & title) + len(leaf & body) + 0.5 * len(branch & (title | body)) + rng.random() * 0.4, cat)
            for cat, leaf, branch in leaves
        ]
        return max(scored, key=lambda pair: pair[0])[1]

    def route(self, category: Category | None, street: Area | None) -> Unit:
        if category is not None and street is not None and category.effective_is_local():
            return self.street_office[street.pk]
        unit = category.effective_unit() if category is not None else None
        return unit or self.departments["zjj"]


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


# ---------------------------------------------------------------- one ticket's walk


class PastNow(Exception):  # noqa: N818 - not an error: the ticket's next step lies in the future
    """A strict clock's next step would come after `now`: the ticket's walk ends where it is."""


class Clock:
    """Moves a ticket's own time forward, never past the load's `now`. A strict clock refuses a step
    beyond it (PastNow); a lenient one squeezes the step in before it."""

    OPEN, CLOSE = time(9, 0), time(17, 45)

    def __init__(self, start: datetime, limit: datetime, rng: random.Random, *, strict: bool = False) -> None:
        self.t, self.limit, self.rng, self.strict = start, limit, rng, strict

    def later(self, lo_hours: float, hi_hours: float, *, office: bool = True) -> datetime:
        target = self.t + timedelta(hours=self.rng.uniform(lo_hours, hi_hours))
        return self.until(self.office(target) if office else target)

    def until(self, target: datetime) -> datetime:
        """Go to `target`, or part of the way to the limit when the target lies beyond it."""
        if target >= self.limit and self.strict:
            raise PastNow
        if target >= self.limit:
            target = self.t + (self.limit - self.t) * self.rng.uniform(0.3, 0.7)
        # Every step takes a little time (events keep their order), but never reaches the limit.
        self.t = max(self.t + min(timedelta(seconds=1), (self.limit - self.t) / 2), target)
        return self.t

    def office(self, at: datetime) -> datetime:
        """`at`, or the start of the next office period when `at` falls outside office hours."""
        local = timezone.localtime(at)
        if calendar.is_working_day(local.date()) and self.OPEN <= local.time() <= self.CLOSE:
            return at
        day = local.date() if local.time() < self.OPEN else local.date() + timedelta(days=1)
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
        start = datetime.combine(day, self.OPEN, tzinfo=local.tzinfo)
        return start + timedelta(minutes=self.rng.randrange(0, 150))


@dataclass
class Walk:
    """One demo ticket on its way through the lifecycle."""

    plan: Plan
    cast: Cast
    clock: Clock
    ticket: Ticket
    category: Category | None
    street: Area | None
    triage: Callable[..., Any] | None = None  # intake's triage, for tickets that come in digitally

    @property
    def rng(self) -> random.Random:
        return self.plan.rng

    @cached_property
    def dispatcher(self) -> User:
        return self.rng.choice(self.cast.dispatchers)

    @cached_property
    def supervisor(self) -> User:
        return self.rng.choice(self.cast.supervisors)

    @property
    def performance(self) -> Performance:
        unit = self.ticket.main_unit
        return performance_of(unit.code if unit else None)

    def chance(self, share: float) -> bool:
        return self.rng.random() < share

    @property
    def correct_unit(self) -> Unit:
        return self.cast.route(self.category, self.street)

    def handler(self, unit: Unit | None = None) -> User:
        unit = unit or self.ticket.main_unit
        assert unit is not None
        return self.cast.handler_of[unit.pk]

    def wrong_unit(self) -> Unit:
        right = self.correct_unit
        return self.rng.choice([u for u in self.cast.departments.values() if u.pk != right.pk])

    # -- steps
    def register(self) -> None:
        services.register(self.ticket, by=self.dispatcher, category=self.category,
                          now=self.clock.later(0.1, 3, office=False))

    def dispatch(self, unit: Unit | None = None, co: Sequence[Unit] = ()) -> None:
        services.dispatch(self.ticket, by=self.dispatcher, unit=unit or self.correct_unit, co_units=co,
                          now=self.clock.later(0.05, 2, office=False))

    def accept(self, late: bool | None = None) -> None:
        """Sign for the ticket within its accept deadline, or after it (None: as often as the unit's
        profile says)."""
        late = self.chance(self.performance.late_accept) if late is None else late
        start, due = self.ticket.dispatched_at, self.ticket.accept_due
        if due is None or start is None:
            at = self.clock.later(0.1, 1.8)
        elif late:
            at = self.clock.until(due + timedelta(hours=self.rng.uniform(1, 20)))
        else:
            at = self.clock.until(max(self.clock.t, start + (due - start) * self.rng.uniform(0.05, 0.9)))
        services.accept(self.ticket, by=self.handler(), now=at)

    def handle(self, count: int = 1) -> None:
        for _ in range(count):
            services.handle(self.ticket, by=self.handler(), note=self.rng.choice(phrases.HANDLE_NOTES),
                            now=self.clock.later(2, 40))

    def return_(self) -> None:
        services.return_ticket(self.ticket, by=self.handler(), reason=self.rng.choice(phrases.RETURN_REASONS),
                               now=self.clock.later(0.2, 3))

    def transfer(self) -> None:
        services.transfer(self.ticket, by=self.dispatcher, unit=self.correct_unit,
                          reason=self.rng.choice(phrases.TRANSFER_REASONS), now=self.clock.later(0.5, 6))

    def co_part(self, unit: Unit) -> None:
        services.submit_co_part(self.ticket, by=self.handler(unit), now=self.clock.later(4, 60),
                                text=self.rng.choice(phrases.CO_PARTS).format(unit=unit.name))

    def toward_due(self, lo: float, hi: float) -> datetime:
        """A moment at fraction lo..hi of the way from dispatch to the reply deadline."""
        start, due = self.ticket.dispatched_at, self.ticket.reply_due
        assert start is not None and due is not None
        target = self.clock.office(start + (due - start) * self.rng.uniform(lo, hi))
        return self.clock.until(max(self.clock.t, target))

    def can_extend(self) -> bool:
        due = self.ticket.reply_due
        return due is not None and self.clock.t < due - timedelta(hours=2)

    def request_extension(self) -> Extension:
        return services.request_extension(self.ticket, by=self.handler(), now=self.toward_due(0.5, 0.9),
                                          working_days=self.rng.choice([5, 10, 15]),
                                          reason=self.rng.choice(phrases.EXTENSION_REASONS))

    def decide_extension(self, ext: Extension, approve: bool) -> None:
        reason = "" if approve else self.rng.choice(phrases.EXTENSION_REFUSALS)
        services.decide_extension(ext, by=self.supervisor, approve=approve, reason=reason,
                                  now=self.clock.later(0.5, 8))

    def reply(self, late: bool | None = None) -> None:
        """Reply within the deadline, or after it (None: as often as the unit's profile says)."""
        late = self.chance(self.performance.late_reply) if late is None else late
        # Late by days, not weeks: the unit gets there in the end (and 督办 comes meanwhile).
        self.toward_due(1.02, 1.3) if late else self.toward_due(0.1, 0.9)
        source = self.plan.text.reply if self.plan.text else ""
        text = undated(localise(source, self.street.name if self.street else None))
        services.reply(self.ticket, by=self.handler(), text=text or phrases.GENERIC_REPLY,
                       now=self.clock.later(0, 2))

    def review(self, *, resolved: bool, satisfaction: str) -> None:
        by = self.dispatcher if self.rng.random() < 0.6 else None
        comment = phrases.REVIEW_COMMENTS[satisfaction]
        services.review(self.ticket, by=by, resolved=resolved, satisfaction=satisfaction,
                        comment=self.rng.choice(comment), now=self.clock.later(4, 50))

    def reopen(self) -> None:
        services.reopen(self.ticket, by=self.dispatcher, reason=self.rng.choice(phrases.REOPEN_REASONS),
                        now=self.clock.later(0.5, 20))


def work_to_reply(w: Walk) -> None:
    """Register, dispatch (with the usual detours) and handle until the main unit replies."""
    w.register()
    work_from_dispatch(w)


def work_from_dispatch(w: Walk) -> None:
    """Dispatch a registered ticket (with the usual detours) and handle it until the main unit replies."""
    rng = w.rng
    detour = rng.random()
    co_units = _co_units(w) if rng.random() < 0.12 else []
    if detour < 0.06:  # sent to the wrong unit, which returns it; then the right one
        w.dispatch(w.wrong_unit())
        w.return_()
        w.dispatch(co=co_units)
    elif detour < 0.12:  # sent to the wrong unit, which says so; the dispatcher transfers it
        w.dispatch(w.wrong_unit(), co=co_units)
        w.transfer()
    else:
        w.dispatch(co=co_units)
    work_to_reply_dispatched(w, co_units)


def work_to_reply_dispatched(w: Walk, co_units: Sequence[Unit] = ()) -> None:
    """The main unit signs for the ticket, works on it (with its co-handling units) and replies."""
    rng = w.rng
    w.accept()
    w.handle(rng.choice([0, 1, 1, 2]))
    for unit in co_units:
        w.co_part(unit)
    if rng.random() < 0.08 and w.can_extend():
        ext = w.request_extension()
        w.decide_extension(ext, approve=True)
    w.reply()


def _co_units(w: Walk) -> list[Unit]:
    slugs = d.CO_HANDLERS.get(w.category.path.split("/")[0] if w.category else "", ["cgj"])
    main = w.correct_unit
    units = [w.cast.departments[s] for s in slugs if w.cast.departments[s].pk != main.pk]
    if w.street is not None and main.kind != Unit.Kind.STREET_OFFICE:
        units.append(w.cast.street_office[w.street.pk])
    return w.rng.sample(units, k=min(len(units), w.rng.choice([1, 1, 2])))


def first_review(w: Walk) -> None:
    """The appellant's verdict, as the unit's profile has it; a dissatisfied one goes back to the unit
    (重办, replied again, and then approved) or is closed by the centre."""
    perf = w.performance
    if not w.chance(perf.dissatisfied):
        good_review(w)
    elif w.chance(perf.reopen_when_dissatisfied):
        send_back(w)
        reply_again(w)
        good_review(w)
    else:
        w.review(resolved=w.chance(0.3), satisfaction=Satisfaction.DISSATISFIED)
        close_by_centre(w)


def send_back(w: Walk) -> None:
    """A dissatisfied verdict, and the centre sends the ticket back to the unit (重办)."""
    bad_review(w)
    w.reopen()
    w.handle(w.rng.choice([0, 1]))


def reply_again(w: Walk) -> None:
    """The second reply after a 重办, within the new deadline."""
    ticket = w.ticket
    due = ticket.reply_due
    w.clock.until(ticket.accepted_at + (due - ticket.accepted_at) * w.rng.uniform(0.15, 0.5))
    services.reply(ticket, by=w.handler(), text=w.rng.choice(phrases.SECOND_REPLIES), now=w.clock.later(0, 3))


def close_by_centre(w: Walk) -> None:
    services.close(w.ticket, by=w.dispatcher, reason=w.rng.choice(phrases.CENTRE_CLOSE_REASONS),
                   now=w.clock.later(1, 24))


def good_review(w: Walk) -> None:
    satisfaction = Satisfaction.SATISFIED if w.rng.random() < 0.75 else Satisfaction.BASICALLY
    w.review(resolved=True, satisfaction=satisfaction)


def bad_review(w: Walk) -> None:
    resolved = w.rng.random() < 0.3
    w.review(resolved=resolved, satisfaction=Satisfaction.DISSATISFIED)


# scenario name -> what happens to the ticket after it was created
def _registered(w: Walk) -> None:
    w.register()


def _returned(w: Walk) -> None:
    w.register()
    w.dispatch(w.wrong_unit())
    w.return_()


def _dispatched(w: Walk) -> None:
    w.register()
    w.dispatch()


def _handling(w: Walk, *, detours: bool = True) -> None:
    w.register()
    w.dispatch()
    w.accept(late=None if detours else False)
    w.handle(w.rng.choice([0, 1, 2]) if detours else 0)


def _overdue(w: Walk) -> None:
    """Signed for, worked on a little, and then left lying past its deadline."""
    w.register()
    w.dispatch()
    w.accept()
    w.handle(w.rng.choice([1, 2]))


def _extension_pending(w: Walk) -> None:
    _handling(w, detours=False)
    w.request_extension()


def _extension_refused(w: Walk) -> None:
    _handling(w, detours=False)
    w.decide_extension(w.request_extension(), approve=False)


def _co_pending(w: Walk) -> None:
    w.register()
    w.dispatch(co=_co_units(w) or [w.wrong_unit()])
    w.accept()
    w.handle(1)


def _transferred(w: Walk) -> None:
    w.register()
    w.dispatch(w.wrong_unit())
    w.transfer()
    w.accept()
    w.handle(w.rng.choice([0, 1]))


def _reopened(w: Walk) -> None:
    work_to_reply(w)
    send_back(w)


def _dissatisfied(w: Walk) -> None:
    work_to_reply(w)
    bad_review(w)


def _closed(w: Walk) -> None:
    """The whole life of a ticket: to the reply, and the verdict the unit's work earns."""
    work_to_reply(w)
    first_review(w)


def _triaged(w: Walk) -> None:
    """Came in digitally: intake's triage files it (and dispatches it when the model is sure), then
    the ticket lives on like any other."""
    assert w.triage is not None
    w.triage(w.ticket, now=w.clock.later(0.01, 0.05, office=False))
    w.ticket.refresh_from_db()
    if w.ticket.status == Status.NEW:
        w.register()
    if w.ticket.status == Status.REGISTERED:
        work_from_dispatch(w)
    elif w.ticket.status == Status.DISPATCHED:
        work_to_reply_dispatched(w)
    else:
        return
    first_review(w)


def _closed_reopened(w: Walk) -> None:
    _reopened(w)
    reply_again(w)
    good_review(w)


def _review_timeout(w: Walk) -> None:
    work_to_reply(w)
    deadline = calendar.add_working_days(w.ticket.replied_at, services.review_window_days()).at
    w.clock.until(deadline + timedelta(minutes=w.rng.randrange(5, 600)))
    services.close(w.ticket, by=None, reason="回访期满未评价，系统自动归档", now=w.clock.t,
                   close_reason=CloseReason.REVIEW_TIMEOUT)


def _closed_by_centre(w: Walk) -> None:
    work_to_reply(w)
    w.review(resolved=True, satisfaction=Satisfaction.DISSATISFIED)
    close_by_centre(w)


def _answered_directly(w: Walk) -> None:
    services.answer_directly(w.ticket, by=w.dispatcher, reply=w.rng.choice(phrases.DIRECT_ANSWERS),
                             now=w.clock.later(0.02, 0.5, office=False))


def _rejected(w: Walk) -> None:
    if w.rng.random() < 0.5:
        w.register()
    services.reject(w.ticket, by=w.dispatcher, reason=w.rng.choice(phrases.REJECT_REASONS),
                    now=w.clock.later(0.1, 4, office=False))


STEPS: dict[str, Callable[[Walk], None]] = {
    "new": lambda w: None,
    "registered": _registered,
    "returned": _returned,
    "dispatched": _dispatched,
    "handling": _handling,
    "overdue": _overdue,
    "extension_pending": _extension_pending,
    "extension_refused": _extension_refused,
    "co_pending": _co_pending,
    "transferred": _transferred,
    "reopened": _reopened,
    "replied": work_to_reply,
    "dissatisfied": _dissatisfied,
    "closed": _closed,
    "triage": _triaged,
    "hotspot": _closed,
    "surge": _closed,
    "closed_reopened": _closed_reopened,
    "review_timeout": _review_timeout,
    "closed_by_centre": _closed_by_centre,
    "answered_directly": _answered_directly,
    "rejected": _rejected,
    "merged": _rejected,  # only when no earlier ticket was there to be repeated
}


# ---------------------------------------------------------------- the loader


class TicketLoader:
    def __init__(self, now: datetime, triage: Callable[..., Any]) -> None:
        self.now = now
        self.triage = triage
        self.cast = Cast()
        self.outline = DistrictOutline.load()
        self.recent: list[Ticket] = []  # possible originals for merged duplicates, in time order
        self.counts: Counter = Counter()

    def run(self, plans: list[Plan]) -> Counter:
        done = set(DemoTicket.objects.values_list("seq", flat=True))
        todo = [p for p in plans if p.seq not in done]
        self.counts["skipped"] = len(plans) - len(todo)
        for start in range(0, len(todo), CHUNK):
            with transaction.atomic():
                for plan in todo[start:start + CHUNK]:
                    self.one(plan)
        return self.counts

    def one(self, plan: Plan) -> Ticket:
        rng = plan.rng
        scenario = plan.scenario
        original = self._original(plan) if scenario.name == "merged" else None
        text = plan.text
        assert text is not None
        if scenario.episode is not None:
            street, community, category = self._episode_place(scenario.episode, rng)
            title, content = phrases.episode_text(*EPISODE_WORDS[scenario.episode], rng)
            source = scenario.name
        else:
            street = original.street if original else rng.choice(self.cast.streets)
            community = rng.choice(self.cast.communities[street.pk]) if street else None
            category = original.category if original else self.cast.category_for(text, rng)
            title = original.title if original else localise(text.title, street.name)
            content = original.content if original else localise(text.content, street.name)
            source = text.key
        triaged = scenario.name == "triage"
        lon, lat = self.outline.near(community.lon, community.lat, rng) if community else (None, None)
        spec = self.cast.street_spec[street.code]
        road = rng.choice(spec.roads)
        appeal = services.NewAppeal(
            title=title, content=content,
            channel=plan.channel, appeal_type=plan.appeal_type, urgency=plan.urgency,
            appellant_name=phrases.person_name(rng), appellant_phone=phrases.phone_number(rng),
            address=f"广州市海珠区{road}{rng.randrange(1, 400)}号",
            # Digital intake knows only the point and the address; triage works out the rest.
            street=None if triaged else street, community=None if triaged else community,
            lat=lat, lon=lon, category=None if triaged else category,
        )
        ticket = services.create_ticket(appeal, now=plan.created_at)
        if self.cast.district is not None:  # the district's own history, as city.py adopts it on the first load
            Ticket.objects.filter(pk=ticket.pk).update(district=self.cast.district)
            ticket.district = self.cast.district
        clock = Clock(plan.created_at, self.now, rng, strict=scenario.natural)
        walk = Walk(plan, self.cast, clock, ticket, category, street, triage=self.triage)
        if original is not None:
            services.merge(ticket, by=walk.dispatcher, into=original, reason="同一诉求人重复反映同一问题",
                           now=walk.clock.later(0.1, 3, office=False))
        else:
            with contextlib.suppress(PastNow):  # its next step is still to come: it stays as `now` finds it
                STEPS[scenario.name](walk)
        DemoTicket.objects.create(seq=plan.seq, ticket=ticket, scenario=scenario.name, source=source)
        if original is None and ticket.street_id and ticket.close_reason not in (
                CloseReason.REJECTED, CloseReason.MERGED):
            self.recent.append(ticket)
        self.counts[plan.scenario.name] += 1
        return ticket

    def _episode_place(self, episode: Episode, rng: random.Random) -> tuple[Area, Area | None, Category | None]:
        """The episode's street, community (its own, if the district has it) and category."""
        street = self.cast.street_of_slug[episode.street_slug]
        communities = self.cast.communities[street.pk]
        named = [area for area in communities if area.name == episode.community]
        community = named[0] if named else rng.choice(communities)
        return street, community, self.cast.category_at.get(episode.category_path)

    def _original(self, plan: Plan) -> Ticket | None:
        """An earlier ticket of the last two weeks that the duplicate repeats; the latest ones first."""
        window = plan.created_at - timedelta(days=14)
        candidates = [t for t in self.recent[-40:] if window <= t.created_at < plan.created_at]
        if not candidates:
            candidates = list(
                Ticket.objects.filter(created_at__gte=window, created_at__lt=plan.created_at, duplicate_of=None)
                .exclude(close_reason__in=[CloseReason.REJECTED, CloseReason.MERGED])
                .exclude(street=None).order_by("-created_at")[:20]
            )
        return plan.rng.choice(candidates) if candidates else None


def load_tickets(n: int, now: datetime, *, triage: Callable[..., Any], seed: int = SEED) -> Counter:
    done = DemoTicket.objects.filter(seq__lte=n).count()
    if done == n:  # all there already: no need to read the texts and plan again
        return Counter(skipped=n)
    return TicketLoader(now, triage).run(make_plans(n, now, seed))
