"""Every write of the papers app. Import from here: `from papers.services import dump_create`."""

from papers.services.dumps import (
    TRANSIENT_ERRORS,
    DumpTooLarge,
    DuplicateDump,
    dump_create,
    dump_enqueue,
    dump_ingest,
    dump_mark_failed,
    dumps_enqueue_stale,
)
from papers.services.papers import EDITABLE_FIELDS, paper_changes_clean, paper_update
from papers.services.search_index import search_index_refresh

__all__ = [
    "EDITABLE_FIELDS",
    "TRANSIENT_ERRORS",
    "DumpTooLarge",
    "DuplicateDump",
    "dump_create",
    "dump_enqueue",
    "dump_ingest",
    "dump_mark_failed",
    "dumps_enqueue_stale",
    "paper_changes_clean",
    "paper_update",
    "search_index_refresh",
]
