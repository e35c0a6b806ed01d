"""Plain inserts of many rows: the escalation pass over 100,000 tickets, blocks of imported tickets.

`bulk_create` builds a model instance and prepares every value through its field, which costs more than
the database work at this size (docs/db.md has the measurement). Here the caller passes values already in
database form (see `db_datetime`, `db_json`; `rows.insert_records` converts plain values): one prepared
statement with executemany on SQLite, COPY on PostgreSQL. Only inserts: nothing is updated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, connections, models


def db_datetime(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def db_json(value: Any) -> Any:
    return connection.ops.adapt_json_value(value, None)


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
                using: str = "default") -> None:
    """INSERT `rows` (tuples in `columns` order, database values) into `model`'s table."""
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's own cursor: its errors reach the caller as Django's (an IntegrityError on a repeated
            # unique value, as executemany raises it) only through the connection's wrapper.
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))
