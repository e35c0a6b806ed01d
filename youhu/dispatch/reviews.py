"""Label review: an admin confirms or corrects the training labels the model disputes.

`youhu model audit --save` stores the audit's findings (classifier/audit.py) as pending LabelReview
rows; the review screen (views.label_reviews) decides them here; `youhu model train` reads the
corrections back through `label_overrides` and trains on the corrected label.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from django.db import transaction

from youhu.directory.models import Role, User
from youhu.tickets.errors import InvalidInput, InvalidTransition, NotAllowed

from .models import LabelReview


class Finding(Protocol):
    """What the audit reports (classifier.audit.Finding; not imported: training reads this module)."""

    text: str
    text_hash: str
    given: str
    suggested: str
    confidence: float


# Who may change training labels: they steer every later automatic dispatch.
REVIEWER_ROLES = (Role.ADMIN,)


def may_review(user: User) -> bool:
    return bool(user.is_authenticated and user.has_role(*REVIEWER_ROLES))


def save_findings(findings: Iterable[Finding], *, source: str, now: datetime) -> tuple[int, int]:
    """Store new findings as pending; refresh the figures of ones still pending; never reopen a decided
    one (a person's decision outlives the next audit). Returns (created, refreshed)."""
    created = refreshed = 0
    with transaction.atomic():
        for f in findings:
            review, new = LabelReview.objects.get_or_create(
                text_hash=f.text_hash, given_label=f.given,
                defaults={"text": f.text, "source": source, "suggested_label": f.suggested,
                          "confidence": f.confidence, "found_at": now},
            )
            if new:
                created += 1
            elif review.status == LabelReview.Status.PENDING:
                review.suggested_label, review.confidence, review.found_at = f.suggested, f.confidence, now
                review.save(update_fields=["suggested_label", "confidence", "found_at"])
                refreshed += 1
    return created, refreshed


def pending() -> list[LabelReview]:
    return list(LabelReview.objects.filter(status=LabelReview.Status.PENDING))


def decide(review: LabelReview, *, label: str, by: User, now: datetime, labels: Iterable[str]) -> LabelReview:
    """Keep the given label (label == given) or correct it to `label`, one of `labels` (the model's classes)."""
    if not may_review(by):
        raise NotAllowed("只有管理员可以复核训练标注")
    label = (label or "").strip()
    allowed = set(labels) | {review.given_label, review.suggested_label}
    if label not in allowed:
        raise InvalidInput(f"未知的分类：{label or '（空）'}", field="label")
    with transaction.atomic():
        # Claim the row only while still pending: two reviewers at once cannot both decide it.
        decided = LabelReview.objects.filter(pk=review.pk, status=LabelReview.Status.PENDING).update(
            status=LabelReview.Status.CONFIRMED if label == review.given_label else LabelReview.Status.CORRECTED,
            corrected_label="" if label == review.given_label else label,
            decided_by=by, decided_at=now,
        )
    if not decided:
        raise InvalidTransition("该条标注已被复核")
    review.refresh_from_db()
    return review


def label_overrides(before: datetime | None = None) -> dict[tuple[str, str], str]:
    """{(text hash, given label): corrected label} for every corrected review (decided by `before`, if
    given): what training applies."""
    corrected = LabelReview.objects.filter(status=LabelReview.Status.CORRECTED)
    if before is not None:
        corrected = corrected.filter(decided_at__lte=before)
    return {
        (h, given): label
        for h, given, label in corrected.values_list("text_hash", "given_label", "corrected_label")
    }
