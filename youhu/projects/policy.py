"""Who may see and do what with key projects (read by services, selectors, views and the API)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from youhu.directory.models import Role, User
from youhu.tickets.policy import UNIT_ROLES

from .models import Node, Project

OFFICE_ROLES = (Role.PROJECT_OFFICE, Role.ADMIN)
# Supervisors oversee (read-only) as the office does.
ALL_PROJECTS_ROLES = (Role.PROJECT_OFFICE, Role.ADMIN, Role.SUPERVISOR)
# Who may open the projects pages at all (a unit's staff see only their own projects there).
VIEW_ROLES = (*ALL_PROJECTS_ROLES, Role.PROJECT_LEADER, Role.SERVICE_OFFICER, Role.HANDLER, Role.UNIT_HEAD)


def is_office(user: User | None) -> bool:
    """The key-project office (重点项目办) edits everything."""
    return user is not None and user.has_role(*OFFICE_ROLES)


def unit_ids(user: User) -> list[int]:
    """The user's unit and the units below it, if the user works for a unit (handler, head)."""
    if not user.unit_id or not user.has_role(*UNIT_ROLES):
        return []
    return user.unit.subtree_ids()


def reports_for(user: User | None, project: Project) -> bool:
    """The lead unit (its handlers and head) reports monthly progress; the office may too."""
    return user is None or is_office(user) or project.lead_unit_id in unit_ids(user)


def completes(user: User | None, node: Node) -> bool:
    """The node's own unit, or the project's lead unit, reports it done."""
    if user is None or is_office(user):
        return True
    ids = unit_ids(user)
    return node.owner_unit_id in ids or node.project.lead_unit_id in ids


def visible_projects(user: User) -> QuerySet[Project]:
    """The office sees all; a unit the projects it leads, co-handles or owns a node of; a leader those
    they are assigned to; a CSO those of the companies they serve (or that name them)."""
    qs = Project.objects.select_related("lead_unit", "leader", "company", "cso", "street")
    if user.has_role(*ALL_PROJECTS_ROLES):
        return qs
    q = Q(pk__in=[])
    ids = unit_ids(user)
    if ids:
        q |= Q(lead_unit_id__in=ids) | Q(co_units__in=ids) | Q(nodes__owner_unit_id__in=ids)
    if user.has_role(Role.PROJECT_LEADER):
        q |= Q(leader=user)
    if user.has_role(Role.SERVICE_OFFICER):
        q |= Q(cso=user) | Q(company__service_officer=user)
    return qs.filter(pk__in=Project.objects.filter(q).values("pk"))


def can_view(user: User, project: Project) -> bool:
    return visible_projects(user).filter(pk=project.pk).exists()
