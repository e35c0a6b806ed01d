"""Single-row INSERT for the hottest writes (a new ticket, every ticket event), with the SQL compiled once.

`Model.objects.create` builds the INSERT statement anew on every call: for the 45 columns of a ticket that
is about half of the insert's cost, and intake serialises its writes on SQLite, so it bounds the API's
throughput. Here Django's own compiler writes the statement once per model and database, and each call
only converts the values with the fields' own `pre_save`/`get_db_prep_save` (what `save()` does).
Not for models with save() logic or signal receivers that must run: callers use it where neither exists.
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
