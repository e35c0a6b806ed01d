"""Reads for the dispatcher's queue and the ticket page's dispatch panel."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, Func, IntegerField, OuterRef, Prefetch, QuerySet, Subquery

from youhu.directory.models import Area, Unit, User
from youhu.taxonomy.models import Category
from youhu.tickets.models import OPEN_STATUSES, Status, Ticket
from youhu.tickets.selectors import at_level

from . import routing, services
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
    returns: list[services.ReturnRecord] = field(default_factory=list)  # its 退单, oldest first

    @property
    def best(self) -> Option | None:
        return self.options[0] if self.options else None

    @property
    def refused_units(self) -> list[str]:
        """The units that returned it, which its suggestions leave out."""
        return list(dict.fromkeys(r.unit for r in self.returns if r.unit))


# The desk's sortable columns: the name in `?sort=` (a leading '-' sorts descending) and what it sorts by.
SORTS = {"number": "number", "time": "registered_at", "channel": "channel", "title": "title",
         "place": "street__name", "confidence": "suggested_confidence", "duplicates": "suggested_duplicates",
         "returns": "return_count"}
DEFAULT_SORT = "time"


class JSONArrayLength(Func):
    """The length of a JSON array column (SQLite's json_array_length, PostgreSQL's jsonb_array_length)."""

    function = "json_array_length"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="jsonb_array_length", **extra)


def waiting_tickets(sort: str = DEFAULT_SORT, user: User | None = None) -> QuerySet[Ticket]:
    """Registered tickets nobody has dispatched yet, by `sort` (one of SORTS; oldest first by default). Ties go
    oldest first, except in '-time', the exact reverse of 'time'. With a user: those of the user's level (a
    district centre's, or the city's — docs/levels.md)."""
    latest = Suggestion.objects.order_by("-created_at", "-id")
    newest = latest.filter(ticket=OuterRef("pk"))
    column = SORTS.get(sort.lstrip("-"), SORTS[DEFAULT_SORT])
    order = F(column).desc(nulls_last=True) if sort.startswith("-") else F(column).asc(nulls_last=True)
    qs = Ticket.objects.all() if user is None else at_level(Ticket.objects.all(), user)
    return (qs.filter(status=Status.REGISTERED)
            .select_related("street", "community", "category")
            .prefetch_related(Prefetch("dispatch_suggestions", queryset=latest))
            .annotate(suggested_confidence=Subquery(newest.values("confidence")[:1]),
                      suggested_duplicates=Subquery(newest.annotate(n=JSONArrayLength("duplicates")).values("n")[:1]))
            .order_by(order, *(["-id"] if sort == f"-{DEFAULT_SORT}" else ["registered_at", "id"])))


def _routed(ticket: Ticket, rows: list[dict], categories: dict[int, Category], router: routing.Router,
            refused: frozenset[int]) -> list[Option]:
    """Suggestion rows routed by the ticket's place now (it may have been corrected since), none to a unit
    that returned the ticket."""
    options = []
    for row in rows:
        category = categories.get(row.get("category_id"))
        route = router.route_avoiding(category, ticket.street, refused)
        if route is not None:
            options.append(Option(row["label"], float(row["confidence"]), category, route.unit, route.reason))
    return options


def options_for(ticket: Ticket, suggestion: Suggestion | None) -> list[Option]:
    return queue_items([ticket], suggestions={ticket.pk: suggestion})[0].options


def duplicates_for(suggestion: Suggestion | None) -> list[tuple[Ticket, float]]:
    """The suggested duplicates that are still open and not merged themselves."""
    return _live_duplicates([suggestion]).get(suggestion.pk, []) if suggestion is not None else []


def _live_duplicates(suggestions: list[Suggestion | None]) -> dict[int, list[tuple[Ticket, float]]]:
    scores = {s.pk: {row["ticket_id"]: row["score"] for row in s.duplicates} for s in suggestions
              if s is not None and s.duplicates}
    wanted = {pk for rows in scores.values() for pk in rows}
    if not wanted:
        return {}
    alive = Ticket.objects.filter(pk__in=wanted, status__in=OPEN_STATUSES, duplicate_of__isnull=True).in_bulk()
    return {pk: sorted(((alive[t], score) for t, score in rows.items() if t in alive), key=lambda pair: -pair[1])
            for pk, rows in scores.items()}


def _latest(ticket: Ticket) -> Suggestion | None:
    suggestions = list(ticket.dispatch_suggestions.all())  # prefetched newest first by waiting_tickets
    return suggestions[0] if suggestions else None


def queue_items(tickets: list[Ticket], *, suggestions: dict[int, Suggestion | None] | None = None) -> list[QueueItem]:
    """The desk's rows, read together: categories, routes, live duplicates and returns in a few queries each.
    A returned ticket's suggestions come from `services.suggest_after_return` (none to a unit that returned it)."""
    latest = suggestions if suggestions is not None else {t.pk: _latest(t) for t in tickets}
    returns = services.returns_of(tickets)
    router = routing.Router()
    after_return = services.suggest_after_return(tickets, returns, latest=latest, router=router)
    rows = {t.pk: after_return.get(t.pk) if t.pk in returns else (latest[t.pk].top if latest[t.pk] else [])
            for t in tickets}
    categories = Category.objects.in_bulk({r["category_id"] for rs in rows.values() for r in rs if r.get("category_id")})
    duplicates = _live_duplicates(list(latest.values()))
    items = []
    for ticket in tickets:
        suggestion = latest[ticket.pk]
        refused = services.refused_units(returns.get(ticket.pk, []))
        items.append(QueueItem(ticket, suggestion, _routed(ticket, rows[ticket.pk] or [], categories, router, refused),
                               duplicates.get(suggestion.pk, []) if suggestion else [], returns.get(ticket.pk, [])))
    return items


def queue_item(ticket: Ticket) -> QueueItem:
    return queue_items([ticket])[0]


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
