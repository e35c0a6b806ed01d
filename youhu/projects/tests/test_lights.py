"""Lights follow the working-day calendar as time moves."""

from datetime import date, timedelta

import pytest

from youhu.projects import lights
from youhu.testing.factories import at
from youhu.workdays import calendar
from youhu.workdays.models import CalendarDay

pytestmark = pytest.mark.django_db


def test_a_node_goes_green_yellow_red_as_the_clock_moves(zone, settings):
    settings.YOUHU_PROJECTS = {**settings.YOUHU_PROJECTS, "WARN_WORKING_DAYS": 3}
    project = zone.project()
    node = zone.node(project, "施工许可", date(2026, 3, 20))  # a Friday
    assert lights.node_light(node, at("2026-03-10 10:00")).light == lights.GREEN
    # Monday 16th: 4 working days left (17, 18, 19, 20) -> still green; Tuesday 17th: 3 -> yellow
    assert lights.node_light(node, at("2026-03-16 10:00")).light == lights.GREEN
    assert lights.node_light(node, at("2026-03-17 10:00")).light == lights.YELLOW
    # the deadline is the close of office hours on the day itself
    assert lights.node_light(node, at("2026-03-20 17:59")).light == lights.YELLOW
    late = lights.node_light(node, at("2026-03-20 18:01"))
    assert (late.light, late.reason) == (lights.RED, "今日到期未完成")
    # the weekend does not count: Monday the 23rd is one working day overdue
    monday = lights.node_light(node, at("2026-03-23 09:00"))
    assert (monday.light, monday.working_days_left) == (lights.RED, -1)
    assert lights.project_light([node], at("2026-03-23 09:00")) == lights.RED


def test_holidays_stretch_the_warning_window(zone, settings):
    settings.YOUHU_PROJECTS = {**settings.YOUHU_PROJECTS, "WARN_WORKING_DAYS": 2}
    node = zone.node(zone.project(), "竣工验收", date(2026, 3, 20))
    now = at("2026-03-16 10:00")
    assert lights.node_light(node, now).light == lights.GREEN  # 17, 18, 19, 20: four working days
    for day in (17, 18):
        CalendarDay.objects.create(date=date(2026, 3, day), kind=CalendarDay.Kind.HOLIDAY, name="测试假日")
    calendar.invalidate()
    try:
        assert lights.node_light(node, now).light == lights.YELLOW  # only 19 and 20 are working days now
    finally:
        CalendarDay.objects.filter(name="测试假日").delete()
        calendar.invalidate()


def test_behind_plan_is_yellow_and_done_is_green(zone):
    project = zone.project()
    late_start = zone.node(project, "主体开工", date(2026, 9, 30), planned_start=date(2026, 3, 1))
    done = zone.node(project, "立项批复", date(2026, 1, 31), actual_start=date(2026, 1, 5), actual_end=date(2026, 2, 3))
    now = zone.now
    assert lights.node_light(late_start, now).reason == "滞后于计划：应已开始尚未开始"
    assert lights.node_light(late_start, now).light == lights.YELLOW
    assert lights.node_light(done, now).light == lights.GREEN
    assert lights.project_light([late_start, done], now) == lights.YELLOW
    late_start.actual_start = date(2026, 3, 2)
    assert lights.node_light(late_start, now).light == lights.GREEN
    assert lights.project_light([], now + timedelta(days=400)) == lights.GREEN
