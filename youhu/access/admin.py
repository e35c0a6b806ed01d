from django.contrib import admin, messages

from .keys import create_api_key, revoke_api_key
from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Adding a key asks only for user and purpose; the secret is generated and shown once."""

    fields = ("user", "name")
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "user__username", "name")
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ("user", "name") if obj is not None else ()

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return  # keys are immutable; revoke and create a new one instead
        new = create_api_key(obj.user, name=obj.name)
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = (new.api_key.pk, new.api_key.prefix,
                                                             new.api_key.key_hash, new.api_key.created_at)
        self.message_user(request, f"新密钥（只显示这一次，请妥善保存）：{new.secret}", messages.WARNING)

    @admin.action(description="吊销所选密钥")
    def revoke(self, request, queryset) -> None:
        for key in queryset:
            revoke_api_key(key)
        self.message_user(request, f"已吊销 {queryset.count()} 个密钥", messages.SUCCESS)
