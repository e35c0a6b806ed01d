"""The outbox (one row per message to one recipient on one channel), its delivery log, the editable templates,
each unit's group robots and each user's opt-ins.

Rows refer to tickets by plain values (id, number): `notify` sits below `tickets` and never imports it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from youhu.directory.models import Unit


class Channel(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"
    DINGTALK = "dingtalk", "钉钉群机器人"
    WECOM = "wecom", "企业微信群机器人"


class Status(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"  # permanent: a retry cannot help (bad number, unknown placeholder, 4xx)
    GIVEN_UP = "given_up", "已放弃"  # retryable failures until the attempts ran out
    UNKNOWN = "unknown", "待核实"  # interrupted mid-request on a gateway with no idempotency key
    SKIPPED = "skipped", "未发送"  # the daily cap, a withdrawn reply
    CANCELLED = "cancelled", "已撤回"


OPEN_STATUSES = (Status.PENDING, Status.SENDING)


class Message(models.Model):
    """One message in the outbox, written in the transaction of the change that caused it."""

    event = models.CharField("事件", max_length=48, db_index=True)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    # Where it goes: a phone number or an e-mail address; for a robot, the unit whose webhook is used (read
    # at delivery, so a changed secret applies and no secret is copied into the outbox).
    address = models.CharField("地址", max_length=254, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    ticket_id = models.BigIntegerField("工单ID", null=True, blank=True, db_index=True)
    ticket_number = models.CharField("工单编号", max_length=32, blank=True)
    template = models.CharField("模板", max_length=64)
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("内容")
    link = models.CharField("链接", max_length=500, blank=True)
    context = models.JSONField("模板参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField("原因", blank=True)
    created_at = models.DateTimeField("创建时间")
    not_before = models.DateTimeField("最早发送时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    attempt_key = models.CharField(max_length=32, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "发件箱"
        indexes = [
            models.Index(fields=["status", "not_before"], name="notify_msg_status_due"),
            models.Index(fields=["channel", "address", "created_at"], name="notify_msg_cap"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_channel_display()} {self.event}"

    @property
    def idempotency_key(self) -> str:
        """Sent to gateways that accept one: the same message retried carries the same key."""
        return str(self.pk)


class Attempt(models.Model):
    """One try at delivering a message: the delivery log."""

    class Outcome(models.TextChoices):
        SENDING = "sending", "进行中"
        SENT = "sent", "已发送"
        RETRY = "retry", "失败，将重试"
        FAILED = "failed", "失败"
        GIVEN_UP = "given_up", "失败，已放弃"
        INTERRUPTED = "interrupted", "中断"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="log")
    key = models.CharField(max_length=32, unique=True)
    transport = models.CharField(max_length=32)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SENDING)
    answer = models.TextField("网关应答", blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "投递记录"

    def __str__(self) -> str:
        return f"{self.transport} {self.get_outcome_display()}"


class Template(models.Model):
    """The text of one event on one channel. Placeholders: {number}, {title}, ... (see docs/notify.md)."""

    class Kind(models.TextChoices):
        SMS = "sms", "短信"
        EMAIL = "email", "电子邮件"
        ROBOT = "robot", "群机器人（钉钉/企业微信，Markdown）"

    event = models.CharField("事件", max_length=48)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    subject = models.CharField("标题", max_length=200, blank=True, help_text="邮件主题、机器人消息标题")
    body = models.TextField("内容", help_text="占位符写作 {number}；短信尽量不超过 70 字")
    vendor_code = models.CharField("短信平台模板编号", max_length=64, blank=True,
                                   help_text="阿里云 TemplateCode 或腾讯云 TemplateId（须在平台预先审核）")
    vendor_params = models.CharField("平台模板参数", max_length=200, blank=True,
                                     help_text="按平台模板的顺序列出占位符名，逗号分隔，例如 number,code,link")
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["event", "kind"]
        constraints = [models.UniqueConstraint(fields=["event", "kind"], name="notify_template_event_kind")]
        verbose_name = verbose_name_plural = "消息模板"

    def __str__(self) -> str:
        return f"{self.event} / {self.get_kind_display()}"


class UnitChannel(models.Model):
    """A unit's group robots and which events reach them (empty = every unit event)."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="notify_channel", verbose_name="单位")
    dingtalk_webhook = models.URLField("钉钉机器人 Webhook", max_length=500, blank=True)
    dingtalk_secret = models.CharField("钉钉加签密钥", max_length=128, blank=True, help_text="SEC 开头")
    wecom_webhook = models.URLField("企业微信机器人 Webhook", max_length=500, blank=True)
    events = models.JSONField("推送的事件", default=list, blank=True, help_text="留空 = 全部单位事件")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位群机器人"

    def __str__(self) -> str:
        return str(self.unit)


class OptIn(models.Model):
    """A staff member who wants their unit's events by SMS or e-mail too (empty events = all)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_optins",
                             verbose_name="用户")
    channel = models.CharField("渠道", max_length=16,
                               choices=[(Channel.SMS, Channel.SMS.label), (Channel.EMAIL, Channel.EMAIL.label)])
    events = models.JSONField("订阅的事件", default=list, blank=True, help_text="留空 = 全部")
    active = models.BooleanField("启用", default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "channel"], name="notify_optin_user_channel")]
        verbose_name = verbose_name_plural = "个人订阅"

    def __str__(self) -> str:
        return f"{self.user} {self.get_channel_display()}"


class Told(models.Model):
    """A notice about a state that must go once (outbox.first_time): e.g. `supervisor.surge:2026-03-02:street:瑞宝街`."""

    key = models.CharField(max_length=200, primary_key=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "已通知记录"

    def __str__(self) -> str:
        return self.key
