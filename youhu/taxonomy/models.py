"""Categories (三级分类), deadline rules and routing data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models
from django.db.models import Q, QuerySet

from youhu.directory.models import Unit


class AppealType(models.TextChoices):
    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"
    PRAISE = "praise", "表扬"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class Category(models.Model):
    name = models.CharField(max_length=64)
    level = models.PositiveSmallIntegerField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, unique=True, help_text="一级/二级/三级")
    default_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="default_categories",
        verbose_name="默认主办单位",
    )
    is_local = models.BooleanField(default=False, help_text="属地事项：派给所在街道办")
    is_enterprise = models.BooleanField(default=False, help_text="企业诉求分类")
    public = models.BooleanField(default=True, help_text="市民可选择（Open311 服务）")
    # Whether this category's appeals may be shown to the public (Open311 reads, /open/): masked text, never the
    # appellant. Off for a category switches off its whole subtree (docs/security.md, "What is published").
    published = models.BooleanField(default=True, verbose_name="公开发布",
                                    help_text="该分类（含下级分类）的诉求可（经脱敏后）在 Open311 和开放数据页公开")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = verbose_name_plural = "诉求分类"

    def __str__(self) -> str:
        return self.path

    @property
    def code(self) -> str:
        return f"C{self.pk:04d}"

    def ancestors(self) -> list[Category]:
        """Self first, then each parent up to the root."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    @property
    def root(self) -> Category:
        return self.ancestors()[-1]

    def effective_unit(self) -> Unit | None:
        return next((c.default_unit for c in self.ancestors() if c.default_unit_id), None)

    def effective_is_local(self) -> bool:
        return any(c.is_local for c in self.ancestors())


CATEGORY_DEPTH = 3  # 三级分类: a category has at most two ancestors


def published_categories() -> QuerySet[Category]:
    """Categories whose appeals may be published: itself and every ancestor `published`, none an enterprise one
    (a company's case carries business secrets)."""
    allowed = Q(published=True, is_enterprise=False)
    prefix = ""
    for _ in range(CATEGORY_DEPTH - 1):
        prefix += "parent__"
        allowed &= Q(**{f"{prefix}isnull": True}) | Q(**{f"{prefix}published": True, f"{prefix}is_enterprise": False})
    return Category.objects.filter(allowed)


class DeadlineRule(models.Model):
    """How long a unit has to accept and to reply; the most specific matching rule wins.

    A rule with no category applies to every category; one with no appeal type to every type.
    """

    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="deadline_rules"
    )
    appeal_type = models.CharField(max_length=16, choices=AppealType.choices, blank=True)
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    accept_office_minutes = models.PositiveIntegerField(help_text="签收时限（办公时间分钟）")
    reply_working_days = models.PositiveIntegerField(help_text="办结时限（工作日）")
    remind_before_working_days = models.PositiveIntegerField(default=1, help_text="到期前几个工作日催办")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "appeal_type", "urgency"], name="unique_deadline_rule")
        ]
        verbose_name = verbose_name_plural = "时限规则"

    def __str__(self) -> str:
        scope = self.category.path if self.category else "全部分类"
        return f"{scope} {self.get_appeal_type_display() or '全部类型'} {self.get_urgency_display()}"


class DeadlineRuleMissing(LookupError):
    pass


_remembered: ContextVar[dict[tuple[int | None, str, str], DeadlineRule] | None] = ContextVar(
    "remembered_deadline_rules", default=None)


@contextmanager
def remembered_deadline_rules() -> Iterator[None]:
    """Inside this block deadline_rule_for looks each (category, type, urgency) up once: for work on many
    tickets at once (a triage batch). Never longer: edits made by other processes must take effect."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def deadline_rule_for(category: Category | None, appeal_type: str, urgency: str) -> DeadlineRule:
    """The most specific rule: nearest category first (then global), exact appeal type before any."""
    memo = _remembered.get()
    key = (category.pk if category else None, appeal_type, urgency)
    if memo is not None and key in memo:
        return memo[key]
    rule = _find_deadline_rule(category, appeal_type, urgency)
    if memo is not None:
        memo[key] = rule
    return rule


def _find_deadline_rule(category: Category | None, appeal_type: str, urgency: str) -> DeadlineRule:
    scopes: list[Category | None] = [*(category.ancestors() if category else []), None]
    rules = list(
        DeadlineRule.objects.filter(urgency=urgency, appeal_type__in=[appeal_type, ""]).filter(
            models.Q(category__isnull=True) | models.Q(category__in=[c for c in scopes if c])
        )
    )
    for scope in scopes:
        scope_id = scope.pk if scope else None
        for wanted_type in (appeal_type, ""):
            for rule in rules:
                if rule.category_id == scope_id and rule.appeal_type == wanted_type:
                    return rule
    raise DeadlineRuleMissing(f"没有适用的时限规则：{category or '未分类'} / {appeal_type} / {urgency}")
