from django.contrib import admin

from .models import LabelledExample, RoutingRule, Suggestion


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "street", "unit", "active")
    list_filter = ("active",)


@admin.register(LabelledExample)
class LabelledExampleAdmin(admin.ModelAdmin):
    list_display = ("label", "suggested_label", "source", "ticket", "created_by", "created_at")
    list_filter = ("source", "label")
    search_fields = ("text",)


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ("ticket", "label", "confidence", "unit", "outcome", "created_at")
    list_filter = ("outcome",)
    raw_id_fields = ("ticket",)
