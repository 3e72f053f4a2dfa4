"""Bulk inserts for ingestion: PostgreSQL's COPY where it is available, bulk_create elsewhere.

Django's bulk_create builds one huge INSERT statement from model instances; for the hundred
thousand rows of a large dump, building the instances and composing that SQL costs more than
the database's own work. COPY streams plain rows instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models
from psycopg.types.json import Jsonb


def bulk_insert(model: type[models.Model], rows: Sequence[dict]) -> None:
    """Insert rows given as {attname: value}, every row with the same keys. No primary keys
    are returned: read them back by a natural key where needed."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows])
        return
    fields = {f.attname: f for f in model._meta.concrete_fields}
    names = list(rows[0])
    json_positions = [i for i, n in enumerate(names) if isinstance(fields[n], models.JSONField)]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(fields[n].column) for n in names)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            values = [row[n] for n in names]
            for i in json_positions:
                values[i] = Jsonb(values[i])
            copy.write_row(values)
