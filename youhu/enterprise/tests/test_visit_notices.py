"""A service officer is told each morning of their planned visits due: once a day, however often the job runs."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest

from youhu.enterprise import services
from youhu.enterprise.tasks import remind_visits_due
from youhu.notify import texts
from youhu.notify.models import Channel, Message, OptIn, Status, Told
from youhu.testing.factories import at
from youhu.tickets.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(zone):
    """cso_a plans two visits (one due 03-05, one later), cso_b one on 03-05; cso_a opted in to SMS."""
    zone.cso_a.phone = "13600136000"
    zone.cso_a.save()
    OptIn.objects.create(user=zone.cso_a, channel=Channel.SMS)
    a = zone.company("广州琶洲云科技有限公司", officer=zone.cso_a)
    b = zone.company("广州海珠数据有限公司", officer=zone.cso_b)
    services.plan_visit(a, by=zone.cso_a, planned_on=date(2026, 3, 5), now=zone.now)
    services.plan_visit(a, by=zone.cso_a, planned_on=date(2026, 3, 20), now=zone.now)
    services.plan_visit(b, by=zone.cso_b, planned_on=date(2026, 3, 5), now=zone.now)
    return a, b


def test_each_officer_is_told_of_the_visits_due_once_a_day(zone, planned):
    assert services.tell_visits_due(at("2026-03-04 08:30")) == 0  # nothing due yet
    morning = at("2026-03-05 08:30")
    assert services.tell_visits_due(morning) == 2
    [sms] = Message.objects.filter(event="officer.visit_due")
    assert sms.address == "13600136000" and sms.status == Status.PENDING
    assert "待走访企业 1 家" in sms.body and "广州琶洲云科技有限公司" in sms.body and "/enterprise/" in sms.body
    inbox = Notification.objects.filter(kind="visit_due")
    assert sorted(inbox.values_list("user__username", flat=True)) == ["cso_a", "cso_b"]
    # the job again the same day (a second worker's schedule, a restart): nobody is told twice
    assert services.tell_visits_due(at("2026-03-05 11:00")) == 0
    assert Message.objects.filter(event="officer.visit_due").count() == 1 and inbox.count() == 2


def test_an_overdue_plan_is_recalled_the_next_day_and_a_recorded_visit_ends_it(zone, planned):
    a, b = planned
    services.tell_visits_due(at("2026-03-05 08:30"))
    services.record_visit(b, by=zone.cso_b, visited_on=date(2026, 3, 5), people_met="王经理", topics="用地",
                          plan=b.visit_plans.get(), now=at("2026-03-05 15:00"))
    assert services.tell_visits_due(at("2026-03-06 08:30")) == 1  # cso_a's plan is overdue; cso_b's was done
    latest = Notification.objects.filter(kind="visit_due", user=zone.cso_a).order_by("-created_at").first()
    assert "其中 1 家已过计划日期" in latest.message
    assert Told.objects.filter(key__startswith="officer.visit_due:").count() == 3


def test_the_officers_opt_in_chooses_the_event(zone, planned):
    optin = OptIn.objects.get(user=zone.cso_a)
    optin.events = ["officer.demand"]  # this officer wants demands only
    optin.save()
    services.tell_visits_due(at("2026-03-05 08:30"))
    assert not Message.objects.filter(event="officer.visit_due").exists()
    assert Notification.objects.filter(kind="visit_due", user=zone.cso_a).exists()  # the inbox always


def test_the_periodic_task_runs_the_job(zone, planned):
    with mock.patch("youhu.clock.now", return_value=at("2026-03-05 08:30")):
        assert remind_visits_due.call_local() == 2  # the task's body, as the worker calls it


def test_the_robot_and_email_texts_of_a_visit_due_name_no_ticket():
    for kind in ("robot", "email"):
        subject, body, _code, _params = texts.text_for("officer.visit_due", kind)
        assert "工单" not in subject + body and "{message}" in body and "{link}" in body
