"""Background triage on the huey queue: after commit only, retried on failure, never losing a ticket, swept up."""

import csv
import io
import logging
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Q

from youhu import clock
from youhu.dispatch import services as dispatch
from youhu.intake.flows import submit_appeal
from youhu.intake.importing import ImportOptions, import_appeals
from youhu.intake.tasks import SWEEP_WITHIN, requeue_abandoned, sweep_untriaged, triage_ticket
from youhu.testing.factories import make_ticket
from youhu.tickets.models import Channel, Status, Ticket
from youhu.tickets.services import NewAppeal


def import_rows(texts: list[str], *, ago: timedelta = timedelta(0), triage: str = "queue", source="export"):
    out = io.StringIO()
    csv.writer(out).writerows([["id", "text"], *([f"{source}{i}", t] for i, t in enumerate(texts))])
    return import_appeals(out.getvalue().encode(), name=f"{source}.csv", options=ImportOptions(triage=triage),
                          now=clock.now() - ago)


@pytest.fixture
def triaged(monkeypatch) -> list[int]:
    """The ids of the tickets dispatch's triage was called for, in order (the real triage still runs)."""
    calls: list[int] = []
    real = dispatch.triage_many

    def spy(tickets, now=None):
        calls.extend(t.pk for t in tickets)
        return real(tickets, now=now)

    monkeypatch.setattr("youhu.dispatch.services.triage_many", spy)
    return calls


@pytest.mark.django_db(transaction=True)
def test_deferred_intake_triages_once_committed_and_never_after_a_rollback(settings, triaged):
    settings.YOUHU = {**settings.YOUHU, "TRIAGE": "deferred"}
    ticket = submit_appeal(NewAppeal(title="路灯不亮", content="路口路灯不亮", channel=Channel.WEB))
    assert ticket.status == Status.NEW  # acknowledged as stored; triage ran on the queue after the commit
    assert triaged == [ticket.pk] and Ticket.objects.get(pk=ticket.pk).status == Status.REGISTERED
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_appeal(NewAppeal(title="井盖缺失", content="小区井盖缺失", channel=Channel.WEB))
        raise RuntimeError("the surrounding work fails")
    assert triaged == [ticket.pk] and Ticket.objects.count() == 1  # nothing queued for the rolled-back one


@pytest.mark.django_db
def test_a_triage_that_keeps_failing_leaves_the_ticket_new_after_its_retries(
        monkeypatch, django_capture_on_commit_callbacks, run_retries):
    def broken(ticket, plan, now):  # fails half-way through triage's writes
        ticket.title = "half-done"
        ticket.save()
        raise RuntimeError("classifier exploded")

    monkeypatch.setattr("youhu.dispatch.services._apply", broken)
    with django_capture_on_commit_callbacks(execute=True):
        import_rows(["路灯不亮"])
    assert run_retries() == 1 and run_retries() == 1  # retries=2: three attempts in all
    assert run_retries() == 0
    ticket = Ticket.objects.get()
    assert ticket.status == Status.NEW and ticket.title != "half-done" and ticket.events.count() == 1
    assert not ticket.dispatch_suggestions.exists()  # in the dispatchers' 待受理 queue, as acknowledged


@pytest.mark.django_db
def test_a_second_task_for_the_same_ticket_does_nothing(triaged):
    ticket = make_ticket()
    triage_ticket(ticket.pk)
    triage_ticket(ticket.pk)  # e.g. queued again by the sweeper before the first ran
    assert triaged == [ticket.pk] and ticket.dispatch_suggestions.count() == 1
    triage_ticket(10**9)  # a ticket gone meanwhile: nothing to do, no error


@pytest.mark.django_db
def test_a_task_triages_the_tickets_waiting_behind_its_own_in_one_batch(monkeypatch, django_capture_on_commit_callbacks):
    batches: list[list[int]] = []
    real = dispatch.triage_many

    def spy(tickets, now=None):
        batches.append([t.pk for t in tickets])
        return real(tickets, now=now)

    monkeypatch.setattr("youhu.dispatch.services.triage_many", spy)
    import_rows(["噪音扰民"], triage="skip", source="skipped")  # not for triage: never taken into a batch
    with django_capture_on_commit_callbacks() as pending:
        queued = import_rows(["路灯不亮", "井盖缺失", "占道经营"])
    ids = list(Ticket.objects.filter(number__in=queued.numbers).order_by("pk").values_list("pk", flat=True))
    for callback in pending:
        callback()  # queues the three tasks; the in-memory queue runs each at once
    assert batches == [ids]  # the first task took all three; the others found theirs triaged
    assert set(Ticket.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.REGISTERED}
    assert Ticket.objects.get(external_id__startswith="skipped").status == Status.NEW


