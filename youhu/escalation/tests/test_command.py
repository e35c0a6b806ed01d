"""`youhu escalate`: one pass prints a summary; `--loop` stops cleanly on SIGTERM."""

from __future__ import annotations

import io
import os
import signal
import threading

import pytest
from django.core.management import CommandError, call_command

from youhu.escalation.models import Escalation
from youhu.tickets.models import Status


def test_one_pass_prints_the_summary(district):
    ticket = district.ticket_in(Status.HANDLING)  # reply_due 2026-03-23, long missed by the real clock
    out = io.StringIO()
    call_command("escalate", stdout=out)
    assert "督办 1" in out.getvalue() and "书面通报" in out.getvalue()
    assert Escalation.objects.filter(ticket=ticket, kind="supervise").count() == 1
    call_command("escalate", stdout=io.StringIO())
    assert Escalation.objects.filter(ticket=ticket, kind="supervise").count() == 1


def test_bad_options_are_refused(db):
    with pytest.raises(CommandError, match="interval"):
        call_command("escalate", loop=True, interval=0)
    with pytest.raises(CommandError, match="batch"):
        call_command("escalate", batch=0)
    with pytest.raises(CommandError, match="limit"):
        call_command("escalate", limit=0)


def test_loop_runs_passes_until_sigterm(district):
    district.ticket_in(Status.HANDLING)
    out, err = io.StringIO(), io.StringIO()
    timer = threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGTERM))
    previous = signal.getsignal(signal.SIGTERM)
    timer.start()
    try:
        call_command("escalate", loop=True, interval=0.05, stdout=out, stderr=err)
    finally:
        timer.cancel()
    lines = out.getvalue().splitlines()
    assert lines[-1] == "escalate: stopped"
    passes = [line for line in lines if line.startswith("催办")]
    assert len(passes) >= 2 and "督办 1" in passes[0] and all("督办 0" in p for p in passes[1:])
    assert "SIGTERM" in err.getvalue()
    assert signal.getsignal(signal.SIGTERM) is previous  # handlers restored
    assert Escalation.objects.filter(kind="supervise").count() == 1
