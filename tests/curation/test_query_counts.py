"""Every list endpoint of the curation API runs a constant number of queries, whatever its
page size: pinned at page sizes 1 and 50 over more than 50 rows of everything."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from curation.models import Comment, CommentFlag, ModerationEvent, Vote
from papers.models import Digest, DigestEntry, Paper, PaperStatus
from tests.factories import (
    ModeratorFactory,
    PaperFactory,
    PaperTagFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROWS = 60
DAY = datetime.date(2024, 8, 22)

# (url, who asks, queries). Each count is explained where it is not obvious.
LISTS = [
    # The page + the tags prefetch; for a member, read for every reader (shared under the
    # listing version, papers.listing_version) + the member's own vote and marks (one query).
    # Each URL here is new (page_size differs), so the shared rows are read each time.
    ("/api/papers/?order=hot", "member", 3),
    ("/api/papers/?order=new", "anonymous", 2),
    ("/api/papers/?order=top&period=all", "member", 3),
    ("/api/papers/?tag=topic-1&tag=topic-2&match=any", "member", 3),
    ("/api/papers/?digest=2024-08-22", "member", 3),
    # Moderators: the same two (the group lookup is cached on the user by the warm-up).
    ("/api/papers/?status=all&order=new", "moderator", 2),
    # Search: the page (no count: numbered pages with next and previous only) + tags, read
    # for every reader as the feeds are, + the member's own vote and marks.
    ("/api/papers/?q=study", "member", 3),
    ("/api/papers/?q=study", "anonymous", 2),
    # An anonymous reader's first feed page is cached for a few seconds, but each URL
    # here is new (page_size differs), so it is read: the page + tags.
    ("/api/papers/?order=hot&tag=topic-1", "anonymous", 2),
    # The digest-day view: the previous and next days + the page + tags (+ the member's own
    # state, as above).
    ("/api/papers/?date=2024-08-22", "member", 5),
    # The paper; the whole thread and its authors (one query by id) are read once and shared
    # by every reader until a write to the thread (curation.selectors.comments_thread).
    ("/api/papers/{paper}/comments/", "member", 1),
    # COUNT + the page (each tag's paper count is a column).
    ("/api/tags/", "anonymous", 2),
    # Two COUNTs + pending papers + their digest days + flagged comments + their open flags.
    ("/api/moderation/queue/", "moderator", 6),
    ("/api/moderation/log/", "anonymous", 1),
    ("/api/moderation/log/?action=publish", "member", 1),
    # The page, each day's count of published papers a subquery of it.
    ("/api/digests/", "anonymous", 1),
    # Lists: the page, with each list's owner (joined), my rights and its count of papers I
    # may open (subqueries of it).
    ("/api/lists/", "member", 1),
    ("/api/lists/?scope=editable&paper={paper}", "member", 1),
    # A list's papers: the list (with its count and my rights), its editors, the page of
    # items with their papers, my vote and marks (joined, EXISTS), the page's tags.
    ("/api/lists/{list}/items/", "member", 4),
]


@pytest.fixture
def crowd(db):
    now = timezone.now()
    authors = [UserFactory() for _ in range(3)]
    moderator = ModeratorFactory(username="moderator")
    tags = [TagFactory(name=f"Topic {i}", slug=f"topic-{i}") for i in range(ROWS)]
    digests = [Digest.objects.create(date=DAY - datetime.timedelta(days=i)) for i in range(ROWS)]
    papers = []
    for i in range(ROWS):
        # Ties on purpose: every paper on the same day with the same counts.
        paper = PaperFactory(title=f"A study of things {i}", first_digest_on=DAY)
        papers.append(paper)
        DigestEntry.objects.create(digest=digests[0], paper=paper, position=i + 1)
        if i:  # also listed on an older day of its own
            DigestEntry.objects.create(digest=digests[i], paper=paper, position=1000 + i)
        for tag in (tags[i % 3], tags[(i + 1) % 3]):
            PaperTagFactory(paper=paper, tag=tag, added_by=authors[0])
        Vote.objects.create(user=authors[i % 3], paper=paper)
        PaperFactory(
            title=f"Pending {i}",
            status=PaperStatus.PENDING,
            first_digest_on=None,
            submitted_by=authors[1],
        )
    target = papers[0]
    roots = []
    for i in range(ROWS):
        roots.append(
            Comment.objects.create(
                paper=target,
                author=authors[i % 3],
                body=f"Comment {i}",
                body_html=f"<p>Comment {i}</p>",
                created_at=now,
                hidden_at=now if i % 10 == 0 else None,
                deleted_at=now if i % 7 == 0 else None,
            )
        )
    for i, parent in enumerate(roots):
        reply = Comment.objects.create(
            paper=target,
            author=authors[(i + 1) % 3],
            parent=parent,
            body="Re",
            body_html="<p>Re</p>",
            created_at=now,
        )
        CommentFlag.objects.create(comment=reply, user=authors[i % 3], reason="spam")
        CommentFlag.objects.create(comment=reply, user=moderator, reason="abuse")
    for i in range(ROWS):
        ModerationEvent.objects.create(
            moderator=moderator,
            action="publish",
            target_kind="paper",
            target_id=i,
            target_label=f"Paper {i}",
        )
    Paper.objects.filter(pk=target.pk).update(comment_count=ROWS)
    from lists.services import list_create, list_item_add

    for i in range(ROWS):
        list_create(owner=authors[i % 3], name=f"List {i}", visibility="team")
    long_list = list_create(owner=authors[0], name="Long", visibility="team")
    for paper in papers:
        list_item_add(paper_list=long_list, user=authors[0], paper=paper, note="A *note*.")
    if connection.vendor == "postgresql":
        from papers.services.search_index import search_index_refresh

        search_index_refresh()
    return {
        "member": authors[0],
        "moderator": moderator,
        "anonymous": None,
        "paper": target.pk,
        "list": long_list.pk,
    }


@pytest.mark.parametrize(("url", "role", "queries"), LISTS)
def test_list_endpoints_run_a_constant_number_of_queries(
    crowd, django_assert_num_queries, url, role, queries
):
    client = APIClient()
    if crowd[role] is not None:
        client.force_authenticate(crowd[role])
    url = url.format(paper=crowd["paper"], list=crowd["list"])
    separator = "&" if "?" in url else "?"
    client.get(url)  # warm-up: per-user caches (the moderators group)
    sizes = {}
    for size in (1, 50):
        with django_assert_num_queries(queries):
            response = client.get(f"{url}{separator}page_size={size}")
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        if "results" in body:
            sizes[size] = len(body["results"])
        else:
            sizes[size] = len(body["papers"]["results"]) + len(body["comments"]["results"])
    # The pages really differ in size: the count does not depend on it.
    assert sizes[1] < sizes[50]
