"""Each metric against figures worked out by hand from the October fixture (see conftest.py).

Roads, October: T1..T5 were dispatched to it (T6 was returned, so it counts only as a 退单).
  received 5; accepted T1,T2,T3,T5 = 4, on time T1,T3,T5 = 3  -> 按时签收率 3/4, 响应率 3/5
  replied now T1,T2,T3 = 3 (T5's reply was undone by 重办), on time T1,T3  -> 按时办结率 2/3
  reviewed T1,T2,T3,T5 = 4; resolved T1,T3; satisfied/basically T1,T3  -> 解决率 2/4, 满意率 2/4
  returns 1 -> 退单率 1/(5+1); ever replied T1,T2,T3,T5 = 4, reopened T5 -> 重办率 1/4
  extended T3 -> 延期率 1/5; overdue T2 (late reply), T4 (due 10-15), T5 (due 10-19) = 3
  handling days T1 1, T2 6, T3 4 -> 平均办理时长 11/3
"""

from __future__ import annotations

import pytest

from youhu.supervision.metrics import format_rate, month_period, scorecard, scorecards
from youhu.testing.factories import at, make_category, make_unit
from youhu.tickets import services
from youhu.tickets.errors import InvalidInput

from .conftest import NOW

pytestmark = pytest.mark.django_db

OCTOBER = "2026-10"


def test_roads_october_figures(october):
    d = october.district
    card = scorecard(month_period(OCTOBER, now=NOW), unit=d.roads, now=NOW)
    assert card.received == 5
    assert card.accept_on_time_rate == pytest.approx(3 / 4)
    assert card.response_rate == pytest.approx(3 / 5)
    assert card.reply_on_time_rate == pytest.approx(2 / 3)
    assert card.resolution_rate == pytest.approx(2 / 4)
    assert card.satisfaction_rate == pytest.approx(2 / 4)
    assert card.returns == 1
    assert card.return_rate == pytest.approx(1 / 6)
    assert card.reopen_rate == pytest.approx(1 / 4)
    assert card.extension_rate == pytest.approx(1 / 5)
    assert card.overdue == 3
    assert card.avg_handling_days == pytest.approx(11 / 3)


def test_unreviewed_unit_has_no_satisfaction_rate_rather_than_zero(october):
    d = october.district
    card = scorecards(month_period(OCTOBER, now=NOW), group_by="unit", now=NOW)[d.env.pk]
    assert card.received == 1
    assert card.reply_on_time_rate == 1.0
    assert card.resolution_rate is None and card.satisfaction_rate is None
    assert card.return_rate == 0.0
    assert format_rate(card.satisfaction_rate) == "—"


def test_district_street_and_category_filters(october):
    d = october.district
    period = month_period(OCTOBER, now=NOW)
    assert scorecard(period, now=NOW).received == 6
    street = scorecard(period, street=d.street, now=NOW)
    assert street.received == 2 and street.overdue == 1  # T1 on time, T2 late
    parent = d.category.parent.parent  # 城乡建设: includes every sub-category
    assert scorecard(period, category=parent, now=NOW).received == 6
    empty = scorecard(period, category=make_category("环境保护/噪音"), now=NOW)
    assert empty.received == 0 and all(v is None for v in empty.rates().values())


def test_september_is_a_separate_period(october):
    card = scorecard(month_period("2026-09", now=NOW), unit=october.district.roads, now=NOW)
    assert card.received == 1 and card.satisfaction_rate == 1.0 and card.returns == 0


def test_unit_figures_include_its_sub_units(october):
    d = october.district
    lamps = make_unit("路灯管理所", parent=d.roads)
    ticket = services.create_ticket(services.NewAppeal(title="路灯", content="路灯不亮", channel="web"),
                                    now=at("2026-10-20 09:00"))
    services.register(ticket, by=d.dispatcher, category=d.category, now=at("2026-10-20 09:00"))
    services.dispatch(ticket, by=d.dispatcher, unit=lamps, now=at("2026-10-20 09:00"))
    period = month_period(OCTOBER, now=NOW)
    assert scorecard(period, unit=d.roads, now=NOW).received == 6
    assert scorecard(period, unit=lamps, now=NOW).received == 1


def test_month_bad_input():
    with pytest.raises(InvalidInput) as future:
        month_period("2027-01", now=NOW)
    assert "尚未开始" in str(future.value) and future.value.field == "month"
    for text in ("2026-13", "2026/10", "", "十月"):
        with pytest.raises(InvalidInput):
            month_period(text, now=NOW)


def test_empty_period_is_all_zeros_and_dashes(district):
    card = scorecard(month_period("2026-06", now=NOW), now=NOW)
    assert card.received == 0 and card.overdue == 0 and card.avg_handling_days is None
    assert all(v is None for v in card.rates().values())