@pytest.mark.django_db
def test_tickets_another_worker_is_triaging_are_left_to_it_until_its_lease_runs_out(django_capture_on_commit_callbacks):
    from youhu.dispatch.leases import LEASE
    from youhu.dispatch.models import TriageLease

    with django_capture_on_commit_callbacks():
        queued = import_rows(["路灯不亮", "井盖缺失", "占道经营", "垃圾未清"])
    first, second, third, fourth = Ticket.objects.filter(number__in=queued.numbers).order_by("pk")
    now = clock.now()
    TriageLease.objects.create(ticket=second, holder="another worker", until=now + LEASE)  # in its batch now
    TriageLease.objects.create(ticket=third, holder="a crashed worker", until=now - timedelta(seconds=1))
    triage_ticket(second.pk)  # its own task: another worker has it
    assert Ticket.objects.get(pk=second.pk).status == Status.NEW
    triage_ticket(first.pk)
    statuses = dict(Ticket.objects.filter(pk__in=[first.pk, second.pk, third.pk, fourth.pk]).values_list("pk", "status"))
    assert statuses == {first.pk: Status.REGISTERED, second.pk: Status.NEW, third.pk: Status.REGISTERED,
                        fourth.pk: Status.REGISTERED}
    assert list(TriageLease.objects.values_list("ticket_id", "holder")) == [(second.pk, "another worker")]


@pytest.mark.django_db
def test_with_the_queue_down_tickets_stay_new_and_the_sweeper_queues_them_later(
        monkeypatch, django_capture_on_commit_callbacks, huey_queue, caplog, settings):
    def broker_down(task):
        raise ConnectionError("redis unreachable")

    with monkeypatch.context() as down:
        down.setattr(huey_queue, "enqueue", broker_down)
        with caplog.at_level(logging.ERROR, "youhu.intake.tasks"), django_capture_on_commit_callbacks(execute=True):
            lost = import_rows(["路灯不亮", "井盖缺失"], ago=timedelta(minutes=10))
    assert "could not queue the triage" in caplog.text and len(caplog.records) == 1  # once, not per ticket
    assert set(Ticket.objects.values_list("status", flat=True)) == {Status.NEW}
    import_rows(["噪音扰民"], ago=timedelta(minutes=10), triage="skip", source="skipped")  # for the dispatchers
    import_rows(["垃圾未清"], ago=SWEEP_WITHIN + timedelta(minutes=5), triage="skip", source="old")
    with django_capture_on_commit_callbacks():  # queued, but the worker has not had it yet
        fresh = import_rows(["占道经营"], source="fresh")
    portal = make_ticket(now=clock.now() - timedelta(minutes=10))  # inline triage failed: not the queue's
    huey_queue.storage.enqueue(b"another task", 0)
    sweep_untriaged.call_local()
    assert Ticket.objects.filter(status=Status.NEW).count() == 6  # the queue is busy: wait for it to drain
    huey_queue.storage.flush_queue()
    sweep_untriaged.call_local()
    left = Q(external_id__startswith="skipped:") | Q(external_id__startswith="old:") | Q(number=portal.number)
    assert set(Ticket.objects.filter(status=Status.NEW)) == set(Ticket.objects.filter(left))
    assert Ticket.objects.filter(number__in=lost.numbers, status=Status.REGISTERED).count() == 2
    # The fresh one was not swept (its task is queued) but waited behind them: triaged in their batch.
    assert Ticket.objects.get(number__in=fresh.numbers).status == Status.REGISTERED
    settings.YOUHU = {**settings.YOUHU, "TRIAGE": "deferred"}  # then every appeal's triage was queued
    sweep_untriaged.call_local()
    assert Ticket.objects.get(pk=portal.pk).status == Status.REGISTERED


@pytest.mark.django_db
def test_the_recovery_forgets_leases_that_ran_out(district):
    from youhu.dispatch.leases import LEASE
    from youhu.dispatch.models import TriageLease

    first, second = make_ticket(), make_ticket()
    now = clock.now()
    TriageLease.objects.create(ticket=first, holder="a crashed worker", until=now - timedelta(seconds=1))
    TriageLease.objects.create(ticket=second, holder="a busy worker", until=now + LEASE)
    requeue_abandoned.call_local()
    assert list(TriageLease.objects.values_list("holder", flat=True)) == ["a busy worker"]


@pytest.mark.django_db
def test_a_task_goes_on_only_for_a_new_ticket_nobody_holds(district):
    from youhu.dispatch.leases import LEASE, awaiting_triage
    from youhu.dispatch.models import TriageLease

    free, held, expired, taken = make_ticket(), make_ticket(), make_ticket(), make_ticket()
    now = clock.now()
    TriageLease.objects.create(ticket=held, holder="another worker", until=now + LEASE)
    TriageLease.objects.create(ticket=expired, holder="a crashed worker", until=now - timedelta(seconds=1))
    Ticket.objects.filter(pk=taken.pk).update(status=Status.REGISTERED)
    assert [awaiting_triage(t.pk, now) for t in (free, held, expired, taken)] == [True, False, True, False]
    assert not awaiting_triage(10**9, now)
    assert awaiting_triage(held.pk, now + LEASE + timedelta(seconds=1))  # its lease has run out by then


@pytest.mark.parametrize("setting", ["7", "0"])
def test_queue_workers_give_way_to_the_web_processes(setting, tmp_path):
    """`youhu run_huey` calls the queue's startup hooks in each worker; run here in a process of their own (they
    lower the priority of the process that runs them for good)."""
    import os
    import subprocess
    import sys

    script = ("import os, django; django.setup(); from huey.contrib.djhuey import HUEY; import youhu.intake.tasks; "
              "before = os.nice(0); [hook() for hook in HUEY._startup.values()]; print(os.nice(0) - before)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          env={**os.environ, "DJANGO_SETTINGS_MODULE": "youhu.settings", "YOUHU_QUEUE_NICE": setting,
                               "YOUHU_VAR_DIR": str(tmp_path)})
    assert int(done.stdout.split()[-1]) == int(setting)
