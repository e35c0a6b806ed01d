"""The model's staff pages: the label review screen (/dispatch/model/labels/) where an admin decides the
training labels `youhu model audit --save` found disputed (the decisions are made in reviews.py), and the
model health page (/dispatch/model/, computed in health.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from youhu import clock
from youhu.tickets.errors import TicketError

from . import classifier, reviews
from .health import model_health
from .models import LabelReview
from .services import auto_dispatch_threshold


def _model_labels() -> list[str]:
    model = classifier.load_default()
    return list(model.labels) if model is not None else []


@login_required
def label_reviews(request: HttpRequest) -> HttpResponse:
    if not reviews.may_review(request.user):
        raise PermissionDenied("只有管理员可以复核训练标注")
    pending = reviews.pending()
    decided = LabelReview.objects.exclude(status=LabelReview.Status.PENDING).order_by("-decided_at")[:20]
    return render(request, "dispatch/label_reviews.html", {
        "pending": pending, "decided": decided, "labels": _model_labels(),
    })


@login_required
@require_POST
def decide_label(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(LabelReview, pk=pk)
    try:
        decided = reviews.decide(review, label=request.POST.get("label", ""), by=request.user, now=clock.now(),
                                 labels=_model_labels())
    except TicketError as exc:
        if exc.http_status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, f"复核失败：{exc.message}")
        return redirect("dispatch:label_reviews")
    if decided.status == LabelReview.Status.CORRECTED:
        messages.success(request, f"已更正为“{decided.corrected_label}”，下次训练生效")
    else:
        messages.success(request, f"已确认原标注“{decided.given_label}”")
    return redirect("dispatch:label_reviews")


@login_required
def health(request: HttpRequest) -> HttpResponse:
    """The dispatch lead's model health page (admins: the directory has no dispatch-lead role)."""
    if not reviews.may_review(request.user):
        raise PermissionDenied("只有管理员可以查看模型健康")
    model = classifier.load_default()
    training = (model.header.get("training") or {}) if model is not None else {}
    threshold = auto_dispatch_threshold()  # one reading: the page states the threshold its figures used
    report = model_health(clock.now(), threshold=threshold, training_share=training.get("low_confidence_share"))
    return render(request, "dispatch/model_health.html", {
        "health": report, "threshold": threshold, "trained_at": training.get("trained_at"),
        "pending_reviews": LabelReview.objects.filter(status=LabelReview.Status.PENDING).count(),
    })
