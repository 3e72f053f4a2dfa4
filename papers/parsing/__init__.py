"""Parser of digest dumps: page-copy text and Hugging Face style JSON. Pure Python, no Django.

See /work/shared/DIGEST_FORMAT.md for the formats. Entry point: `parse_dump`.
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
