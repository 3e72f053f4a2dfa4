"""Writing parsed entries into papers, digests and digest entries, a batch at a time.

Rules of the domain applied here:
- a paper is found again by arXiv id first, then by normalized title;
- data is only ever filled in: a field already stored is never erased by a dump lacking it,
  and a stored value is kept over a different one from a later dump (LATEST_FIELDS aside);
- the source's counts that change over time (upvotes, GitHub stars, the source's comment
  count: LATEST_FIELDS) take the figure of the last entry ingested that has one: dumps in the
  order they are ingested, the entries of one dump in file order. Not the latest digest day:
  a figure is what the source showed when the dump was made, not on the digest day it lists
  (the Hugging Face API gives today's figures for a listing of any day), and dumps are
  uploaded as they are made, so an archive of old days fetched today is the freshest figure
  there is. Uploading an old saved file after a newer one brings its older figures back,
  until the next dump;
- a paper seen again keeps its moderation status; a new paper is pending, or published when
  the dump was uploaded with "publish";
- writing the same entries twice changes nothing: a paper or an entry whose values are all
  as stored is not written (no UPDATE at all for an unchanged dump).

Every batch costs a fixed number of queries (a read of the papers and entries it touches, one
bulk insert and at most one bulk update for each table); no row is saved on its own.
"""

from __future__ import annotations

import datetime
import operator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils import timezone

from papers.models import Digest, DigestEntry, Dump, Paper, PaperStatus
from papers.parsing import ParsedEntry, normalize_title
from papers.services.bulk import bulk_insert, bulk_update, rows_matching
from papers.services.search_index import search_index_invalidate

MSG_ARXIV_CONFLICT = (
    "The title matches paper #{title_paper} but arXiv id {arxiv_id} belongs to paper "
    "#{arxiv_paper}; the entry was recorded for the arXiv id's paper."
)
MSG_ARXIV_MISMATCH = (
    "The title matches paper #{paper} whose arXiv id is {stored}, not {given}; the entry was "
    "recorded for that paper and its arXiv id kept."
)
MSG_NO_TITLE_KEY = "The title has no letters or digits, so the paper cannot be identified."
MSG_REPEATED_IN_DAY = "The paper at line {first} is listed again on the same digest day; kept once."

# The source's own text, links and lists: filled in when the paper has none yet.
SOURCE_FILL_FIELDS = (
    "github_repo",
    "project_page",
    "thumbnail_url",
    "ai_summary",
    "ai_keywords",
    "organization",
    "source_submitted_by",
)
# The source's counts, which change over time: the latest figure ingested replaces the stored
# one (see the module's docstring). ParsedEntry calls the comment count `comments`.
LATEST_FIELDS = {
    "upvotes": "upvotes",
    "github_stars": "github_stars",
    "source_comment_count": "comments",
}
PAPER_FILL_FIELDS = (
    "abstract",
    "arxiv_id",
    "arxiv_version",
    "authors",
    "author_count",
    "published_on",
    "first_digest_on",
    *LATEST_FIELDS,
    *SOURCE_FILL_FIELDS,
)


@dataclass
class _Counters:
    entries: int = 0
    new_entries: int = 0
    new_papers: int = 0
    existing_papers: set[int] = field(default_factory=set)
    digests: set[datetime.date] = field(default_factory=set)


