"""Ticket numbers (YYYYMMDD-NNNNNN, consecutive per day) and tracking codes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from youhu import db

from ..models import DailyCounter


def hash_tracking_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def new_tracking_code() -> str:
    # No 0/O/1/I: the code is read out over the phone.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def next_number(now: datetime) -> str:
    return next_numbers(now, 1)[0]


def next_numbers(now: datetime, count: int) -> list[str]:
    """Reserve `count` consecutive ticket numbers of `now`'s day in one step (a batch of new tickets).

    Runs inside the caller's write section, for every new ticket: the bump is one statement
    (`db.increment`), the day's row exists for all but the first ticket of the day.
    """
    day = timezone.localdate(now)
    last = db.increment(DailyCounter, "last", count, where={"day": day})
    if last is None:
        try:
            with transaction.atomic():
                DailyCounter.objects.get_or_create(day=day)
        except IntegrityError:
            pass  # created by a concurrent request; the bump below serialises on its row
        last = db.increment(DailyCounter, "last", count, where={"day": day})
        if last is None:
            raise DailyCounter.DoesNotExist(f"no ticket counter for {day}")
    return [f"{day:%Y%m%d}-{n:06d}" for n in range(last - count + 1, last + 1)]
