import pytest

from youhu.enterprise import selectors, services
from youhu.enterprise.models import Company
from youhu.testing.factories import at
from youhu.tickets.errors import InvalidInput, NotAllowed


def test_reassignment_keeps_history(zone):
    admin = zone.district.admin
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    later = at("2026-04-01 09:00")
    services.assign_officer(company, zone.cso_b, by=admin, reason="工作调整", now=later)

    company.refresh_from_db()
    assert company.service_officer == zone.cso_b
    history = list(selectors.officer_history(company))
    assert [(h.officer, h.started_at, h.ended_at) for h in history] == [
        (zone.cso_b, later, None),
        (zone.cso_a, zone.now, later),
    ]
    assert history[0].assigned_by == admin and history[0].reason == "工作调整"
    assert list(selectors.visible_companies(zone.cso_a)) == []
    assert list(selectors.visible_companies(zone.cso_b)) == [company]


def test_reassignment_needs_a_reason_and_a_real_officer(zone):
    admin = zone.district.admin
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    with pytest.raises(InvalidInput, match="调整原因"):
        services.assign_officer(company, zone.cso_b, by=admin, reason="")
    with pytest.raises(InvalidInput, match="不是首席服务官"):
        services.assign_officer(company, zone.district.handler, by=admin, reason="x")
    with pytest.raises(InvalidInput, match="已是"):
        services.assign_officer(company, zone.cso_a, by=admin, reason="x")
    with pytest.raises(NotAllowed):
        services.assign_officer(company, zone.cso_b, by=zone.cso_a, reason="x")
    assert Company.objects.get().service_officer == zone.cso_a
    assert company.assignments.count() == 1
