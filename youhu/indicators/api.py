"""JSON: a period's index (session login; supervisors and leaders), the same figures the ranking page shows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.security import django_auth

from . import periods, scoring, selectors, services

router = Router(auth=django_auth, tags=["indicators"])


@router.get("/ranking")
def indicators_ranking(request: HttpRequest, period: str, weights: str = scoring.GIVEN) -> dict[str, Any]:
    """Entities best first with index, rank, how many indicators it was computed on, dimension sub-scores,
    raw and normalised values and the weights used; `run` is null when computed now (no run kept yet)."""
    if not services.can_view(request.user):
        raise HttpError(403, "无权查看评价指数")
    if weights not in scoring.METHODS:
        raise HttpError(400, "weights 应为 given 或 entropy")
    result, run = selectors.result_for(periods.find(period), weights)
    return {**result, "entities": selectors.ranked(result),
            "run": None if run is None else {"id": run.pk, "created_at": run.created_at.isoformat()}}
