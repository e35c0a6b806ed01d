"""The project-owned calendar: statutory holidays and 调休 make-up working days, and a district's own exceptions."""

from django.db import models

from youhu.directory.models import District


class CalendarDay(models.Model):
    """A date whose status differs from the plain weekday rule."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日/休息日"
        MAKEUP_WORKDAY = "makeup_workday", "调休上班日"

    class Source(models.TextChoices):
        PACKAGE = "package", "holidays 软件包"
        ADMIN = "admin", "管理员录入"

    date = models.DateField(unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=128, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ADMIN)

    class Meta:
        ordering = ["date"]
        verbose_name = verbose_name_plural = "节假日与调休"

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose holiday schedule is confirmed (the State Council publishes it late in the year before)."""

    year = models.PositiveIntegerField(unique=True)
    confirmed = models.BooleanField(default=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = verbose_name_plural = "日历年度"

    def __str__(self) -> str:
        return f"{self.year} ({'已确认' if self.confirmed else '未确认'})"


class DistrictDay(models.Model):
    """A district's own exception to the city's calendar (docs/levels.md): a local day off, or a working day
    where the city rests. Deadlines of the district's tickets follow it; everyone else's do not."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="calendar_days")
    date = models.DateField()
    kind = models.CharField(max_length=16, choices=CalendarDay.Kind.choices)
    name = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["district", "date"]
        constraints = [models.UniqueConstraint(fields=["district", "date"], name="unique_district_day")]
        verbose_name = verbose_name_plural = "区级节假日与调休"

    def __str__(self) -> str:
        return f"{self.district} {self.date} {self.get_kind_display()} {self.name}"
