"""Bookkeeping of the demo loader: which demo ticket (by its sequence number) is already loaded."""

from __future__ import annotations

from django.db import models


class DemoTicket(models.Model):
    """Marks demo ticket number `seq` as loaded, so `youhu demo load` never creates it twice."""

    seq = models.PositiveIntegerField(unique=True)
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    scenario = models.CharField(max_length=32)
    source = models.CharField(max_length=32, help_text="来源数据行")

    class Meta:
        ordering = ["seq"]
        verbose_name = verbose_name_plural = "演示工单"

    def __str__(self) -> str:
        return f"demo #{self.seq} {self.scenario}"