class IngestionWriter:
    """Writes the entries of one dump. The caller holds the transaction for the whole dump."""

    def __init__(self, *, dump: Dump) -> None:
        self.dump = dump
        self.new_status = PaperStatus.PUBLISHED if dump.publish else PaperStatus.PENDING
        self.warnings: list[dict] = []
        self._digest_ids: dict[datetime.date, int] = {}
        # (digest date, paper id) -> line where this dump first listed it
        self._seen: dict[tuple[datetime.date, int], int] = {}
        # ids of the papers this dump created: they are "new", not "existing", when met again
        self._created: set[int] = set()
        self._counters = _Counters()

    def stats(self) -> dict:
        c = self._counters
        return {
            "digests": len(c.digests),
            "entries": c.entries,
            "new_entries": c.new_entries,
            "new_papers": c.new_papers,
            "existing_papers": len(c.existing_papers),
        }

    def _warn(self, line: int, message: str) -> None:
        self.warnings.append({"line": line, "message": message})

    # --- digests -----------------------------------------------------------------------------
    def _digest_ids_for(self, dates: set[datetime.date]) -> dict[datetime.date, int]:
        missing = dates - self._digest_ids.keys()
        if missing:
            Digest.objects.bulk_create(
                [Digest(date=d) for d in sorted(missing)], ignore_conflicts=True
            )
            found = dict(Digest.objects.filter(date__in=missing).values_list("date", "id"))
            Digest.dumps.through.objects.bulk_create(
                [Digest.dumps.through(digest_id=i, dump_id=self.dump.pk) for i in found.values()],
                ignore_conflicts=True,
            )
            self._digest_ids.update(found)
        return self._digest_ids

    # --- papers ------------------------------------------------------------------------------
    def _resolve_papers(
        self, entries: list[tuple[ParsedEntry, str]]
    ) -> tuple[list[Paper | _NewPaper], dict[int, tuple]]:
        """The paper of each entry, found in the database or made (unsaved) for a new one, and
        a snapshot of each stored paper as read, to tell which ones the batch changed."""
        keys = {key for _, key in entries}
        arxiv_ids = {e.arxiv_id for e, _ in entries if e.arxiv_id}
        by_key: dict[str, Paper | _NewPaper] = {}
        by_arxiv: dict[str, Paper | _NewPaper] = {}
        snapshots: dict[int, tuple] = {}
        for stored in rows_matching(Paper, title_key=keys, arxiv_id=arxiv_ids):
            snapshots[stored.pk] = _snapshot(stored)
            by_key[stored.title_key] = stored
            if stored.arxiv_id:
                by_arxiv[stored.arxiv_id] = stored

        resolved: list[Paper | _NewPaper] = []
        for entry, key in entries:
            paper_by_arxiv = by_arxiv.get(entry.arxiv_id) if entry.arxiv_id else None
            paper_by_key = by_key.get(key)
            if paper_by_arxiv is not None:
                paper = paper_by_arxiv
                if paper_by_key is not None and paper_by_key is not paper:
                    self._warn(
                        entry.line,
                        MSG_ARXIV_CONFLICT.format(
                            title_paper=paper_by_key.pk or "new",
                            arxiv_id=entry.arxiv_id,
                            arxiv_paper=paper.pk or "new",
                        ),
                    )
            elif paper_by_key is not None:
                paper = paper_by_key
                if entry.arxiv_id and paper.arxiv_id and paper.arxiv_id != entry.arxiv_id:
                    self._warn(
                        entry.line,
                        MSG_ARXIV_MISMATCH.format(
                            paper=paper.pk or "new", stored=paper.arxiv_id, given=entry.arxiv_id
                        ),
                    )
            else:
                paper = _NewPaper(title=entry.title, title_key=key, status=self.new_status)
                by_key[key] = paper
            self._fill(paper, entry)
            if entry.arxiv_id and paper.arxiv_id == entry.arxiv_id:
                by_arxiv[entry.arxiv_id] = paper
            resolved.append(paper)
        return resolved, snapshots

    @staticmethod
    def _fill(paper: Paper | _NewPaper, entry: ParsedEntry) -> None:
        """Fill in what the paper lacks; only the counts of LATEST_FIELDS are overwritten, by
        the newer figure."""
        if not paper.abstract and entry.abstract:
            paper.abstract = entry.abstract
        if not paper.arxiv_id and entry.arxiv_id:
            paper.arxiv_id = entry.arxiv_id
        if (
            entry.arxiv_version is not None
            and paper.arxiv_id == entry.arxiv_id
            and (paper.arxiv_version or 0) < entry.arxiv_version
        ):
            paper.arxiv_version = entry.arxiv_version  # the latest version seen
        if not paper.authors and entry.authors:
            paper.authors = list(entry.authors)
        if paper.author_count is None and entry.author_count is not None:
            paper.author_count = entry.author_count
        if paper.published_on is None and entry.published_on is not None:
            paper.published_on = entry.published_on
        if paper.first_digest_on is None or entry.digest_date < paper.first_digest_on:
            paper.first_digest_on = entry.digest_date
        for name, entry_name in LATEST_FIELDS.items():
            figure = getattr(entry, entry_name)
            if figure is not None:
                setattr(paper, name, figure)
        for name in SOURCE_FILL_FIELDS:
            value = getattr(entry, name)
            if value and not getattr(paper, name):
                setattr(paper, name, list(value) if isinstance(value, tuple) else value)

    def _save_papers(self, papers: list[Paper | _NewPaper], snapshots: dict[int, tuple]) -> None:
        # A paper is new (no row yet) or stored (read with its snapshot by _resolve_papers).
        new = list({id(p): p for p in papers if isinstance(p, _NewPaper)}.values())
        if new:
            # An arXiv id met for the first time may already belong to a paper this batch did
            # not read (it was matched by title to another paper): leave it unset then.
            taken = {
                p.arxiv_id
                for p in rows_matching(Paper, arxiv_id=[p.arxiv_id for p in new if p.arxiv_id])
            }
            for new_paper in new:
                if new_paper.arxiv_id in taken:
                    new_paper.arxiv_id = None
                    new_paper.arxiv_version = None
            now = timezone.now()
            values = operator.attrgetter(*_NEW_PAPER_COLUMNS)
            ids = bulk_insert(
                Paper,
                [*_NEW_PAPER_COLUMNS, "created_at", "updated_at"],
                [(*values(p), now, now) for p in new],
            )
            for new_paper, pk in zip(new, ids, strict=True):
                new_paper.pk = pk
            self._created.update(ids)
            self._counters.new_papers += len(new)
        changed = [
            p
            for p in {id(p): p for p in papers if isinstance(p, Paper)}.values()
            if _snapshot(p) != snapshots[p.pk]
        ]
        if changed:
            arxiv_filled = [
                p
                for p in changed
                if p.arxiv_id and not snapshots[p.pk][PAPER_FILL_FIELDS.index("arxiv_id")]
            ]
            if arxiv_filled:
                taken = {
                    p.arxiv_id
                    for p in rows_matching(Paper, arxiv_id=[p.arxiv_id for p in arxiv_filled])
                }
                for paper in arxiv_filled:
                    if paper.arxiv_id in taken:
                        paper.arxiv_id = None
                        paper.arxiv_version = None
            now = timezone.now()
            for paper in changed:
                paper.updated_at = now  # bulk_update does not apply auto_now
            # An abstract filled in changes what search must find (titles never change).
            search_index_invalidate(
                paper_ids=[
                    p.pk
                    for p in changed
                    if p.abstract != snapshots[p.pk][PAPER_FILL_FIELDS.index("abstract")]
                ]
            )
            bulk_update(Paper, changed, [*PAPER_FILL_FIELDS, "updated_at"])

    # --- entries -----------------------------------------------------------------------------
    def write(self, entries: list[ParsedEntry]) -> None:
        keyed: list[tuple[ParsedEntry, str]] = []
        for entry in entries:
            key = entry.title_key or normalize_title(entry.title)
            if not key:
                self._warn(entry.line, MSG_NO_TITLE_KEY)
                continue
            keyed.append((entry, key))
        if not keyed:
            return

        digest_ids = self._digest_ids_for({e.digest_date for e, _ in keyed})
        resolved, snapshots = self._resolve_papers(keyed)
        self._save_papers(resolved, snapshots)

        rows: dict[tuple[int, int], _EntryRow] = {}
        for (entry, _), paper in zip(keyed, resolved, strict=True):
            paper_id = paper.pk
            assert paper_id is not None  # _save_papers inserted the new ones
            seen_key = (entry.digest_date, paper_id)
            if seen_key in self._seen:
                self._warn(entry.line, MSG_REPEATED_IN_DAY.format(first=self._seen[seen_key]))
                continue
            self._seen[seen_key] = entry.line
            self._counters.entries += 1
            self._counters.digests.add(entry.digest_date)
            if paper_id not in self._created:
                self._counters.existing_papers.add(paper_id)
            digest_id = digest_ids[entry.digest_date]
            rows[(digest_id, paper_id)] = _EntryRow(
                digest_id, paper_id, entry.position, entry.upvotes, entry.metadata, self.dump.pk
            )
        self._save_entries(rows)

    def _save_entries(self, rows: dict[tuple[int, int], _EntryRow]) -> None:
        if not rows:
            return
        # Only a paper that was there before this dump can already have an entry: those this
        # dump created got theirs from it, and `write` skips a repeat within a digest day.
        older = {p for _, p in rows if p not in self._created}
        existing = {
            (e.digest_id, e.paper_id): e for e in rows_matching(DigestEntry, paper_id=older)
        }
        new, changed = [], []
        for pair, row in rows.items():
            stored = existing.get(pair)
            if stored is None:
                new.append(row)
                continue
            merged_upvotes = row.upvotes if row.upvotes is not None else stored.upvotes
            merged_metadata = {**stored.metadata, **row.metadata}
            if (stored.position, stored.upvotes, stored.metadata) != (
                row.position,
                merged_upvotes,
                merged_metadata,
            ):
                stored.position = row.position
                stored.upvotes = merged_upvotes
                stored.metadata = merged_metadata
                stored.dump_id = self.dump.pk
                changed.append(stored)
        if new:
            bulk_insert(DigestEntry, _EntryRow._fields, new, return_ids=False)
            self._counters.new_entries += len(new)
        if changed:
            bulk_update(DigestEntry, changed, ["position", "upvotes", "metadata", "dump"])


