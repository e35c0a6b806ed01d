"""#19.8: the tickets a killed triage worker had leased are triaged again within a minute of the lease running
out, however long ago that was — and at once when the worker's host finds the holder's process gone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from youhu import clock
from youhu.dispatch.models import TriageLease
from youhu.intake import tasks
from youhu.tickets.models import Status, Ticket

from .test_tasks import import_rows

pytestmark = pytest.mark.django_db


def _recovery_pass() -> None:
    """What the queue's periodic tasks do in a minute."""
    tasks.sweep_untriaged.call_local()
    tasks.requeue_abandoned.call_local()


def test_a_ticket_leased_two_hours_ago_by_a_dead_worker_is_triaged_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():  # queued; the worker took the task, leased it and was killed
        batch = import_rows(["路灯不亮", "井盖缺失"], ago=timedelta(hours=2))
    tickets = list(Ticket.objects.filter(number__in=batch.numbers))
    leased_at = clock.now() - timedelta(hours=2)
    for ticket in tickets:
        TriageLease.objects.create(ticket=ticket, holder="a killed worker", until=leased_at + timedelta(minutes=5))
    _recovery_pass()
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("status", flat=True)) \
        == {Status.REGISTERED}
    assert not TriageLease.objects.exists()


def _pid_of_a_finished_process() -> int:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_a_dead_local_workers_lease_is_taken_back_before_it_runs_out_and_a_living_ones_is_kept(
        django_capture_on_commit_callbacks, huey_queue):
    import os

    from youhu.dispatch.leases import HOST, LEASE

    with django_capture_on_commit_callbacks():
        batch = import_rows(["路灯不亮", "井盖缺失", "占道经营"])
    dead, alive, elsewhere = Ticket.objects.filter(number__in=batch.numbers).order_by("pk")
    until = clock.now() + LEASE
    TriageLease.objects.create(ticket=dead, holder=f"{HOST}.{_pid_of_a_finished_process():x}.ab", until=until)
    TriageLease.objects.create(ticket=alive, holder=f"{HOST}.{os.getpid():x}.cd", until=until)
    TriageLease.objects.create(ticket=elsewhere, holder=f"0badc0de.{os.getpid():x}.ef", until=until)  # another host
    huey_queue.storage.enqueue(b"a backlog", 0)  # the queue is busy: the recovery does not wait for it
    assert tasks.requeue_abandoned_leases() == 1
    huey_queue.storage.flush_queue()
    statuses = dict(Ticket.objects.filter(number__in=batch.numbers).values_list("pk", "status"))
    assert statuses == {dead.pk: Status.REGISTERED, alive.pk: Status.NEW, elsewhere.pk: Status.NEW}
    assert set(TriageLease.objects.values_list("ticket_id", flat=True)) == {alive.pk, elsewhere.pk}


def test_the_worker_start_takes_back_what_a_killed_worker_left(django_capture_on_commit_callbacks):
    from youhu.dispatch.leases import HOST, LEASE

    with django_capture_on_commit_callbacks():
        [number] = import_rows(["路灯不亮"]).numbers
    ticket = Ticket.objects.get(number=number)
    TriageLease.objects.create(ticket=ticket, holder=f"{HOST}.{_pid_of_a_finished_process():x}.ab",
                               until=clock.now() + LEASE)
    tasks.take_back_dead_workers_leases()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.REGISTERED and not TriageLease.objects.exists()


def test_a_ticket_someone_took_up_meanwhile_only_loses_its_stale_lease(district):
    from youhu.testing.factories import make_ticket

    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.REGISTERED)
    TriageLease.objects.create(ticket=ticket, holder="a killed worker", until=clock.now() - timedelta(seconds=1))
    assert tasks.requeue_abandoned_leases() == 0 and not TriageLease.objects.exists()


def test_a_task_lost_before_its_ticket_was_leased_is_swept_a_minute_later(monkeypatch, huey_queue):
    """A worker killed between taking a task off the queue and leasing its ticket loses the task (Redis keeps
    no unacknowledged copy): once the queue is empty the sweep finds the ticket, unless a lease says it is being
    triaged."""
    from youhu.dispatch.leases import LEASE

    monkeypatch.setattr(huey_queue, "enqueue", lambda task: None)  # the tasks taken and lost with the worker
    lost, held = (Ticket.objects.get(number=n) for n in import_rows(["路灯不亮", "井盖缺失"],
                                                                     ago=timedelta(minutes=2)).numbers)
    TriageLease.objects.create(ticket=held, holder="a living worker", until=clock.now() + LEASE)
    monkeypatch.undo()
    tasks.sweep_untriaged.call_local()
    assert Ticket.objects.get(pk=lost.pk).status == Status.REGISTERED
    assert Ticket.objects.get(pk=held.pk).status == Status.NEW
