"""Reads for the company service: who sees which company, masked contacts, workloads and figures."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from youhu import clock
from youhu.directory.models import Role, User
from youhu.tickets.masking import mask_name, mask_phone
from youhu.tickets.models import OPEN_STATUSES, CloseReason, Status
from youhu.workdays import calendar

from .models import Company, CompanyDemand, CsoAssignment, Visit, VisitPlan
from .services import is_manager, serves

# Dispatchers see the registry (to know who a caller is) but not the contacts.
REGISTRY_ROLES = (Role.SUPERVISOR, Role.ADMIN, Role.DISPATCHER)
DUE_SOON_WORKING_DAYS = 2  # "due soon" on a CSO's workload: within this many working days
# Who may open the company service pages and API at all.
STAFF_ROLES = (Role.SERVICE_OFFICER, *REGISTRY_ROLES)


def visible_companies(user: User) -> QuerySet[Company]:
    """The centre sees every company; a CSO only the companies they serve now."""
    qs = Company.objects.select_related("street", "building", "service_officer")
    if user.has_role(*REGISTRY_ROLES):
        return qs
    if user.has_role(Role.SERVICE_OFFICER):
        return qs.filter(service_officer=user)
    return qs.none()


def can_view_company(user: User, company: Company) -> bool:
    return visible_companies(user).filter(pk=company.pk).exists()


def can_see_contacts(user: User, company: Company) -> bool:
    """The company's own CSO calls them; supervisors and admins oversee. Nobody else needs them."""
    return serves(user, company) or is_manager(user)


def contacts_for(user: User, company: Company) -> list[dict[str, str]]:
    full = can_see_contacts(user, company)
    return [
        {"name": c.name if full else mask_name(c.name), "phone": c.phone if full else mask_phone(c.phone),
         "position": c.position}
        for c in company.contacts.all()
    ]


def officer_history(company: Company) -> QuerySet[CsoAssignment]:
    return company.assignments.select_related("officer", "assigned_by").order_by("-started_at", "-id")


def company_demands(company: Company) -> QuerySet[CompanyDemand]:
    return company.demands.select_related("ticket", "ticket__main_unit", "ticket__category", "visit")


def visible_demands(user: User) -> QuerySet[CompanyDemand]:
    return CompanyDemand.objects.filter(company__in=visible_companies(user)).select_related(
        "ticket", "ticket__main_unit", "company"
    )


def overdue_plans(user: User, today: date | None = None) -> QuerySet[VisitPlan]:
    """Planned visits whose day has passed without a visit recorded."""
    today = today or timezone.localdate(clock.now())
    plans = VisitPlan.objects.filter(visit__isnull=True, planned_on__lt=today).select_related("company", "officer")
    return plans if is_manager(user) else plans.filter(officer=user)


def upcoming_plans(user: User, today: date | None = None) -> QuerySet[VisitPlan]:
    today = today or timezone.localdate(clock.now())
    plans = VisitPlan.objects.filter(visit__isnull=True, planned_on__gte=today).select_related("company", "officer")
    return plans if is_manager(user) else plans.filter(officer=user)


