"""Every write of the papers app. Import from here: `from papers.services import dump_create`."""

from papers.services.dumps import (
    DumpTooLarge,
    DuplicateDump,
    dump_create,
    dump_enqueue,
    dump_ingest,
    dump_mark_failed,
    dumps_enqueue_stale,
)

__all__ = [
    "DumpTooLarge",
    "DuplicateDump",
    "dump_create",
    "dump_enqueue",
    "dump_ingest",
    "dump_mark_failed",
    "dumps_enqueue_stale",
]
