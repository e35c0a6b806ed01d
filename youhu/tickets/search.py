"""Finding tickets by what a person types: a ticket number, part of one, or words of the title or text.

The one door for search speed. On PostgreSQL, `title` and `content` carry pg_trgm GIN indexes on
UPPER(column) (migration 0007), which is exactly the expression Django's `icontains` compares, so the
plain ORM lookup below is answered from the index, Chinese substrings included; SQLite scans, which
is fine at a district's size. A keyword shorter than three characters has no trigram and falls back
to a scan on both (docs/scale.md).

A common word is the exception on PostgreSQL (`keyword`): the trigram bitmap would fetch and sort every
match (50 k at 1 M tickets, 1.1 M at 22 M) to show the newest 30, where walking the created_at index
newest first with the match as a filter finds them in 30 / frequency rows. A probe of the newest
PROBE_ROWS tickets tells which case it is.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta

from django.db import connections
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from youhu.db.queries import estimated_rows

from .errors import InvalidInput
from .models import Ticket

FULL_NUMBER_RE = re.compile(r"^\d{8}-\d{6}$")
PART_NUMBER_RE = re.compile(r"^\d{4,8}(-\d{0,6})?$")
EPOCH, MICROSECOND = datetime(1970, 1, 1, tzinfo=UTC), timedelta(microseconds=1)


def search(qs: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """A full number goes straight to its unique index; the start of a number matches numbers that start
    so; anything else is a keyword of the title or the text."""
    text = text.strip()
    if not text:
        return qs
    if FULL_NUMBER_RE.match(text):
        return qs.filter(number=text)
    if PART_NUMBER_RE.match(text):
        return qs.filter(number__startswith=text)
    return keyword(qs, text)


# The probe: how many of the newest PROBE_ROWS tickets are in `qs` and match. From COMMON_MATCHES on, walking
# newest first finds the capped count's COUNT_CAP + 1 matches within (COUNT_CAP + 1) × PROBE_ROWS /
# COMMON_MATCHES rows (50 k: ≈ 35 ms at 0.65 µs a row, docs/scale.md), whatever N; below it the trigram
# bitmap's matches are few enough to fetch whole.
PROBE_ROWS = 2000
COMMON_MATCHES = 40
# count_upto reads this mark: a common word's count walks newest first as its pages do, not from the oldest
# rows (a word common this week may be absent from last year's, and a plain scan starts there).
NEWEST_FIRST = "youhu_count_newest_first"


def keyword(qs: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Tickets of `qs` whose title or text contains `text`, case-insensitively (the same rows on both
    databases and both plans)."""
    indexed = Q(title__icontains=text) | Q(content__icontains=text)
    if connections[qs.db].vendor != "postgresql":
        return qs.filter(indexed)
    scanned = _scanned_match(text)
    newest = Ticket.objects.using(qs.db).order_by("-created_at").values_list("created_at", flat=True)
    edge = newest[PROBE_ROWS - 1:PROBE_ROWS].first()
    if edge is not None and qs.filter(scanned, created_at__gte=edge)[:COMMON_MATCHES].count() < COMMON_MATCHES:
        return qs.filter(indexed)  # rare lately (or a small table): the trigram bitmap of its matches
    walk = qs.filter(scanned)
    setattr(walk.query, NEWEST_FIRST, True)
    return walk


def _uncased(text: str) -> bool:
    """No letter of `text` has a case (Chinese, digits, punctuation): upper() leaves it, and no other
    character upper-cases into it, so a plain `contains` finds exactly what `icontains` finds."""
    return all(c.upper() == c == c.lower() and unicodedata.category(c) not in ("Lu", "Lt") for c in text)


