"""The delivery's three statements, written once per process: claim a row (and read it in the same
statement), record an attempt's result, log the attempt. Each message costs these and one HTTP request; built
by the ORM they cost more CPU than the request (bench/notify.py), as intake found for its own hot path."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection

from .models import Attempt, Message, Status

# Read back by the claim: what a delivery needs of the row.
_READ = ("id", "event", "channel", "address", "unit_id", "template", "subject", "body", "link", "context", "attempts")


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _dt(value: datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


@cache
def _claim_sql(vendor: str) -> str:
    t = _qn(Message._meta.db_table)
    return (f"UPDATE {t} SET {_qn('status')} = %s, {_qn('attempt_key')} = %s, {_qn('sending_since')} = %s, "
            f"{_qn('attempts')} = {_qn('attempts')} + 1 WHERE {_qn('id')} = %s AND {_qn('status')} = %s "
            f"AND ({_qn('not_before')} IS NULL OR {_qn('not_before')} <= %s) "
            f"RETURNING {', '.join(_qn(c) for c in _READ)}")


def claim(message_id: int, key: str, now: datetime) -> Message | None:
    """pending and due -> sending under `key`, in one statement (UPDATE ... RETURNING: SQLite >= 3.35,
    PostgreSQL); the row as it is now, or None if it was not pending and due."""
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(connection.vendor),
                       [Status.SENDING.value, key, _dt(now), message_id, Status.PENDING.value, _dt(now)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = dict(zip(_READ, row, strict=True))
    if isinstance(values["context"], str):
        values["context"] = json.loads(values["context"])
    return Message(**values, status=Status.SENDING, attempt_key=key, sending_since=now)


@cache
def _record_sql(vendor: str, columns: tuple[str, ...]) -> str:
    t = _qn(Message._meta.db_table)
    sets = ", ".join(f"{_qn(c)} = %s" for c in columns)
    return (f"UPDATE {t} SET {sets} WHERE {_qn('id')} = %s AND {_qn('status')} = %s "
            f"AND {_qn('attempt_key')} = %s")


def record(message_id: int, key: str, fields: dict[str, Any]) -> int:
    """Write the attempt's result if the attempt still holds the row; the number of rows written (0 or 1)."""
    columns = tuple(sorted(fields))
    params = [_adapt(c, fields[c]) for c in columns]
    with connection.cursor() as cursor:
        cursor.execute(_record_sql(connection.vendor, columns), [*params, message_id, Status.SENDING.value, key])
        return cursor.rowcount


def _adapt(column: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return _dt(value)
    if column == "context":
        return json.dumps(value, ensure_ascii=False)
    return value


_ATTEMPT = ("message_id", "key", "transport", "started_at", "finished_at", "outcome", "answer")


@cache
def _attempt_sql(vendor: str) -> str:
    return (f"INSERT INTO {_qn(Attempt._meta.db_table)} ({', '.join(_qn(c) for c in _ATTEMPT)}) "
            f"VALUES ({', '.join(['%s'] * len(_ATTEMPT))})")


def log_attempt(*, message_id: int, key: str, transport: str, started_at: datetime, finished_at: datetime,
                outcome: str, answer: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_attempt_sql(connection.vendor),
                       [message_id, key, transport, _dt(started_at), _dt(finished_at), outcome, answer])
