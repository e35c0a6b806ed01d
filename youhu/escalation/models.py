"""What the escalation pass has sent, so that it never sends the same thing twice."""

from __future__ import annotations

from django.db import models

from youhu.tickets.models import Ticket


class Kind(models.TextChoices):
    REMIND = "remind", "催办"
    SUPERVISE = "supervise", "督办"
    NOTICE = "notice", "书面通报"


class Deadline(models.TextChoices):
    ACCEPT = "accept", "签收时限"
    REPLY = "reply", "办结时限"


class Stage(models.TextChoices):
    """A deadline gets up to two reminders: some working days before it, and on its day."""

    BEFORE = "before", "到期前"
    DUE_DAY = "due_day", "到期当日"
    OVERDUE = "overdue", "超期"


class Escalation(models.Model):
    """One 催办/督办/书面通报 sent about one value of one deadline of a ticket.

    The deadline's value is part of the key: an approved extension or a reopen sets a new
    deadline, which is escalated afresh; the same deadline never is.
    """

    # Indexed by the unique constraint, which starts with the ticket.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations", db_index=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    deadline = models.CharField(max_length=16, choices=Deadline.choices)
    stage = models.CharField(max_length=16, choices=Stage.choices)
    due = models.DateTimeField(help_text="所针对的时限")
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "deadline", "due", "kind", "stage"], name="escalation_sent_once"
            )
        ]
        verbose_name = verbose_name_plural = "催督办记录"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_deadline_display()} {self.ticket_id}"


class LadderInputs(models.Model):
    """What the tickets' next escalation moments (`Ticket.next_escalation_at`) were worked out from: the digest of
    the reminder rules, the working calendar and the 书面通报 delay. A pass that finds another digest (an admin
    changed a rule or a holiday, or the first pass after an upgrade) brings every waiting ticket forward before it
    starts, so that no step of a ladder is missed; one row, replaced."""

    digest = models.CharField(max_length=64, unique=True)
    since = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "催督办时刻依据"

    def __str__(self) -> str:
        return f"{self.digest[:12]} ({self.since:%Y-%m-%d %H:%M})"
