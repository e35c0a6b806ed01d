from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from youhu.tickets.selectors import visible_tickets


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {})


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    tickets = visible_tickets(request.user).select_related("main_unit", "street")[:50]
    return render(request, "web/ticket_list.html", {"tickets": tickets})


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "web/inbox.html", {})
