"""直接答复 from a knowledge entry, posted from the dispatcher desk's pane or the ticket page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from youhu.http import safe_next, wants_json
from youhu.tickets.errors import TicketError
from youhu.tickets.selectors import visible_tickets

from . import services


def _back(request: HttpRequest, number: str) -> str:
    return safe_next(request, request.POST.get("next"), reverse("web:ticket_detail", args=[number]))


@login_required
@require_POST
def answer(request: HttpRequest, number: str) -> HttpResponse:
    ticket = get_object_or_404(visible_tickets(request.user), number=number)
    answer_json = wants_json(request)
    try:
        services.answer_from_entry(ticket, by=request.user, entry_id=request.POST.get("entry"),
                                   reply=request.POST.get("reply", ""))
    except TicketError as exc:
        if answer_json:
            return JsonResponse({"ok": False, "message": exc.message, "field": exc.field}, status=exc.http_status)
        messages.error(request, f"工单 {number} 直接答复未成功：{exc.message}")
        return redirect(_back(request, number))
    message = f"工单 {number} 已按知识库直接答复并办结"
    if answer_json:
        return JsonResponse({"ok": True, "message": message})
    messages.success(request, message)
    return redirect(_back(request, number))
