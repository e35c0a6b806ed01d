"""答复质量: score a unit's reply 0-100 on relevance, completeness and timeliness, with reasons.

- relevance: does the reply speak to what and where the appeal asked? Share of the appeal's key terms
  (jieba TF-IDF keywords) and place names found in the reply (a term counts when most of its character
  bigrams appear, so 景蓉华苑 / 景蓉花苑 match), plus the TF-IDF cosine of the two texts.
- completeness: the four parts of a good 12345 reply — what was found (核查情况), what was done (处理
  措施), the legal or policy basis (依据), a contact or next step (联系方式/后续安排) — each detected by
  patterns and weighted; a very short reply is capped.
- timeliness: on time against the reply deadline, decaying per working day late; for files without a
  deadline, by calendar days between receipt and reply.
The weights live in this module's constants and are documented in docs/reply-quality.md.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction

from youhu import clock
from youhu.taxonomy.models import AppealType
from youhu.tickets import services
from youhu.tickets.models import Status, Ticket
from youhu.workdays import calendar

from .models import ReplyCheck

WEIGHTS = {"relevance": 0.4, "completeness": 0.4, "timeliness": 0.2}
DEFAULT_THRESHOLD = 50.0
SHORT_REPLY = 40  # characters; below this a reply cannot be complete

# element -> (label for reasons, weight, pattern)
ELEMENTS: dict[str, tuple[str, float, re.Pattern[str]]] = {
    "found": ("核查情况", 0.30, re.compile(
        r"经(过)?(核查|核实|调查|了解|查|现场|实地|研究|排查)|调查(核实|了解|处理)|现场(查看|核查|勘查|勘察|检查|走访)"
        r"|核查情况|情况如下|据了解|查明|得知|经联系|实地(查看|察看|走访)|(核实|了解|调查)(到|发现)|反映的(问题|情况)(属实|不属实)")),
    "done": ("处理措施", 0.35, re.compile(
        r"已(经)?(安排|责令|督促|要求|完成|整改|处理|清理|修复|落实|联系|协调|维修|拆除|查处|下发|恢复|解决|办理|约谈|告知|制定|启动|开展|对)"
        r"|责令|督促|限期|整改|予以|将于|正在|立即|拟于|计划于|已于|及时(处理|解决)")),
    "basis": ("政策法规依据", 0.15, re.compile(
        r"根据|依据|按照|依照|《[^》]{2,40}》|规定|条例|办法|政策|文件精神|相关法律|标准")),
    "contact": ("联系方式或后续安排", 0.20, re.compile(
        r"联系电话|咨询电话|联系人|电话[:：]?\s*\d|\d{3,4}-\d{7,8}|(?<!\d)1\d{10}(?!\d)|(?<!\d)\d{7,8}(?!\d)"
        r"|如有(疑问|问题|异议|需要)|可(致电|联系|拨打|咨询|前往|到|向)|欢迎.{0,8}监督|下一步|后续|跟踪|持续关注")),
}

# Place names: split the text at punctuation and function characters, then take words ending in a
# place suffix (潇楚南路, 景蓉华苑, 含浦镇). Generic words (小区, 社区) need a name of 3+ characters before them.
NAME_BREAK = re.compile(r"[^\u4e00-\u9fa5A-Za-z0-9]|[的在了是我你他她们和与及对把被从向到为请问有没要想能会就都也还很又"
                        r"这那个些里上下中位于关于反映投诉希望建议咨询]")
PLACE_RE = re.compile(r"(?:[A-Z]\d*[市区县])?([\u4e00-\u9fa5]{1,6}?(?:街道|社区|小区|花园|家园|新村|公寓|大厦|广场"
                      r"|市场|大道|路|街|巷|村|镇|乡|苑|湾|山庄))")
ADMIN_PREFIX = re.compile(r"[A-Z]\d*[市区县]")
GENERIC_PLACE = ("街道", "社区", "小区", "新村", "公寓", "市场", "广场", "马路", "公路", "道路", "农村", "乡村")
MAX_PLACES = 3

# Consultations (咨询) are answered with the policy and where to go, not with an inspection.
CONSULT_RE = re.compile(r"咨询|请问|能否|是否|可否|怎么办|如何|吗[？?]?$|吗？")
CONSULT_WEIGHTS = {"found": 0.10, "done": 0.20, "basis": 0.40, "contact": 0.30}

log = logging.getLogger(__name__)


@dataclass
class ReplyScore:
    score: float
    relevance: float
    completeness: float
    timeliness: float | None
    reasons: list[str] = field(default_factory=list)
    elements: dict[str, bool] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "relevance": self.relevance, "completeness": self.completeness,
                "timeliness": self.timeliness, "reasons": self.reasons}


def warm_up() -> None:
    """Load jieba's dictionary (once per process, it takes a while), e.g. before opening a transaction."""
    _jieba()


