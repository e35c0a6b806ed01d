"""The delivery's three writes, through youhu/db's compiled statements: claim a row (and read it in the same
statement), record an attempt's result, log the attempt. Each message costs these and one HTTP request; built
by the ORM they cost more CPU than the request (bench/notify.py), as intake found for its own hot path."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from youhu import db

from .models import Attempt, Message, Status

# Read back by the claim: what a delivery needs of the row.
_READ = ("id", "event", "channel", "address", "unit_id", "template", "subject", "body", "link", "context", "attempts")


def claim(message_id: int, key: str, now: datetime) -> Message | None:
    """pending and due -> sending under `key`, in one statement; the row as it is now, or None if it was not
    pending and due."""
    values = db.claim_row(Message, message_id, {"status": Status.SENDING.value, "attempt_key": key,
                                                "sending_since": now},
                          where={"status": Status.PENDING.value}, due="not_before", now=now, add_one="attempts",
                          returning=_READ)
    if values is None:
        return None
    return Message(**values, status=Status.SENDING, attempt_key=key, sending_since=now)


def record(message_id: int, key: str, fields: dict[str, Any]) -> int:
    """Write the attempt's result if the attempt still holds the row; the number of rows written (0 or 1)."""
    return db.update_where(Message, message_id, dict(sorted(fields.items())),
                           where={"status": Status.SENDING.value, "attempt_key": key})


def log_attempt(*, message_id: int, key: str, transport: str, started_at: datetime, finished_at: datetime,
                outcome: str, answer: str) -> None:
    db.insert_records(Attempt, [{"message_id": message_id, "key": key, "transport": transport,
                                 "started_at": started_at, "finished_at": finished_at, "outcome": outcome,
                                 "answer": answer}])
