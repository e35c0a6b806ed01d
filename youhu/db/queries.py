"""Reads too frequent for the ORM's per-call cost (building and compiling a QuerySet), compiled once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import Field, Model

_unclaimed: dict[tuple[type[Model], tuple[str, ...], type[Model], str, str, str], tuple[str, list[Field], Field]] = {}


def unclaimed(model: type[Model], pk: object, *, equal: dict[str, object], claims: type[Model], claim_key: str,
              claim_until: str, now: datetime, using: str = "default") -> bool:
    """Whether the row `pk` of `model` exists with the values `equal` (field name -> value) and no row of
    `claims` points at it (through its foreign key `claim_key`) with `claim_until` at or after `now`."""
    connection = connections[using]
    key = (model, tuple(equal), claims, claim_key, claim_until, using)
    cached = _unclaimed.get(key)
    if cached is None:
        qn, meta, other = connection.ops.quote_name, model._meta, claims._meta
        pk_column = qn(meta.pk.column)
        conditions = "".join(f" AND t.{qn(meta.get_field(name).column)} = %s" for name in equal)
        sql = (
            f"SELECT 1 FROM {qn(meta.db_table)} t WHERE t.{pk_column} = %s{conditions}"
            f" AND NOT EXISTS (SELECT 1 FROM {qn(other.db_table)} c"
            f" WHERE c.{qn(other.get_field(claim_key).column)} = t.{pk_column}"
            f" AND c.{qn(other.get_field(claim_until).column)} >= %s)")
        cached = _unclaimed[key] = (sql, [meta.get_field(name) for name in equal], other.get_field(claim_until))
    sql, fields, until = cached
    params = [pk, *(f.get_db_prep_value(v, connection=connection) for f, v in zip(fields, equal.values(),
                                                                                    strict=True)),
              until.get_db_prep_value(now, connection=connection)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


_counts: dict[tuple[type[Model], str, tuple[str, ...], tuple[str, ...], tuple[str, ...], str], tuple[str, ...]] = {}


def counts_by(model: type[Model], key: str, values: Sequence[object], *, equal: dict[str, object],
              at_least: dict[str, object], not_in: dict[str, Sequence[object]],
              using: str = "default") -> dict[object, int]:
    """How many rows of `model` there are for each of `values` of field `key`, among those whose fields equal
    `equal`, are at or after `at_least` and hold none of `not_in`'s values: one grouped COUNT for a whole
    batch (a per-phone daily cap, checked for each appeal of an import block). Values without rows are left
    out."""
    if not values:
        return {}
    connection = connections[using]
    meta, qn = model._meta, connection.ops.quote_name
    cache_key = (model, key, tuple(equal), tuple(at_least), tuple(not_in), using)
    cached = _counts.get(cache_key)
    if cached is None:
        column = qn(meta.get_field(key).column)
        tests = [f"{qn(meta.get_field(n).column)} = %s" for n in equal]
        tests += [f"{qn(meta.get_field(n).column)} >= %s" for n in at_least]
        cached = _counts[cache_key] = (f"SELECT {column}, COUNT(*) FROM {qn(meta.db_table)} WHERE "
                                       + " AND ".join([*tests, f"{column} IN "]),
                                       *(qn(meta.get_field(n).column) for n in not_in))
    prefix, *excluded = cached
    distinct = list(dict.fromkeys(values))
    sql = prefix + f"({', '.join(['%s'] * len(distinct))})"
    params: list[Any] = [meta.get_field(n).get_db_prep_value(v, connection=connection) for n, v in equal.items()]
    params += [meta.get_field(n).get_db_prep_value(v, connection=connection) for n, v in at_least.items()]
    params += [meta.get_field(key).get_db_prep_value(v, connection=connection) for v in distinct]
    for column, (name, held) in zip(excluded, not_in.items(), strict=True):
        sql += f" AND {column} NOT IN ({', '.join(['%s'] * len(held))})"
        params += [meta.get_field(name).get_db_prep_value(v, connection=connection) for v in held]
    with connection.cursor() as cursor:
        cursor.execute(sql + f" GROUP BY {qn(meta.get_field(key).column)}", params)
        return dict(cursor.fetchall())


def estimated_rows(model: type[Model], using: str = "default") -> int | None:
    """PostgreSQL's own estimate of a table's size (pg_class.reltuples, kept by ANALYZE and autovacuum), read
    without scanning a row; None on other databases, which keep no such figure."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        row = cursor.fetchone()
    return int(row[0]) if row else None
