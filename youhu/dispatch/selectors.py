"""Reads for the dispatcher's queue and the ticket page's dispatch panel."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from youhu.directory.models import Area, Unit, User
from youhu.taxonomy.models import Category
from youhu.tickets.models import OPEN_STATUSES, Status, Ticket
from youhu.tickets.selectors import at_level

from . import routing
from .models import Suggestion


@dataclass
class Option:
    """One suggested category with its confidence and the unit it routes to now."""

    label: str
    confidence: float
    category: Category | None
    unit: Unit | None
    reason: str


@dataclass
class QueueItem:
    ticket: Ticket
    suggestion: Suggestion | None
    options: list[Option] = field(default_factory=list)
    duplicates: list[tuple[Ticket, float]] = field(default_factory=list)

    @property
    def best(self) -> Option | None:
        return self.options[0] if self.options else None


def waiting_tickets(user: User | None = None) -> QuerySet[Ticket]:
    """Registered tickets nobody has dispatched yet, oldest first: those of the user's level (a district
    centre's, or the city's — docs/levels.md), or all of them without a user."""
    latest = Suggestion.objects.order_by("-created_at", "-id")
    qs = Ticket.objects.all() if user is None else at_level(Ticket.objects.all(), user)
    return (qs.filter(status=Status.REGISTERED)
            .select_related("street", "community", "category")
            .prefetch_related(Prefetch("dispatch_suggestions", queryset=latest))
            .order_by("registered_at", "id"))


def options_for(ticket: Ticket, suggestion: Suggestion | None) -> list[Option]:
    if suggestion is None:
        return []
    ids = [row.get("category_id") for row in suggestion.top if row.get("category_id")]
    categories = Category.objects.in_bulk(ids)
    options = []
    for row in suggestion.top:
        category = categories.get(row.get("category_id"))
        route = routing.route(category, ticket.street)  # the place may have been corrected since
        options.append(Option(row["label"], float(row["confidence"]), category, route.unit, route.reason))
    return options


def duplicates_for(suggestion: Suggestion | None) -> list[tuple[Ticket, float]]:
    """The suggested duplicates that are still open and not merged themselves."""
    if suggestion is None or not suggestion.duplicates:
        return []
    scores = {row["ticket_id"]: row["score"] for row in suggestion.duplicates}
    alive = Ticket.objects.filter(pk__in=scores, status__in=OPEN_STATUSES, duplicate_of__isnull=True)
    return sorted(((t, scores[t.pk]) for t in alive), key=lambda pair: -pair[1])


def queue_item(ticket: Ticket) -> QueueItem:
    suggestions = list(ticket.dispatch_suggestions.all())
    suggestion = suggestions[0] if suggestions else None
    return QueueItem(ticket, suggestion, options_for(ticket, suggestion), duplicates_for(suggestion))


def dispatch_choices(user: User | None = None) -> dict:
    """What a dispatcher may choose from when not taking a suggestion: their own level's units, and their
    district's streets (the city's dispatchers: every street)."""
    units = Unit.objects.filter(active=True).exclude(kind=Unit.Kind.CENTRE)
    streets = Area.objects.filter(kind=Area.Kind.STREET)
    if user is not None:
        units = units.filter(district_id=user.district_id)
        if user.district_id is not None:
            streets = streets.filter(district_id=user.district_id)
    return {
        "categories": Category.objects.filter(level=1, active=True).order_by("path"),
        "units": units.order_by("kind", "name"),
        "streets": streets.order_by("name"),
    }