def _scanned_match(text: str) -> Q:
    """The keyword match as a filter no index answers, so that the planner walks created_at for it: the
    trigram indexes hold UPPER(column) LIKE, which this is not. An uncased keyword skips UPPER on every
    row it reads (3.5 µs of a 4 µs row for Chinese text, docs/scale.md)."""
    if _uncased(text):
        return Q(title__contains=text) | Q(content__contains=text)
    needle = Upper(Value(text))
    return Q(GreaterThan(StrIndex(Upper(F("title")), needle), 0)) | Q(GreaterThan(StrIndex(Upper(F("content")), needle), 0))


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def created_between(qs: QuerySet[Ticket], first: date | None, last: date | None) -> QuerySet[Ticket]:
    """Registered on `first` … `last` (local days, both included), as a range on `created_at` its index
    answers — not `created_at__date`, a function of the column no index holds."""
    if first:
        qs = qs.filter(created_at__gte=day_start(first))
    if last and last < date.max:
        qs = qs.filter(created_at__lt=day_start(last + timedelta(days=1)))
    return qs


# ---------------------------------------------------------------- counts and keyset pages

# Lists say "1000+" beyond this: an exact count of a big unit's tickets reads every one of them on
# every page view (1.3 s for 100,000 at 1 M tickets); a capped one reads about cap / selectivity rows.
COUNT_CAP = 1000


# Above this many rows PostgreSQL's own estimate of a table's size is good enough for "共 N 条".
ESTIMATE_ABOVE = 100_000


def estimated_count(qs: QuerySet) -> int:
    """The number of rows of `qs`: for an unfiltered large table on PostgreSQL, the planner's estimate
    (pg_class.reltuples, kept by ANALYZE/autovacuum) instead of a scan of every row; exact otherwise."""
    if not qs.query.where:
        rows = estimated_rows(qs.model)
        if rows is not None and rows > ESTIMATE_ABOVE:
            return rows
    return qs.count()


def count_upto(qs: QuerySet) -> tuple[int, bool]:
    """(the number of rows of `qs`, False), or (COUNT_CAP, True) when there are more."""
    # Unordered, so that the planner reads whichever rows come cheapest; a common keyword's rows newest first.
    n = (qs.order_by("-created_at") if getattr(qs.query, NEWEST_FIRST, False) else qs.order_by())[:COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


# The deepest row a numbered page may start at. OFFSET reads and drops every row before the page: about
# 15 µs per skipped row for a unit handler (185 ms at offset 9,950 at 1 M, docs/scale.md), the same at any N,
# so this bounds a numbered page's cost; the cursor (`after_cursor`) reaches any depth at the first page's cost.
MAX_OFFSET = 10_000


def page_offset(page: int, size: int) -> int:
    """The OFFSET of numbered page `page` (from 1) of `size` rows; InvalidInput (field page) past MAX_OFFSET,
    with where to go instead."""
    start = (page - 1) * size
    if start > MAX_OFFSET:
        raise InvalidInput(f"页码太深：按页码只能翻到前 {MAX_OFFSET} 条（(page-1)×page_size ≤ {MAX_OFFSET}）；"
                           "更深处请按游标翻页：把上一页返回的 next_cursor 作为 cursor 参数", field="page")
    return start


def encode_cursor(ticket: Ticket) -> str:
    """Where the next page starts: after this ticket in the list's order (newest first, then id)."""
    return f"{(ticket.created_at - EPOCH) // MICROSECOND}_{ticket.pk}"  # integers: exact to the microsecond


def after_cursor(qs: QuerySet[Ticket], cursor: str) -> QuerySet[Ticket]:
    """The tickets after `cursor` in the order (-created_at, -id): a range read on the created_at index,
    however deep the page, where OFFSET reads and drops every row before it. InvalidInput if malformed."""
    stamp, _, pk = cursor.partition("_")
    try:
        at, last_id = EPOCH + int(stamp) * MICROSECOND, int(pk)
    except (ValueError, OverflowError, OSError):
        raise InvalidInput("翻页游标无效，请从第一页重新开始", field="cursor") from None
    # created_at <= at is the index range; the tie on the same moment is broken by id among those rows.
    return (qs.filter(created_at__lte=at).filter(Q(created_at__lt=at) | Q(pk__lt=last_id))
            .order_by("-created_at", "-id"))
