from django.contrib import admin

from .models import Category, DeadlineRule


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("path", "level", "default_unit", "is_local", "is_enterprise", "public", "published",
                    "active")
    list_filter = ("level", "is_local", "is_enterprise", "published", "active")
    search_fields = ("path",)
    autocomplete_fields = ("parent",)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "accept_office_minutes", "reply_working_days", "remind_before_working_days")
    list_filter = ("urgency", "appeal_type")
