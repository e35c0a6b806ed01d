"""Key projects in the admin: read-only. Every change goes through the services (the import, the
pages), so that it is checked and recorded as a ProjectEvent."""

from django.contrib import admin

from .models import Escalation, Node, Problem, ProgressReport, Project, ProjectEvent


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnly(ReadOnlyMixin, admin.ModelAdmin):
    pass


class NodeInline(ReadOnlyMixin, admin.TabularInline):
    model = Node
    extra = 0
    fields = ["seq", "name", "owner_unit", "planned_start", "planned_end", "actual_start", "actual_end"]


@admin.register(Project)
class ProjectAdmin(ReadOnly):
    list_display = ["code", "name", "kind", "stage", "lead_unit", "leader"]
    list_filter = ["kind", "stage"]
    search_fields = ["code", "name"]
    inlines = [NodeInline]


@admin.register(ProjectEvent)
class ProjectEventAdmin(ReadOnly):
    list_display = ["at", "project", "node", "action", "actor_label"]
    list_filter = ["action"]


@admin.register(Problem)
class ProblemAdmin(ReadOnly):
    list_display = ["created_at", "project", "ticket", "kind"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnly):
    list_display = ["month", "project", "investment_completed", "reported_by"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnly):
    list_display = ["at", "project", "kind", "unit"]
