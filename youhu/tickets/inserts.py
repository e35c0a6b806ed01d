"""Single-row INSERT and UPDATE for the hottest writes (a new ticket, every ticket event, every change of a
ticket's state), with the SQL compiled once.

`Model.objects.create` builds the INSERT statement anew on every call: for the 45 columns of a ticket that
is about half of the insert's cost, and intake serialises its writes on SQLite, so it bounds the API's
throughput. Here Django's own compiler writes the statement once per model and database, and each call
only converts the values with the fields' own `pre_save`/`get_db_prep_save` (what `save()` does).
Not for models with save() logic or signal receivers that must run: callers use it where neither exists.
The same holds for `QuerySet.update` (a clone, a WHERE tree and a compilation per call): `update_row` writes
one row by primary key, optionally only if a counter column still holds the value read.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import connections
from django.db.models import Field, Model
from django.db.models.sql import InsertQuery

M = TypeVar("M", bound=Model)

_statements: dict[tuple[type[Model], str], tuple[str, list[Field]]] = {}


def _statement(model: type[Model], using: str) -> tuple[str, list[Field]]:
    cached = _statements.get((model, using))
    if cached is None:
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields if f is not meta.pk]
        query = InsertQuery(model)
        query.insert_values(fields, [model()], raw=False)
        compiler = query.get_compiler(using=using)
        compiler.returning_fields = [meta.pk]
        (sql, _params), = compiler.as_sql()
        cached = _statements[(model, using)] = (sql, fields)
    return cached


def insert(obj: M, using: str = "default") -> M:
    """INSERT `obj` (a new instance) and set its primary key; same columns and values as `obj.save()`."""
    model = type(obj)
    connection = connections[using]
    if not connection.features.can_return_columns_from_insert:
        obj.save(force_insert=True, using=using)
        return obj
    sql, fields = _statement(model, using)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = using
    return obj


_updates: dict[tuple[type[Model], tuple[str, ...], str, str], tuple[str, list[Field]]] = {}


def _update_statement(model: type[Model], names: tuple[str, ...], using: str,
                      counter: str) -> tuple[str, list[Field]]:
    key = (model, names, using, counter)
    cached = _updates.get(key)
    if cached is None:
        meta, qn = model._meta, connections[using].ops.quote_name
        fields = [meta.get_field(name) for name in names]
        sets = [f"{qn(f.column)} = %s" for f in fields]
        where = f"{qn(meta.pk.column)} = %s"
        if counter:
            column = qn(meta.get_field(counter).column)
            sets.append(f"{column} = {column} + 1")
            where += f" AND {column} = %s"
        cached = _updates[key] = (f"UPDATE {qn(meta.db_table)} SET {', '.join(sets)} WHERE {where}", fields)
    return cached


def update_row(model: type[Model], pk: object, values: dict[str, object], *, counter: str = "",
               expected: object = None, using: str = "default") -> int:
    """UPDATE one row's `values` (field name -> value; a related object stands for its key); with `counter`,
    only while that column still equals `expected`, and add 1 to it. Returns the number of rows changed."""
    connection = connections[using]
    sql, fields = _update_statement(model, tuple(values), using, counter)
    params = [f.get_db_prep_save(_key_of(f, v), connection=connection)
              for f, v in zip(fields, values.values(), strict=True)]
    params.append(pk)
    if counter:
        params.append(expected)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _key_of(field: Field, value: object) -> object:
    if hasattr(value, "resolve_expression"):
        raise TypeError(f"update_row writes values, not expressions ({field.name})")
    if field.remote_field is not None and isinstance(value, Model):
        return value.prepare_database_save(field)
    return value
