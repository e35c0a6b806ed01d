"""Sequences that cross apps and end in supervision.

`reply_with_check`: a unit's 办结 reply (tickets) and its quality check (here) as one transaction. The
check may hold the reply back for a supervisor (`withhold_reply`); because both commit together, no
other connection — the portal, Open311, a tracking page — ever sees the reply before it is held, and a
check that fails leaves no reply at all.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from youhu import clock
from youhu.directory.models import User
from youhu.tickets import services
from youhu.tickets.models import Ticket

from .models import ReplyCheck
from .reply_quality import check_reply, warm_up


def reply_with_check(ticket: Ticket, *, by: User, text: str, now: datetime | None = None) -> ReplyCheck:
    """办结 through any channel: the reply and its check commit together or not at all."""
    now = now or clock.now()
    warm_up()  # the dictionary loads outside the transaction: on SQLite it would hold the write lock
    with transaction.atomic():
        services.reply(ticket, by=by, text=text, now=now)
        return check_reply(ticket, now=now)
