"""Reads too frequent for the ORM's per-call cost (building and compiling a QuerySet), compiled once."""

from __future__ import annotations

from datetime import datetime

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
