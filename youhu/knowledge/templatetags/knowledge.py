"""`{% knowledge_suggestions ticket %}`: the closest valid entries for a ticket, with 「按此答复」 for its dispatcher.

The dispatcher desk's pane and the ticket page load it, so neither room's views import this one.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from youhu import clock
from youhu.tickets.models import Ticket
from youhu.tickets.policy import allowed_actions

from ..search import closest

register = template.Library()


@register.inclusion_tag("knowledge/_suggestions.html", takes_context=True)
def knowledge_suggestions(context: template.Context, ticket: Ticket) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    may_answer = bool(user and user.is_authenticated and "answer_directly" in allowed_actions(user, ticket))
    found = closest(f"{ticket.title} {ticket.content}", today=timezone.localdate(clock.now()))
    return {"ticket": ticket, "found": found, "may_answer": may_answer, "request": request,
            "csrf_token": context.get("csrf_token"), "next": request.get_full_path() if request else ""}
