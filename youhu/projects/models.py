"""Key projects (重点项目), their nodes (节点), yearly investment, monthly progress reports, problems
raised as tickets, and the append-only audit trail of every change.

Lights are not stored: `lights.py` computes them from the nodes and the working-day calendar.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from youhu.db.appendonly import AppendOnly
from youhu.directory.models import Area, Unit
from youhu.enterprise.models import Company
from youhu.tickets.models import Ticket

MONEY = {"max_digits": 14, "decimal_places": 2}


class Kind(models.TextChoices):
    INDUSTRY = "industry", "产业"
    INFRASTRUCTURE = "infrastructure", "基础设施"
    LIVELIHOOD = "livelihood", "民生"
    RENEWAL = "renewal", "城市更新"


class Stage(models.TextChoices):
    PLANNING = "planning", "谋划"
    SIGNED = "signed", "签约"
    LAND = "land", "拿地"
    STARTED = "started", "开工"
    BUILDING = "building", "建设"
    COMPLETED = "completed", "竣工"
    PRODUCING = "producing", "投产/达产"


class Project(models.Model):
    code = models.CharField("项目编号", max_length=32, unique=True)
    name = models.CharField("项目名称", max_length=200)
    kind = models.CharField("项目类型", max_length=16, choices=Kind.choices)
    stage = models.CharField("项目阶段", max_length=16, choices=Stage.choices)
    total_investment = models.DecimalField("计划总投资（万元）", **MONEY, default=0)
    lead_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="led_projects")
    co_units = models.ManyToManyField(Unit, blank=True, related_name="co_projects")
    leader = models.ForeignKey(  # 挂点领导
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="led_key_projects"
    )
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.PROTECT, related_name="projects")
    cso = models.ForeignKey(  # the project's own service officer; defaults to the company's
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="served_projects"
    )
    street = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="projects")
    address = models.CharField(max_length=255, blank=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "重点项目"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Investment(models.Model):
    """Planned and completed investment of one project in one year (万元)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="investments")
    year = models.PositiveSmallIntegerField()
    planned = models.DecimalField(**MONEY, default=0)
    completed = models.DecimalField(**MONEY, default=0)

    class Meta:
        ordering = ["project", "year"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="one_investment_per_year")]
        verbose_name = verbose_name_plural = "年度投资"

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}"


class Node(models.Model):
    """A milestone (节点) with its planned dates; the deadline is the planned end."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="nodes")
    name = models.CharField("节点名称", max_length=100)
    seq = models.PositiveSmallIntegerField(default=0)
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField()
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    owner_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="project_nodes")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["project", "seq", "planned_end", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="unique_node_name")]
        verbose_name = verbose_name_plural = "项目节点"

    def __str__(self) -> str:
        return f"{self.project.code} {self.name}"

    @property
    def done(self) -> bool:
        return self.actual_end is not None


class Evidence(models.Model):
    """A file proving a node was completed (批复、照片、验收记录…)."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="projects/evidence/%Y/%m/")
    name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "节点佐证材料"

    def __str__(self) -> str:
        return self.name


class ProgressReport(models.Model):
    """The lead unit's monthly report (月度进展)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    month = models.DateField(help_text="the first day of the month reported on")
    text = models.TextField()
    investment_completed = models.DecimalField("本年累计完成投资（万元）", **MONEY)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField()

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="one_report_per_month")]
        verbose_name = verbose_name_plural = "月度进展"

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="photos")
    file = models.ImageField(upload_to="projects/photos/%Y/%m/")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "进展照片"

    def __str__(self) -> str:
        return self.file.name


class ProblemKind(models.TextChoices):
    LAND = "land", "用地"
    PERMIT = "permit", "审批报建"
    POWER = "power", "水电气配套"
    FINANCING = "financing", "融资"
    DEMOLITION = "demolition", "征拆"
    OTHER = "other", "其他"


class Problem(models.Model):
    """A blocker (问题清单) raised as a ticket to the unit that owns it; the ticket carries the lifecycle."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="problems")
    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="project_problem")
    kind = models.CharField(max_length=16, choices=ProblemKind.choices)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "项目问题"

    def __str__(self) -> str:
        return f"{self.project_id}: {self.ticket_id}"


class Escalation(models.Model):
    """One escalation of an overdue node or a missing monthly report; at most one per subject."""

    class Kind(models.TextChoices):
        NODE_OVERDUE = "node_overdue", "节点超期"
        REPORT_MISSING = "report_missing", "月报缺报"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="escalations")
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.CASCADE, related_name="escalations")
    month = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    message = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["node"], condition=models.Q(kind="node_overdue"),
                                    name="one_overdue_escalation_per_node"),
            models.UniqueConstraint(fields=["project", "month"], condition=models.Q(kind="report_missing"),
                                    name="one_missing_report_escalation"),
        ]
        verbose_name = verbose_name_plural = "项目督办"

    def __str__(self) -> str:
        return self.message[:40]


ACTION_LABELS = {
    "create": "登记项目", "update": "修改项目", "node_create": "新增节点", "node_update": "修改节点",
    "node_start": "节点开始", "node_complete": "节点完成", "report": "填报月度进展", "report_update": "更新月度进展",
    "problem": "提交问题", "escalate": "督办",
}


class ProjectEvent(AppendOnly):
    """Who changed what, when: one row per change of a project, node, report or problem. Never edited."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_label = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)
    payload = models.JSONField(default=dict)

    APPEND_ONLY = "project events"

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "项目变更记录"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)
