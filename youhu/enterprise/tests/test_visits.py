from datetime import date

import pytest

from youhu.enterprise import selectors, services
from youhu.enterprise.models import CompanyDemand, Visit, VisitPlan
from youhu.testing.factories import at
from youhu.tickets.errors import InvalidInput, NotAllowed
from youhu.tickets.models import Channel, Status, Ticket


def _visit(zone, company, issues, **kw):
    return services.record_visit(
        company, by=kw.pop("by", zone.cso_a), visited_on=kw.pop("visited_on", date(2026, 3, 3)),
        people_met="王经理（行政总监）", topics="了解研发投入与用地需求", issues=issues,
        now=zone.now, **kw,
    )


def test_visit_with_two_issues_makes_two_dispatched_tickets(zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    visit = _visit(zone, company, [zone.issue(), zone.issue("新增研发用地需求", category=zone.land_category)])

    demands = list(CompanyDemand.objects.filter(visit=visit).order_by("id").select_related("ticket"))
    assert len(demands) == 2
    policy, land = (d.ticket for d in demands)
    assert {d.company for d in demands} == {company} and {d.raised_by for d in demands} == {zone.cso_a}
    for ticket in (policy, land):
        assert ticket.channel == Channel.ENTERPRISE
        assert ticket.status == Status.DISPATCHED
        assert ticket.accept_due > zone.now and ticket.reply_due > ticket.accept_due
        assert ticket.appellant_phone == "13800138000" and ticket.street == zone.district.street
        events = list(ticket.events.values_list("action", "actor"))
        assert events == [("create", zone.cso_a.pk), ("register", None), ("dispatch", None)]
    assert policy.main_unit == zone.dev and land.main_unit == zone.land
    # The enterprise branch's own rule: 10 working days (2026-03-04 + 10 = 2026-03-18).
    assert policy.reply_due.date() == date(2026, 3, 18)
    # The tickets then follow the normal lifecycle: the unit sees and accepts them.
    assert policy in Ticket.objects.filter(main_unit=zone.dev)
    from youhu.tickets import services as tickets
    tickets.accept(policy, by=zone.dev_handler, now=at("2026-03-04 11:00"))
    assert policy.status == Status.HANDLING


def test_visit_in_the_future_is_refused(zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    with pytest.raises(InvalidInput) as err:
        _visit(zone, company, [zone.issue()], visited_on=date(2026, 3, 5))
    assert err.value.field == "visited_on" and "晚于今天" in err.value.message
    assert not Visit.objects.exists() and not Ticket.objects.exists()


def test_one_bad_issue_stores_nothing(zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    not_enterprise = zone.district.category
    with pytest.raises(InvalidInput) as err:
        _visit(zone, company, [zone.issue(), zone.issue("路灯", category=not_enterprise)])
    assert err.value.field == "issues.2.category" and "不是企业诉求分类" in err.value.message
    assert not Visit.objects.exists() and not Ticket.objects.exists() and not CompanyDemand.objects.exists()


def test_demand_without_company_is_refused(zone):
    with pytest.raises(InvalidInput) as err:
        services.raise_demand(None, zone.issue(), by=zone.cso_a, source="visit", now=zone.now)
    assert err.value.field == "company"
    assert not Ticket.objects.exists()


def test_only_the_company_cso_records_visits(zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    with pytest.raises(NotAllowed):
        _visit(zone, company, [], by=zone.cso_b)


def test_plans_overdue_and_done(zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    early = services.plan_visit(company, by=zone.cso_a, planned_on=date(2026, 3, 4), now=zone.now)
    services.plan_visit(company, by=zone.cso_a, planned_on=date(2026, 3, 20), now=zone.now)
    with pytest.raises(InvalidInput, match="不能早于今天"):
        services.plan_visit(company, by=zone.cso_a, planned_on=date(2026, 3, 1), now=zone.now)
    assert list(selectors.overdue_plans(zone.cso_a, today=date(2026, 3, 10))) == [early]
    visit = _visit(zone, company, [], plan=early)
    assert VisitPlan.objects.get(pk=early.pk).visit == visit
    assert not selectors.overdue_plans(zone.cso_a, today=date(2026, 3, 10)).exists()
    assert selectors.overdue_plans(zone.cso_a, today=date(2026, 3, 21)).count() == 1
    assert not selectors.overdue_plans(zone.cso_b, today=date(2026, 3, 21)).exists()


def test_workload_counts_open_and_overdue_demands(zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    zone.company("琶洲示例二号公司", officer=zone.cso_b)
    _visit(zone, company, [zone.issue(), zone.issue("用地", category=zone.land_category)])
    load = selectors.officer_workload(zone.cso_a, now=at("2026-03-20 09:00"))
    assert load == {"companies": 1, "open_demands": 2, "overdue_demands": 2, "due_soon_demands": 0,
                    "visits_this_month": 1, "overdue_plans": 0}
    # Both are due on 2026-03-18: within two working days of the 17th, not of the 4th.
    assert selectors.officer_workload(zone.cso_a, now=at("2026-03-17 09:00"))["due_soon_demands"] == 2
    assert selectors.officer_workload(zone.cso_a, now=zone.now)["due_soon_demands"] == 0
    assert selectors.officer_workload(zone.cso_b, now=zone.now)["open_demands"] == 0
    assert selectors.visible_demands(zone.cso_b).count() == 0
    assert selectors.visible_demands(zone.cso_a).count() == 2
