from django.contrib import admin

from .models import Escalation


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    """A record of what was sent: readable, never edited (editing it would re-send or hide a send)."""

    list_display = ("sent_at", "ticket", "kind", "deadline", "stage", "due")
    list_filter = ("kind", "deadline", "stage")
    search_fields = ("ticket__number",)
    date_hierarchy = "sent_at"
    raw_id_fields = ("ticket",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