@lru_cache(maxsize=1)
def _jieba():
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba, jieba.analyse


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _mentions(term: str, reply: str, reply_bigrams: set[str]) -> bool:
    """The term is in the reply, or at least half of its character bigrams are (spelling variants)."""
    if term in reply:
        return True
    grams = _bigrams(term)
    return len(grams) >= 2 and len(grams & reply_bigrams) / len(grams) >= 0.5


def _tfidf_cosine(a: str, b: str) -> float:
    jieba, analyse = _jieba()
    idf, median = analyse.default_tfidf.idf_freq, analyse.default_tfidf.median_idf

    def vector(text: str) -> dict[str, float]:
        counts = Counter(w for w in jieba.cut(text) if len(w.strip()) > 1)
        return {w: (1 + math.log(n)) * idf.get(w, median) for w, n in counts.items()}

    va, vb = vector(a), vector(b)
    dot = sum(v * vb.get(w, 0.0) for w, v in va.items())
    norm = math.sqrt(sum(v * v for v in va.values())) * math.sqrt(sum(v * v for v in vb.values()))
    return dot / norm if norm else 0.0


def _places_in(text: str) -> list[str]:
    found: list[str] = []
    for chunk in NAME_BREAK.split(text):
        for name in PLACE_RE.findall(chunk):
            generic = next((g for g in GENERIC_PLACE if name.endswith(g)), None)
            if len(name) < 3 or (generic and len(name) - len(generic) < 3) or name in found:
                continue
            found.append(name)
    return found


def appeal_places(title: str, text: str) -> list[str]:
    """Up to three place names the appeal is about: the title's first, then the opening of the text."""
    candidates = _places_in(title) + _places_in(text[:300])
    # Keep the shortest spelling when one name contains another (回沙田镇 -> 沙田镇).
    unique = [p for p in candidates if not any(q != p and q in p for q in candidates)]
    return list(dict.fromkeys(unique))[:MAX_PLACES]


def is_consultation(title: str, text: str = "") -> bool:
    return bool(CONSULT_RE.search(title) or CONSULT_RE.search(text[:60]))


def relevance(title: str, text: str, reply: str, reasons: list[str]) -> float:
    _jieba_mod, analyse = _jieba()
    # District codes (A3区, 海珠区) are where every appeal is; a reply need not repeat them.
    appeal = ADMIN_PREFIX.sub(" ", f"{title}\n{text}")
    reply_grams = _bigrams(reply)
    keywords = [(w, wt) for w, wt in analyse.extract_tags(appeal, topK=12, withWeight=True) if len(w) > 1]
    total = sum(wt for _w, wt in keywords)
    covered = sum(wt for w, wt in keywords if _mentions(w, reply, reply_grams))
    keyword_share = covered / total if total else 0.0
    # A reply answers the gist, not every word: 60% of the key terms or a cosine of 0.4 is full marks.
    cosine = min(1.0, _tfidf_cosine(appeal, reply) / 0.4)
    places = appeal_places(title, text)
    parts = [(0.5, min(1.0, keyword_share / 0.6)), (0.3, cosine)]
    if places:
        found = [p for p in places if _mentions(p, reply, reply_grams)]
        parts.append((0.2, len(found) / len(places)))
        if not found:
            reasons.append(f"答复未提及诉求所涉地点（{'、'.join(places[:3])}）")
    value = sum(w * v for w, v in parts) / sum(w for w, _v in parts)
    if keyword_share < 0.3:
        missing = [w for w, _wt in keywords if not _mentions(w, reply, reply_grams)][:4]
        reasons.append(f"答复与诉求内容关联弱，未回应：{'、'.join(missing)}")
    return round(value, 3)


def completeness(reply: str, reasons: list[str], *, consultation: bool = False) -> tuple[float, dict[str, bool]]:
    present = {key: bool(pattern.search(reply)) for key, (_label, _w, pattern) in ELEMENTS.items()}
    weights = CONSULT_WEIGHTS if consultation else {key: w for key, (_l, w, _p) in ELEMENTS.items()}
    value = sum(weights[key] for key in ELEMENTS if present[key])
    missing = [label for key, (label, _w, _p) in ELEMENTS.items() if not present[key]]
    if missing:
        reasons.append(f"缺少{'、'.join(missing)}")
    length = len(reply.strip())
    if length < SHORT_REPLY:
        value = min(value, 0.3 * length / SHORT_REPLY)
        reasons.append(f"答复过于简短（{length} 字）")
    return round(value, 3), present


