"""`{% dispatch_panel ticket %}`: what smart dispatch suggested for a ticket, for the centre's staff."""

from __future__ import annotations

from django import template
from django.urls import reverse

from youhu.directory.models import Role
from youhu.tickets.models import Status

from .. import selectors
from ..services import latest_suggestion

register = template.Library()


@register.inclusion_tag("dispatch/_panel.html", takes_context=True)
def dispatch_panel(context, ticket) -> dict:
    user = context.get("user")
    show = bool(user and user.is_authenticated and user.has_role(Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN))
    if not show:
        return {"show": False}
    suggestion = latest_suggestion(ticket)
    waiting = ticket.status == Status.REGISTERED and user.has_role(Role.DISPATCHER, Role.ADMIN)
    return {
        "show": True,
        "suggestion": suggestion,
        "options": selectors.options_for(ticket, suggestion),
        "duplicates": selectors.duplicates_for(suggestion) if ticket.is_open else [],
        "queue_url": f"{reverse('dispatch:queue')}?open={ticket.number}" if waiting else "",
    }