class _EntryRow(NamedTuple):
    digest_id: int
    paper_id: int
    position: int
    upvotes: int | None
    metadata: dict
    dump_id: int


class _NewPaper:
    """A paper met for the first time, before it is inserted: lighter than a model instance,
    with the attributes that resolution and fill-in use."""

    __slots__ = ("pk", "title", "title_key", "status", *PAPER_FILL_FIELDS)

    def __init__(self, *, title: str, title_key: str, status: str) -> None:
        self.pk: int | None = None
        self.title = title
        self.title_key = title_key
        self.status = status
        self.abstract = ""
        self.arxiv_id: str | None = None
        self.arxiv_version: int | None = None
        self.authors: list[str] = []
        self.author_count: int | None = None
        self.published_on: datetime.date | None = None
        self.first_digest_on: datetime.date | None = None
        self.upvotes: int | None = None
        self.github_stars: int | None = None
        self.source_comment_count: int | None = None
        self.github_repo = ""
        self.project_page = ""
        self.thumbnail_url = ""
        self.ai_summary = ""
        self.ai_keywords: list[str] = []
        self.organization = ""
        self.source_submitted_by = ""


_NEW_PAPER_COLUMNS = ("title", "title_key", "status", *PAPER_FILL_FIELDS)


def _snapshot(paper: Paper) -> tuple:
    return tuple(getattr(paper, name) for name in PAPER_FILL_FIELDS)
