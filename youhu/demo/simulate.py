"""Demo tickets: real appeal texts walked through the lifecycle by the demo users, through the ticket
services only (so every step is an audited event), with `now=` moved through the last ~120 days.

Each demo ticket has a sequence number and a scenario (the state it should end in and how it gets
there). The plan for all of them is drawn from one seeded random generator; tickets are created in
time order, and a ticket whose sequence number is already marked (DemoTicket) is skipped, so a second
load creates nothing.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cached_property
from typing import Any

from django.db import transaction
from django.utils import timezone

from youhu.directory.models import Area, Role, Unit, User
from youhu.taxonomy.models import AppealType, Category, Urgency
from youhu.tickets import services
from youhu.tickets.models import Channel, CloseReason, Extension, Satisfaction, Status, Ticket
from youhu.workdays import calendar

from . import district as d
from . import phrases
from .geo import DistrictOutline
from .models import DemoTicket
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
    final: str = ""  # the status it ends in, for the tests and the summary


SCENARIOS: list[Scenario] = [
    Scenario("new", 1.0, (0.0, 0.08), final=Status.NEW),
    Scenario("triage", 7.5, (0.0, 2.0), final="triage"),
    Scenario("registered", 3.0, (0.0, 2.0), final=Status.REGISTERED),
    Scenario("returned", 1.5, (1.0, 6.0), final=Status.REGISTERED),
    Scenario("dispatched", 4.0, (0.0, 3.0), final=Status.DISPATCHED),
    Scenario("handling", 12.0, (1.0, 26.0), final=Status.HANDLING),
    Scenario("extension_pending", 2.0, (6.0, 24.0), final=Status.HANDLING),
    Scenario("extension_refused", 1.0, (6.0, 30.0), final=Status.HANDLING),
    Scenario("co_pending", 2.0, (2.0, 20.0), final=Status.HANDLING),
    Scenario("transferred", 1.5, (1.0, 12.0), final=Status.HANDLING),
    Scenario("reopened", 2.0, (6.0, 50.0), True, final=Status.HANDLING),
    Scenario("replied", 6.0, (0.5, 6.0), True, final=Status.REPLIED),
    Scenario("dissatisfied", 1.5, (4.0, 40.0), True, final=Status.REPLIED),
    Scenario("closed", 31.5, (3.0, HISTORY_DAYS), True, final=CloseReason.REVIEWED),
    Scenario("closed_reopened", 3.0, (20.0, HISTORY_DAYS), True, final=CloseReason.REVIEWED),
    Scenario("review_timeout", 5.0, (20.0, HISTORY_DAYS), True, final=CloseReason.REVIEW_TIMEOUT),
    Scenario("closed_by_centre", 2.0, (15.0, HISTORY_DAYS), True, final=CloseReason.CLOSED_BY_CENTRE),
    Scenario("answered_directly", 6.0, (0.0, HISTORY_DAYS), final=CloseReason.ANSWERED_DIRECTLY),
    Scenario("rejected", 3.0, (0.0, HISTORY_DAYS), final=CloseReason.REJECTED),
    Scenario("merged", 3.5, (0.5, HISTORY_DAYS), final=CloseReason.MERGED),
]
SCENARIO_BY_NAME = {s.name: s for s in SCENARIOS}

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
        raise ValueError(f"演示工单数须为 0 或至少 {len(SCENARIOS)}（每种场景至少一张）")
    total = sum(s.weight for s in SCENARIOS)
    extra = n - len(SCENARIOS)
    shares = {s.name: extra * s.weight / total for s in SCENARIOS}
    counts = {name: 1 + int(share) for name, share in shares.items()}
    by_remainder = sorted(shares, key=lambda name: shares[name] - int(shares[name]), reverse=True)
    for name in by_remainder[: n - sum(counts.values())]:
        counts[name] += 1
    return [name for name, k in counts.items() for _ in range(k)]


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
    plans = []
    for seq, name in enumerate(names, start=1):
        scenario = SCENARIO_BY_NAME[name]
        own = random.Random(rng.random())
        pool = replied if scenario.needs_reply else labelled
        plan = Plan(seq, scenario, _arrival(now, scenario, own), own, text=pool[seq % len(pool)])
        if name == "triage":
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
    at = now - timedelta(days=rng.uniform(lo, hi))
    if hi - lo > 1:  # older appeals: in the hours people actually call and write
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
        for cat in Category.objects.filter(level=3, is_enterprise=False).select_related("parent__parent"):
            self.leaves.setdefault(cat.path.split("/")[0], []).append(
                (cat, _bigrams(cat.name), _bigrams(cat.parent.name)))

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


class Clock:
    """Moves a ticket's own time forward, never past the load's `now`."""

    OPEN, CLOSE = time(9, 0), time(17, 45)

    def __init__(self, start: datetime, limit: datetime, rng: random.Random) -> None:
        self.t, self.limit, self.rng = start, limit, rng

    def later(self, lo_hours: float, hi_hours: float, *, office: bool = True) -> datetime:
        target = self.t + timedelta(hours=self.rng.uniform(lo_hours, hi_hours))
        return self.until(self.office(target) if office else target)

    def until(self, target: datetime) -> datetime:
        """Go to `target`, or part of the way to the limit when the target lies beyond it."""
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

    def accept(self, late: bool = False) -> None:
        if late and self.ticket.accept_due:
            self.clock.until(self.ticket.accept_due + timedelta(hours=self.rng.uniform(1, 20)))
        services.accept(self.ticket, by=self.handler(), now=self.clock.later(0.1, 1.8))

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

    def reply(self, late: bool = False) -> None:
        self.toward_due(1.05, 1.6) if late else self.toward_due(0.1, 0.9)
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


def work_to_reply(w: Walk, *, late_share: float = 0.12) -> None:
    """Register, dispatch (with the usual detours) and handle until the main unit replies."""
    rng = w.rng
    w.register()
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
    w.accept(late=rng.random() < 0.08)
    w.handle(rng.choice([0, 1, 1, 2]))
    for unit in co_units:
        w.co_part(unit)
    if rng.random() < 0.08 and w.can_extend():
        ext = w.request_extension()
        w.decide_extension(ext, approve=True)
    w.reply(late=rng.random() < late_share)


def _co_units(w: Walk) -> list[Unit]:
    slugs = d.CO_HANDLERS.get(w.category.path.split("/")[0] if w.category else "", ["cgj"])
    main = w.correct_unit
    units = [w.cast.departments[s] for s in slugs if w.cast.departments[s].pk != main.pk]
    if w.street is not None and main.kind != Unit.Kind.STREET_OFFICE:
        units.append(w.cast.street_office[w.street.pk])
    return w.rng.sample(units, k=min(len(units), w.rng.choice([1, 1, 2])))


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
    w.accept(late=detours and w.rng.random() < 0.1)
    w.handle(w.rng.choice([0, 1, 2]) if detours else 0)


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
    bad_review(w)
    w.reopen()
    w.handle(w.rng.choice([0, 1]))


def _dissatisfied(w: Walk) -> None:
    work_to_reply(w)
    bad_review(w)


def _closed(w: Walk) -> None:
    work_to_reply(w)
    good_review(w)


def _closed_reopened(w: Walk) -> None:
    _reopened(w)
    ticket = w.ticket
    due = ticket.reply_due
    w.clock.until(ticket.accepted_at + (due - ticket.accepted_at) * w.rng.uniform(0.2, 0.8))
    services.reply(ticket, by=w.handler(), text=w.rng.choice(phrases.SECOND_REPLIES), now=w.clock.later(0, 3))
    good_review(w)


def _review_timeout(w: Walk) -> None:
    work_to_reply(w)
    deadline = calendar.add_working_days(w.ticket.replied_at, services.review_window_days()).at
    w.clock.until(deadline + timedelta(minutes=w.rng.randrange(5, 600)))
    services.close(w.ticket, by=None, reason="回访期满未评价，系统自动归档", now=w.clock.t,
                   close_reason=CloseReason.REVIEW_TIMEOUT)


def _closed_by_centre(w: Walk) -> None:
    work_to_reply(w, late_share=0.05)
    w.review(resolved=True, satisfaction=Satisfaction.DISSATISFIED)
    services.close(w.ticket, by=w.dispatcher, reason=w.rng.choice(phrases.CENTRE_CLOSE_REASONS),
                   now=w.clock.later(1, 24))


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
    "extension_pending": _extension_pending,
    "extension_refused": _extension_refused,
    "co_pending": _co_pending,
    "transferred": _transferred,
    "reopened": _reopened,
    "replied": work_to_reply,
    "dissatisfied": _dissatisfied,
    "closed": _closed,
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
        original = self._original(plan) if plan.scenario.name == "merged" else None
        street = original.street if original else rng.choice(self.cast.streets)
        text = plan.text
        assert text is not None
        community = rng.choice(self.cast.communities[street.pk]) if street else None
        category = original.category if original else self.cast.category_for(text, rng)
        triaged = plan.scenario.name == "triage"
        lon, lat = self.outline.near(community.lon, community.lat, rng) if community else (None, None)
        spec = self.cast.street_spec[street.code]
        road = rng.choice(spec.roads)
        appeal = services.NewAppeal(
            title=original.title if original else localise(text.title, street.name),
            content=original.content if original else localise(text.content, street.name),
            channel=plan.channel, appeal_type=plan.appeal_type, urgency=plan.urgency,
            appellant_name=phrases.person_name(rng), appellant_phone=phrases.phone_number(rng),
            address=f"广州市海珠区{road}{rng.randrange(1, 400)}号",
            # Digital intake knows only the point and the address; triage works out the rest.
            street=None if triaged else street, community=None if triaged else community,
            lat=lat, lon=lon, category=None if triaged else category,
        )
        ticket = services.create_ticket(appeal, now=plan.created_at)
        walk = Walk(plan, self.cast, Clock(plan.created_at, self.now, rng), ticket, category, street)
        if triaged:
            self.triage(ticket, now=walk.clock.later(0.01, 0.05, office=False))
        elif original is not None:
            services.merge(ticket, by=walk.dispatcher, into=original, reason="同一诉求人重复反映同一问题",
                           now=walk.clock.later(0.1, 3, office=False))
        else:
            STEPS[plan.scenario.name](walk)
        DemoTicket.objects.create(seq=plan.seq, ticket=ticket, scenario=plan.scenario.name, source=text.key)
        if original is None and ticket.street_id and ticket.close_reason not in (
                CloseReason.REJECTED, CloseReason.MERGED):
            self.recent.append(ticket)
        self.counts[plan.scenario.name] += 1
        return ticket

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
