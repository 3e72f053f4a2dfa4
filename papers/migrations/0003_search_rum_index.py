"""Search ranked from the index, where PostgreSQL has the RUM extension.

A GIN index finds the papers matching a query, but ranking them (ts_rank) reads every
match's vector from the table: about 14 ms for a word in 1,400 of 100,000 papers, most of a
search request. A RUM index keeps the lexemes' positions and weights, so
`ORDER BY search_vector <=> query LIMIT n` reads the best n matches from the index in order
(about 1-3 ms on the same data). The GIN index of migration 0002 stays: it matches (`@@`)
for every query that does not order by rank, and it is what the fallback below ranks over.

RUM is an extension (Debian's postgresql-15-rum; the `postgres` image of docker-compose.yml
installs it). Where it is not available, or the database user may not create it, nothing
changes: curation.selectors.papers_search ranks with ts_rank over the GIN index's matches
(papers.selectors.search_ranks_in_index tells which). Creating it is tried in a savepoint so a
refusal does not abort the migration.
"""

from django.db import migrations, transaction

RUM_INDEX = "paper_search_rum_idx"


def _rum_available(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'rum'")
    if cursor.fetchone():
        return True
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
    if not cursor.fetchone():
        return False
    try:
        with transaction.atomic():
            cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
    except Exception:  # not a superuser, say: rank with ts_rank
        return False
    return True


def add_rum_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not _rum_available(cursor):
            return
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {RUM_INDEX} ON papers_paper "
            "USING rum (search_vector rum_tsvector_ops)"
        )


def remove_rum_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {RUM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("papers", "0002_curation")]

    operations = [migrations.RunPython(add_rum_index, remove_rum_index)]
