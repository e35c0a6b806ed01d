from __future__ import annotations

import pytest

from youhu.directory.models import Unit
from youhu.dispatch.models import LabelledExample, RoutingRule, Suggestion
from youhu.dispatch.services import (
    dispatch_ticket,
    labelled_examples,
    latest_suggestion,
    triage,
    use_classifier,
)
from youhu.testing.factories import at, make_area, make_category, make_ticket, make_unit
from youhu.tickets import services as tickets
from youhu.tickets.models import Status

from .conftest import BrokenClassifier

NOW = at("2026-03-02 09:30")


def new_ticket(title: str, content: str, **fields):
    return make_ticket(title=title, content=content, now=NOW, **fields)


@pytest.mark.django_db
class TestThreshold:
    def test_confident_ticket_is_dispatched_by_itself(self, smart, settings):
        settings.YOUHU = {**settings.YOUHU, "AUTO_DISPATCH_CONFIDENCE": 0.9}
        ticket = triage(new_ticket("工厂夜间排污", "琶洲某工厂夜间向河涌排污，气味刺鼻。"), now=NOW)
        ticket.refresh_from_db()
        assert ticket.status == Status.DISPATCHED
        assert ticket.main_unit == smart.env
        assert ticket.category == smart.environment
        assert ticket.reply_due is not None
        event = ticket.events.get(action="dispatch")
        assert event.actor is None and event.payload["auto"] is True
        assert event.payload["confidence"] == pytest.approx(0.97)
        suggestion = latest_suggestion(ticket)
        assert suggestion.outcome == Suggestion.Outcome.AUTO_DISPATCHED
        assert suggestion.terms == ["排污"]
        assert suggestion.model_version == "test-keywords-1"

    def test_unsure_ticket_waits_with_three_suggestions(self, smart, settings):
        settings.YOUHU = {**settings.YOUHU, "AUTO_DISPATCH_CONFIDENCE": 0.9}
        ticket = triage(new_ticket("楼下噪音", "琶洲某小区楼下晚上噪音很大。"), now=NOW)
        ticket.refresh_from_db()
        assert ticket.status == Status.REGISTERED
        assert ticket.main_unit is None
        suggestion = latest_suggestion(ticket)
        assert suggestion.outcome == Suggestion.Outcome.QUEUED
        assert "低于自动派单阈值" in suggestion.hold_reason
        assert [row["label"] for row in suggestion.top] == ["环境保护", "城乡建设", "商贸旅游"]
        assert suggestion.top[0]["confidence"] == pytest.approx(0.55)
        assert suggestion.top[0]["unit_id"] == smart.env.pk

    def test_failed_auto_dispatch_leaves_the_ticket_queued_with_the_reason(self, smart, settings, monkeypatch):
        from youhu.tickets.errors import InvalidTransition

        def refuse(*args, **kwargs):
            raise InvalidTransition("承办单位已停用")

        settings.YOUHU = {**settings.YOUHU, "AUTO_DISPATCH_CONFIDENCE": 0.9}
        monkeypatch.setattr(tickets, "dispatch", refuse)
        ticket = triage(new_ticket("工厂夜间排污", "琶洲某工厂夜间向河涌排污，气味刺鼻。"), now=NOW)
        ticket.refresh_from_db()
        assert ticket.status == Status.REGISTERED
        suggestion = latest_suggestion(ticket)
        assert suggestion.outcome == Suggestion.Outcome.QUEUED
        assert suggestion.hold_reason == "自动派单未成功：承办单位已停用"
        assert suggestion.unit == smart.env

    def test_threshold_is_configurable(self, smart, settings):
        settings.YOUHU = {**settings.YOUHU, "AUTO_DISPATCH_CONFIDENCE": 0.5}
        ticket = triage(new_ticket("楼下噪音", "琶洲某小区楼下晚上噪音很大。"), now=NOW)
        assert ticket.status == Status.DISPATCHED


