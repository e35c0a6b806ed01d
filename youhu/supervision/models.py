"""Supervision data: the ranking's weights (editable by the centre) and each reply's quality check."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from youhu.directory.models import District, Unit
from youhu.tickets.models import Ticket

# metric key -> (label, True if a higher rate is better). The order is the order on pages and sheets.
SCORED_METRICS: dict[str, tuple[str, bool]] = {
    "accept_on_time_rate": ("按时签收率", True),
    "response_rate": ("响应率", True),
    "reply_on_time_rate": ("按时办结率", True),
    "resolution_rate": ("解决率", True),
    "satisfaction_rate": ("满意率", True),
    "return_rate": ("退单率", False),
    "reopen_rate": ("重办率", False),
    "extension_rate": ("延期率", False),
}


def validate_weight_values(weights: dict[str, float]) -> None:
    """Negative weights or weights that add up to nothing make the score meaningless."""
    errors = {}
    for key, value in weights.items():
        if value is None or value < 0:
            errors[f"w_{key}"] = f"{SCORED_METRICS[key][0]}的权重不能为负数"
    if errors:
        raise ValidationError(errors)
    if sum(weights.values()) <= 0:
        raise ValidationError("权重之和必须大于 0：至少给一项指标设置正的权重")


class RankingWeights(models.Model):
    """The composite score's weights. The newest active row is the one in force."""

    name = models.CharField("方案名称", max_length=64, default="默认考核方案")
    active = models.BooleanField("启用", default=True)
    w_accept_on_time_rate = models.FloatField("按时签收率权重", default=10)
    w_response_rate = models.FloatField("响应率权重", default=15)
    w_reply_on_time_rate = models.FloatField("按时办结率权重", default=20)
    w_resolution_rate = models.FloatField("解决率权重", default=25)
    w_satisfaction_rate = models.FloatField("满意率权重", default=20)
    w_return_rate = models.FloatField("退单率权重", default=4)
    w_reopen_rate = models.FloatField("重办率权重", default=4)
    w_extension_rate = models.FloatField("延期率权重", default=2)
    min_volume = models.PositiveIntegerField("最低受理量", default=5,
                                             help_text="当月受理量低于此数的单位列为“样本不足”，不参与排名")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = verbose_name_plural = "考核权重"

    def __str__(self) -> str:
        return self.name

    def weights(self) -> dict[str, float]:
        return {key: getattr(self, f"w_{key}") for key in SCORED_METRICS}

    def clean(self) -> None:
        validate_weight_values(self.weights())

    @classmethod
    def current(cls) -> RankingWeights:
        """The scheme in force; an unsaved default one when the centre has not set any."""
        return cls.objects.filter(active=True).first() or cls()


class ReplyCheck(models.Model):
    """The quality check (答复质量) of one reply, kept so the supervisor sees why it was flagged."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="reply_checks")
    checked_at = models.DateTimeField(db_index=True)
    reply_text = models.TextField()
    score = models.FloatField()
    relevance = models.FloatField()
    completeness = models.FloatField()
    timeliness = models.FloatField(null=True, blank=True, help_text="无办结时限时为空")
    reasons = models.JSONField(default=list)
    threshold = models.FloatField()
    flagged = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = verbose_name_plural = "答复质量检查"

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.score:.0f}"


class DayFigures(models.Model):
    """The scorecard counts of one local day, district and unit: the rollup a month's figures are summed from
    (docs/metrics.md, "The monthly rollup"; filled by rollup.py).

    A row holds the tickets dispatched that day to the unit (`Ticket.main_unit`, in the ticket's district as
    it is now) and the 退单 the unit's users made that day (their tickets' district). 超期件数 is not stored: it
    depends on the time of the report for a ticket still open, so only the late replies are (`late_replied`);
    the open ones are counted when the figures are read. Field names are the scorecard's count keys."""

    day = models.DateField()
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    accepted_on_time = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)
    replied_on_time = models.PositiveIntegerField(default=0)
    reviewed = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    replied_ever = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    late_replied = models.PositiveIntegerField(default=0)  # replied_on_time = false: the stored half of 超期
    # … and its other half for a month that has ended: open and past the deadline at the end of the day's month
    open_late_at_month_end = models.PositiveIntegerField(default=0)
    days_sum = models.PositiveIntegerField(default=0)  # handling working days of the current replies …
    days_n = models.PositiveIntegerField(default=0)  # … and how many replies have them: the mean is exact
    returns = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "district", "unit"])]
        verbose_name = verbose_name_plural = "考核指标日汇总"

    def __str__(self) -> str:
        return f"{self.day} {self.district_id} {self.unit_id}"


class RollupState(models.Model):
    """One row once the rollup was built: how fresh it is, and the last ticket event its refresh has read."""

    built_at = models.DateTimeField()
    refreshed_at = models.DateTimeField(help_text="汇总表反映此时刻的工单状态")
    events_seen = models.BigIntegerField(default=0, help_text="上次更新读到的最大工单事件 id")

    class Meta:
        verbose_name = verbose_name_plural = "考核指标汇总状态"

    def __str__(self) -> str:
        return f"{self.refreshed_at:%Y-%m-%d %H:%M}"
