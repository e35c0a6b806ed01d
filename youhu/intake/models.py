"""Intake bookkeeping: idempotent POST replays and hotline import batches."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The first answer to a POST carrying an Idempotency-Key, replayed for repeats of that request."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key_per_user")]
        verbose_name = verbose_name_plural = "幂等请求记录"

    def __str__(self) -> str:
        return self.key


class ImportBatch(models.Model):
    """One run of the hotline import, with its counts and the line-by-line report (every record's outcome)."""

    file_name = models.CharField(max_length=255)
    channel = models.CharField(max_length=16)
    source = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0, help_text="已导入过，跳过")
    rejected_count = models.PositiveIntegerField(default=0)
    implausible_count = models.PositiveIntegerField(default=0, help_text="存疑（不像真实诉求），未导入")
    line_count = models.PositiveIntegerField(default=0, help_text="文件的物理行数，含表头")
    blank_lines = models.PositiveIntegerField(default=0)
    summary = models.CharField(max_length=300, blank=True, help_text="每一行的去向")
    report_csv = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = verbose_name_plural = "导入批次"

    def __str__(self) -> str:
        return f"{self.file_name} {self.started_at:%Y-%m-%d %H:%M}"

