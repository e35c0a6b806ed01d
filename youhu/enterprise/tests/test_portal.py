import pytest

from youhu.enterprise import services
from youhu.enterprise.models import CompanyDemand, PortalChallenge
from youhu.tickets.errors import InvalidInput
from youhu.tickets.models import Channel, Status, Ticket

from .conftest import fictitious_uscc


def test_company_submits_with_uscc_and_code(zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    challenge, code = services.start_portal_challenge(company.uscc, "13800138000", now=zone.now)
    demand = services.submit_portal_demand(challenge.pk, code, zone.issue(), now=zone.now)
    assert demand.company == company and demand.source == CompanyDemand.Source.PORTAL
    assert demand.raised_by is None
    # The company's CSO hears of it in their inbox.
    assert demand.ticket.number in zone.cso_a.notifications.get().message
    assert demand.ticket.channel == Channel.ENTERPRISE and demand.ticket.status == Status.DISPATCHED
    with pytest.raises(InvalidInput, match="失效"):
        services.submit_portal_demand(challenge.pk, code, zone.issue(), now=zone.now)


def test_unknown_phone_or_uscc_gives_one_message(zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    with pytest.raises(InvalidInput, match="不匹配"):
        services.start_portal_challenge(company.uscc, "13900000000", now=zone.now)
    with pytest.raises(InvalidInput, match="不匹配"):
        services.start_portal_challenge(fictitious_uscc(), "13800138000", now=zone.now)
    wrong_check = company.uscc[:17] + ("0" if company.uscc[17] != "0" else "1")
    with pytest.raises(InvalidInput, match="校验位"):
        services.start_portal_challenge(wrong_check, "13800138000", now=zone.now)


def test_wrong_codes_are_counted_and_limited(zone):
    company = zone.company("琶洲示例一号公司", officer=zone.cso_a)
    challenge, code = services.start_portal_challenge(company.uscc, "13800138000", now=zone.now)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(services.PORTAL_MAX_ATTEMPTS):
        with pytest.raises(InvalidInput, match="验证码不正确"):
            services.submit_portal_demand(challenge.pk, wrong, zone.issue(), now=zone.now)
    assert PortalChallenge.objects.get().attempts == services.PORTAL_MAX_ATTEMPTS
    with pytest.raises(InvalidInput, match="次数过多"):
        services.submit_portal_demand(challenge.pk, code, zone.issue(), now=zone.now)
    assert not Ticket.objects.exists()
