"""What smart dispatch remembers: its suggestion for each ticket, the dispatchers' decisions as
labelled examples for the next training run, and the place-based routing rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from youhu.directory.models import Area, Unit
from youhu.taxonomy.models import Category
from youhu.tickets.models import Ticket


class Suggestion(models.Model):
    """The outcome of one triage of a ticket: classification, location, route and what was done."""

    class Outcome(models.TextChoices):
        AUTO_DISPATCHED = "auto", "已自动派单"
        QUEUED = "queued", "待人工派单"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="dispatch_suggestions")
    created_at = models.DateTimeField(db_index=True)
    model_version = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=64, blank=True, help_text="最可能的一级分类")
    confidence = models.FloatField(null=True, blank=True)
    # [{"label", "confidence", "category_id", "unit_id", "unit_name"}] best first
    top = models.JSONField(default=list, blank=True)
    terms = models.JSONField(default=list, blank=True, help_text="支持该分类的关键词")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name="建议承办单位")
    route_reason = models.CharField(max_length=200, blank=True)
    location_note = models.CharField(max_length=200, blank=True)
    # [{"ticket_id", "number", "title", "score"}] best first
    duplicates = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    hold_reason = models.CharField(max_length=200, blank=True, help_text="未自动派单的原因")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "派单建议"

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.label} {self.confidence or 0:.2f}"


class LabelledExample(models.Model):
    """A text with the first-level category a person decided on: training data for the classifier."""

    class Source(models.TextChoices):
        CONFIRMED = "confirmed", "派单员确认建议"
        CORRECTED = "corrected", "派单员更正建议"
        RETURN_CORRECTION = "return_correction", "退单后改派"
        TRANSFER = "transfer", "转派更正"

    text = models.TextField()
    label = models.CharField(max_length=64)
    suggested_label = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=24, choices=Source.choices)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="labelled_examples")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "标注样本"

    def __str__(self) -> str:
        return f"{self.label}: {self.text[:30]}"


class RoutingRule(models.Model):
    """Overrides the taxonomy's default unit for a category, optionally only in one street.

    Without a matching rule a category goes to its default unit, or — when marked local — to the
    office of the street the appeal is in. The most specific rule wins: nearest category, then a
    rule for the street before one for the whole district.
    """

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing_rules")
    street = models.ForeignKey(Area, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               limit_choices_to={"kind": Area.Kind.STREET}, help_text="空 = 全区")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="routing_rules")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "street"], name="unique_routing_rule")]
        verbose_name = verbose_name_plural = "派单规则"

    def __str__(self) -> str:
        return f"{self.category} @ {self.street or '全区'} → {self.unit}"


class TriageLease(models.Model):
    """A triage worker is triaging this ticket now (in a batch): others leave it alone until `until`.

    The queue delivers every ticket's own task; a worker also takes the tickets waiting behind its own into
    one batch, and with several workers (threads, processes, machines) the lease keeps two batches from
    triaging the same ticket twice. A crashed worker's leases run out; the sweeper re-queues its tickets."""

    ticket = models.OneToOneField(Ticket, primary_key=True, on_delete=models.CASCADE, related_name="+")
    holder = models.CharField(max_length=32)
    until = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "分拣租约"

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.holder} ({self.until:%H:%M:%S})"


class LabelReview(models.Model):
    """A training example whose label the model disputed (`youhu model audit --save`), and a person's
    decision on it: keep the given label or correct it. A correction overrides that example's label in
    every later `youhu model train`. Keyed by the text as training reads it (its SHA-256), so the
    shared file's rows need no ids of their own."""

    class Status(models.TextChoices):
        PENDING = "pending", "待复核"
        CONFIRMED = "confirmed", "原标注正确"
        CORRECTED = "corrected", "已更正"

    text_hash = models.CharField(max_length=64)
    text = models.TextField(help_text="训练所用的规范化文本")
    source = models.CharField(max_length=120, blank=True, help_text="训练数据来源")
    given_label = models.CharField(max_length=64)
    suggested_label = models.CharField(max_length=64)
    confidence = models.FloatField(help_text="模型对建议分类的概率（交叉验证）")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    corrected_label = models.CharField(max_length=64, blank=True)
    found_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-confidence", "id"]
        verbose_name = verbose_name_plural = "标注复核"
        constraints = [
            models.UniqueConstraint(fields=["text_hash", "given_label"], name="dispatch_labelreview_unique_text"),
        ]

    def __str__(self) -> str:
        return f"{self.given_label} → {self.suggested_label}: {self.text[:30]}"
