"""Papers submitted by members: they enter the moderation queue as pending."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.roles import require_member
from config.errors import DomainError
from curation.selectors import papers_visible_to
from papers.models import Paper, PaperStatus
from papers.parsing import normalize_arxiv_id, normalize_title
from papers.parsing.normalize import clean_text
from papers.services.search_index import search_index_schedule

TITLE_MAX_CHARS = 1000
ABSTRACT_MAX_CHARS = 20_000

MSG_TITLE_REQUIRED = "A paper needs a title."
MSG_TITLE_TOO_LONG = f"A title has at most {TITLE_MAX_CHARS:,} characters."
MSG_ABSTRACT_TOO_LONG = f"An abstract has at most {ABSTRACT_MAX_CHARS:,} characters."
MSG_ARXIV_INVALID = "This is not an arXiv id or arXiv URL."
MSG_DUPLICATE = "This paper is here already."
MSG_DUPLICATE_UNSHOWN = "This paper was submitted before; it is not shown on the site."


def _existing(title_key: str, arxiv_id: str | None) -> Paper | None:
    query = Q(title_key=title_key)
    if arxiv_id:
        query |= Q(arxiv_id=arxiv_id)
    # An arXiv match is the stronger one, so it wins when both exist.
    found = list(Paper.objects.filter(query).only("pk", "arxiv_id")[:2])
    found.sort(key=lambda p: p.arxiv_id != arxiv_id or not arxiv_id)
    return found[0] if found else None


def _duplicate(paper: Paper, user) -> DomainError:
    """The paper that is here already, named only to a member who may open it: a rejected or
    hidden paper stays unnamed (its id and address would lead to what the site hides)."""
    if not papers_visible_to(user).filter(pk=paper.pk).exists():
        return DomainError(MSG_DUPLICATE_UNSHOWN, code="duplicate", status_code=409)
    return DomainError(
        MSG_DUPLICATE, code="duplicate", status_code=409, extra={"paper_id": paper.pk}
    )


@transaction.atomic
def paper_submit(*, user, title: str, abstract: str = "", arxiv: str | None = None) -> Paper:
    """A member submits a paper; it is created pending, with `submitted_by`.

    `arxiv` is an id or URL, normalized with papers.parsing.normalize_arxiv_id. A paper with
    the same normalized title (papers.parsing.normalize_title) or arXiv id, in any state, is
    a duplicate: DomainError code "duplicate", status 409, with extra {"paper_id": <its id>}
    when the member may open it.
    """
    require_member(user)
    title = clean_text(title or "")
    if not title:
        raise DomainError(MSG_TITLE_REQUIRED, code="invalid")
    if len(title) > TITLE_MAX_CHARS:
        raise DomainError(MSG_TITLE_TOO_LONG, code="invalid")
    abstract = (abstract or "").strip()
    if len(abstract) > ABSTRACT_MAX_CHARS:
        raise DomainError(MSG_ABSTRACT_TOO_LONG, code="invalid")
    arxiv_id = None
    if arxiv and arxiv.strip():
        arxiv_id = normalize_arxiv_id(arxiv)
        if arxiv_id is None:
            raise DomainError(MSG_ARXIV_INVALID, code="invalid")
    title_key = normalize_title(title)

    existing = _existing(title_key, arxiv_id)
    if existing is not None:
        raise _duplicate(existing, user)
    try:
        with transaction.atomic():
            paper = Paper.objects.create(
                title=title,
                title_key=title_key,
                abstract=abstract,
                arxiv_id=arxiv_id,
                status=PaperStatus.PENDING,
                submitted_by=user,
            )
    except IntegrityError as error:  # the same paper arrived meanwhile (ingestion, a member)
        existing = _existing(title_key, arxiv_id)
        if existing is None:
            raise
        raise _duplicate(existing, user) from error
    search_index_schedule()
    return paper
