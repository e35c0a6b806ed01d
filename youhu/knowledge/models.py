"""Knowledge base entries (知识库): ready answers a dispatcher gives at once (直接答复) instead of dispatching."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone


class EntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """A bulk update stamps `updated_at` as save() does (auto_now, timezone.now): the search index is
        keyed on the newest stamp (knowledge.search), and a changed question must refit it."""
        kwargs.setdefault("updated_at", timezone.now())
        return super().update(**kwargs)

    update.alters_data = True


class Entry(models.Model):
    question = models.CharField("问题", max_length=200, unique=True)
    answer = models.TextField("答复口径")
    category = models.CharField("类别", max_length=64, blank=True)
    policy_source = models.CharField("政策依据", max_length=200, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True, help_text="留空表示长期有效")
    active = models.BooleanField("启用", default=True)
    # Where a demo entry came from ("demo", "shared"), or "import" / "admin"; the index is keyed on updated_at.
    origin = models.CharField("来源", max_length=16, default="admin", editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = "知识条目"
        verbose_name_plural = "知识库"
        ordering = ["category", "question"]

    def __str__(self) -> str:
        return self.question

    def valid_on(self, day: date) -> bool:
        return self.active and (self.valid_until is None or self.valid_until >= day)
