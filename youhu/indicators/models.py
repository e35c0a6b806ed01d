"""The zone's evaluation index (数字经济评价指标体系): a versioned indicator tree, the entities evaluated,
periods, the values entered for them, and score runs that keep the tree version they were computed with."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from youhu.directory.models import Area, Unit
from youhu.enterprise.models import Building


class Direction(models.TextChoices):
    HIGHER = "higher", "越高越好"
    LOWER = "lower", "越低越好"


class Source(models.TextChoices):
    COMPANY = "company", "企业报送"
    UNIT = "unit", "单位填报"
    PLATFORM = "platform", "平台数据自动计算"


class PeriodKind(models.TextChoices):
    YEAR = "year", "年度"
    QUARTER = "quarter", "季度"


class TreeVersion(models.Model):
    """One version of the indicator tree. A change makes a new version; the old stays as it was, with the
    score runs computed on it. The newest version is the one in force."""

    number = models.PositiveIntegerField(unique=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-number"]
        verbose_name = verbose_name_plural = "指标体系版本"

    def __str__(self) -> str:
        return f"第 {self.number} 版"


class Dimension(models.Model):
    version = models.ForeignKey(TreeVersion, on_delete=models.CASCADE, related_name="dimensions")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=64)
    weight = models.FloatField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_dimension_per_version")]
        verbose_name = verbose_name_plural = "评价维度"

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    # Values are keyed by code, so they outlive the tree version that first named the indicator.
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=64)
    unit_of_measure = models.CharField(max_length=16)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    weight = models.FloatField(help_text="维度内权重，同一维度内合计为 1")
    source = models.CharField(max_length=16, choices=Source.choices)
    period_kind = models.CharField(max_length=8, choices=PeriodKind.choices, default=PeriodKind.YEAR)
    # For source=platform: the key of the figure computed from Youhu's own data (indicators.auto.FIGURES).
    auto_key = models.CharField(max_length=32, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dimension__order", "order", "code"]
        verbose_name = verbose_name_plural = "评价指标"

    def __str__(self) -> str:
        return f"{self.name}（{self.unit_of_measure}）"

    @property
    def higher_is_better(self) -> bool:
        return self.direction == Direction.HIGHER


class Entity(models.Model):
    """What is evaluated: a park, a building, a street of the zone, or a peer zone elsewhere."""

    class Kind(models.TextChoices):
        PARK = "park", "园区"
        BUILDING = "building", "楼宇"
        STREET = "street", "街道"
        PEER = "peer", "对标园区"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Links to Youhu's own data, for the figures computed automatically (none for a peer zone).
    building = models.ForeignKey(Building, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The unit that fills this entity's unit-reported figures.
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = verbose_name_plural = "评价对象"

    def __str__(self) -> str:
        return self.name


class Period(models.Model):
    code = models.CharField(max_length=8, unique=True, help_text="2025 或 2025Q3")
    kind = models.CharField(max_length=8, choices=PeriodKind.choices)
    start = models.DateField()
    end = models.DateField(help_text="含当日")
    deadline = models.DateField(null=True, blank=True, help_text="单位填报截止日期")

    class Meta:
        ordering = ["start", "kind"]
        verbose_name = verbose_name_plural = "评价期"

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.QUARTER:
            return f"{self.code[:4]}年第{self.code[-1]}季度"
        return f"{self.code}年"


class Value(models.Model):
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="values")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="values")
    indicator_code = models.CharField(max_length=32)
    value = models.FloatField()
    source = models.CharField(max_length=16)  # import / form / auto / demo
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "period", "indicator_code"],
                                               name="one_value_per_entity_period_indicator")]
        verbose_name = verbose_name_plural = "指标数据"

    def __str__(self) -> str:
        return f"{self.entity_id}/{self.period_id}/{self.indicator_code} = {self.value}"


class ScoreRun(models.Model):
    """A computed index for a period, with everything it was computed from (in `result`, the tree as it
    was, the values and every normalised figure), so that it can be traced and never changes afterwards."""

    version = models.ForeignKey(TreeVersion, on_delete=models.PROTECT, related_name="runs")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="runs")
    method = models.CharField(max_length=8)  # asked for
    method_used = models.CharField(max_length=8)
    result = models.JSONField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "评分记录"

    def __str__(self) -> str:
        return f"{self.period_id} · {self.method} · {self.created_at:%Y-%m-%d %H:%M}"
