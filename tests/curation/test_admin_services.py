"""Every write of the admin goes through a service: a paper's data (its title key and search
vector follow, the change is logged), its tags, flags on comments; the rest is read-only."""

import pytest
from django.db import connection
from django.urls import reverse

from curation.models import CommentFlag, ModerationEvent, PaperTag, Tag
from papers.admin import PAPER_SOURCE_FIELDS
from papers.models import Paper, PaperSearch
from papers.parsing.normalize import normalize_title
from papers.services.search_index import search_index_refresh
from tests.factories import (
    CommentFactory,
    PaperFactory,
    PaperTagFactory,
    StaffUserFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = StaffUserFactory(is_superuser=True)
    client.force_login(user)
    return user


def change_form_data(paper, **changes):
    data = {
        "title": paper.title,
        "abstract": paper.abstract,
        "arxiv_id": paper.arxiv_id or "",
        "authors": "[]",
        "author_count": "",
        "published_on": "",
        "reason": "",
    }
    data.update(changes)
    return data


def test_editing_a_title_in_the_admin_updates_its_key_search_and_log(
    client, staff, django_capture_on_commit_callbacks
):
    paper = PaperFactory(title="Old Words About Transformers", abstract="Plain text.")
    if connection.vendor == "postgresql":
        search_index_refresh()
        assert PaperSearch.objects.filter(paper=paper).exists()
    url = reverse("admin:papers_paper_change", args=[paper.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, change_form_data(paper, title="Fresh Words About Routers", reason="Typo")
        )

    assert response.status_code == 302, response.content[:2000]
    paper.refresh_from_db()
    assert paper.title == "Fresh Words About Routers"
    assert paper.title_key == normalize_title("Fresh Words About Routers")
    event = ModerationEvent.objects.get(action="edit")
    assert (event.target_id, event.to_state, event.reason) == (paper.pk, "title", "Typo")
    if connection.vendor == "postgresql":
        # Indexed again once the edit committed: the new title is what search finds.
        vector = PaperSearch.objects.values_list("search_vector", flat=True).get(paper=paper)
        assert "router" in vector and "old" not in vector


def test_the_admin_refuses_a_title_or_arxiv_id_of_another_paper(client, staff):
    PaperFactory(title="Taken Title", arxiv_id="2401.01234")
    paper = PaperFactory(title="Mine")
    url = reverse("admin:papers_paper_change", args=[paper.pk])
    response = client.post(url, change_form_data(paper, title="  taken   TITLE "))
    assert response.status_code == 200
    assert "Another paper has this title already" in response.content.decode()
    response = client.post(url, change_form_data(paper, arxiv_id="arXiv:2401.01234v2"))
    assert "Another paper has this arXiv id already" in response.content.decode()
    paper.refresh_from_db()
    assert (paper.title, paper.arxiv_id) == ("Mine", None)
    assert not ModerationEvent.objects.exists()


def test_an_arxiv_id_is_kept_in_its_canonical_form(client, staff):
    paper = PaperFactory(title="Mine")
    url = reverse("admin:papers_paper_change", args=[paper.pk])
    client.post(url, change_form_data(paper, arxiv_id="https://arxiv.org/abs/2402.00001v3"))
    paper.refresh_from_db()
    assert paper.arxiv_id == "2402.00001"


def test_deleting_a_papers_tag_in_the_admin_goes_through_the_service(client, staff):
    tag = TagFactory(slug="vision")
    paper_tag = PaperTagFactory(tag=tag, added_by=UserFactory())
    assert Tag.objects.get(pk=tag.pk).paper_count == 1
    url = reverse("admin:curation_papertag_delete", args=[paper_tag.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not PaperTag.objects.exists()
    assert Tag.objects.get(pk=tag.pk).paper_count == 0


def test_flags_are_resolved_by_actions_that_log(client, staff):
    comment = CommentFactory()
    flags = [CommentFlag.objects.create(comment=comment, user=UserFactory(), reason="spam")]
    url = reverse("admin:curation_commentflag_changelist")
    response = client.post(
        url,
        {
            "action": "dismiss_flags",
            "_selected_action": [f.pk for f in flags],
            "reason": "Fine as it is",
        },
    )
    assert response.status_code == 302
    assert CommentFlag.objects.filter(resolved_at=None).count() == 0
    event = ModerationEvent.objects.get()
    assert (event.action, event.reason) == ("dismiss_flags", "Fine as it is")


@pytest.mark.parametrize(
    "name",
    [
        "admin:curation_tag_change",
        "admin:curation_commentflag_change",
        "admin:papers_digestentry_change",
    ],
)
def test_rows_written_only_by_services_are_read_only_in_the_admin(client, staff, name):
    tag = TagFactory()
    flag = CommentFlag.objects.create(comment=CommentFactory(), user=UserFactory(), reason="spam")
    from tests.factories import DigestEntryFactory

    entry = DigestEntryFactory()
    pk = {"admin:curation_tag_change": tag.pk, "admin:curation_commentflag_change": flag.pk}
    url = reverse(name, args=[pk.get(name, entry.pk)])
    before = client.get(url)
    assert before.status_code == 200
    assert b'type="submit"' not in before.content or b"Save" not in before.content
    assert client.post(url, {}).status_code == 403
    assert Paper.objects.count() >= 1


def test_a_papers_page_shows_the_sources_figures_read_only(client, staff):
    source = {
        "upvotes": 12,
        "source_comment_count": 4,
        "github_stars": 57,
        "github_repo": "https://github.com/example/romath",
        "project_page": "https://example.org/romath?a=1&b=2",
        "thumbnail_url": "https://cdn.example.org/romath.png",
        "ai_summary": "A <b>benchmark</b> of reasoning.",
        "ai_keywords": ["benchmark", "Romanian"],
        "organization": "upb",
        "source_submitted_by": "akhaliq",
    }
    paper = PaperFactory(**source)
    url = reverse("admin:papers_paper_change", args=[paper.pk])

    page = client.get(url).content.decode()

    assert "At the source" in page
    for field in PAPER_SOURCE_FIELDS:
        assert f"field-{field}" in page, field
        assert f'name="{field}"' not in page, field  # shown, not an input
    assert '<a href="https://example.org/romath?a=1&amp;b=2">' in page
    assert "A &lt;b&gt;benchmark&lt;/b&gt; of reasoning." in page
    assert "akhaliq" in page

    # A change posted to them anyway is not taken.
    response = client.post(
        url,
        change_form_data(paper, github_repo="https://evil.example/", upvotes="1", reason="x"),
    )

    assert response.status_code == 302, response.content[:2000]
    paper.refresh_from_db()
    assert {field: getattr(paper, field) for field in source} == source
