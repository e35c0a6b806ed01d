"""Companies (企业), their service officers (首席服务官), visits (走访) and demands (企业诉求)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from youhu.directory.models import Area
from youhu.tickets.models import Ticket


class Building(models.Model):
    """A building (楼宇) or a park (园区) where companies sit."""

    class Kind(models.TextChoices):
        BUILDING = "building", "楼宇"
        PARK = "park", "园区"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.BUILDING)
    street = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "楼宇园区"

    def __str__(self) -> str:
        return self.name


class Company(models.Model):
    class Size(models.TextChoices):
        LARGE = "large", "大型"
        MEDIUM = "medium", "中型"
        SMALL = "small", "小型"
        MICRO = "micro", "微型"

    name = models.CharField(max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    industry = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.CharField(max_length=16, choices=Size.choices, blank=True)
    address = models.CharField(max_length=255, blank=True)
    street = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="companies")
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, related_name="companies"
    )
    above_scale = models.BooleanField("规上企业", default=False)
    specialized = models.BooleanField("专精特新", default=False)
    unicorn = models.BooleanField("独角兽", default=False)
    headquarters = models.BooleanField("总部企业", default=False)
    # The current officer; the history lives in CsoAssignment.
    service_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="companies"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "企业"

    def __str__(self) -> str:
        return self.name

    @property
    def key_flags(self) -> list[str]:
        flags = [("above_scale", "规上"), ("specialized", "专精特新"), ("unicorn", "独角兽"),
                 ("headquarters", "总部")]
        return [label for name, label in flags if getattr(self, name)]


class Contact(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=64)
    phone = models.CharField(max_length=32, blank=True)
    position = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="unique_contact_name")]
        verbose_name = verbose_name_plural = "企业联系人"

    def __str__(self) -> str:
        return self.name


class CsoAssignment(models.Model):
    """One period during which one officer served one company. Never deleted: the history."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="assignments")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=models.Q(ended_at__isnull=True), name="one_current_cso"
            )
        ]
        verbose_name = verbose_name_plural = "首席服务官任职记录"

    def __str__(self) -> str:
        return f"{self.company_id}: {self.officer_id}"


class Visit(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="visits")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(db_index=True)
    people_met = models.CharField(max_length=500)
    topics = models.TextField()
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = verbose_name_plural = "走访记录"

    def __str__(self) -> str:
        return f"{self.visited_on} {self.company_id}"


class VisitPlan(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="visit_plans")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    planned_on = models.DateField(db_index=True)
    purpose = models.CharField(max_length=500, blank=True)
    visit = models.OneToOneField(Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["planned_on", "id"]
        verbose_name = verbose_name_plural = "走访计划"

    def __str__(self) -> str:
        return f"{self.planned_on} {self.company_id}"


class CompanyDemand(models.Model):
    """A ticket raised for a company: at a visit, through the portal, or by staff."""

    class Source(models.TextChoices):
        VISIT = "visit", "走访收集"
        PORTAL = "portal", "企业自主提交"

    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="company_demand")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="demands")
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="demands")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "企业诉求"

    def __str__(self) -> str:
        return f"{self.company_id}: {self.ticket_id}"


class PortalChallenge(models.Model):
    """A one-time verification code for a company contact using the public enterprise portal.

    Only the hash is stored. Without an SMS gateway the demo shows the code on screen
    (settings.YOUHU["ENTERPRISE_PORTAL_SHOW_CODE"]).
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "企业门户验证码"

    def __str__(self) -> str:
        return f"{self.company_id} {self.created_at:%Y-%m-%d %H:%M}"
