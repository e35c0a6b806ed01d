"""The ticket (工单), its units, extensions, the append-only event log and the in-app inbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from youhu.db.appendonly import AppendOnly
from youhu.directory.models import Area, District, Unit
from youhu.taxonomy.models import AppealType, Category, Urgency


class Channel(models.TextChoices):
    WEB = "web", "网上诉求"
    API = "api", "接口"
    OPEN311 = "open311", "Open311"
    HOTLINE = "hotline", "12345热线"
    ENTERPRISE = "enterprise", "企业服务"
    GRID = "grid", "网格员"
    STAFF = "staff", "坐席录入"


class Status(models.TextChoices):
    NEW = "new", "待受理"
    REGISTERED = "registered", "待派单"
    DISPATCHED = "dispatched", "待签收"
    HANDLING = "handling", "办理中"
    REPLIED = "replied", "待回访"
    CLOSED = "closed", "已归档"


OPEN_STATUSES = (Status.NEW, Status.REGISTERED, Status.DISPATCHED, Status.HANDLING)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class CloseReason(models.TextChoices):
    ANSWERED_DIRECTLY = "answered_directly", "直办"
    REJECTED = "rejected", "无效"
    MERGED = "merged", "重复合并"
    REVIEWED = "reviewed", "回访办结"
    REVIEW_TIMEOUT = "review_timeout", "回访期满"
    CLOSED_BY_CENTRE = "closed_by_centre", "中心归档"


class Ticket(models.Model):
    number = models.CharField(max_length=20, unique=True)
    tracking_code_hash = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, db_index=True)
    external_id = models.CharField(max_length=64, blank=True)

    title = models.CharField(max_length=200)
    content = models.TextField()
    appeal_type = models.CharField(max_length=16, choices=AppealType.choices, default=AppealType.COMPLAINT)
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets",
                                 db_index=False)  # served by the index ticket_duplicate_pool, which starts with it

    appellant_name = models.CharField(max_length=64, blank=True)
    appellant_phone = models.CharField(max_length=32, blank=True)
    address = models.CharField(max_length=255, blank=True)
    street = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="street_tickets"
    )
    community = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="community_tickets"
    )
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    location_unresolved = models.BooleanField(default=False, help_text="地点未能识别，需人工确认")
    photo = models.ImageField(upload_to="photos/%Y/%m/", blank=True)

    # No index of its own: (status, reply_due) and (status, accept_due) below start with it, and every index
    # is one more page written by each new ticket.
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    version = models.PositiveIntegerField(default=0)
    main_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="main_tickets",
                                  db_index=False)  # (main_unit, status) below serves it
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    # The level that holds the ticket (docs/levels.md): None = the city centre (and every ticket of a deployment
    # of one district); a district once the city has sent it there (派至区), until the district sends it back.
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets",
                                 db_index=False)  # (district, status) below serves it

    created_at = models.DateTimeField(db_index=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    accept_due = models.DateTimeField(null=True, blank=True, db_index=True)
    reply_due = models.DateTimeField(null=True, blank=True, db_index=True)
    due_estimated = models.BooleanField(default=False, help_text="时限落在未公布节假日安排的年份，按周末估算")
    # When the escalation pass (催办 / 督办 / 书面通报) must look at this ticket again; NULL: not until a deadline
    # changes. A change of a deadline sets it to the moment of the change (`services.lifecycle._apply`: the
    # ticket's own rule, which knows nothing of the ladder); the pass moves it on to the next moment its ladder
    # has something due, and reads only what the partial index below holds up to now (docs/scale.md).
    next_escalation_at = models.DateTimeField(null=True, blank=True, editable=False)

    reply_text = models.TextField(blank=True)
    # A reply that failed the quality check waits for a supervisor before the appellant sees it.
    reply_withheld = models.BooleanField(default=False)
    replied_on_time = models.BooleanField(null=True)
    accepted_on_time = models.BooleanField(null=True)
    handling_working_days = models.PositiveIntegerField(null=True, blank=True)
    co_parts_waived = models.BooleanField(default=False)

    review_resolved = models.BooleanField(null=True)
    review_satisfaction = models.CharField(max_length=16, choices=Satisfaction.choices, blank=True)
    review_comment = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    close_reason = models.CharField(max_length=24, choices=CloseReason.choices, blank=True)
    return_count = models.PositiveIntegerField(default=0)
    reopen_count = models.PositiveIntegerField(default=0)
    extension_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="unique_external_id_per_channel",
            )
        ]
        indexes = [
            models.Index(fields=["status", "reply_due"]),
            models.Index(fields=["status", "accept_due"]),
            models.Index(fields=["main_unit", "status"]),
            models.Index(fields=["district", "status"]),  # a district centre's queues and figures
            # Monthly scorecards and rankings select by dispatch time (bench/metrics.py: 19 s -> 1.8 s).
            models.Index(fields=["dispatched_at", "main_unit"]),
            # The open tickets of a month, whose 超期 the scorecards count at read time beside their daily rollup
            # (supervision/metrics.py): the month's open rows only, not every open or every dispatched row.
            models.Index(fields=["dispatched_at"], condition=models.Q(status__in=("dispatched", "handling")),
                         name="ticket_open_dispatched"),
            # The duplicate search's pool (open tickets of a category subtree, newest first, maybe one street)
            # is found and filtered in the index alone; the rows, long texts and all, are read for the matches.
            models.Index(fields=["category", "created_at", "status", "street"], name="ticket_duplicate_pool"),
            # The dashboard's minutely count of the open work (open, overdue, replied by district, street, main
            # unit) reads this index alone on PostgreSQL, not the open tickets' scattered rows (docs/scale.md,
            # "Dashboard rollup": 300 -> 80 ms at 1 M). SQLite has no INCLUDE and keeps the partial index.
            models.Index(fields=["district", "street", "main_unit"], include=["status", "accept_due", "reply_due"],
                         condition=models.Q(status__in=("new", "registered", "dispatched", "handling", "replied")),
                         name="ticket_open_work"),
            # The escalation pass's candidates: one range of what is due now, among the tickets still waiting.
            models.Index(fields=["next_escalation_at"], condition=models.Q(next_escalation_at__isnull=False),
                         name="ticket_escalation_due"),
        ]
        verbose_name = verbose_name_plural = "工单"

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketUnit(models.Model):
    """A unit's part in a ticket: the main unit (主办) or a co-handling unit (协办)."""

    class Role(models.TextChoices):
        MAIN = "main", "主办"
        CO = "co", "协办"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ticket_links")
    role = models.CharField(max_length=8, choices=Role.choices)
    active = models.BooleanField(default=True)
    part_text = models.TextField(blank=True)
    part_submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["unit", "active"]),
            # A unit's co-handling requests still waiting for its part: a few rows among all its links.
            models.Index(fields=["unit"], condition=models.Q(role="co", active=True, part_submitted_at__isnull=True),
                         name="ticketunit_co_waiting"),
        ]
        verbose_name = verbose_name_plural = "承办单位"

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.unit_id}"


