"""Plain inserts of many rows, for the escalation pass over 100,000 tickets.

`bulk_create` builds a model instance and prepares every value through its field, which costs
more than the database work at this size (measured: ~80% of an escalation pass). Here the
caller passes values already in database form (see `db_datetime`, `db_json`): one prepared
statement with executemany on SQLite, COPY on PostgreSQL. Only inserts: nothing is updated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models


def db_datetime(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def db_json(value: Any) -> Any:
    return connection.ops.adapt_json_value(value, None)


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT `rows` (tuples in `columns` order, database values) into `model`'s table."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))
