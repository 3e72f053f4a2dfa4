"""Cleaning of page text and the dedup keys: normalized titles and arXiv ids."""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that copy-paste leaves in text: zero-width spaces and joiners, word
# joiner, byte-order marks, soft hyphens.
_INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
_ASCII_PUNCT_RE = re.compile(r"[^a-z0-9\s]+")
# What no database column takes: control characters other than whitespace (PostgreSQL refuses
# NUL in text) are dropped, and lone surrogates (JSON's "\ud800" escapes make them) become
# U+FFFD, as an undecodable byte does.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# The width of Paper.title_key. NFKC can make a key longer than its title ("\ufdfa" alone
# becomes 18 letters); a key is cut there rather than refused.
TITLE_KEY_MAX = 1000
# The width of Paper.arxiv_id; real ids are far shorter.
ARXIV_ID_MAX = 64


def strip_invisible(text: str) -> str:
    if text.isascii():
        return text
    for char in _INVISIBLE:
        if char in text:
            text = text.replace(char, "")
    return text


def clean_text(text: str) -> str:
    """Invisible characters removed, every run of whitespace (NBSP included) made one space,
    and nothing left that a database cannot store (see _CONTROL_RE)."""
    if (
        text.isascii()
        and text.isprintable()  # no tab, line end or other control character
        and "  " not in text
        and not text[:1].isspace()
        and not text[-1:].isspace()
    ):
        return text  # the common case, checked much faster than split and join
    text = strip_invisible(text)
    if not text.isprintable():  # line ends and tabs, but also controls or lone surrogates
        text = _SURROGATE_RE.sub("\ufffd", _CONTROL_RE.sub("", text))
    return " ".join(text.split())


class _KeepTable(dict):
    """str.translate table, filled on demand: keep letters, marks, numbers and whitespace;
    delete punctuation, symbols, controls and format characters."""

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        value = code if char.isspace() or unicodedata.category(char)[0] in "LMN" else None
        self[code] = value
        return value


_KEEP_TABLE = _KeepTable()


def normalize_title(title: str) -> str:
    """The dedup key of a title.

    Unicode NFKC, casefolded, then only letters, marks and digits kept: punctuation, symbols
    and all whitespace go, so "Sparse-land", "Sparse land" and "Sparseland" match, and so do
    "Text-to-Speech" and "Text to Speech". Titles that differ only by case, punctuation,
    spacing or unicode normal form get the same key. A title made only of symbols keeps them,
    so the key is "" only for a blank title.
    """
    folded = unicodedata.normalize("NFKC", strip_invisible(title)).casefold()
    key = _ASCII_PUNCT_RE.sub("", folded) if folded.isascii() else folded.translate(_KEEP_TABLE)
    key = "".join(key.split()) or " ".join(folded.split())
    return key[:TITLE_KEY_MAX]


# ASCII only: \d would take any script's digits, and re.I would let "K" (Kelvin) be a "k".
_ARXIV_NEW_RE = re.compile(r"(\d{2})(\d{2})\.(\d{4,5})(?:v(?P<version>\d+))?", re.ASCII)
_ARXIV_OLD_RE = re.compile(
    r"([a-z]+(?:-[a-z]+)*)(\.[a-z]{2})?/(\d{2})(\d{2})(\d{3})(?:v(?P<version>\d+))?",
    re.I | re.ASCII,
)
# arXiv's own citation form ends with the primary category: "arXiv:2401.01234v2 [cs.CL]".
_ARXIV_CATEGORY_RE = re.compile(r"\s+\[[a-z]+(?:-[a-z]+)*(?:\.[a-z]{2,})?\]$", re.I | re.ASCII)
_ARXIV_PREFIX_RE = re.compile(
    r"^(?:https?://)?(?:(?:www|export)\.)?"
    r"(?:arxiv\.org/(?:abs|pdf|html)|(?:huggingface|hf)\.co/papers)/",
    re.I,
)


def arxiv_id_parts(value: str) -> tuple[str, int | None] | None:
    """The canonical arXiv id without version and the version given (None when none is),
    or None when `value` is not an arXiv id. Reads every form normalize_arxiv_id does."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    text, is_url = _ARXIV_PREFIX_RE.subn("", text)
    if is_url:
        text = text.split("#", 1)[0].split("?", 1)[0]
    if text[:6].lower() == "arxiv:":
        text = text[6:].strip()
    text = _ARXIV_CATEGORY_RE.sub("", text)
    if text.lower().endswith(".pdf"):
        text = text[:-4]
    text = text.rstrip("/")
    if len(text) > ARXIV_ID_MAX:
        return None
    m = _ARXIV_NEW_RE.fullmatch(text)
    if m is not None:
        yymm_month = int(m[2])
        # 4-digit numbers until 2014, 5-digit numbers from 2015 on.
        if 1 <= yymm_month <= 12 and (len(m[3]) == 4) == (int(m[1]) < 15):
            return f"{m[1]}{m[2]}.{m[3]}", _version(m["version"])
        return None
    m = _ARXIV_OLD_RE.fullmatch(text)
    if m is not None and 1 <= int(m[4]) <= 12:
        subject = (m[2] or "").upper()
        return f"{m[1].lower()}{subject}/{m[3]}{m[4]}{m[5]}", _version(m["version"])
    return None


def _version(text: str | None) -> int | None:
    # A version beyond any arXiv has seen is no version (it would not fit the column).
    return int(text) if text and len(text) <= 4 and int(text) > 0 else None


def normalize_arxiv_id(value: str) -> str | None:
    """The canonical arXiv id without version, or None when `value` is not an arXiv id.

    Accepts "2409.11074", "2409.11074v2", "arXiv:2409.11074", arxiv.org abs, pdf and html URLs
    (a query string or fragment ignored), huggingface.co/papers (or hf.co/papers) URLs and old
    style ids such as "hep-th/9901001" (archive lowercased, subject class kept:
    "math.AG/0309136"), each also with arXiv's category after it ("arXiv:2409.11074v2
    [cs.CL]", as arXiv writes a citation).
    """
    parts = arxiv_id_parts(value)
    return parts[0] if parts is not None else None