@pytest.mark.django_db
class TestWithoutUsableModel:
    def test_no_model_leaves_ticket_registered_for_a_person(self, smart):
        with use_classifier(None):
            ticket = triage(new_ticket("工厂夜间排污", "琶洲某工厂夜间向河涌排污。"), now=NOW)
        ticket.refresh_from_db()
        assert ticket.status == Status.REGISTERED and ticket.main_unit is None
        assert latest_suggestion(ticket).hold_reason == "未加载分类模型，需人工分类"

    def test_broken_model_does_not_crash_intake(self, smart):
        with use_classifier(BrokenClassifier()):
            ticket = triage(new_ticket("工厂夜间排污", "琶洲某工厂夜间向河涌排污。"), now=NOW)
        assert ticket.status == Status.REGISTERED
        assert "出错" in latest_suggestion(ticket).hold_reason

    @pytest.mark.parametrize("content", ["\x01\x02\x7f\ufffd\ufffd", "street lamp broken at the corner", "…" * 50])
    def test_text_without_chinese_goes_to_a_person(self, smart, content):
        ticket = triage(new_ticket("???", content), now=NOW)
        assert ticket.status == Status.REGISTERED
        assert latest_suggestion(ticket).hold_reason == "诉求文本没有可识别的中文内容"

    def test_label_outside_taxonomy_is_not_dispatched(self, smart):
        smart.environment.active = False
        smart.environment.save()
        ticket = triage(new_ticket("工厂夜间排污", "琶洲某工厂夜间向河涌排污。"), now=NOW)
        assert ticket.status == Status.REGISTERED
        assert "不在分类目录中" in latest_suggestion(ticket).hold_reason

    def test_category_chosen_at_intake_must_agree_with_the_model(self, smart):
        ticket = new_ticket("工厂夜间排污", "琶洲某工厂夜间向河涌排污。", category=smart.category)
        triage(ticket, now=NOW)
        assert ticket.status == Status.REGISTERED
        assert ticket.category == smart.category
        assert "不一致" in latest_suggestion(ticket).hold_reason

    def test_category_the_model_does_not_know_waits_with_its_own_reason(self, smart):
        enterprise = make_category("企业诉求/用工", unit=smart.env)
        ticket = triage(new_ticket("用工咨询", "企业反映琶洲某工厂排污许可办理问题。", category=enterprise), now=NOW)
        assert ticket.status == Status.REGISTERED
        assert latest_suggestion(ticket).hold_reason == "已选分类“企业诉求”不在模型的分类范围内，请人工确认"


@pytest.mark.django_db
class TestRoutingByPlace:
    def test_local_category_goes_to_the_street_office_of_the_place(self, smart):
        ticket = triage(new_ticket("占道经营", "琶洲会展中心附近有商贩占道经营。"), now=NOW)
        ticket.refresh_from_db()
        assert ticket.street == smart.street and not ticket.location_unresolved
        assert ticket.status == Status.DISPATCHED
        assert ticket.main_unit == smart.street_office

    def test_local_category_in_another_street(self, smart):
        haichuang = make_area("海幢街道")
        office = make_unit("海幢街道办事处", kind=Unit.Kind.STREET_OFFICE, area=haichuang)
        ticket = triage(new_ticket("占道经营", "海幢寺门口有商贩占道经营。"), now=NOW)
        assert ticket.street == haichuang
        assert ticket.main_unit == office

    def test_local_category_with_unknown_place_waits_flagged(self, smart):
        ticket = triage(new_ticket("占道经营", "小区门口有商贩占道经营。"), now=NOW)
        ticket.refresh_from_db()
        assert ticket.status == Status.REGISTERED
        assert ticket.street is None and ticket.location_unresolved
        assert latest_suggestion(ticket).hold_reason == "属地事项，但未能确定所在街道"

    def test_routing_rule_for_a_street_overrides_the_default_unit(self, smart):
        market = make_unit("区市场监管局")
        RoutingRule.objects.create(category=smart.trade, street=smart.street, unit=market)
        ticket = triage(new_ticket("占道经营", "琶洲会展中心附近有商贩占道经营。"), now=NOW)
        assert ticket.main_unit == market

    def test_edits_between_two_tickets_apply_to_the_second(self, smart):
        first = triage(new_ticket("占道经营", "琶洲会展中心附近有商贩占道经营。"), now=NOW)
        assert first.main_unit == smart.street_office
        market = make_unit("区市场监管局")
        rule = RoutingRule.objects.create(category=smart.trade, street=smart.street, unit=market)
        second = triage(new_ticket("占道经营", "琶洲地铁站B出口每天早上有小贩占道经营卖早餐。"), now=NOW)
        assert second.main_unit == market
        market.active = False  # an inactive unit's rule no longer counts
        market.save()
        third = triage(new_ticket("占道经营", "琶洲公园北门晚上十点后仍有夜市摊档占道经营，行人难走。"), now=NOW)
        assert third.main_unit == smart.street_office
        rule.delete()
        smart.trade.is_local = False
        smart.trade.default_unit = smart.roads
        smart.trade.save()
        fourth = triage(new_ticket("占道经营", "琶洲塔附近停车场被水果档口长期霸占经营。"), now=NOW)
        assert fourth.main_unit == smart.roads

    def test_options_are_routed_without_reading_reference_data_per_option(self, smart, settings):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        settings.YOUHU = {**settings.YOUHU, "AUTO_DISPATCH_CONFIDENCE": 0.9}
        ticket = new_ticket("楼下噪音", "琶洲某小区楼下晚上噪音很大。")
        with CaptureQueriesContext(connection) as queries:
            triage(ticket, now=NOW)
        suggestion = latest_suggestion(ticket)
        assert [row["unit_id"] for row in suggestion.top] == [
            smart.env.pk, smart.roads.pk, smart.street_office.pk]
        sqls = [q["sql"] for q in queries.captured_queries]
        assert sum('FROM "dispatch_routingrule"' in sql for sql in sqls) == 1
        assert sum('FROM "taxonomy_category"' in sql and "level" in sql for sql in sqls) == 1

    def test_department_category_needs_no_place(self, smart):
        ticket = triage(new_ticket("路灯不亮", "小区门口路灯不亮一周了。"), now=NOW)
        assert ticket.status == Status.DISPATCHED and ticket.main_unit == smart.roads
        assert ticket.location_unresolved


