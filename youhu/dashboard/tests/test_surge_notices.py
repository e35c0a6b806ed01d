"""Supervisors are told of a surge on the dashboard once per surge and day, however often the job runs."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest

from youhu.dashboard.notices import tell_surges
from youhu.dashboard.tasks import tell_new_surges
from youhu.notify.models import Channel, Message, OptIn
from youhu.testing.factories import at, make_area, make_ticket
from youhu.tickets.models import Notification

pytestmark = pytest.mark.django_db

NOW = at("2026-03-20 10:00")


@pytest.fixture
def surge(district):
    """南洲街道: six appeals this morning against none in the 28 days before (the rule's minimum is five)."""
    district.supervisor.email = "duban@example.cn"
    district.supervisor.save()
    OptIn.objects.create(user=district.supervisor, channel=Channel.EMAIL)
    quiet = make_area("南洲街道")
    for hours in range(6):
        make_ticket(now=NOW - timedelta(hours=hours, minutes=5), street=quiet)
    return quiet


def test_a_surge_is_told_to_the_supervisors_once(district, surge):
    assert tell_surges(NOW) >= 1
    [mail] = Message.objects.filter(event="supervisor.surge", body__contains="南洲街道")
    assert mail.channel == Channel.EMAIL and mail.address == "duban@example.cn"
    assert "今日诉求激增" in mail.body and "/dashboard/" in mail.body and "工单" not in mail.subject
    inbox = Notification.objects.filter(kind="surge", message__contains="南洲街道")
    assert list(inbox.values_list("user", flat=True)) == [district.supervisor.pk]
    # five minutes later, still a surge, now with one appeal more: the same surge, not told again
    make_ticket(now=NOW + timedelta(minutes=3), street=surge)
    assert tell_surges(NOW + timedelta(minutes=5)) == 0
    assert Message.objects.filter(event="supervisor.surge", body__contains="南洲街道").count() == 1
    assert inbox.count() == 1


def test_the_same_street_surging_the_next_day_is_a_new_surge(district, surge):
    tell_surges(NOW)
    for hours in range(8):
        make_ticket(now=NOW + timedelta(days=1, hours=-hours), street=surge)
    assert tell_surges(NOW + timedelta(days=1)) >= 1
    assert Message.objects.filter(event="supervisor.surge", body__contains="南洲街道").count() == 2


def test_no_surge_no_notice(district):
    make_ticket(now=NOW)
    assert tell_surges(NOW) == 0
    assert not Message.objects.filter(event="supervisor.surge").exists()


def test_the_periodic_task_runs_the_job(district, surge):
    with mock.patch("youhu.clock.now", return_value=NOW):
        assert tell_new_surges.call_local() >= 1
        assert tell_new_surges.call_local() == 0
