"""What the dashboard reads instead of the tickets (docs/scale.md, "Dashboard rollup").

Every row here is derived from the tickets by `rollup.py` (the intake per day, the open work now) or by the queue
(`Computed`: hotspots and 三率, stored whole). None is ever edited by hand; rebuilding them from the tickets
(`youhu dashboard rollup --all`) gives the same rows.
"""

from __future__ import annotations

from django.db import models

from youhu.directory.models import Area, District, Unit
from youhu.taxonomy.models import Category
from youhu.tickets.models import Channel


class IntakeDay(models.Model):
    """Appeals received on one local day in one district (None: the city's own, sent to no district)."""

    day = models.DateField()
    district = models.ForeignKey(District, null=True, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField()

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["day", "district"], name="%(class)s_day")]


class ChannelDay(IntakeDay):
    """By channel: the trend, and today's intake."""

    channel = models.CharField(max_length=16, choices=Channel.choices)

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.count}"


class StreetDay(IntakeDay):
    """By street (tickets with no street are not counted here): the map and the street surges."""

    street = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.day} street {self.street_id} {self.count}"


class CategoryDay(IntakeDay):
    """By first-level category (None: not yet classified, 未分类): the top categories and their surges."""

    category = models.ForeignKey(Category, null=True, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.day} category {self.category_id} {self.count}"


class OpenWork(models.Model):
    """The open work now (open, overdue, replied and awaiting review) by district, street and main unit, as the
    last refresh counted it: these depend on the clock, not on a day, so no daily row can hold them."""

    district = models.ForeignKey(District, null=True, on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey(Area, null=True, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, null=True, on_delete=models.CASCADE, related_name="+")
    open = models.PositiveIntegerField()
    overdue = models.PositiveIntegerField()
    replied = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"open {self.open}, overdue {self.overdue}, replied {self.replied}"


class Refresh(models.Model):
    """When each rollup was last brought up to date (`at` None: never, or being built for the first time). Its
    row is also the lock that keeps two workers' refreshes of the same rollup apart."""

    name = models.CharField(primary_key=True, max_length=16)
    at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.at}"


class Computed(models.Model):
    """A figure the queue computes whole and requests read as stored (hotspots, 三率): too costly per request.
    A table, not the cache: it survives restarts and every app server reads the same one."""

    key = models.CharField(primary_key=True, max_length=64)
    computed_at = models.DateTimeField()
    value = models.JSONField()

    def __str__(self) -> str:
        return f"{self.key} at {self.computed_at}"
