"""Near-identical open appeals about the same thing in the same street: candidates for 合并.

Similarity is the cosine of character n-gram TF-IDF vectors (Chinese needs no word segmentation for
this), which stays high when a resident copies or lightly rewords an earlier appeal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Substr

from youhu.taxonomy.models import Category
from youhu.tickets.models import OPEN_STATUSES, Status, Ticket

from .recent import Recent
from .textsim import SimilarityTable

MAX_CANDIDATES = 200
NOT_OPEN = [status for status in Status if status not in OPEN_STATUSES]
# A copied or reworded appeal shows in its opening; comparing whole long texts costs more, adds nothing.
COMPARE_CHARS = 400
# Opening texts of recently compared tickets, by pk: an appeal's title and content never change once stored,
# and the pools of consecutive batches are mostly the same tickets. The pool query then reads only its index.
_pool_texts: Recent[int, str] = Recent(5000)


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
    return find_duplicates_many([ticket], now=now, days=days, threshold=threshold)[0]


def find_duplicates_many(tickets: Sequence[Ticket], *, now: datetime, days: int | None = None,
                         threshold: float | None = None) -> list[list[DuplicateCandidate]]:
    """find_duplicates of each of a batch being triaged together (in this order).

    Tickets of one street and category share one read of the pool. Each is also compared with the batch's
    earlier tickets of its street and category: triaged one after the other, those would be in its pool.
    The TF-IDF weights are fitted over the batch and all its pools together (for one ticket: over it and its
    pool), so a ticket's scores in a batch may differ from its scores alone in the third decimal.
    """
    days = days if days is not None else settings.YOUHU["DUPLICATE_WINDOW_DAYS"]
    threshold = threshold if threshold is not None else settings.YOUHU["DUPLICATE_SIMILARITY"]
    groups: dict[tuple[int | None, int | None], list[Ticket]] = {}
    for ticket in tickets:
        root = ticket.category.root.pk if ticket.category_id else None
        groups.setdefault((ticket.street_id, root), []).append(ticket)
    batch = [t.pk for t in tickets]
    pools = [_pool(members[0], now, days, exclude=batch) for members in groups.values()]
    # One TF-IDF over the batch and all its pools: each text weighed once, not once per appeal it meets.
    texts = {t.pk: ticket_text(t)[:COMPARE_CHARS] for t in tickets}
    _pool_texts.put_many(texts)  # the next batches' pools hold them
    for pool in pools:
        texts.update(pool)
    row = {pk: i for i, pk in enumerate(texts)}
    table = SimilarityTable(list(texts.values()))
    hits: dict[int, list[tuple[int, float]]] = {}
    for members, pool in zip(groups.values(), pools, strict=True):
        # Newest first: the batch's own (later ones first), then the pool.
        order = [t.pk for t in reversed(members)] + list(pool)
        scores = table.block([row[t.pk] for t in members], [row[pk] for pk in order])
        for pos, ticket in enumerate(members):
            # Its candidates: the batch's earlier tickets of its group, then the pool, MAX_CANDIDATES in all.
            window = slice(len(members) - pos, len(members) - pos + MAX_CANDIDATES)
            found = zip(order[window], scores[pos, window], strict=True)
            hits[ticket.pk] = [(pk, float(s)) for pk, s in found if s >= threshold]
    # Whole tickets are read only for the few that match; the batch's own are at hand.
    wanted = {pk for found in hits.values() for pk, _ in found}
    known = {t.pk: t for t in tickets}
    known.update(Ticket.objects.in_bulk(wanted - set(known)) if wanted - set(known) else {})
    return [sorted((DuplicateCandidate(known[pk], s) for pk, s in hits[t.pk] if pk in known),
                   key=lambda c: (-c.score, c.ticket.created_at)) for t in tickets]


def _pool(ticket: Ticket, now: datetime, days: int, exclude: list[int]) -> dict[int, str]:
    """pk -> opening text of the open tickets of `ticket`'s street and category, newest first."""
    # "Open" written as "not any other status", and no duplicate_of condition (a merged ticket is closed): both
    # are then checked in the index. Without a category (none known yet) SQLite walks the created_at index
    # newest first and stops at MAX_CANDIDATES.
    qs = (Ticket.objects.exclude(status__in=NOT_OPEN).filter(created_at__gte=now - timedelta(days=days))
          .exclude(pk__in=exclude))
    if ticket.street_id:
        qs = qs.filter(street_id=ticket.street_id)
    if ticket.category_id:
        root = ticket.category.root
        # The subtree by its paths ("一级/二级/…"), in the same query: no read of the category tree. As a list
        # of ids, the pool is found in the index ticket_duplicate_pool.
        subtree = Category.objects.filter(Q(pk=root.pk) | Q(path__startswith=f"{root.path}/")).values("pk")
        qs = qs.filter(category__in=subtree)
    return opening_texts(list(qs.order_by("-created_at").values_list("pk", flat=True)[:MAX_CANDIDATES]))


def opening_texts(pks: list[int]) -> dict[int, str]:
    """pk -> the opening of the ticket's text (what is compared), in the given order; read only for tickets
    not seen lately (a ticket deleted meanwhile is left out)."""
    return _pool_texts.get_many(pks, _read_openings)


def _read_openings(pks: list[int]) -> dict[int, str]:
    rows = Ticket.objects.filter(pk__in=pks).values_list("pk", "title", Substr("content", 1, COMPARE_CHARS))
    return {pk: appeal_text(title, content)[:COMPARE_CHARS] for pk, title, content in rows}
