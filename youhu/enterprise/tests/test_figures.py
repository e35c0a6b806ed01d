from datetime import date

from youhu.enterprise import services
from youhu.enterprise.models import Company
from youhu.enterprise.selectors import zone_figures
from youhu.testing.factories import at
from youhu.tickets import services as tickets


def _demand(zone, company, when, title="研发补贴申报进度咨询"):
    return services.raise_demand(company, zone.issue(title), by=zone.cso_a, source="visit", now=at(when)).ticket


def _reply(zone, ticket, when):
    tickets.accept(ticket, by=zone.dev_handler, now=at(when))
    tickets.reply(ticket, by=zone.dev_handler, text="已协调相关科室办理完毕，并电话告知企业。", now=at(when))


def _solve(zone, ticket, when, resolved=True):
    _reply(zone, ticket, when)
    tickets.review(ticket, by=None, resolved=resolved,
                   satisfaction="satisfied" if resolved else "dissatisfied", now=at(when))


def _visit(zone, company, day):
    services.record_visit(company, by=zone.cso_a, visited_on=day, people_met="王经理", topics="走访",
                          now=at(f"{day} 18:00"))


def _fixture(zone):
    a = zone.company("甲软件公司", officer=zone.cso_a, industry="软件", building=zone.tower)
    b = zone.company("乙智能公司", officer=zone.cso_a, industry="人工智能")
    for company, day in [(a, date(2026, 1, 10)), (a, date(2026, 2, 20)), (a, date(2026, 3, 3)),
                         (b, date(2026, 3, 3))]:
        _visit(zone, company, day)
    _solve(zone, _demand(zone, a, "2026-01-15 10:00"), "2026-01-16 10:00")  # before the period
    _solve(zone, _demand(zone, a, "2026-02-20 10:00"), "2026-02-23 10:00")  # solved in 3 days
    _demand(zone, a, "2026-03-04 10:00")  # still with the unit
    _solve(zone, _demand(zone, b, "2026-03-04 10:00"), "2026-03-05 10:00")  # solved in 1 day
    _solve(zone, _demand(zone, b, "2026-03-04 11:00"), "2026-03-06 10:00", resolved=False)  # not solved
    return a, b


def test_zone_figures_by_hand(zone):
    a, _b = _fixture(zone)
    figures = zone_figures(date(2026, 2, 1), date(2026, 3, 31))
    assert figures["visits"] == 3
    assert figures["visits_per_month"] == [{"month": "2026-02", "visits": 1}, {"month": "2026-03", "visits": 2}]
    assert (figures["demands_raised"], figures["demands_solved"], figures["open_demands"]) == (4, 2, 1)
    assert figures["resolution_rate"] == 0.5
    assert figures["avg_days_to_solve"] == 2.0  # (3 + 1) / 2
    assert figures["by_industry"] == [
        {"industry": "人工智能", "visits": 1, "demands_raised": 2, "demands_solved": 1,
         "resolution_rate": 0.5, "avg_days_to_solve": 1.0},
        {"industry": "软件", "visits": 2, "demands_raised": 2, "demands_solved": 1,
         "resolution_rate": 0.5, "avg_days_to_solve": 3.0},
    ]
    assert [(row["building"], row["visits"], row["demands_raised"]) for row in figures["by_building"]] == [
        ("琶洲数字大厦", 2, 2), ("未入驻楼宇园区", 1, 2)]

    one = zone_figures(date(2026, 1, 1), date(2026, 3, 31), companies=Company.objects.filter(pk=a.pk))
    assert (one["visits"], one["demands_raised"], one["demands_solved"]) == (3, 3, 2)
    assert one["avg_days_to_solve"] == 2.0  # (1 + 3) / 2


def test_datetime_bounds_are_half_open(zone):
    _fixture(zone)
    march = zone_figures(at("2026-03-01 00:00"), at("2026-04-01 00:00"))
    assert (march["visits"], march["demands_raised"]) == (2, 3)


def test_an_empty_period_has_no_rates(zone):
    figures = zone_figures(date(2025, 1, 1), date(2025, 1, 31))
    assert figures["demands_raised"] == 0 and figures["resolution_rate"] is None
    assert figures["avg_days_to_solve"] is None and figures["by_industry"] == []
