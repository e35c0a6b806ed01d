"""Company service pages (thin: forms in, services do the work, selectors read)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from youhu import clock
from youhu.directory.models import Role
from youhu.tickets.errors import TicketError
from youhu.tickets.models import OPEN_STATUSES

from . import selectors, services
from .forms import (
    MAX_ISSUES,
    AssignForm,
    ImportForm,
    IssueForm,
    IssueFormSet,
    PeriodForm,
    PlanForm,
    PortalDemandForm,
    PortalStartForm,
    VisitForm,
)
from .importer import HEADERS, ImportFileError, import_companies
from .models import Company, VisitPlan

PORTAL_SESSION_KEY = "enterprise_portal_challenge"
ALL_TIME_START = date(2000, 1, 1)  # a company page's figures cover its whole history


def _require_staff(request: HttpRequest) -> None:
    if not request.user.has_role(*selectors.STAFF_ROLES):
        raise PermissionDenied("企业服务仅对首席服务官、督办员和管理员开放")


def _company_for(request: HttpRequest, pk: int) -> Company:
    _require_staff(request)
    company = selectors.visible_companies(request.user).filter(pk=pk).first()
    if company is None:
        raise Http404("没有这家企业，或您无权查看")
    return company


def _report_error(form, exc: TicketError) -> None:
    # Service fields like "issues.2.category" are not form fields: show those at the top.
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _annotated(companies):
    open_q = Q(demands__ticket__status__in=OPEN_STATUSES)
    return companies.annotate(open_demands=Count("demands", filter=open_q),
                              next_due=Min("demands__ticket__reply_due", filter=open_q))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    user, now = request.user, clock.now()
    query = (request.GET.get("q") or "").strip()
    companies = selectors.visible_companies(user)
    if query:
        companies = companies.filter(Q(name__icontains=query) | Q(uscc__icontains=query.upper()))
    context = {
        "now": now,
        "query": query,
        "companies": _annotated(companies)[:200],
        "is_manager": services.is_manager(user),
        "is_officer": user.has_role(Role.SERVICE_OFFICER),
        "overdue_plans": selectors.overdue_plans(user)[:50],
        "upcoming_plans": selectors.upcoming_plans(user)[:20],
        "open_demands": selectors.visible_demands(user).filter(ticket__status__in=OPEN_STATUSES)
        .order_by("ticket__reply_due")[:50],
    }
    if context["is_officer"]:
        context["workload"] = selectors.officer_workload(user, now)
    return render(request, "enterprise/home.html", context)


def _company_context(request: HttpRequest, company: Company, **extra) -> dict:
    user = request.user
    now = clock.now()
    return {
        "now": now,
        "today": timezone.localdate(now),
        "company": company,
        "contacts": selectors.contacts_for(user, company),
        "contacts_masked": not selectors.can_see_contacts(user, company),
        "history": selectors.officer_history(company),
        "visits": company.visits.select_related("officer").prefetch_related("demands__ticket"),
        "plans": company.visit_plans.filter(visit__isnull=True).select_related("officer"),
        "demands": selectors.company_demands(company),
        "figures": selectors.zone_figures(ALL_TIME_START, timezone.localdate(now),
                                          companies=Company.objects.filter(pk=company.pk)),
        "can_manage": services.is_manager(user),
        "can_serve": services.serves(user, company) or services.is_manager(user),
        "assign_form": extra.pop("assign_form", None) or AssignForm(),
        "plan_form": extra.pop("plan_form", None) or PlanForm(),
        **extra,
    }


@login_required
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = _company_for(request, pk)
    return render(request, "enterprise/company.html", _company_context(request, company))


def _company_action(request: HttpRequest, pk: int, form_class, form_key: str, perform) -> HttpResponse:
    """POST a small form on the company page; `perform(company, data)` calls the service and returns
    the success message. Errors re-render the page with the form and its messages."""
    company = _company_for(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            message = perform(company, form.cleaned_data)
        except TicketError as exc:
            _report_error(form, exc)
        else:
            messages.success(request, message)
            return redirect("enterprise:company", pk=company.pk)
    return render(request, "enterprise/company.html", _company_context(request, company, **{form_key: form}),
                  status=400)


@login_required
@require_POST
def company_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(company: Company, data: dict) -> str:
        services.assign_officer(company, data["officer"], by=request.user, reason=data["reason"])
        return f"已指派 {data['officer']} 为首席服务官"

    return _company_action(request, pk, AssignForm, "assign_form", perform)


@login_required
@require_POST
def company_plan(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(company: Company, data: dict) -> str:
        services.plan_visit(company, by=request.user, **data)
        return f"已安排 {data['planned_on']:%Y-%m-%d} 的走访"

    return _company_action(request, pk, PlanForm, "plan_form", perform)


def _visit_forms(request: HttpRequest, company: Company):
    if request.method == "POST":
        return VisitForm(request.POST), IssueFormSet(request.POST, prefix="issues")
    plan = request.GET.get("plan")
    initial = {"visited_on": timezone.localdate(clock.now()), "plan": plan if plan and plan.isdecimal() else None}
    # No JavaScript: "more issue rows" is a link that asks for more empty forms.
    wanted = request.GET.get("issues", "")
    rows = min(int(wanted), MAX_ISSUES) if wanted.isdecimal() and int(wanted) > 0 else 2  # not "²"
    return VisitForm(initial=initial), forms.formset_factory(IssueForm, extra=rows, max_num=MAX_ISSUES)(
        prefix="issues")


@login_required
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    company = _company_for(request, pk)
    if not (services.serves(request.user, company) or services.is_manager(request.user)):
        raise PermissionDenied("您不是该企业的首席服务官")
    form, issues = _visit_forms(request, company)
    if request.method == "POST" and form.is_valid() and issues.is_valid():
        data = form.cleaned_data
        plan = VisitPlan.objects.filter(pk=data["plan"], company=company).first() if data.get("plan") else None
        try:
            visit = services.record_visit(
                company, by=request.user, visited_on=data["visited_on"], people_met=data["people_met"],
                topics=data["topics"], notes=data["notes"], plan=plan,
                issues=[f.to_issue() for f in issues.forms if f.has_changed() and not f.is_blank()],
            )
        except TicketError as exc:
            _report_error(form, exc)
        else:
            count = visit.demands.count()
            messages.success(request, f"走访已登记，{count} 个问题已生成工单并派单" if count else "走访已登记")
            return redirect("enterprise:company", pk=company.pk)
    status = 400 if request.method == "POST" else 200
    more = min(issues.total_form_count() + 2, MAX_ISSUES)
    return render(request, "enterprise/visit_form.html",
                  {"company": company, "form": form, "issues": issues, "more_issues": more}, status=status)


@login_required
def demand_detail(request: HttpRequest, number: str) -> HttpResponse:
    _require_staff(request)
    demand = (selectors.visible_demands(request.user).filter(ticket__number=number)
              .select_related("ticket__category", "visit", "raised_by").first())
    if demand is None:
        raise Http404("没有这条企业诉求，或您无权查看")
    ticket = demand.ticket
    return render(request, "enterprise/demand.html", {
        "now": clock.now(), "demand": demand, "ticket": ticket,
        "events": ticket.events.select_related("unit").all(),
        "units": ticket.unit_links.filter(active=True).select_related("unit"),
    })


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    if not services.is_manager(request.user):
        raise PermissionDenied("只有督办员或管理员可以导入企业名录")
    form, report, status = ImportForm(), None, 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = import_companies(upload.name, upload, by=request.user)
            except ImportFileError as exc:
                form.add_error("file", str(exc))
        if not form.is_valid():
            status = 400
    return render(request, "enterprise/import.html",
                  {"form": form, "report": report, "headers": HEADERS}, status=status)


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    today = timezone.localdate(clock.now())
    form = PeriodForm(request.GET or {"start": today.replace(month=1, day=1).isoformat(), "end": today.isoformat()})
    data = selectors.zone_figures(form.cleaned_data["start"], form.cleaned_data["end"]) if form.is_valid() else None
    return render(request, "enterprise/figures.html", {"form": form, "figures": data},
                  status=200 if form.is_valid() else 400)


# ---------------------------------------------------------------- public portal


@ratelimit(key="ip", rate="30/h", method="POST", block=True)
def portal(request: HttpRequest) -> HttpResponse:
    """Step 1: USCC + the registered contact's phone; step 2: the code and the demand."""
    start_form, demand_form, shown_code = PortalStartForm(), None, None
    challenge_id = request.session.get(PORTAL_SESSION_KEY)
    step = request.POST.get("step")
    status = 200
    if step == "start":
        start_form = PortalStartForm(request.POST)
        if start_form.is_valid():
            try:
                challenge, code = services.start_portal_challenge(**start_form.cleaned_data)
            except TicketError as exc:
                _report_error(start_form, exc)
            else:
                request.session[PORTAL_SESSION_KEY] = challenge_id = challenge.pk
                shown_code = code if services.portal_shows_code() else None
                demand_form = PortalDemandForm()
        status = 200 if demand_form is not None else 400
    elif step == "demand" and challenge_id:
        demand_form = PortalDemandForm(request.POST)
        if demand_form.is_valid():
            try:
                demand = services.submit_portal_demand(challenge_id, demand_form.cleaned_data["code"],
                                                       demand_form.to_issue())
            except TicketError as exc:
                _report_error(demand_form, exc)
            else:
                request.session.pop(PORTAL_SESSION_KEY, None)
                return render(request, "enterprise/portal_done.html", {"demand": demand})
        status = 400
    return render(request, "enterprise/portal.html", {
        "start_form": start_form, "demand_form": demand_form, "shown_code": shown_code,
        "demo_mode": services.portal_shows_code(),
    }, status=status)

