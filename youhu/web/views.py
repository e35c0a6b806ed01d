"""Staff pages: work queues, ticket list, ticket page with its action forms, inbox. Thin: every change
goes through the action table (`workflow.actions`), every read through `visible_tickets`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from youhu import clock
from youhu.directory.models import Role
from youhu.http import safe_next
from youhu.taxonomy.models import Category
from youhu.tickets.errors import TicketError
from youhu.tickets.models import Extension, Ticket, TicketUnit
from youhu.tickets.search import count_upto, created_between, search
from youhu.tickets.selectors import appellant_for, can_view, visible_tickets
from youhu.workflow.actions import PAGE_ACTIONS, offered, perform
from youhu.workflow.forms import ActionForm

from . import inbox as inbox_sel
from .forms import TicketFilterForm
from .queues import QUEUES, SECTIONS, queue_tickets

HOME_LIST_SIZE = 8
LIST_PAGE_SIZE = 30
INBOX_PAGE_SIZE = 30
LIST_RELATED = ("main_unit", "street", "category")
MORE_FILTERS = ("channel", "unit", "street", "category", "date_from", "date_to")


class CappedPaginator(Paginator):
    """Counts up to `tickets.search.COUNT_CAP` (then `capped`, and the pages end there): a big unit's list must
    not count every ticket it ever had on each page view, and no page number reaches deeper than the cap (a
    larger one is the last page), so an OFFSET never skips more than COUNT_CAP rows."""

    capped = False

    @cached_property
    def count(self) -> int:
        n, self.capped = count_upto(self.object_list)
        return n


def _paginate(request: HttpRequest, qs: QuerySet, size: int) -> Page:
    return CappedPaginator(qs, size).get_page(request.GET.get("page"))


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


# ---------------------------------------------------------------- home: the work queues


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user, now = request.user, clock.now()
    sections = []
    for title, roles, keys in SECTIONS:
        if not user.has_role(*roles):
            continue
        queues = []
        for key in keys:
            qs = queue_tickets(key, user, now)
            count, capped = count_upto(qs)  # a big unit's queue: "1000+", not a count of every ticket in it
            queues.append({"queue": QUEUES[key], "count": count, "capped": capped,
                           "tickets": list(qs.select_related(*LIST_RELATED)[:HOME_LIST_SIZE])})
        sections.append({"title": title, "queues": queues})
    context = {
        "sections": sections,
        "now": now,
        "is_service_officer": user.has_role(Role.SERVICE_OFFICER),
        "enterprise_url": _url_or_none("enterprise:home"),
        "visible_count": count_upto(visible_tickets(user))[0] if not sections else None,
    }
    return render(request, "web/home.html", context)


# ---------------------------------------------------------------- ticket list


def filter_tickets(qs: QuerySet[Ticket], data: dict) -> QuerySet[Ticket]:
    """Apply the list page's validated filters."""
    if data.get("q"):
        qs = search(qs, data["q"])
    for name, column in (("status", "status"), ("channel", "channel"), ("unit", "main_unit_id"),
                         ("street", "street_id")):
        if data.get(name) not in (None, ""):
            qs = qs.filter(**{column: data[name]})
    if data.get("category"):
        path = Category.objects.filter(pk=data["category"]).values_list("path", flat=True).first() or ""
        qs = qs.filter(Q(category__path=path) | Q(category__path__startswith=f"{path}/"))
    return created_between(qs, data.get("date_from"), data.get("date_to"))


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    user, now = request.user, clock.now()
    form = TicketFilterForm(request.GET or None, district_id=user.district_id)
    data = form.cleaned_data if form.is_valid() else {}
    queue = QUEUES.get(data.get("queue") or "")
    if queue is not None and user.has_role(*queue.roles):
        qs = queue_tickets(queue.key, user, now)
    else:
        queue, qs = None, visible_tickets(user)
    qs = filter_tickets(qs, data).select_related(*LIST_RELATED)
    page = _paginate(request, qs, LIST_PAGE_SIZE)
    for ticket in page.object_list:
        ticket.appellant = appellant_for(user, ticket)
    return render(request, "web/ticket_list.html", {
        "form": form, "page": page, "queue": queue, "now": now,
        "filtered": any(v not in (None, "") for k, v in data.items() if k != "queue"),
        "more_filters": bool(form.errors) or any(data.get(k) not in (None, "") for k in MORE_FILTERS),
    })


# ---------------------------------------------------------------- ticket page