@pytest.mark.django_db
class TestLearningFromDispatchers:
    def test_correction_is_stored_as_labelled_example(self, smart):
        ticket = triage(new_ticket("楼下噪音", "琶洲某小区楼下晚上噪音很大，是施工造成的。"), now=NOW)
        dispatch_ticket(ticket, by=smart.dispatcher, unit=smart.roads, category=smart.construction, now=NOW)
        example = LabelledExample.objects.get(ticket=ticket)
        assert example.label == "城乡建设" and example.suggested_label == "环境保护"
        assert example.source == LabelledExample.Source.CORRECTED
        assert example.created_by == smart.dispatcher
        assert "施工" in example.text

    def test_confirmation_is_stored_too(self, smart):
        ticket = triage(new_ticket("楼下噪音", "琶洲某小区楼下晚上噪音很大。"), now=NOW)
        dispatch_ticket(ticket, by=smart.dispatcher, unit=smart.env, category=smart.environment, now=NOW)
        assert LabelledExample.objects.get(ticket=ticket).source == LabelledExample.Source.CONFIRMED

    def test_return_then_redispatch_is_a_correction(self, smart):
        ticket = triage(new_ticket("路灯不亮", "路灯不亮，其实是隔壁工厂违规施工挖断了电缆。"), now=NOW)
        assert ticket.status == Status.DISPATCHED  # the model said 城乡建设 confidently
        tickets.accept(ticket, by=smart.handler, now=NOW)
        tickets.return_ticket(ticket, by=smart.handler, reason="系工厂违规施工问题，非我局职责", now=NOW)
        dispatch_ticket(ticket, by=smart.dispatcher, unit=smart.env, category=smart.environment, now=NOW)
        example = LabelledExample.objects.get(ticket=ticket)
        assert example.source == LabelledExample.Source.RETURN_CORRECTION
        assert example.label == "环境保护"
        assert labelled_examples() == [(example.text, "环境保护")]

    def test_newest_decision_per_ticket_wins_for_training(self, smart):
        ticket = triage(new_ticket("楼下噪音", "琶洲某小区楼下晚上噪音很大。"), now=NOW)
        dispatch_ticket(ticket, by=smart.dispatcher, unit=smart.env, category=smart.environment, now=NOW)
        tickets.return_ticket(ticket, by=smart.env_handler, reason="是建筑施工噪音", now=at("2026-03-02 10:00"))
        dispatch_ticket(ticket, by=smart.dispatcher, unit=smart.roads, category=smart.construction,
                        now=at("2026-03-02 11:00"))
        assert LabelledExample.objects.filter(ticket=ticket).count() == 2
        assert [label for _, label in labelled_examples()] == ["城乡建设"]


@pytest.mark.django_db(transaction=True)
def test_triage_reads_outside_any_transaction_and_writes_in_one(smart, monkeypatch):
    """On SQLite a transaction holds the database's write lock from its start: triage's reading and
    classifying (tens of ms) must happen before its transaction, or every arriving appeal waits for it."""
    from django.db import connection

    from youhu.dispatch import services

    seen: dict[str, bool] = {}
    plan, apply = services._plan_many, services._apply

    def watched_plan(*args, **kwargs):
        seen["plan"] = connection.in_atomic_block
        return plan(*args, **kwargs)

    def watched_apply(*args, **kwargs):
        seen["apply"] = connection.in_atomic_block
        return apply(*args, **kwargs)

    monkeypatch.setattr(services, "_plan_many", watched_plan)
    monkeypatch.setattr(services, "_apply", watched_apply)
    ticket = make_ticket(title="琶洲某工厂夜间排污", content="琶洲街道某工厂每天夜间向河涌排污，气味刺鼻。")
    services.triage(ticket)  # as the queue's worker (a batch) and inline intake (a batch of one) do
    assert seen == {"plan": False, "apply": True}
    assert ticket.status in (Status.REGISTERED, Status.DISPATCHED) and ticket.dispatch_suggestions.count() == 1
