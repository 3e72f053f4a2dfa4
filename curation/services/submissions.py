"""Papers submitted by members: they enter the moderation queue as pending."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.roles import Viewer, require_member
from config.errors import DomainError
from curation.selectors import papers_visible_to
from papers.models import Paper, PaperStatus
from papers.parsing import normalize_title
from papers.parsing.normalize import arxiv_id_parts, clean_text
from papers.services.changes import papers_changed_schedule
from papers.services.search_index import search_index_schedule

TITLE_MAX_CHARS = 1000
ABSTRACT_MAX_CHARS = 20_000

MSG_TITLE_REQUIRED = "A paper needs a title."
MSG_TITLE_REQUIRED_NEW_ARXIV = "This paper is not here yet: give its title as well."
MSG_TITLE_TOO_LONG = f"A title has at most {TITLE_MAX_CHARS:,} characters."
MSG_ABSTRACT_TOO_LONG = f"An abstract has at most {ABSTRACT_MAX_CHARS:,} characters."
MSG_ARXIV_INVALID = "This is not an arXiv id or arXiv URL."
MSG_DUPLICATE = "This paper is here already."
MSG_DUPLICATE_UNSHOWN = "This paper was submitted before; it is not shown on the site."


def _invalid(field: str, message: str) -> DomainError:
    """A refusal about one field of the submission, named as the API's validation errors
    name theirs (config.api), so the API and the web form show it next to that field."""
    return DomainError(message, code="invalid", extra={"fields": {field: [message]}})


def submission_arxiv_id(value: str | None) -> str | None:
    """The arXiv id a member gave, as the site keys papers by it: "2401.12345" for
    "2401.12345v2", "arXiv:2401.12345", an arxiv.org abs, pdf or html address or a
    huggingface.co/papers one; old style ids too ("hep-th/9901001"). None when nothing was
    given; DomainError (field `arxiv_id`) when it is not an arXiv id.

    The same rule as ingestion's (papers.parsing.arxiv_id_parts), so a submitted paper
    and a dumped one meet on the same key.
    """
    parts = _submission_arxiv_parts(value)
    return parts[0] if parts is not None else None


def _submission_arxiv_parts(value: str | None) -> tuple[str, int | None] | None:
    """submission_arxiv_id's id and the version given with it (papers.parsing's
    arxiv_id_parts), read once."""
    if value is None or not value.strip():
        return None
    parts = arxiv_id_parts(value)
    if parts is None:
        raise _invalid("arxiv_id", MSG_ARXIV_INVALID)
    return parts


def _existing(*, title_key: str | None = None, arxiv_id: str | None = None) -> Paper | None:
    query = Q(arxiv_id=arxiv_id) if arxiv_id else Q(pk__in=[])
    if title_key is not None:
        query |= Q(title_key=title_key)
    # An arXiv match is the stronger one, so it wins when both exist.
    found = list(Paper.objects.filter(query).only("pk", "arxiv_id")[:2])
    found.sort(key=lambda p: p.arxiv_id != arxiv_id or not arxiv_id)
    return found[0] if found else None


def _arxiv_id_fill(*, paper: Paper, arxiv_id: str, version: int | None) -> None:
    """Give a paper known by its title only the arXiv id a member gave, as a dump would
    (ingestion fills it in the same way); a paper that got one meanwhile keeps its own."""
    try:
        with transaction.atomic():
            filled = Paper.objects.filter(pk=paper.pk, arxiv_id__isnull=True).update(
                arxiv_id=arxiv_id, arxiv_version=version
            )
    except IntegrityError:
        return  # another paper took that id meanwhile: it is that one's
    if filled:
        papers_changed_schedule()  # its pages and cards now link arXiv


def _arxiv_version_raise(*, paper: Paper, version: int | None) -> None:
    """The latest version seen of a paper's arXiv id: a member who gives a later one than
    the paper carries brings it up to date (never down)."""
    if version is None:
        return
    raised = Paper.objects.filter(
        Q(arxiv_version__isnull=True) | Q(arxiv_version__lt=version), pk=paper.pk
    ).update(arxiv_version=version)
    if raised:
        papers_changed_schedule()  # its page shows the latest version seen


def _duplicate(paper: Paper, user: User) -> DomainError:
    """The paper that is here already, named only to a member who may open it: a rejected or
    hidden paper stays unnamed (its id and address would lead to what the site hides)."""
    if not papers_visible_to(user).filter(pk=paper.pk).exists():
        return DomainError(MSG_DUPLICATE_UNSHOWN, code="duplicate", status_code=409)
    return DomainError(
        MSG_DUPLICATE, code="duplicate", status_code=409, extra={"paper_id": paper.pk}
    )


def paper_submit(
    *, user: Viewer, title: str = "", abstract: str = "", arxiv_id: str | None = None
) -> Paper:
    """A member submits a paper; it is created pending, with `submitted_by`.

    `arxiv_id` is an id or address in any form submission_arxiv_id reads. A paper with the
    same arXiv id or the same normalized title (papers.parsing.normalize_title), in any state,
    is a duplicate: DomainError code "duplicate", status 409, with extra {"paper_id": <its
    id>} when the member may open it. The arXiv id is looked up first, so an id alone finds
    a paper that is here; a new paper needs its title. Invalid input is a DomainError whose
    extra `fields` names the field (`title`, `abstract`, `arxiv_id`).
    """
    user = require_member(user)
    arxiv_id, version = _submission_arxiv_parts(arxiv_id) or (None, None)
    if arxiv_id is not None:
        existing = _existing(arxiv_id=arxiv_id)
        if existing is not None:
            _arxiv_version_raise(paper=existing, version=version)
            raise _duplicate(existing, user)
    title = clean_text(title or "")
    if not title:
        raise _invalid("title", MSG_TITLE_REQUIRED_NEW_ARXIV if arxiv_id else MSG_TITLE_REQUIRED)
    if len(title) > TITLE_MAX_CHARS:
        raise _invalid("title", MSG_TITLE_TOO_LONG)
    abstract = (abstract or "").strip()
    if len(abstract) > ABSTRACT_MAX_CHARS:
        raise _invalid("abstract", MSG_ABSTRACT_TOO_LONG)
    title_key = normalize_title(title)

    existing = _existing(title_key=title_key, arxiv_id=arxiv_id)
    if existing is not None:
        if arxiv_id is not None and not existing.arxiv_id:
            # Known by its title only: it gains the id (no other paper has it, see above).
            _arxiv_id_fill(paper=existing, arxiv_id=arxiv_id, version=version)
        raise _duplicate(existing, user)
    try:
        with transaction.atomic():
            paper = Paper.objects.create(
                title=title,
                title_key=title_key,
                abstract=abstract,
                arxiv_id=arxiv_id,
                arxiv_version=version,
                status=PaperStatus.PENDING,
                submitted_by=user,
            )
    except IntegrityError as error:  # the same paper arrived meanwhile (ingestion, a member)
        existing = _existing(title_key=title_key, arxiv_id=arxiv_id)
        if existing is None:
            raise
        raise _duplicate(existing, user) from error
    search_index_schedule()
    papers_changed_schedule()
    return paper
