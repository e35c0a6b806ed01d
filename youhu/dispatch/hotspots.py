"""Hotspots (热点): many recent appeals about one problem in one place.

Two appeals are linked when their texts are similar (character n-gram TF-IDF cosine), they are in
the same place, and they arrived within `max_gap_days` of each other; a hotspot is a connected group
of linked appeals, and groups whose centroids are similar and whose places agree are joined (one
issue raised again after a quiet month). "Same place" means: the same street (or district, for the public data set) when
both are known, and — when both texts name a concrete place (a 小区, a road, a school …) — names
sharing a three-character run, so that two 小区 with the same complaint stay apart.

Heat = 2 × size + growth + log2(1 + votes), where growth is how many more of its appeals arrived in the
last `recent_days` than in the `recent_days` before (never negative), and votes are the likes and
dislikes residents gave on the message board (0 where there are none).

Works on database tickets (`current_hotspots`) and on CSV rows (`appeals_from_csv`).
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix, vstack
from scipy.sparse.csgraph import connected_components
from sklearn.preprocessing import normalize

from .textsim import drop_common, tfidf_matrix

TZ = ZoneInfo("Asia/Shanghai")
DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[T\s]*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}(?:\.\d+)?))?)?"
)
COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:[T\s]?(\d{2})(\d{2})(\d{2})?)?$")
EXCEL_EPOCH = datetime(1899, 12, 30)
# The public data set anonymises districts as 'A3区' / 'A7县'; real text names Guangzhou's districts.
DISTRICT_RE = re.compile(r"[A-Z]\d{1,2}[区县]|(?:荔湾|越秀|海珠|天河|白云|黄埔|番禺|花都|南沙|从化|增城)区")
PLACE_RE = re.compile(
    r"([\u4e00-\u9fa5]{2,6})(小区|花园|公寓|大厦|新城|家园|广场|学院|大学|中学|小学|幼儿园|医院|公园|"
    r"村|苑|湾|城|路|大道|街|市场|商场|工业园|产业园|社区)"
)
ADMIN_PREFIX_RE = re.compile(r"^.*?[省市区县镇]")
STEP_ROWS = 512
TEXT_CHARS = 300
COMMON_DF = 0.02
# ... but never fewer appeals than a hotspot may have: in a small window (a quiet month, a demo) 2 % is a
# handful, and the words a hotspot's own appeals share would count as common and pull it apart.
COMMON_MIN_APPEALS = 25
SIZE_WEIGHT = 2  # many residents speaking count more than many readers clicking
GROUP_SIMILARITY = 0.3  # centroid cosine above which two groups are one hotspot


def parse_received_at(value: str | None) -> datetime | None:
    """Dates as the message board wrote them: '2019/2/28 11:25:05', '2019-09-05 12:29:01',
    '2019年2月28日', '20190228', an Excel serial day number … in the district's time zone."""
    text = (value or "").strip()
    if not text:
        return None
    parts: list[str | None]
    if (m := DATE_RE.search(text)) or (m := COMPACT_RE.match(text)):
        parts = list(m.groups())
    else:
        try:
            serial = float(text)
        except ValueError:
            return None
        if not 20000 < serial < 80000:  # 1954 … 2119: anything else is not an Excel date
            return None
        return (EXCEL_EPOCH + timedelta(days=serial)).replace(tzinfo=TZ)
    year, month, day, hour, minute = (int(p) if p else 0 for p in parts[:5])
    second = float(parts[5]) if len(parts) > 5 and parts[5] else 0.0
    try:
        return datetime(year, month, day, hour, minute, int(second), tzinfo=TZ)
    except ValueError:
        return None


def place_names(text: str) -> frozenset[str]:
    """Concrete place names in a text ('A5区魅力之城小区' → '魅力之城小区'), without admin prefixes."""
    names = set()
    for m in PLACE_RE.finditer(text):
        core = ADMIN_PREFIX_RE.sub("", m.group(1)) or m.group(1)
        if len(core) >= 2:
            names.add(core + m.group(2))
    return frozenset(names)


def _core(name: str) -> str:
    """The distinctive part of a place name: '魅力之城小区' → '魅力之城'."""
    m = PLACE_RE.fullmatch(name)
    return m.group(1) if m else name


def _trigrams(names: Iterable[str]) -> set[str]:
    grams = set()
    for name in names:
        core = _core(name)
        grams.update(core[i:i + 3] for i in range(max(len(core) - 2, 1)))
    return grams


@dataclass
class Appeal:
    id: str
    title: str
    text: str
    received_at: datetime | None
    place: str = ""  # street (or district) when known
    likes: int = 0
    dislikes: int = 0
    names: frozenset[str] = field(default=frozenset())

    def __post_init__(self) -> None:
        # Titles name the place; whole texts add noise ('请政府' is no place).
        if not self.names:
            self.names = place_names(self.title or self.text[:60])
        self.grams = _trigrams(self.names)

    @property
    def votes(self) -> int:
        return max(self.likes, 0) + max(self.dislikes, 0)