def officer_workload(officer: User, now: datetime | None = None) -> dict[str, int]:
    """A CSO's own load: companies, open/overdue/due-soon demands, visits this month, overdue plans."""
    now = now or clock.now()
    today = timezone.localdate(now)
    soon = calendar.add_working_days(now, DUE_SOON_WORKING_DAYS).at
    demands = CompanyDemand.objects.filter(company__service_officer=officer)
    counts = demands.aggregate(
        open=Count("pk", filter=Q(ticket__status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(ticket__status__in=OPEN_STATUSES, ticket__reply_due__lt=now)),
        due_soon=Count("pk", filter=Q(ticket__status__in=OPEN_STATUSES, ticket__reply_due__gte=now,
                                      ticket__reply_due__lt=soon)),
    )
    return {
        "companies": Company.objects.filter(service_officer=officer).count(),
        "open_demands": counts["open"],
        "overdue_demands": counts["overdue"],
        "due_soon_demands": counts["due_soon"],
        "visits_this_month": Visit.objects.filter(
            officer=officer, visited_on__gte=today.replace(day=1), visited_on__lte=today).count(),
        "overdue_plans": VisitPlan.objects.filter(officer=officer, visit__isnull=True,
                                                  planned_on__lt=today).count(),
    }


# ---------------------------------------------------------------- figures

# A demand counts as solved when it was closed after an answer and nobody said it was unresolved:
# reviewed resolved, closed when the review window passed, answered directly, or closed by the
# centre after a "resolved but not satisfied" review. Rejected or merged tickets are not solutions.
SOLVED = (Q(ticket__status=Status.CLOSED)
          & ~Q(ticket__close_reason__in=[CloseReason.REJECTED, CloseReason.MERGED])
          & ~Q(ticket__review_resolved=False))
SOLVE_TIME = ExpressionWrapper(F("ticket__closed_at") - F("ticket__created_at"), output_field=DurationField())


def _bounds(start: date | datetime, end: date | datetime) -> tuple[datetime, datetime]:
    """Dates are whole local days, both included; datetimes give the half-open [start, end)."""
    tz = timezone.get_current_timezone()
    lo = start if isinstance(start, datetime) else datetime.combine(start, time.min, tz)
    hi = end if isinstance(end, datetime) else datetime.combine(end + timedelta(days=1), time.min, tz)
    return lo, hi


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _days(value: timedelta | None) -> float | None:
    return round(value.total_seconds() / 86400, 2) if value is not None else None


def _stat_exprs() -> dict[str, Any]:
    return {"raised": Count("pk"), "solved": Count("pk", filter=SOLVED), "avg": Avg(SOLVE_TIME, filter=SOLVED)}


def _stats(row: dict[str, Any]) -> dict[str, Any]:
    return {"demands_raised": row["raised"], "demands_solved": row["solved"],
            "resolution_rate": _rate(row["solved"], row["raised"]), "avg_days_to_solve": _days(row["avg"])}


def _demand_groups(qs: QuerySet[CompanyDemand], group: str) -> dict[Any, dict[str, Any]]:
    return {row[group]: _stats(row) for row in qs.values(group).annotate(**_stat_exprs()).order_by(group)}


def _visit_counts(qs: QuerySet[Visit], group: str) -> dict[Any, int]:
    return {row[group]: row["n"] for row in qs.values(group).annotate(n=Count("pk")).order_by(group)}


def _breakdown(demands: QuerySet[CompanyDemand], visits: QuerySet[Visit], key: str,
               label: str, empty: str) -> list[dict[str, Any]]:
    stats = _demand_groups(demands, f"company__{key}")
    visit_counts = _visit_counts(visits, f"company__{key}")
    names = sorted(set(stats) | set(visit_counts), key=lambda k: (k is None or k == "", str(k)))
    blank = {"demands_raised": 0, "demands_solved": 0, "resolution_rate": None, "avg_days_to_solve": None}
    return [{label: name or empty, "visits": visit_counts.get(name, 0), **stats.get(name, blank)}
            for name in names]


def zone_figures(start: date | datetime, end: date | datetime, *,
                 companies: QuerySet[Company] | None = None) -> dict[str, Any]:
    """The zone's company-service figures for a period, computed by database aggregation.

    `start`/`end` as dates: whole days, both included (a month is (1st, last day)); as aware
    datetimes: [start, end). Demands are those raised in the period; "solved" is judged now (see
    SOLVED), 企业诉求解决率 = solved / raised, average time to solve in calendar days from raising
    to closing. Visits are those dated in the period. Pass `companies` to narrow (e.g. one company).
    """
    lo, hi = _bounds(start, end)
    demands = CompanyDemand.objects.filter(ticket__created_at__gte=lo, ticket__created_at__lt=hi)
    # Visits carry a day, not a time: the days from start up to (not including) the day of `hi`.
    visits = Visit.objects.filter(visited_on__gte=timezone.localdate(lo), visited_on__lt=timezone.localdate(hi))
    if companies is not None:
        demands = demands.filter(company__in=companies)
        visits = visits.filter(company__in=companies)
    per_month = (visits.annotate(month=TruncMonth("visited_on")).values("month")
                 .annotate(n=Count("pk")).order_by("month"))
    return {
        "start": timezone.localtime(lo).isoformat(),
        "end": timezone.localtime(hi).isoformat(),
        "visits": visits.count(),
        "visits_per_month": [{"month": f"{row['month']:%Y-%m}", "visits": row["n"]} for row in per_month],
        **_stats(demands.aggregate(**_stat_exprs())),
        "open_demands": demands.filter(ticket__status__in=OPEN_STATUSES).count(),
        "by_industry": _breakdown(demands, visits, "industry", "industry", "未填写行业"),
        "by_building": _breakdown(demands, visits, "building__name", "building", "未入驻楼宇园区"),
    }
