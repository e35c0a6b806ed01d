"""INSERT and UPDATE for the hottest writes (new tickets, every ticket event, every change of a ticket's
state, the day's ticket counter), with the SQL compiled once per model (docs/db.md says what each saves).

`Model.objects.create` builds the INSERT statement anew on every call, and intake serialises its writes on
SQLite, so that cost bounds the API's throughput. Here Django's own compiler writes the statement once per
model and database, and each call only converts the values with the fields' own
`pre_save`/`get_db_prep_save` (what `save()` does). Not for models with save() logic or signal receivers
that must run: callers use it where neither exists. The same holds for `QuerySet.update` (a clone, a WHERE
tree and a compilation per call): `update_row` writes one row by primary key, optionally only if a counter
column still holds the value read; `increment` adds to a counter and returns its new value.
`insert_records` writes plain dicts (no model instances: for a block of an import those cost more than
the database work).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Field, Model
from django.db.models.sql import InsertQuery

from . import bulk

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


def update_rows(model: type[Model], name: str, values: Mapping[object, object], *, using: str = "default") -> int:
    """UPDATE one field of many rows, each row (by primary key) to its own value: on PostgreSQL one statement
    joining a VALUES list by key, on SQLite one prepared statement with executemany. Returns the rows changed
    (on SQLite, the rows of the statement's last run: not used by the callers)."""
    if not values:
        return 0
    connection = connections[using]
    meta, qn = model._meta, connection.ops.quote_name
    field = meta.get_field(name)
    table, column, key = qn(meta.db_table), qn(field.column), qn(meta.pk.column)
    rows = [(pk, field.get_db_prep_save(_key_of(field, value), connection=connection)) for pk, value in values.items()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Typed: a list of NULLs alone would be text to PostgreSQL.
            row = f"(%s::{meta.pk.db_type(connection)}, %s::{field.db_type(connection)})"
            cursor.execute(f"UPDATE {table} SET {column} = v.value FROM (VALUES {', '.join([row] * len(rows))}) "
                           f"AS v (pk, value) WHERE {table}.{key} = v.pk", [p for pair in rows for p in pair])
        else:
            cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {key} = %s",
                               [(value, pk) for pk, value in rows])
        return cursor.rowcount


def _key_of(field: Field, value: object) -> object:
    if hasattr(value, "resolve_expression"):
        raise TypeError(f"update_row writes values, not expressions ({field.name})")
    if field.remote_field is not None and isinstance(value, Model):
        return value.prepare_database_save(field)
    return value


# ---------------------------------------------------------------- many rows from plain values

# Fields whose Python values the database drivers take as they are; every other field's are converted by
# the field itself (date-times, JSON, files, ...).
_PLAIN_TYPES = frozenset({
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "FloatField", "ForeignKey",
    "IntegerField", "OneToOneField", "PositiveBigIntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "SlugField", "SmallIntegerField", "TextField",
})
_Layout = tuple[list[Field], dict[str, Any], list[Field], list[tuple[int, Field]]]
_layouts: dict[tuple[type[Model], str], _Layout] = {}


def _layout(model: type[Model], using: str) -> _Layout:
    """The columns written (as for `insert`), the constant defaults, the fields with a computed default, and
    the positions of those whose values the field converts."""
    key = (model, using)
    cached = _layouts.get(key)
    if cached is None:
        _sql, fields = _statement(model, using)
        computed = [f for f in fields if f.has_default() and callable(f.default)]
        constants = {f.attname: f.get_default() for f in fields if f not in computed}
        convert = [(i, f) for i, f in enumerate(fields) if f.get_internal_type() not in _PLAIN_TYPES]
        cached = _layouts[key] = (fields, constants, computed, convert)
    return cached


def _values(model: type[Model], records: Sequence[Mapping[str, Any]], using: str) -> list[list[Any]]:
    connection = connections[using]
    fields, constants, computed, convert = _layout(model, using)
    names = [f.attname for f in fields]
    rows = []
    for record in records:
        merged = {**constants, **record}
        for f in computed:
            if f.attname not in record:
                merged[f.attname] = f.get_default()
        values = [merged[name] for name in names]
        for i, f in convert:
            if values[i] is not None:
                values[i] = f.get_db_prep_save(values[i], connection=connection)
        rows.append(values)
    return rows


def insert_records(model: type[Model], records: Sequence[Mapping[str, Any]], *,
                   using: str = "default") -> list[Any] | None:
    """INSERT `records` (field attname -> Python value; a field left out gets its default). One record is
    written by the compiled single-row INSERT and its primary key returned (`[pk]`); many go through the bulk
    insert and None is returned: the caller reads their keys back by a unique column if it needs them."""
    if not records:
        return []
    connection = connections[using]
    if len(records) == 1 and connection.features.can_return_columns_from_insert:
        sql, _fields = _statement(model, using)
        with connection.cursor() as cursor:
            cursor.execute(sql, _values(model, records, using)[0])
            return [cursor.fetchone()[0]]
    fields = _layout(model, using)[0]
    bulk.insert_rows(model, [f.column for f in fields], _values(model, records, using), using=using)
    return None


# ---------------------------------------------------------------- counters

_increments: dict[tuple[type[Model], str, tuple[str, ...], str], tuple[str, list[Field]]] = {}


def increment(model: type[Model], counter: str, by: int, *, where: dict[str, object],
              using: str = "default") -> int | None:
    """Add `by` to the `counter` column of the row matching `where` (field name -> value) and return its new
    value, or None when no row matches: one UPDATE ... RETURNING (SQLite >= 3.35, PostgreSQL), atomic by
    itself, instead of an update and a read in a savepoint."""
    connection = connections[using]
    key = (model, counter, tuple(where), using)
    cached = _increments.get(key)
    if cached is None:
        meta, qn = model._meta, connection.ops.quote_name
        fields = [meta.get_field(name) for name in where]
        column = qn(meta.get_field(counter).column)
        conditions = " AND ".join(f"{qn(f.column)} = %s" for f in fields)
        cached = _increments[key] = (f"UPDATE {qn(meta.db_table)} SET {column} = {column} + %s "
                                     f"WHERE {conditions} RETURNING {column}", fields)
    sql, fields = cached
    params = [by, *(f.get_db_prep_value(v, connection=connection) for f, v in zip(fields, where.values(),
                                                                                    strict=True))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


# ---------------------------------------------------------------- conditional updates (claims and leases)

_Conditional = tuple[str, list[Field], list[Field], Field | None, list[Field]]
_conditionals: dict[tuple[Any, ...], _Conditional] = {}


def _conditional(model: type[Model], names: tuple[str, ...], where: tuple[str, ...], due: str, add_one: str,
                 returning: tuple[str, ...], using: str) -> _Conditional:
    key = (model, names, where, due, add_one, returning, using)
    cached = _conditionals.get(key)
    if cached is None:
        connection = connections[using]
        meta, qn = model._meta, connection.ops.quote_name
        fields, conditions = [meta.get_field(n) for n in names], [meta.get_field(n) for n in where]
        sets = [f"{qn(f.column)} = %s" for f in fields]
        if add_one:
            column = qn(meta.get_field(add_one).column)
            sets.append(f"{column} = {column} + 1")
        tests = [f"{qn(meta.pk.column)} = %s", *(f"{qn(f.column)} = %s" for f in conditions)]
        due_field = meta.get_field(due) if due else None
        if due_field is not None:
            tests.append(f"({qn(due_field.column)} IS NULL OR {qn(due_field.column)} <= %s)")
        read = [meta.get_field(n) for n in returning]
        sql = f"UPDATE {qn(meta.db_table)} SET {', '.join(sets)} WHERE {' AND '.join(tests)}"
        if read:
            sql += f" RETURNING {', '.join(qn(f.column) for f in read)}"
        cached = _conditionals[key] = (sql, fields, conditions, due_field, read)
    return cached


def _conditional_params(entry: _Conditional, pk: object, values: dict[str, object], where: dict[str, object],
                        now: object, connection: Any) -> list[Any]:
    _sql, fields, conditions, due_field, _read = entry
    params = [f.get_db_prep_save(_key_of(f, v), connection=connection)
              for f, v in zip(fields, values.values(), strict=True)]
    params.append(pk)
    params += [f.get_db_prep_value(v, connection=connection) for f, v in zip(conditions, where.values(), strict=True)]
    if due_field is not None:
        params.append(due_field.get_db_prep_value(now, connection=connection))
    return params


def update_where(model: type[Model], pk: object, values: dict[str, object], *, where: dict[str, object],
                 using: str = "default") -> int:
    """UPDATE the row `pk` with `values` only while its fields still hold `where` (field name -> value): a
    worker writes its result only if its claim on the row still stands. Returns the rows changed (0 or 1)."""
    connection = connections[using]
    entry = _conditional(model, tuple(values), tuple(where), "", "", (), using)
    with connection.cursor() as cursor:
        cursor.execute(entry[0], _conditional_params(entry, pk, values, where, None, connection))
        return cursor.rowcount


def claim_row(model: type[Model], pk: object, values: dict[str, object], *, where: dict[str, object],
              due: str, now: object, add_one: str, returning: Sequence[str],
              using: str = "default") -> dict[str, Any] | None:
    """Take the row `pk` in one statement (UPDATE ... RETURNING: SQLite >= 3.35, PostgreSQL): set `values`
    and add 1 to `add_one` if its fields hold `where` and `due` is null or not after `now`. Returns the
    `returning` fields as stored (JSON fields decoded), or None when the row was not there to take."""
    connection = connections[using]
    entry = _conditional(model, tuple(values), tuple(where), due, add_one, tuple(returning), using)
    with connection.cursor() as cursor:
        cursor.execute(entry[0], _conditional_params(entry, pk, values, where, now, connection))
        row = cursor.fetchone()
    if row is None:
        return None
    return {f.attname: f.from_db_value(v, None, connection) if hasattr(f, "from_db_value") else v
            for f, v in zip(entry[4], row, strict=True)}
