"""The tree's checks and versions, values with their source, the units' form and the overdue list."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from youhu.directory.models import Role
from youhu.indicators import periods, selectors, services, tree
from youhu.indicators.models import Entity, Indicator, ScoreRun, TreeVersion, Value
from youhu.testing.factories import make_unit, make_user
from youhu.tickets.errors import InvalidInput, NotAllowed

from .conftest import SMALL_TREE

pytestmark = pytest.mark.django_db


def test_weights_that_do_not_sum_to_one_name_the_level():
    spec = copy.deepcopy(SMALL_TREE)
    spec[1]["indicators"][1]["weight"] = 0.4
    problems = tree.check(spec)
    assert problems == ["维度“营商环境”下各指标的权重合计为 0.9，应为 1 / weights at 维度“营商环境”下各指标 sum to 0.9, not 1"]
    spec[0]["weight"] = 0.6
    assert tree.check(spec)[0].startswith("维度层的权重合计为 1.1，应为 1")
    with pytest.raises(InvalidInput, match="营商环境"):
        tree.publish(spec, by=None)
    assert not TreeVersion.objects.exists()


def test_bad_entries_are_each_named():
    spec = copy.deepcopy(SMALL_TREE)
    spec[0]["indicators"][0].update(weight="六成", unit="")
    spec[1]["indicators"][0].update(direction="up", code="revenue")
    problems = "\n".join(tree.check(spec))
    for text in ("权重“六成”不是数字", "缺少计量单位", "方向应为 higher 或 lower", "指标代码“revenue”重复"):
        assert text in problems


def test_a_change_is_a_new_version_and_old_runs_keep_theirs(small_tree, parks, year):
    services.store([services.Figure(p, year, "revenue", v) for p, v in zip(parks, [10, 20, 30], strict=True)],
                   source="import", by=None)
    first = services.run_score(year, by=None)
    spec = copy.deepcopy(SMALL_TREE)
    spec[0]["indicators"][0]["weight"], spec[0]["indicators"][1]["weight"] = 0.5, 0.5
    second = tree.publish(spec, by=None, note="权重调整")
    assert (small_tree.number, second.number) == (1, 2) and tree.current() == second
    assert Indicator.objects.filter(dimension__version=small_tree, code="revenue").get().weight == 0.6
    assert ScoreRun.objects.get(pk=first.pk).version == small_tree and first.result["version"] == 1
    assert services.run_score(year, by=None).version == second


def test_a_code_keeps_its_unit_across_versions(small_tree):
    spec = copy.deepcopy(SMALL_TREE)
    spec[0]["indicators"][0]["unit"] = "万元"
    with pytest.raises(InvalidInput, match="计量单位原为“亿元”"):
        tree.publish(spec, by=None)


def test_only_an_admin_publishes():
    with pytest.raises(NotAllowed):
        tree.publish(SMALL_TREE, by=make_user("sup", Role.SUPERVISOR))
    assert tree.publish(SMALL_TREE, by=make_user("adm", Role.ADMIN)).created_by.username == "adm"


def test_periods_are_written_as_a_year_or_a_quarter():
    assert periods.bounds("2025q3")[1:] == ("quarter", date(2025, 7, 1), date(2025, 9, 30))
    assert periods.bounds("2025Q4")[3] == date(2025, 12, 31)
    with pytest.raises(InvalidInput, match="2025 或 2025Q3"):
        periods.bounds("2025-13")


def test_the_unit_fills_its_own_figures_and_text_is_refused(small_tree, parks, year):
    office = make_unit("琶洲管委会")
    parks[0].unit = office
    parks[0].save()
    handler = make_user("h1", Role.HANDLER, unit=office)
    other = make_user("h2", Role.HANDLER, unit=make_unit("别的单位"))
    with pytest.raises(NotAllowed):
        services.fill(other, parks[0], year, {"approval_days": "8"})
    with pytest.raises(InvalidInput, match="审批用时：“八天”不是数字") as caught:
        services.fill(handler, parks[0], year, {"approval_days": "八天"})
    assert caught.value.field == "approval_days" and not Value.objects.exists()
    with pytest.raises(InvalidInput, match="不是单位填报的指标"):
        services.fill(handler, parks[0], year, {"revenue": "8"})
    assert services.fill(handler, parks[0], year, {"approval_days": "8.5"}) == 1
    value = Value.objects.get()
    assert (value.value, value.source, value.entered_by) == (8.5, "form", handler)


def test_missing_unit_figures_are_listed_only_after_the_deadline(small_tree, parks, year):
    office = make_unit("琶洲管委会")
    Entity.objects.filter(pk__in=[parks[0].pk, parks[1].pk]).update(unit=office)
    year.deadline = date(2026, 1, 31)
    year.save()
    services.store([services.Figure(parks[0], year, "approval_days", 9)], source="form", by=None)
    assert selectors.missing_unit_figures(year, today=date(2026, 1, 31)) == []
    late = selectors.missing_unit_figures(year, today=date(2026, 2, 1))
    assert [(r["entity"], r["indicator"].code, r["unit"]) for r in late] == [(parks[1], "approval_days", office)]


def test_a_stored_value_is_replaced_not_doubled(small_tree, parks, year):
    for v in (1.0, 2.0):
        services.store([services.Figure(parks[0], year, "revenue", v)], source="import", by=None)
    assert list(Value.objects.values_list("value", flat=True)) == [2.0]


def test_units_with_overdue_figures_get_one_reminder_a_day(small_tree, parks, year):
    from youhu.testing.factories import at
    from youhu.tickets.models import Notification

    office = make_unit("琶洲管委会")
    Entity.objects.filter(pk=parks[0].pk).update(unit=office)
    year.deadline = date(2026, 1, 31)
    year.save()
    assert services.remind_overdue(year, now=at("2026-01-31 10:00")) == 0  # not late yet
    assert services.remind_overdue(year, now=at("2026-02-02 10:00")) == 1
    assert services.remind_overdue(year, now=at("2026-02-02 15:00")) == 0  # once a day
    message = Notification.objects.get(unit=office)
    assert message.kind == services.OVERDUE_KIND
    assert "2025年评价指标" in message.message and "琶洲互联网创新集聚区·审批用时" in message.message
    services.store([services.Figure(parks[0], year, "approval_days", 9)], source="form", by=None)
    assert services.remind_overdue(year, now=at("2026-02-03 10:00")) == 0
