"""Edits of a paper's own data (title, abstract, arXiv id, authors, publication date) by
hand: the rules that keep a paper one paper (its title key, its unique arXiv id) and its
search vector current. Ingestion fills the same fields in from dumps (services.ingestion)."""

from __future__ import annotations

import datetime

from django.db import transaction

from config.errors import DomainError
from papers.models import Paper
from papers.parsing.normalize import arxiv_id_parts, clean_text, normalize_title
from papers.services.changes import papers_changed_schedule
from papers.services.search_index import search_index_invalidate, search_index_schedule

MSG_TITLE_REQUIRED = "A paper needs a title."
MSG_TITLE_TAKEN = "Another paper has this title already (paper #{pk})."
MSG_ARXIV_INVALID = "“{value}” is not an arXiv id (such as 2401.01234 or hep-th/9901001)."
MSG_ARXIV_TAKEN = "Another paper has this arXiv id already (paper #{pk})."
MSG_AUTHORS_INVALID = "Authors are a list of names."
MSG_DATE_INVALID = "The publication date is a date."
MSG_AUTHOR_COUNT_INVALID = "The number of authors is a whole number, at least the names listed."

EDITABLE_FIELDS = ("title", "abstract", "arxiv_id", "authors", "author_count", "published_on")
# Fields whose change makes the search vector stale.
SEARCHED_FIELDS = {"title", "abstract"}


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(message, code="invalid", extra={"field": field})


def paper_changes_clean(*, paper: Paper, changes: dict) -> dict:
    """The changes of `changes` (a subset of EDITABLE_FIELDS) made canonical, and only those
    that change something (an arXiv id given with a version changes `arxiv_version` too);
    raises DomainError (with extra["field"]) for a value a paper may not take."""
    cleaned: dict = {}
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            raise _invalid(f"“{field}” cannot be edited.", field)
        if field == "title":
            value = " ".join(clean_text(value or "").split())
            if not value:
                raise _invalid(MSG_TITLE_REQUIRED, field)
            key = normalize_title(value)
            clash = Paper.objects.filter(title_key=key).exclude(pk=paper.pk).first()
            if clash is not None:
                raise _invalid(MSG_TITLE_TAKEN.format(pk=clash.pk), field)
            cleaned["title_key"] = key
        elif field == "abstract":
            value = clean_text(value or "").strip()
        elif field == "arxiv_id":
            version = None
            if value in (None, ""):
                value = None
            else:
                parts = arxiv_id_parts(value)
                if parts is None:
                    raise _invalid(MSG_ARXIV_INVALID.format(value=value), field)
                canonical, version = parts
                clash = Paper.objects.filter(arxiv_id=canonical).exclude(pk=paper.pk).first()
                if clash is not None:
                    raise _invalid(MSG_ARXIV_TAKEN.format(pk=clash.pk), field)
                value = canonical
            # The version is kept apart, the latest seen of this id: another id does not
            # carry the former one's, and the same id given with a later version raises it.
            if value != paper.arxiv_id:
                if version != paper.arxiv_version:
                    cleaned["arxiv_version"] = version
            elif version is not None and (paper.arxiv_version or 0) < version:
                cleaned["arxiv_version"] = version
        elif field == "authors":
            if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
                raise _invalid(MSG_AUTHORS_INVALID, field)
            value = [name for name in (" ".join(a.split()) for a in value) if name]
        elif field == "author_count":
            if value is not None and (not isinstance(value, int) or value < 0):
                raise _invalid(MSG_AUTHOR_COUNT_INVALID, field)
        elif field == "published_on" and value is not None and not isinstance(value, datetime.date):
            raise _invalid(MSG_DATE_INVALID, field)
        if getattr(paper, field) != value:
            cleaned[field] = value
    if "title_key" in cleaned and "title" not in cleaned:
        del cleaned["title_key"]  # the same title, differently spaced
    authors = cleaned.get("authors", paper.authors)
    count = cleaned.get("author_count", paper.author_count)
    if count is not None and count < len(authors):
        raise _invalid(MSG_AUTHOR_COUNT_INVALID, "author_count")
    return cleaned


@transaction.atomic
def paper_update(*, paper: Paper, changes: dict) -> list[str]:
    """Apply `changes` (field -> value, EDITABLE_FIELDS only) to `paper` after the rules of
    paper_changes_clean; return the names of the fields that changed. A changed title or
    abstract is indexed for search again once the transaction commits."""
    locked = Paper.objects.select_for_update().get(pk=paper.pk)
    cleaned = paper_changes_clean(paper=locked, changes=changes)
    if not cleaned:
        return []
    for field, value in cleaned.items():
        setattr(locked, field, value)
        setattr(paper, field, value)
    locked.save(update_fields=[*cleaned, "updated_at"])
    if SEARCHED_FIELDS & set(cleaned):
        search_index_invalidate(paper_ids=[locked.pk])
        search_index_schedule()
    papers_changed_schedule()
    return [field for field in cleaned if field != "title_key"]
