from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from . import texts
from .delivery import resend
from .models import Attempt, Message, OptIn, Template, UnitChannel
from .phones import mask
from .rules import EVENTS, SAMPLE_CONTEXT, UNIT_EVENT_CHOICES, placeholders
from .texts import SMS_SEGMENT, UnknownPlaceholder


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ("started_at", "finished_at", "transport", "outcome", "answer")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The outbox: what was (or will be) sent, to whom, and what each gateway answered. Read-only: a change
    here would hide or repeat a send; the one action is a deliberate re-send."""

    list_display = ("id", "created_at", "event", "channel", "to", "ticket_number", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "event")
    search_fields = ("ticket_number",)
    date_hierarchy = "created_at"
    inlines = [AttemptInline]
    actions = ["resend_selected"]
    exclude = ("address", "context", "attempt_key")
    readonly_fields = ("to", "event", "channel", "unit", "user", "ticket_number", "template", "subject", "body",
                       "link", "status", "reason", "created_at", "not_before", "attempts", "sending_since", "sent_at")

    @admin.display(description="收件人")
    def to(self, obj: Message) -> str:
        if obj.unit_id:
            return f"{obj.unit}（{obj.get_channel_display()}）"
        return mask(obj.address) if obj.channel == "sms" else obj.address

    @admin.action(description="重新发送选中的消息（待核实、已放弃、发送失败）")
    def resend_selected(self, request, queryset):
        from .tasks import enqueue

        ids = resend(list(queryset.values_list("pk", flat=True)))
        enqueue([(pk, None) for pk in ids])
        self.message_user(request, f"已重新排队 {len(ids)} 条", messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TemplateForm(forms.ModelForm):
    event = forms.ChoiceField(label="事件", choices=[(e.code, f"{e.label}（{e.code}）") for e in EVENTS.values()])

    class Meta:
        model = Template
        fields = ("event", "kind", "subject", "body", "vendor_code", "vendor_params", "active")

    def clean(self):
        data = super().clean()
        event = data.get("event")
        if event:
            try:
                texts.check(event, data.get("subject", ""), data.get("body", ""))
            except UnknownPlaceholder as exc:
                self.add_error("body", str(exc))
            params = [p.strip() for p in (data.get("vendor_params") or "").split(",") if p.strip()]
            unknown = sorted(set(params) - placeholders(event))
            if unknown:
                self.add_error("vendor_params", f"未知参数（unknown parameter）：{'、'.join(unknown)}")
        return data


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    form = TemplateForm
    list_display = ("event", "kind", "body", "active")
    list_filter = ("kind", "active")
    readonly_fields = ("preview", "allowed")

    @admin.display(description="可用占位符")
    def allowed(self, obj: Template) -> str:
        if not obj.event:
            return "-"
        return "、".join("{" + p + "}" for p in sorted(placeholders(obj.event)))

    @admin.display(description="预览")
    def preview(self, obj: Template) -> str:
        if not obj.pk:
            return "保存后显示预览"
        try:
            subject = texts.render(obj.event, obj.subject, SAMPLE_CONTEXT)
            body = texts.render(obj.event, obj.body, SAMPLE_CONTEXT)
        except UnknownPlaceholder as exc:
            return str(exc)
        note = ""
        if obj.kind == Template.Kind.SMS:
            note = f"（{len(body)} 字" + ("，超过一条短信" if len(body) > SMS_SEGMENT else "，一条短信") + "）"
        return format_html("<strong>{}</strong><pre style='white-space:pre-wrap'>{}</pre>{}", subject, body, note)


class UnitChannelForm(forms.ModelForm):
    dingtalk_webhook = forms.URLField(label="钉钉机器人 Webhook", required=False, assume_scheme="https",
                                      max_length=500)
    wecom_webhook = forms.URLField(label="企业微信机器人 Webhook", required=False, assume_scheme="https",
                                   max_length=500)
    events = forms.MultipleChoiceField(label="推送的事件", choices=UNIT_EVENT_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple, help_text="不选 = 全部单位事件")

    class Meta:
        model = UnitChannel
        fields = ("unit", "dingtalk_webhook", "dingtalk_secret", "wecom_webhook", "events", "active")
        widgets = {"dingtalk_secret": forms.PasswordInput(render_value=True)}


@admin.register(UnitChannel)
class UnitChannelAdmin(admin.ModelAdmin):
    form = UnitChannelForm
    list_display = ("unit", "has_dingtalk", "has_wecom", "active")
    raw_id_fields = ("unit",)

    @admin.display(boolean=True, description="钉钉")
    def has_dingtalk(self, obj: UnitChannel) -> bool:
        return bool(obj.dingtalk_webhook)

    @admin.display(boolean=True, description="企业微信")
    def has_wecom(self, obj: UnitChannel) -> bool:
        return bool(obj.wecom_webhook)


class OptInForm(forms.ModelForm):
    events = forms.MultipleChoiceField(label="订阅的事件", choices=UNIT_EVENT_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple, help_text="不选 = 全部")

    class Meta:
        model = OptIn
        fields = ("user", "channel", "events", "active")


@admin.register(OptIn)
class OptInAdmin(admin.ModelAdmin):
    form = OptInForm
    list_display = ("user", "channel", "active")
    list_filter = ("channel", "active")
    raw_id_fields = ("user",)
