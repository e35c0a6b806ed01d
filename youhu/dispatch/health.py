"""Model health for the dispatch lead: is auto-dispatch getting better or worse?

- Precision from what happened afterwards: an auto-dispatched ticket its unit returned (退单, even after
  accepting it), or that a person sent elsewhere (转派 or a new 派单), was wrong; one accepted (签收) and
  none of those was right; one with none of these yet is open and not counted. By ISO week of the
  auto-dispatch and by the model's category.
- Confusion: dispatchers' corrections (the model suggested one category, the person chose another),
  the most frequent pairs.
- Drift: the share of this week's triaged appeals below the auto-dispatch threshold, against the share
  of held-out training rows below it (recorded in the model file at training, `youhu model train`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from youhu.tickets.models import TicketEvent

from .models import LabelledExample, Suggestion

# What tells whether an auto-dispatch was right, after it.
ACCEPTED = "accept"
WRONG = ("return", "transfer", "dispatch")


@dataclass
class Tally:
    accepted: int = 0
    wrong: int = 0
    open: int = 0

    @property
    def precision(self) -> float | None:
        decided = self.accepted + self.wrong
        return self.accepted / decided if decided else None

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class Drift:
    week: str
    triaged: int
    low_confidence: int
    training_share: float | None  # None: the model file does not record it (trained before it did)

    @property
    def share(self) -> float | None:
        return self.low_confidence / self.triaged if self.triaged else None


@dataclass
class Health:
    by_week: dict[str, Tally] = field(default_factory=dict)  # "2026-W10" -> tally, oldest first
    by_category: dict[str, Tally] = field(default_factory=dict)  # most auto-dispatches first
    confusion: list[tuple[str, str, int]] = field(default_factory=list)  # (suggested, chosen, count)
    drift: Drift | None = None


def iso_week(moment: datetime) -> str:
    year, week, _ = timezone.localtime(moment).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    monday = local - timedelta(days=local.weekday())
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


def auto_dispatch_outcomes(since: datetime, until: datetime) -> list[tuple[Suggestion, str]]:
    """Each auto-dispatch in [since, until) with what became of it: accepted, wrong or open."""
    autos = list(Suggestion.objects.filter(outcome=Suggestion.Outcome.AUTO_DISPATCHED,
                                           created_at__gte=since, created_at__lt=until).order_by("created_at", "id"))
    events: dict[int, list[TicketEvent]] = defaultdict(list)
    for event in (TicketEvent.objects.filter(ticket_id__in={s.ticket_id for s in autos},
                                             action__in=(ACCEPTED, *WRONG)).order_by("at", "id")):
        events[event.ticket_id].append(event)
    found = []
    for suggestion in autos:
        found.append((suggestion, _outcome(suggestion, events[suggestion.ticket_id])))
    return found


def _outcome(suggestion: Suggestion, events: list[TicketEvent]) -> str:
    after = [e for e in events if e.at >= suggestion.created_at]
    # The auto-dispatch's own event (no actor, written with the suggestion) is not its outcome.
    own = next((i for i, e in enumerate(after) if e.action == "dispatch" and e.actor_id is None
                and (e.payload or {}).get("auto")), None)
    rest = after[own + 1:] if own is not None else after
    if any(e.action in WRONG for e in rest):
        return "wrong"  # even after a 签收: the unit found on a closer look that it is not theirs
    return "accepted" if any(e.action == ACCEPTED for e in rest) else "open"


def confusion(since: datetime, until: datetime, *, top: int = 10) -> list[tuple[str, str, int]]:
    """The (suggested, chosen) pairs dispatchers corrected most often in [since, until)."""
    pairs = Counter(
        (suggested, chosen)
        for suggested, chosen in LabelledExample.objects.filter(created_at__gte=since, created_at__lt=until)
        .exclude(suggested_label="").values_list("suggested_label", "label")
        if suggested != chosen
    )
    return [(s, c, n) for (s, c), n in pairs.most_common(top)]


def drift(now: datetime, *, threshold: float, training_share: float | None) -> Drift:
    """This ISO week's triaged appeals below `threshold` (no confidence at all counts as low)."""
    start = week_start(now)
    confidences = list(Suggestion.objects.filter(created_at__gte=start, created_at__lt=start + timedelta(days=7))
                       .values_list("confidence", flat=True))
    low = sum(1 for c in confidences if c is None or c < threshold)
    return Drift(iso_week(now), len(confidences), low, training_share)


def model_health(now: datetime, *, weeks: int = 8, threshold: float, training_share: float | None) -> Health:
    """The last `weeks` ISO weeks up to `now`."""
    since = week_start(now) - timedelta(weeks=weeks - 1)
    health = Health()
    by_category: dict[str, Tally] = defaultdict(Tally)
    for suggestion, outcome in auto_dispatch_outcomes(since, now + timedelta(microseconds=1)):
        health.by_week.setdefault(iso_week(suggestion.created_at), Tally()).add(outcome)
        by_category[suggestion.label or "（无）"].add(outcome)
    health.by_category = dict(sorted(by_category.items(),
                                     key=lambda kv: -(kv[1].accepted + kv[1].wrong + kv[1].open)))
    health.confusion = confusion(since, now + timedelta(microseconds=1))
    health.drift = drift(now, threshold=threshold, training_share=training_share)
    return health