def timeliness_against_due(replied_at: datetime, reply_due: datetime | None) -> tuple[float | None, str | None]:
    """1.0 on time; minus 0.2 per working day late (0 after five)."""
    if reply_due is None:
        return None, None
    if replied_at <= reply_due:
        return 1.0, None
    late = max(1, calendar.working_days_between(reply_due, replied_at))
    return max(0.0, 1.0 - 0.2 * late), f"超过办结时限 {late} 个工作日"


def timeliness_by_days(days: float | None) -> tuple[float | None, str | None]:
    """No deadline known (historic files): full marks within 21 calendar days (≈15 working days),
    falling linearly to 0 at 90 days."""
    if days is None:
        return None, None
    if days < 0:
        return None, "答复时间早于诉求时间，无法判断时效"
    if days <= 21:
        return 1.0, None
    value = max(0.0, 1.0 - (days - 21) / 69)
    return value, (f"答复用时 {days:.0f} 天" if value < 0.99 else None)


def score_reply(title: str, text: str, reply: str, *, timeliness: tuple[float | None, str | None] = (None, None),
                consultation: bool | None = None) -> ReplyScore:
    """The combined 0-100 score; a missing timeliness is left out and the other weights rescaled."""
    reasons: list[str] = []
    reply = (reply or "").strip()
    if consultation is None:
        consultation = is_consultation(title, text)
    rel = relevance(title, text, reply, reasons) if reply else 0.0
    comp, present = completeness(reply, reasons, consultation=consultation)
    timely, why = timeliness
    if why:
        reasons.append(why)
    parts = {"relevance": rel, "completeness": comp}
    if timely is not None:
        parts["timeliness"] = timely
    total = sum(WEIGHTS[k] * v for k, v in parts.items()) / sum(WEIGHTS[k] for k in parts)
    return ReplyScore(score=round(100 * total, 1), relevance=rel, completeness=comp, timeliness=timely,
                      reasons=reasons, elements=present)


def reply_threshold() -> float:
    return float(getattr(settings, "YOUHU", {}).get("REPLY_QUALITY_THRESHOLD", DEFAULT_THRESHOLD))


def check_reply(ticket: Ticket, now: datetime | None = None) -> ReplyCheck:
    """Score the ticket's reply; below the threshold, hold it back for a supervisor (withhold_reply).

    Call in the transaction of tickets.services.reply() (`supervision.flows.reply_with_check` does), so
    that no one sees the reply before the check has held it. Stores a ReplyCheck either way.
    """
    now = now or clock.now()
    timely = timeliness_against_due(ticket.replied_at or now, ticket.reply_due)
    result = score_reply(ticket.title, ticket.content, ticket.reply_text, timeliness=timely,
                         consultation=ticket.appeal_type == AppealType.CONSULT)
    threshold = reply_threshold()
    flagged = result.score < threshold
    with transaction.atomic():
        check = ReplyCheck.objects.create(
            ticket=ticket, checked_at=now, reply_text=ticket.reply_text, score=result.score,
            relevance=result.relevance, completeness=result.completeness,
            timeliness=result.timeliness,
            reasons=result.reasons, threshold=threshold, flagged=flagged)
        if flagged and ticket.status == Status.REPLIED and not ticket.reply_withheld:
            why = f"答复质量得分 {result.score:.0f}，低于 {threshold:.0f} 分：{'；'.join(result.reasons) or '综合得分偏低'}"
            services.withhold_reply(ticket, by=None, reason=why[:2000], now=now)
    return check


def check_unchecked_replies() -> tuple[int, int]:
    """Run the check on every replied ticket that has none yet (backfill, demo): (checked, flagged)."""
    tickets = (Ticket.objects.filter(status=Status.REPLIED, replied_at__isnull=False)
               .exclude(pk__in=ReplyCheck.objects.values("ticket_id")).order_by("replied_at"))
    checked = flagged = 0
    for ticket in tickets.iterator(chunk_size=200):
        check = check_reply(ticket, now=ticket.replied_at)
        checked += 1
        flagged += check.flagged
    return checked, flagged


def latest_checks(ticket_ids: list[int]) -> dict[int, ReplyCheck]:
    """The newest check of each ticket (one query)."""
    checks: dict[int, ReplyCheck] = {}
    for check in ReplyCheck.objects.filter(ticket_id__in=ticket_ids).order_by("ticket_id", "-checked_at", "-id"):
        checks.setdefault(check.ticket_id, check)
    return checks
