from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from .models import Extension, Notification, Ticket, TicketEvent, TicketUnit
from .search import estimated_count


class EstimatedCountPaginator(Paginator):
    """The unfiltered list of a large table says how many rows the planner estimates (docs/scale.md)."""

    @cached_property
    def count(self) -> int:
        return estimated_count(self.object_list)


class ReadOnlyEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "actor_label", "from_status", "to_status", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets change state only through the lifecycle services, so the admin only reads them."""

    list_display = ("number", "title", "status", "channel", "main_unit", "street", "reply_due")
    # Nullable foreign keys: the admin's own select_related() skips them, one query per row per column.
    list_select_related = ("main_unit", "street")
    show_full_result_count = False  # a second count of the whole table on every page (docs/scale.md)
    paginator = EstimatedCountPaginator
    list_filter = ("status", "channel", "appeal_type", "urgency")
    search_fields = ("number", "title")
    inlines = [ReadOnlyEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin):
    list_display = ("at", "ticket", "action", "actor_label", "from_status", "to_status")
    list_select_related = ("ticket",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


admin.site.register(TicketUnit)
admin.site.register(Extension)
admin.site.register(Notification)
