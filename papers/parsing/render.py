"""Render digest days as dump files: page-copy text (as in the samples) or HF-style JSON.

Used by property tests (render, parse back, compare) and by benchmarks that generate large
dumps: `iter_text` / `iter_json` yield text chunks and `write_text` / `write_json` write them
to a file object, so days and papers may be generators and nothing is held whole in memory.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from .dates import MONTH_ABBR, format_day

CHROME_HEAD = ("new", "Get trending papers in your email inbox!", "Subscribe")
CHROME_DAILY = "Daily Papers"
CHROME_TAIL = "byAK and the research community"


@dataclass(frozen=True, slots=True)
class RenderPaper:
    title: str
    abstract: str
    author_count: int | None = None
    published: datetime.date | None = None
    published_with_year: bool = True  # "Jan 23, 2024" or "Apr 17"
    upvotes: int | None = None  # text: shown only after a publication date ("Apr 17 4")
    arxiv_id: str | None = None  # JSON only
    authors: tuple[str, ...] = ()  # JSON only; else author_count placeholder names


@dataclass(frozen=True, slots=True)
class RenderDay:
    date: datetime.date
    papers: Iterable[RenderPaper] = field(default_factory=tuple)


def _meta_block(paper: RenderPaper) -> str | None:
    lines = []
    if paper.author_count is not None:
        lines.append(f"  • {paper.author_count} authors")
    if paper.published is not None:
        # The "·" separator always precedes the date line, which keeps a date-only block
        # apart from a digest day.
        lines.append("·")
        value = paper.published
        text = f"{MONTH_ABBR[value.month - 1]} {value.day}"
        if paper.published_with_year:
            text += f", {value.year}"
        if paper.upvotes is not None:
            text += f" {paper.upvotes}"
        lines.append(text)
    return "\n".join(lines) if lines else None


def iter_text(
    days: Iterable[RenderDay], *, daily_papers_line: bool = True, newline: str = "\n"
) -> Iterator[str]:
    """The page copy of each day, back to back, one chunk per paragraph group."""
    separator = newline * 2
    first = True
    for day in days:
        chrome = list(CHROME_HEAD)
        if daily_papers_line:
            chrome.append(CHROME_DAILY)
        chrome += [CHROME_TAIL, format_day(day.date)]
        head = separator.join(chrome)
        yield head if first else separator + head
        first = False
        for paper in day.papers:
            parts = [paper.title, paper.abstract]
            meta = _meta_block(paper)
            if meta is not None:
                parts.append(meta.replace("\n", newline))
            yield separator + separator.join(parts)
    yield newline


def render_text(days: Iterable[RenderDay], **options) -> str:
    return "".join(iter_text(days, **options))


def write_text(fh: TextIO, days: Iterable[RenderDay], **options) -> None:
    for chunk in iter_text(days, **options):
        fh.write(chunk)


def _json_item(day: RenderDay, paper: RenderPaper, index: int) -> dict:
    authors = paper.authors
    if not authors and paper.author_count:
        authors = tuple(f"Author {i}" for i in range(1, paper.author_count + 1))
    inner: dict = {
        "id": paper.arxiv_id or f"{day.date:%y%m}.{index % 100000:05d}",
        "title": paper.title,
        "summary": paper.abstract,
    }
    if authors or paper.author_count == 0:
        inner["authors"] = [{"name": name, "hidden": False} for name in authors]
    if paper.published is not None:
        inner["publishedAt"] = f"{paper.published.isoformat()}T12:00:00.000Z"
    if paper.upvotes is not None:
        inner["upvotes"] = paper.upvotes
    return {
        "paper": inner,
        "publishedAt": f"{day.date.isoformat()}T08:00:00.000Z",
        "title": paper.title,
        "numComments": 0,
    }


def iter_json(days: Iterable[RenderDay], *, indent: int | None = 2) -> Iterator[str]:
    """A JSON array with one item per paper, in the shape of the HF daily papers API."""
    yield "["
    index = 0
    for day in days:
        for paper in day.papers:
            index += 1
            item = json.dumps(_json_item(day, paper, index), ensure_ascii=False, indent=indent)
            yield ("\n" if index == 1 else ",\n") + item
    yield "\n]\n"


def render_json(days: Iterable[RenderDay], **options) -> str:
    return "".join(iter_json(days, **options))


def write_json(fh: TextIO, days: Iterable[RenderDay], **options) -> None:
    for chunk in iter_json(days, **options):
        fh.write(chunk)
