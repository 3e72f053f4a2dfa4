"""Each paper's related papers: its RELATED_STORED nearest published papers, a table the
pages read with one indexed query (recommendations.selectors.related_papers).

A list is written whole for a paper when it gets its vector (at a fit, for every paper; on
arrival, for the new ones), and a paper newly published is offered to the lists of its
nearest papers, where it takes the place of a weaker one. A list keeps two more papers than a
page shows (RELATED_SHOWN): a paper hidden since is left out when read, and the list still
fills the page until its paper's list is written again.

Every writer of the lists calls `related_changed`: the RELATED_GENERATION counter moves on
once its transaction commits, and the lists cached for the endpoint
(recommendations.selectors.related_papers_for) are read afresh.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Q

from config.generations import generation_bump_on_commit
from papers.models import Paper
from papers.services.bulk import bulk_insert
from recommendations.models import RelatedPaper
from recommendations.selectors import RELATED_GENERATION

RELATED_STORED = 12
# A new published paper is offered to the lists of this many of its nearest papers: a list
# it would enter is almost always among them (its own list is the RELATED_STORED nearest).
OFFER_DEPTH = 50


def related_changed() -> None:
    """The current transaction writes related lists: bump RELATED_GENERATION (now and once
    it commits, config.generations)."""
    generation_bump_on_commit(RELATED_GENERATION)


def _existing(pairs: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """The pairs whose two papers are still there (the vectors searched may have been read
    before a paper was deleted)."""
    ids = {paper for paper, _, _ in pairs} | {related for _, related, _ in pairs}
    alive = set(Paper.objects.filter(pk__in=list(ids)).values_list("pk", flat=True))
    return [pair for pair in pairs if pair[0] in alive and pair[1] in alive]


def related_replace(*, paper_ids: Sequence[int], pairs: Iterable[tuple[int, int, float]]) -> int:
    """Write the lists of `paper_ids` anew from (paper, related, score) `pairs`; return the
    rows written."""
    related_changed()
    RelatedPaper.objects.filter(paper_id__in=list(paper_ids)).delete()
    rows = _existing(list(pairs))
    bulk_insert(RelatedPaper, ["paper_id", "related_id", "score"], rows, return_ids=False)
    return len(rows)


def related_insert(*, rows: list[tuple[int, int, float]]) -> None:
    """Write (paper, related, score) rows as they are: the caller, under the writers' lock,
    made sure both papers of each are there and that the lists they join are empty (a fit)."""
    related_changed()
    bulk_insert(RelatedPaper, ["paper_id", "related_id", "score"], rows, return_ids=False)


def related_offer(*, pairs: Iterable[tuple[int, int, float]]) -> int:
    """Offer papers to others' lists: each (new paper, other paper, score) puts the new paper
    in the other's list if it is among its RELATED_STORED best there. Returns the entries
    added."""
    offers: dict[int, dict[int, float]] = defaultdict(dict)
    for new, other, score in _existing(list(pairs)):
        offers[other][new] = score
    if not offers:
        return 0
    lists: dict[int, list[tuple[float, int, int | None]]] = defaultdict(list)
    for pk, paper_id, related_id, score in RelatedPaper.objects.filter(
        paper_id__in=list(offers)
    ).values_list("pk", "paper_id", "related_id", "score"):
        lists[paper_id].append((score, related_id, pk))
    dropped: list[int] = []
    added: list[tuple[int, int, float]] = []
    for other, new_ones in offers.items():
        current = {related: (score, pk) for score, related, pk in lists[other]}
        entries = [(score, related, pk) for related, (score, pk) in current.items()]
        entries += [(score, new, None) for new, score in new_ones.items() if new not in current]
        # Best first; equal scores by the older paper first, as a fit orders them.
        entries.sort(key=lambda entry: (-entry[0], entry[1]))
        kept, left_out = entries[:RELATED_STORED], entries[RELATED_STORED:]
        added += [(other, related, score) for score, related, pk in kept if pk is None]
        dropped += [pk for _, _, pk in left_out if pk is not None]
    if dropped or added:
        related_changed()
    if dropped:
        RelatedPaper.objects.filter(pk__in=dropped).delete()
    bulk_insert(RelatedPaper, ["paper_id", "related_id", "score"], added, return_ids=False)
    return len(added)


def related_withdraw(*, paper_ids: Sequence[int]) -> None:
    """Take papers out of every list, theirs and the others' (a paper whose text changed is
    offered again with its new vector)."""
    ids = list(paper_ids)
    related_changed()
    RelatedPaper.objects.filter(Q(paper_id__in=ids) | Q(related_id__in=ids)).delete()
