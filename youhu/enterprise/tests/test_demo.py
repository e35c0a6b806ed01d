from collections import Counter

from youhu.enterprise import demo
from youhu.enterprise.models import Company, CompanyDemand, CsoAssignment, Visit, VisitPlan
from youhu.enterprise.selectors import zone_figures
from youhu.enterprise.uscc import is_valid_uscc
from youhu.testing.factories import at, make_unit, make_user
from youhu.tickets.models import Status


def test_demo_loads_once_with_demands_in_every_state(district):
    dev = make_unit("区发展和改革局")
    land = make_unit("区规划和自然资源分局")
    make_user("fgj", "handler", unit=dev)
    make_user("ghzy", "handler", unit=land)
    now = at("2026-11-20 10:00")
    demo.load(now)
    first = demo.summary()
    demo.load(now)
    assert demo.summary() == first
    assert first["companies"] == len(demo.COMPANIES) and first["visits"] == len(demo.VISITS)
    assert all(is_valid_uscc(c.uscc) and "YHDEM" in c.uscc for c in Company.objects.all())
    states = Counter(CompanyDemand.objects.values_list("ticket__status", flat=True))
    assert {Status.REGISTERED, Status.DISPATCHED, Status.HANDLING, Status.REPLIED, Status.CLOSED} <= set(states)
    assert CompanyDemand.objects.filter(source="portal").count() == 1
    assert CsoAssignment.objects.filter(ended_at__isnull=False).count() == 1
    assert VisitPlan.objects.filter(planned_on__lt=now.date(), visit__isnull=True).count() == 2
    assert set(Company.objects.values_list("service_officer__username", flat=True)) == {"cso1", "cso2", "cso3"}
    land_demands = CompanyDemand.objects.filter(ticket__category__name="用地")
    assert {d.ticket.main_unit for d in land_demands} == {land}
    figures = zone_figures(at("2026-01-01 00:00"), now)
    assert figures["visits"] == Visit.objects.count() and figures["demands_raised"] == first["demands"]