@dataclass
class Hotspot:
    appeals: list[Appeal]
    title: str  # the most central appeal's title
    place: str
    first_at: datetime | None
    last_at: datetime | None
    votes: int
    growth: int
    heat: float

    @property
    def size(self) -> int:
        return len(self.appeals)

    @property
    def span_days(self) -> float:
        if not self.first_at or not self.last_at:
            return 0.0
        return (self.last_at - self.first_at).total_seconds() / 86400


def _same_place(a: Appeal, b: Appeal) -> bool:
    if a.place and b.place and a.place != b.place:
        return False
    if a.grams and b.grams:
        return bool(a.grams & b.grams)
    return True


def _close_in_time(a: Appeal, b: Appeal, max_gap: timedelta) -> bool:
    if a.received_at is None or b.received_at is None:
        return True
    return abs(a.received_at - b.received_at) <= max_gap


def _similar_pairs(matrix, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, cosine) for i < j above the threshold, computed a block of rows at a time."""
    rows, cols, vals = [], [], []
    for start in range(0, matrix.shape[0], STEP_ROWS):
        block = (matrix[start:start + STEP_ROWS] @ matrix.T).tocoo()
        keep = (block.data >= threshold) & (block.row + start < block.col)
        rows.append(block.row[keep] + start)
        cols.append(block.col[keep])
        vals.append(block.data[keep])
    if not rows:
        return np.array([], int), np.array([], int), np.array([])
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


def _describe(members: list[Appeal], matrix, idx: np.ndarray, now: datetime | None,
              recent: timedelta) -> Hotspot:
    sub = matrix[idx]
    centrality = np.asarray((sub @ sub.T).sum(axis=1)).ravel()
    central = members[int(np.argmax(centrality))]
    times = [a.received_at for a in members if a.received_at]
    places = Counter(a.place for a in members if a.place)
    names = Counter(n for a in members for n in a.names)
    place = " ".join(p for p in (places.most_common(1)[0][0] if places else "",
                                 names.most_common(1)[0][0] if names else "") if p) or "地点不详"
    growth = 0
    if now is not None:
        latest = sum(1 for t in times if now - recent < t <= now)
        before = sum(1 for t in times if now - 2 * recent < t <= now - recent)
        growth = max(latest - before, 0)
    votes = sum(a.votes for a in members)
    heat = SIZE_WEIGHT * len(members) + growth + math.log2(1 + votes)
    return Hotspot(members, central.title or central.text[:30], place, min(times, default=None),
                   max(times, default=None), votes, growth, round(heat, 2))


def find_hotspots(appeals: list[Appeal], *, now: datetime | None = None, window_days: int | None = None,
                  similarity: float = 0.4, max_gap_days: int = 30, min_size: int = 2,
                  recent_days: int = 7) -> list[Hotspot]:
    """Hotspots among `appeals`, hottest first. `now` defaults to the latest appeal's time; only
    appeals of the last `window_days` before it count (all when None)."""
    dated = [a.received_at for a in appeals if a.received_at]
    now = now or max(dated, default=None)
    if window_days is not None and now is not None:
        start = now - timedelta(days=window_days)
        appeals = [a for a in appeals if a.received_at is None or start <= a.received_at <= now]
    if len(appeals) < min_size:
        return []
    # The title and the opening of the text: where residents say what and where; long
    # narratives after it add cost and noise, not evidence.
    matrix = tfidf_matrix([f"{a.title}\n{a.text[:TEXT_CHARS]}" for a in appeals])
    if len(appeals) >= 50:  # document frequencies mean something only in a crowd
        matrix = drop_common(matrix, max(COMMON_DF, COMMON_MIN_APPEALS / len(appeals)))
    left, right, _ = _similar_pairs(matrix, similarity)
    gap = timedelta(days=max_gap_days)
    keep = np.array([_same_place(appeals[i], appeals[j]) and _close_in_time(appeals[i], appeals[j], gap)
                     for i, j in zip(left, right, strict=True)], dtype=bool)
    n = len(appeals)
    graph = coo_matrix((np.ones(int(keep.sum())), (left[keep], right[keep])), shape=(n, n)) if len(keep) else \
        coo_matrix((n, n))
    _count, labels = connected_components(graph, directed=False)
    groups = [np.flatnonzero(labels == label) for label, size in Counter(labels.tolist()).items()
              if size >= min_size]
    groups = _merge_groups(groups, matrix, appeals, GROUP_SIMILARITY)
    hotspots = [_describe([appeals[i] for i in idx], matrix, idx, now, timedelta(days=recent_days))
                for idx in groups]
    return sorted(hotspots, key=lambda h: (-h.heat, -h.size, h.title))


def _merge_groups(groups: list[np.ndarray], matrix, appeals: list[Appeal], threshold: float) -> list[np.ndarray]:
    """Join groups about the same problem and place that the pairwise links left apart — one issue
    raised again after a quiet month, or worded two ways: their centroids are similar and their
    places agree."""
    if len(groups) < 2:
        return groups
    rows = [csr_matrix(np.full((1, len(idx)), 1.0 / len(idx))) @ matrix[idx] for idx in groups]
    centroids = normalize(vstack(rows).tocsr())
    similar = (centroids @ centroids.T).tocoo()
    places = [{appeals[i].place for i in idx if appeals[i].place} for idx in groups]
    grams = [set().union(*(appeals[i].grams for i in idx)) for idx in groups]
    links = [(i, j) for i, j, v in zip(similar.row, similar.col, similar.data, strict=True)
             if i < j and v >= threshold
             and not (places[i] and places[j] and not places[i] & places[j])
             and not (grams[i] and grams[j] and not grams[i] & grams[j])]
    if not links:
        return groups
    n = len(groups)
    graph = coo_matrix((np.ones(len(links)), tuple(np.array(links).T)), shape=(n, n))
    _count, labels = connected_components(graph, directed=False)
    merged: dict[int, list[np.ndarray]] = {}
    for idx, label in zip(groups, labels, strict=True):
        merged.setdefault(int(label), []).append(idx)
    return [np.concatenate(parts) for parts in merged.values()]


def _int(value: str | None) -> int:
    try:
        return int(float(value or 0))
    except ValueError:
        return 0


def appeals_from_rows(rows: Iterable[dict[str, str]]) -> list[Appeal]:
    """Rows with id, title, text (or content), received_at, likes, dislikes (all optional but text)."""
    appeals = []
    for number, row in enumerate(rows, start=1):
        text = (row.get("text") or row.get("content") or "").strip()
        title = (row.get("title") or "").strip()
        if not text and not title:
            continue
        district = DISTRICT_RE.search(f"{title} {text}")
        appeals.append(Appeal(id=(row.get("id") or str(number)).strip(), title=title, text=text,
                              received_at=parse_received_at(row.get("received_at")),
                              place=district.group(0) if district else "",
                              likes=_int(row.get("likes")), dislikes=_int(row.get("dislikes"))))
    return appeals


def appeals_from_csv(path: str | Path) -> list[Appeal]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return appeals_from_rows(csv.DictReader(fh))


# The bound on what one pass compares (docs/scale.md): the grouping compares appeals pairwise, and a
# hotspot is one place's, so each street's appeals are grouped on their own, its newest ones at most.
STREET_POOL = 2000


def current_hotspots(now: datetime | None = None, *, days: int = 30, limit: int = 10,
                     district_id: int | None = None) -> list[Hotspot]:
    """Hotspots among the tickets received in the last `days` days (merged duplicates included:
    each is one more resident speaking of the problem), street by street — the newest `STREET_POOL` of
    each street (appeals with no street are one more pool). With `district_id`, that district's tickets only
    (docs/levels.md); None: the whole city. Cached until those tickets change."""
    from django.core.cache import cache
    from django.db.models import Count, Max, Sum
    from django.db.models.functions import Left

    from youhu import clock
    from youhu.tickets.models import CloseReason, Ticket

    now = now or clock.now()
    tickets = (Ticket.objects.filter(created_at__gt=now - timedelta(days=days), created_at__lte=now)
               .exclude(close_reason=CloseReason.REJECTED))
    if district_id is not None:
        tickets = tickets.filter(district_id=district_id)
    # A fingerprint of what the grouping reads: new or rejected tickets and corrected streets change it
    # (a change bumps the version); one aggregate, not the window's rows.
    seen = tickets.aggregate(n=Count("pk"), last=Max("pk"), versions=Sum("version"), streets=Sum("street_id"))
    fingerprint = hashlib.sha1(repr(sorted(seen.items())).encode()).hexdigest()
    scope = "city" if district_id is None else district_id
    key = f"dispatch:hotspots:{scope}:{days}:{limit}:{now:%Y%m%d%H%M}:{fingerprint}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = (tickets.order_by("-created_at", "-pk")
            .values_list("number", "title", "created_at", "street__name", Left("content", TEXT_CHARS)))
    pools: dict[str, list[Appeal]] = {}
    for number, title, created_at, street, text in rows.iterator(chunk_size=5000):
        pool = pools.setdefault(street or "", [])
        if len(pool) < STREET_POOL:
            pool.append(Appeal(id=number, title=title, text=text, received_at=created_at, place=street or ""))
    found = [h for pool in pools.values() for h in find_hotspots(pool, now=now)]
    found = sorted(found, key=lambda h: (-h.heat, -h.size, h.title))[:limit]
    cache.set(key, found, timeout=600)
    return found
