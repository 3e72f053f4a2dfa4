"""Bulk reads and writes for ingestion: plain SQL with arrays and COPY on PostgreSQL, the ORM
elsewhere.

Django's bulk_create builds one huge INSERT statement from model instances, and a lookup such
as `title_key__in=[...]` one placeholder per value; for the hundred thousand rows of a large
dump, building those costs more than the database's own work. On PostgreSQL, COPY streams
plain rows, primary keys are drawn from the table's sequence beforehand, and lookups pass one
array parameter.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import TypeVar

from django.db import connection, models

_M = TypeVar("_M", bound=models.Model)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _field(model: type[models.Model], name: str) -> models.Field:
    """A concrete field of the model, by its name or attname."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), name
    return field


def bulk_insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence],
    *,
    return_ids: bool = True,
) -> list[int]:
    """Insert rows given as tuples of values for `columns` (attnames); return their primary
    keys in the order of `rows` (or [] when `return_ids` is false, which saves drawing them
    from the sequence beforehand)."""
    if not rows:
        return []
    if not _postgres():
        objs = model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows]
        )
        return [obj.pk for obj in objs] if return_ids else []

    opts = model._meta
    fields = {f.attname: f for f in opts.concrete_fields}
    json_positions = [
        i for i, name in enumerate(columns) if isinstance(fields[name], models.JSONField)
    ]
    table = connection.ops.quote_name(opts.db_table)
    names = [opts.pk.attname, *columns] if return_ids else list(columns)
    offset = 1 if return_ids else 0
    json_positions = [i + offset for i in json_positions]
    sql_columns = ", ".join(connection.ops.quote_name(fields[name].column) for name in names)
    with connection.cursor() as cursor:
        ids: list[int] = []
        if return_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        # COPY goes through the driver's own cursor; wrap_database_errors turns its errors into
        # django.db's, as for every other query (a dropped connection is then an
        # OperationalError the task retries, not an unknown error).
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table} ({sql_columns}) FROM STDIN") as copy,
        ):
            for values in (
                ([pk, *row] for pk, row in zip(ids, rows, strict=True)) if return_ids else rows
            ):
                if json_positions:
                    values = list(values)
                    for i in json_positions:
                        # COPY takes JSON as its text; an empty list (no authors) needs no
                        # encoder.
                        value = values[i]
                        if value is not None:
                            values[i] = "[]" if value == [] else json.dumps(value)
                copy.write_row(values)
    return ids


def rows_matching(model: type[_M], **any_of: Collection) -> list[_M]:
    """The rows whose `field` is in the given values, for any of the fields given (an OR)."""
    lists = {name: list(values) for name, values in any_of.items() if values}
    if not lists:
        return []
    if not _postgres():
        query = models.Q()
        for name, values in lists.items():
            query |= models.Q(**{f"{name}__in": values})
        return list(model._default_manager.filter(query))
    table = connection.ops.quote_name(model._meta.db_table)
    where = " OR ".join(
        f"{connection.ops.quote_name(_field(model, name).column)} = ANY(%s)" for name in lists
    )
    return list(
        model._default_manager.raw(f"SELECT * FROM {table} WHERE {where}", list(lists.values()))
    )


def bulk_update(model: type[_M], objs: Sequence[_M], fields: list[str]) -> None:
    """Write `fields` of existing rows. On PostgreSQL the new values are copied into a
    temporary table and applied with one UPDATE ... FROM, instead of bulk_update's CASE WHEN
    per row."""
    if not objs:
        return
    if not _postgres():
        model._default_manager.bulk_update(objs, fields)
        return
    opts = model._meta
    attnames = [opts.pk.attname, *(_field(model, name).attname for name in fields)]
    quote = connection.ops.quote_name
    columns = [quote(_field(model, name).column) for name in [opts.pk.name, *fields]]
    table = quote(opts.db_table)
    temp = quote(f"_bulk_update_{opts.db_table}")
    assignments = ", ".join(f"{column} = s.{column}" for column in columns[1:])
    json_positions = [
        i
        for i, name in enumerate([opts.pk.name, *fields])
        if isinstance(_field(model, name), models.JSONField)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {temp} ON COMMIT DROP AS "
            f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {temp}")
        with (
            connection.wrap_database_errors,  # as in bulk_insert
            cursor.cursor.copy(f"COPY {temp} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for obj in objs:
                values = [getattr(obj, name) for name in attnames]
                for i in json_positions:
                    if values[i] is not None:
                        values[i] = json.dumps(values[i])
                copy.write_row(values)
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM {temp} AS s "
            f"WHERE t.{columns[0]} = s.{columns[0]}"
        )