def _visible_ticket(request: HttpRequest, number: str) -> Ticket:
    """The ticket if this user may see it; 404 otherwise, so numbers of others' tickets leak nothing."""
    ticket = (visible_tickets(request.user)
              .select_related("category", "main_unit", "street", "community", "duplicate_of", "district")
              .filter(number=number).first())
    if ticket is None:
        raise Http404("工单不存在或无权查看")
    return ticket


def _action_form(action: str, ticket: Ticket, data=None) -> ActionForm:
    return PAGE_ACTIONS[action].form(data, ticket=ticket, auto_id=f"id_{action}_%s")


def _ticket_page(request: HttpRequest, ticket: Ticket, *, failed: tuple[str, ActionForm] | None = None,
                 error: str = "", status: int = 200) -> HttpResponse:
    user = request.user
    action_forms = []
    opened = failed is not None
    for action in offered(user, ticket):
        spec = PAGE_ACTIONS[action]
        is_failed = failed is not None and failed[0] == action
        # The failed form is open with its message; otherwise the step the ticket waits for.
        is_open = is_failed or (not opened and spec.primary)
        opened = opened or is_open
        action_forms.append({
            "action": action, "label": spec.label, "spec": spec,
            "form": failed[1] if is_failed else _action_form(action, ticket),
            "open": is_open, "url": reverse("web:ticket_act", args=[ticket.number, action]),
        })
    # Main unit first (首接负责制), then co-handling units in the order they were added.
    units = sorted(ticket.unit_links.select_related("unit"), key=lambda u: (u.role != TicketUnit.Role.MAIN, u.pk))
    context = {
        "ticket": ticket,
        "now": clock.now(),
        "appellant": appellant_for(user, ticket),
        "units": [u for u in units if u.active],
        "former_units": [u for u in units if not u.active],
        "extensions": ticket.extensions.select_related("requested_by", "decided_by"),
        "events": ticket.events.select_related("actor", "unit"),
        "duplicates": visible_tickets(user).filter(duplicate_of=ticket).only("number", "title"),
        "action_forms": action_forms,
        "page_error": error,
        "main_role": TicketUnit.Role.MAIN,
        "pending_state": Extension.State.PENDING,
    }
    return render(request, "web/ticket_detail.html", context, status=status)


@login_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _visible_ticket(request, number)
    inbox_sel.mark_read(request.user, ticket=ticket)  # opening the ticket is reading its messages
    return _ticket_page(request, ticket)


@login_required
@require_POST
def ticket_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    spec = PAGE_ACTIONS.get(action)
    if spec is None:
        raise Http404("未知操作")
    ticket = _visible_ticket(request, number)
    form = _action_form(action, ticket, request.POST)
    if not form.is_valid():
        return _ticket_page(request, ticket, failed=(action, form), status=400)
    # The page's version, not the database's: if someone acted meanwhile the service says so.
    ticket.version = form.cleaned_data["version"]
    try:
        perform(action, ticket, request.user, form.action_input())
    except TicketError as exc:
        ticket.refresh_from_db()
        form.add_error(form.field_for(exc.field), exc.message)
        in_page = action in offered(request.user, ticket)
        return _ticket_page(request, ticket, failed=(action, form), status=exc.http_status,
                            error="" if in_page else exc.message)
    messages.success(request, f"工单 {ticket.number}：{spec.done or '已' + spec.label}")
    if can_view(request.user, ticket):
        return redirect("web:ticket_detail", number=ticket.number)
    return redirect("web:home")  # e.g. returned to the centre: no longer this unit's ticket


# ---------------------------------------------------------------- inbox


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    only_unread = request.GET.get("unread") == "1"
    qs = inbox_sel.notifications_for(request.user).select_related("ticket", "unit", "user")
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = _paginate(request, qs, INBOX_PAGE_SIZE)
    return render(request, "web/inbox.html", {
        "page": page, "only_unread": only_unread, "unread_count": inbox_sel.unread_count(request.user),
    })


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    # isdecimal, not isdigit: "²" is a digit int() refuses; 18 digits stay within a database integer.
    ids = None if request.POST.get("all") == "1" else [
        int(i) for i in request.POST.getlist("id") if i.isdecimal() and len(i) <= 18]
    count = inbox_sel.mark_read(request.user, ids=ids)
    messages.success(request, f"已将 {count} 条消息标为已读" if count else "没有未读消息")
    return redirect(safe_next(request, request.POST.get("next"), reverse("web:inbox")))

