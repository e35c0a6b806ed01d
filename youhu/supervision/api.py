"""/api/supervision: scorecards, the monthly ranking, overdue and held replies (read-only, supervisors)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from youhu.access.auth import api_auth
from youhu.directory.models import Area, Unit
from youhu.taxonomy.models import Category
from youhu.tickets.errors import InvalidInput

from . import selectors
from .metrics import month_period, scorecard
from .ranking import district_ranking, monthly_ranking
from .reply_quality import latest_checks

router = Router(auth=api_auth, tags=["supervision"])
VIEWERS = ("supervisor", "admin", "unit_head")


def _viewer(request: HttpRequest):
    user = request.auth
    if not user.has_role(*VIEWERS):
        raise HttpError(403, "无权查看督查督办数据")
    return user


def _get(model, pk: int | None, field: str):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise InvalidInput(f"不存在 id={pk}", field=field)
    return obj


class ScorecardOut(Schema):
    month: str
    unit: int | None
    category: int | None
    street: int | None
    figures: dict[str, float | int | None]
    figures_at: datetime | None = Field(None, description="汇总表的更新时间（数据截至）；为空表示实时统计")


class RankRow(Schema):
    unit: int
    unit_name: str
    rank: int | None
    score: float | None
    previous_rank: int | None
    score_change: float | None
    received: int


class RankingOut(Schema):
    month: str
    min_volume: int
    weights: dict[str, float]
    ranked: list[RankRow]
    insufficient: list[RankRow]
    figures_at: datetime | None = Field(None, description="汇总表的更新时间（数据截至）；为空表示实时统计")


class HeldReply(Schema):
    number: str
    title: str
    unit: str | None
    reply: str
    score: float | None
    reasons: list[str]


def _rank_row(row) -> RankRow:
    return RankRow(unit=row.unit.pk, unit_name=row.unit.name, rank=row.rank, score=row.score,
                   previous_rank=row.previous_rank, score_change=row.score_change, received=row.card.received)


@router.get("/metrics", response=ScorecardOut, summary="某月的考核指标（可按单位含下级、分类、街道筛选）")
def metrics(request: HttpRequest, month: str, unit: int | None = None, category: int | None = None,
            street: int | None = None):
    user = _viewer(request)
    unit_obj = _get(Unit, unit, "unit")
    if not user.has_role("supervisor", "admin"):
        own = user.unit.subtree_ids() if user.unit else []
        if unit_obj is None or unit_obj.pk not in own:
            raise HttpError(403, "单位负责人只能查看本单位及下级单位的指标")
    card = scorecard(month_period(month), unit=unit_obj, category=_get(Category, category, "category"),
                     street=_get(Area, street, "street"), district=user.district)
    return ScorecardOut(month=month, unit=unit, category=category, street=street, figures=card.as_dict(),
                        figures_at=card.refreshed_at)


def _ranking_out(month: str, table) -> RankingOut:
    return RankingOut(month=month, min_volume=table.min_volume, weights=table.weights,
                      ranked=[_rank_row(r) for r in table.ranked],
                      insufficient=[_rank_row(r) for r in table.insufficient], figures_at=table.refreshed_at)


@router.get("/ranking", response=RankingOut, summary="某月考核排名（区级人员：本区单位）")
def ranking(request: HttpRequest, month: str):
    user = _viewer(request)
    # Each district ranks its own units.
    return _ranking_out(month, monthly_ranking(month_period(month), district=user.district))


@router.get("/districts", response=RankingOut,
            summary="某月各区考核排名（市级，docs/levels.md；unit 字段为区的 id 与名称）")
def districts(request: HttpRequest, month: str):
    user = _viewer(request)
    if user.district_id is not None:
        raise HttpError(403, "只有市级人员可以查看各区排名")
    return _ranking_out(month, district_ranking(month_period(month)))


@router.get("/overdue", summary="超期未办结工单数（按单位）")
def overdue(request: HttpRequest):
    district_id = _viewer(request).district_id  # a district's staff: their district's only
    return {"total": selectors.overdue_tickets(district_id=district_id).count(),
            "by_unit": [{"unit": r["main_unit_id"], "unit_name": r["main_unit__name"], "count": r["n"]}
                        for r in selectors.overdue_by_unit(district_id=district_id)]}


@router.get("/replies/held", response=list[HeldReply], summary="因答复质量暂缓公开的答复")
def held_replies(request: HttpRequest):
    user = _viewer(request)
    if not user.has_role("supervisor", "admin"):
        raise HttpError(403, "只有督办员可以查看暂缓公开的答复")
    tickets = list(selectors.withheld_replies(district_id=user.district_id)[:200])
    checks = latest_checks([t.pk for t in tickets])
    return [HeldReply(number=t.number, title=t.title, unit=str(t.main_unit) if t.main_unit else None,
                      reply=t.reply_text, score=checks[t.pk].score if t.pk in checks else None,
                      reasons=checks[t.pk].reasons if t.pk in checks else []) for t in tickets]