class Extension(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "已驳回"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    working_days = models.PositiveIntegerField()
    reason = models.TextField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = verbose_name_plural = "延期申请"

    def __str__(self) -> str:
        return f"延期 {self.working_days} 个工作日（{self.get_state_display()}）"


class TicketEvent(AppendOnly):
    """One step of a ticket's history. Written once, never changed."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events",
                               db_index=False)  # (ticket, at) below serves it
    action = models.CharField(max_length=32, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=64, help_text="操作人或“系统”“诉求人”")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(db_index=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=False, help_text="诉求人可见")

    APPEND_ONLY = "ticket events"

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"])]
        verbose_name = verbose_name_plural = "工单事件"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class Notification(models.Model):
    """An in-app inbox message for a unit (all its users) or one user."""

    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32)
    message = models.TextField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The unread badge on every staff page counts these: small indexes of the unread rows only.
        indexes = [
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="notification_unread_user"),
            models.Index(fields=["unit"], condition=models.Q(read_at__isnull=True), name="notification_unread_unit"),
            # The inbox reads newest first by (created_at, id): with created_at alone, one escalation pass's
            # 31 k notices of one instant were one group PostgreSQL sorted whole for a page of 30 (1.3 s at 5 M).
            models.Index(fields=["created_at", "id"], name="notification_newest"),
        ]
        verbose_name = verbose_name_plural = "站内消息"

    def __str__(self) -> str:
        return self.message[:40]


class DailyCounter(models.Model):
    """Per-day sequence behind readable ticket numbers (YYYYMMDD-NNNNNN)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} #{self.last}"
