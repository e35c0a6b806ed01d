from django.contrib import admin

from .models import RoleChange


@admin.register(RoleChange)
class RoleChangeAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the system, never edited (the model and the database refuse too)."""

    list_display = ("at", "username", "kind", "action", "old", "new", "by_username")
    list_filter = ("kind", "action", "role")
    search_fields = ("username", "by_username", "old", "new")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
