"""Parser of digest dumps: page-copy text and Hugging Face style JSON. Pure Python, no Django.

See docs/DIGEST_FORMAT.md for the formats and their limits. Entry point: `parse_dump`.

Modules, each importing only modules listed before it: errors, normalize and dates (which
import none); limits (sizes, and the bound on warnings) and daybook; json_fields (the JSON
item's own figures and links, bounded); text and json_dump (one format each); dump
(`parse_dump`: sniffs the kind of a file); stream (batches, and parsing in a child process).
render writes dumps for tests and benchmarks.
"""

from .dump import parse_dump
from .errors import DumpFormatError, ParsedEntry, ParseWarning
from .normalize import normalize_arxiv_id, normalize_title

__all__ = [
    "DumpFormatError",
    "ParseWarning",
    "ParsedEntry",
    "normalize_arxiv_id",
    "normalize_title",
    "parse_dump",
]
