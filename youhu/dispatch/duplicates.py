"""Near-identical open appeals about the same thing in the same street: candidates for 合并.

Similarity is the cosine of character n-gram TF-IDF vectors (Chinese needs no word segmentation for
this), which stays high when a resident copies or lightly rewords an earlier appeal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from youhu.taxonomy.models import Category
from youhu.tickets.models import OPEN_STATUSES, Ticket

MAX_CANDIDATES = 500


@dataclass(frozen=True)
class DuplicateCandidate:
    ticket: Ticket
    score: float


def ticket_text(ticket: Ticket) -> str:
    return f"{ticket.title}\n{ticket.content}"


def text_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True)


def similarities(text: str, others: list[str]) -> list[float]:
    """Cosine similarity of `text` to each of `others`."""
    if not others or not text.strip():
        return [0.0] * len(others)
    try:
        matrix = text_vectorizer().fit_transform([text, *others])
    except ValueError:  # nothing but punctuation/whitespace: no n-grams at all
        return [0.0] * len(others)
    return [float(s) for s in cosine_similarity(matrix[0], matrix[1:])[0]]


def find_duplicates(ticket: Ticket, *, now: datetime, days: int | None = None,
                    threshold: float | None = None) -> list[DuplicateCandidate]:
    """Open tickets of the last `days` days, same street and category (when known), most similar first."""
    days = days if days is not None else settings.YOUHU["DUPLICATE_WINDOW_DAYS"]
    threshold = threshold if threshold is not None else settings.YOUHU["DUPLICATE_SIMILARITY"]
    qs = Ticket.objects.filter(status__in=OPEN_STATUSES, duplicate_of__isnull=True,
                               created_at__gte=now - timedelta(days=days)).exclude(pk=ticket.pk)
    if ticket.street_id:
        qs = qs.filter(street_id=ticket.street_id)
    if ticket.category_id:
        root = ticket.category.root
        qs = qs.filter(category__in=_subtree_ids(root))
    pool = list(qs.order_by("-created_at")[:MAX_CANDIDATES])
    scores = similarities(ticket_text(ticket), [ticket_text(t) for t in pool])
    found = [DuplicateCandidate(t, s) for t, s in zip(pool, scores, strict=True) if s >= threshold]
    return sorted(found, key=lambda c: (-c.score, c.ticket.created_at))


def _subtree_ids(category: Category) -> list[int]:
    ids, frontier = [category.pk], [category.pk]
    while frontier:
        frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids
