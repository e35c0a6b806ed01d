"""Near-identical open appeals about the same thing in the same street: candidates for 合并.

Similarity is the cosine of character n-gram TF-IDF vectors (Chinese needs no word segmentation for
this), which stays high when a resident copies or lightly rewords an earlier appeal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Substr

from youhu.tickets.models import OPEN_STATUSES, Status, Ticket

from .textsim import similarities

MAX_CANDIDATES = 200
NOT_OPEN = [status for status in Status if status not in OPEN_STATUSES]
# A copied or reworded appeal shows in its opening; comparing whole long texts costs more, adds nothing.
COMPARE_CHARS = 400


@dataclass(frozen=True)
class DuplicateCandidate:
    ticket: Ticket
    score: float


def ticket_text(ticket: Ticket) -> str:
    return appeal_text(ticket.title, ticket.content)


def appeal_text(title: str, content: str) -> str:
    return f"{title}\n{content}"


def find_duplicates(ticket: Ticket, *, now: datetime, days: int | None = None,
                    threshold: float | None = None) -> list[DuplicateCandidate]:
    """Open tickets of the last `days` days, same street and category (when known), most similar first."""
    days = days if days is not None else settings.YOUHU["DUPLICATE_WINDOW_DAYS"]
    threshold = threshold if threshold is not None else settings.YOUHU["DUPLICATE_SIMILARITY"]
    # "Open" written as "not any other status", and no duplicate_of condition (a merged ticket is closed):
    # without statistics SQLite then walks the created_at index newest first and stops at MAX_CANDIDATES,
    # instead of reading every open ticket through an equality index and sorting them (8 ms against 2).
    qs = (Ticket.objects.exclude(status__in=NOT_OPEN).filter(created_at__gte=now - timedelta(days=days))
          .exclude(pk=ticket.pk))
    if ticket.street_id:
        qs = qs.filter(street_id=ticket.street_id)
    if ticket.category_id:
        root = ticket.category.root
        # The subtree by its paths ("一级/二级/…"), in the same query: no read of the category tree.
        qs = qs.filter(Q(category=root) | Q(category__path__startswith=f"{root.path}/"))
    # Only the opening of the pool's texts is needed to score it; whole tickets are read for the few that match.
    pool = list(qs.order_by("-created_at")
                .values_list("pk", "title", Substr("content", 1, COMPARE_CHARS))[:MAX_CANDIDATES])
    scores = similarities(ticket_text(ticket)[:COMPARE_CHARS],
                          [appeal_text(title, content)[:COMPARE_CHARS] for _, title, content in pool])
    hits = [(pk, s) for (pk, _, _), s in zip(pool, scores, strict=True) if s >= threshold]
    tickets = Ticket.objects.in_bulk([pk for pk, _ in hits]) if hits else {}
    found = [DuplicateCandidate(tickets[pk], s) for pk, s in hits if pk in tickets]  # in pool order, as before
    return sorted(found, key=lambda c: (-c.score, c.ticket.created_at))
