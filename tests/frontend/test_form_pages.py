"""The form pages through Django's test client: the tag vocabulary (moderators) and "Submit a
paper" (members), "My page"'s submissions, and the Tag admin's link. Their forms post (with
the CSRF token) and work without a script; refusals are the services' sentences, on the form
they came from, and write nothing."""

import pytest
from django.test import Client
from django.utils.html import escape

from curation.models import ModerationEvent, PaperTag, Tag
from curation.services import paper_hide, paper_reject, paper_submit
from curation.services.submissions import (
    MSG_ARXIV_INVALID,
    MSG_DUPLICATE,
    MSG_DUPLICATE_UNSHOWN,
    MSG_TITLE_REQUIRED_NEW_ARXIV,
)
from curation.services.tags import MSG_MERGE_SELF, MSG_TAG_EXISTS, MSG_TAG_NAME_TOO_LONG
from frontend.form_pages import (
    MSG_CHOOSE_MERGE,
    MSG_CONFIRM_DELETE,
    MSG_NO_SUCH_TAG,
    MSG_SUBMITTED,
    MSG_TAG_CREATED,
    MSG_TAG_DELETED,
    MSG_TAG_MERGED,
    MSG_TAG_SAVED,
)
from papers.models import Paper
from tests.factories import DEFAULT_PASSWORD, PaperFactory, PaperTagFactory, TagFactory

pytestmark = pytest.mark.django_db

TAGS_URL = "/moderation/tags/"
SUBMIT_URL = "/submit/"
ROLES = [None, "member", "moderator", "admin"]


def _as(client, people, role):
    if role is not None:
        client.force_login(people[role])
    return client


def _state():
    """Everything a refused form must leave as it was."""
    return (
        sorted(Tag.objects.values_list("pk", "name", "slug", "description", "paper_count")),
        sorted(PaperTag.objects.values_list("paper_id", "tag_id")),
        ModerationEvent.objects.count(),
        Paper.objects.count(),
    )


# --- Who may open and post -----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (TAGS_URL, {None: 302, "member": 403, "moderator": 200, "admin": 200}),
        (SUBMIT_URL, {None: 302, "member": 200, "moderator": 200, "admin": 200}),
    ],
)
def test_who_may_open_the_form_pages(client, world, people, role, url, expected):
    response = _as(client, people, role).get(url)
    assert response.status_code == expected[role]
    if role is None:
        assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("role", [None, "member"])
@pytest.mark.parametrize(
    "body",
    [
        {"action": "create", "name": "Robotics"},
        {"action": "rename", "tag": "TAG", "name": "Renamed"},
        {"action": "merge", "source": "TAG", "into": "OTHER"},
        {"action": "delete", "tag": "TAG", "confirm": "yes"},
    ],
)
def test_only_moderators_post_to_the_vocabulary(client, world, people, role, body):
    other = TagFactory(name="Other", slug="other")
    ids = {"TAG": str(world["tag"].pk), "OTHER": str(other.pk)}
    before = _state()
    response = _as(client, people, role).post(TAGS_URL, {k: ids.get(v, v) for k, v in body.items()})
    assert response.status_code == (302 if role is None else 403)
    if role is None:
        assert response["Location"].startswith("/accounts/login/")
    assert _state() == before


def test_anonymous_cannot_submit(client, world):
    response = client.post(SUBMIT_URL, {"title": "A New Paper"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Paper.objects.filter(title="A New Paper").exists()


@pytest.mark.parametrize(
    ("role", "url", "body"),
    [
        ("moderator", TAGS_URL, {"action": "create", "name": "Robotics"}),
        ("member", SUBMIT_URL, {"title": "A New Paper"}),
    ],
)
def test_the_forms_need_the_csrf_token(world, people, role, url, body):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people[role])
    before = _state()
    assert client.post(url, body).status_code == 403
    assert _state() == before
    page = client.get(url).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page and 'method="post"' in page


@pytest.mark.parametrize(
    ("role", "links"),
    [
        (None, set()),
        ("member", {SUBMIT_URL}),
        ("moderator", {SUBMIT_URL, TAGS_URL}),
        ("admin", {SUBMIT_URL, TAGS_URL}),
    ],
)
def test_the_header_links_each_role_to_its_pages(client, world, people, role, links):
    nav = _as(client, people, role).get("/moderation/log/").content.decode().split("</nav>")[0]
    assert {url for url in (SUBMIT_URL, TAGS_URL) if f'href="{url}"' in nav} == links


def test_the_queue_links_to_the_vocabulary(client, world, people):
    body = _as(client, people, "moderator").get("/moderation/").content.decode()
    assert f'href="{TAGS_URL}"' in body


# --- The tag vocabulary --------------------------------------------------------------------


def test_the_vocabulary_lists_every_tag_with_its_count_and_description(client, world, people):
    TagFactory(name="Audio", slug="audio", description="Sound and speech.")
    body = _as(client, people, "moderator").get(TAGS_URL).content.decode()
    assert body.index("Audio") < body.index(">Vision<")
    assert "Sound and speech." in body
    assert "1 published paper<" in body and "0 published papers<" in body


def test_a_moderator_creates_a_tag(client, world, people):
    c = _as(client, people, "moderator")
    response = c.post(
        TAGS_URL, {"action": "create", "name": "  Robot  Learning ", "description": "Robots."}
    )
    assert (response.status_code, response["Location"]) == (302, TAGS_URL)
    tag = Tag.objects.get(slug="robot-learning")
    assert (tag.name, tag.description) == ("Robot Learning", "Robots.")
    assert ModerationEvent.objects.get().action == "create"
    body = c.get(TAGS_URL).content.decode()
    assert MSG_TAG_CREATED.format(name="Robot Learning") in body


@pytest.mark.parametrize(
    ("name", "message"),
    [("vision", MSG_TAG_EXISTS), ("x" * 65, MSG_TAG_NAME_TOO_LONG)],
)
def test_a_refused_creation_says_why_on_its_form_and_keeps_what_was_typed(
    client, world, people, name, message
):
    before = _state()
    response = _as(client, people, "moderator").post(
        TAGS_URL, {"action": "create", "name": name, "description": "Typed text"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<p class="error" role="alert" id="create-error">{escape(message)}</p>' in body
    assert f'value="{name}"' in body and ">Typed text</textarea>" in body
    assert body.count('role="alert"') == 1
    assert _state() == before


def test_a_moderator_renames_a_tag_and_its_description(client, world, people):
    tag = world["tag"]
    response = _as(client, people, "moderator").post(
        TAGS_URL,
        {"action": "rename", "tag": tag.pk, "name": "Computer Vision", "description": "Pixels."},
    )
    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.slug, tag.description) == (
        "Computer Vision",
        "computer-vision",
        "Pixels.",
    )
    assert ModerationEvent.objects.get().from_state == "Vision (vision)"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [MSG_TAG_SAVED.format(name="Computer Vision")]


def test_a_refused_rename_says_why_in_that_tags_form(client, world, people):
    other = TagFactory(name="Audio", slug="audio")
    before = _state()
    response = _as(client, people, "moderator").post(
        TAGS_URL, {"action": "rename", "tag": other.pk, "name": "VISION", "description": "New"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="rename-{other.pk}-error">{MSG_TAG_EXISTS}</p>' in body
    assert f'id="rename-{other.pk}-name" name="name" required maxlength="64" value="VISION"' in body
    # Its details are open; the other tag's are not, and keep their own values.
    row = body.split(f'id="tag-{other.pk}"')[1].split("</li>")[0]
    assert "<details open>" in row
    assert (
        f'id="rename-{world["tag"].pk}-name" name="name" required maxlength="64" value="Vision"'
        in body
    )
    assert _state() == before


def test_a_moderator_merges_one_tag_into_another(client, world, people):
    vision = world["tag"]
    target = TagFactory(name="Images", slug="images")
    PaperTagFactory(paper=PaperFactory(), tag=vision)
    response = _as(client, people, "moderator").post(
        TAGS_URL,
        {"action": "merge", "source": vision.pk, "into": target.pk, "reason": "Same thing."},
    )
    assert response.status_code == 302
    assert not Tag.objects.filter(pk=vision.pk).exists()
    target.refresh_from_db()
    assert target.paper_count == 2
    event = ModerationEvent.objects.get()
    assert (event.action, event.reason) == ("merge", "Same thing.")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [MSG_TAG_MERGED.format(source="Vision", target="Images", moved=2, s="s")]


@pytest.mark.parametrize(
    ("source", "into", "message"),
    [
        ("TAG", "TAG", MSG_MERGE_SELF),
        ("TAG", "", MSG_CHOOSE_MERGE),
        ("TAG", "999999", MSG_NO_SUCH_TAG),
        ("TAG", "99999999999999999999999", MSG_NO_SUCH_TAG),
    ],
)
def test_a_refused_merge_says_why_on_the_merge_form(client, world, people, source, into, message):
    TagFactory(name="Images", slug="images")
    ids = {"TAG": str(world["tag"].pk)}
    before = _state()
    response = _as(client, people, "moderator").post(
        TAGS_URL,
        {"action": "merge", "source": ids[source], "into": ids.get(into, into), "reason": "Why"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<p class="error" role="alert" id="merge-error">{message}</p>' in body
    assert f'<option value="{world["tag"].pk}" selected>Vision (1)</option>' in body
    assert 'id="merge-reason" name="reason" maxlength="2000" value="Why"' in body
    assert _state() == before


def test_a_moderator_deletes_a_tag_with_a_reason(client, world, people):
    tag = world["tag"]
    response = _as(client, people, "moderator").post(
        TAGS_URL, {"action": "delete", "tag": tag.pk, "reason": "Unused.", "confirm": "yes"}
    )
    assert response.status_code == 302
    assert not Tag.objects.exists() and not PaperTag.objects.exists()
    event = ModerationEvent.objects.get()
    assert (event.action, event.reason, event.target_label) == ("delete", "Unused.", "Vision")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [MSG_TAG_DELETED.format(name="Vision")]


def test_a_deletion_needs_its_box_ticked(client, world, people):
    tag = world["tag"]
    before = _state()
    response = _as(client, people, "moderator").post(
        TAGS_URL, {"action": "delete", "tag": tag.pk, "reason": "Unused."}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="delete-{tag.pk}-error">{MSG_CONFIRM_DELETE}</p>' in body
    assert f'id="delete-{tag.pk}-reason" name="reason" maxlength="2000" value="Unused."' in body
    assert _state() == before


@pytest.mark.parametrize("action", ["rename", "delete"])
def test_a_tag_gone_meanwhile_is_said_above_the_forms(client, world, people, action):
    gone = TagFactory(name="Gone", slug="gone")
    Tag.objects.filter(pk=gone.pk).delete()
    before = _state()
    response = _as(client, people, "moderator").post(
        TAGS_URL, {"action": action, "tag": gone.pk, "name": "Back", "confirm": "yes"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<p class="error" role="alert" id="page-error">{MSG_NO_SUCH_TAG}</p>' in body
    assert _state() == before


def test_an_unknown_action_is_a_400_page(client, world, people):
    response = _as(client, people, "moderator").post(TAGS_URL, {"action": "explode"})
    assert response.status_code == 400
    assert "This form asks for something the page does not do." in response.content.decode()


def test_the_tag_admin_is_read_only_and_links_to_the_vocabulary(client, world, people):
    client.force_login(people["admin"])
    body = client.get("/admin/curation/tag/").content.decode()
    assert f'href="{TAGS_URL}"' in body
    assert "/admin/curation/tag/add/" not in body
    response = client.post(
        f"/admin/curation/tag/{world['tag'].pk}/change/", {"name": "X", "slug": "x"}
    )
    assert response.status_code == 403
    assert Tag.objects.get().name == "Vision"


# --- Submit a paper ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        "2401.12345",
        "2401.12345v2",
        "arXiv:2401.12345",
        "https://arxiv.org/abs/2401.12345",
        "https://arxiv.org/pdf/2401.12345v3.pdf",
        "https://huggingface.co/papers/2401.12345",
    ],
)
def test_a_member_submits_with_any_form_of_arxiv_id_and_sees_it_pending(
    client, world, people, given
):
    c = _as(client, people, "member")
    response = c.post(SUBMIT_URL, {"arxiv_id": given, "title": "A New Result", "abstract": "We."})
    paper = Paper.objects.get(title="A New Result")
    assert (paper.arxiv_id, paper.status, paper.submitted_by) == (
        "2401.12345",
        "pending",
        people["member"],
    )
    assert (response.status_code, response["Location"]) == (302, f"/papers/{paper.pk}/")
    page = c.get(response["Location"]).content.decode()
    assert "Pending</span>" in page
    assert MSG_SUBMITTED.format(title="A New Result") in page


def test_a_paper_by_hand_without_an_arxiv_id(client, world, people):
    response = _as(client, people, "member").post(
        SUBMIT_URL, {"arxiv_id": "", "title": "Hand Made", "abstract": "By hand."}
    )
    assert response.status_code == 302
    assert Paper.objects.get(title="Hand Made").arxiv_id is None


def test_a_duplicate_shows_the_paper_that_is_here_instead(client, world, people):
    good = world["good"]
    good.arxiv_id = "2401.12345"
    good.save(update_fields=["arxiv_id"])
    before = _state()
    for body in (
        {"arxiv_id": "https://huggingface.co/papers/2401.12345"},  # an id alone finds it
        {"arxiv_id": "", "title": "attention is enough!"},  # the same title
    ):
        response = _as(client, people, "member").post(SUBMIT_URL, body)
        page = response.content.decode()
        assert response.status_code == 200
        assert f'{MSG_DUPLICATE} <a href="/papers/{good.pk}/">Attention Is Enough</a>' in page
        assert 'role="alert"' not in page
    assert _state() == before


@pytest.mark.parametrize(("which", "move"), [("pending", paper_reject), ("good", paper_hide)])
def test_a_duplicate_the_member_may_not_open_is_never_shown(client, world, people, which, move):
    paper = world[which]
    move(paper=paper, moderator=people["moderator"], reason="No.")
    before = _state()
    response = _as(client, people, "member").post(SUBMIT_URL, {"title": paper.title})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="submit-error">{MSG_DUPLICATE_UNSHOWN}</p>' in page
    assert f"/papers/{paper.pk}/" not in page
    assert _state() == before


@pytest.mark.parametrize(
    ("body", "field_id", "message"),
    [
        ({"arxiv_id": "not an id", "title": "Fine"}, "submit-arxiv-error", MSG_ARXIV_INVALID),
        ({"arxiv_id": "2401.99999"}, "submit-title-error", MSG_TITLE_REQUIRED_NEW_ARXIV),
    ],
)
def test_a_refusal_is_said_next_to_its_field_and_keeps_what_was_typed(
    client, world, people, body, field_id, message
):
    before = _state()
    response = _as(client, people, "member").post(SUBMIT_URL, {"abstract": "Kept.", **body})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="{field_id}">{message}</span>' in page
    assert f'value="{body["arxiv_id"]}"' in page and ">Kept.</textarea>" in page
    assert _state() == before


# --- My page -------------------------------------------------------------------------------


def test_my_page_lists_my_submissions_with_their_state(client, world, people):
    member, moderator = people["member"], people["moderator"]
    pending = paper_submit(user=member, title="Mine Pending")
    rejected = paper_submit(user=member, title="Mine Rejected", arxiv_id="2401.12345")
    paper_reject(paper=rejected, moderator=moderator, reason="Off topic.")
    paper_submit(user=people["admin"], title="Not Mine")
    body = _as(client, people, "member").get("/me/").content.decode()
    section = body.split('id="submissions-h"')[1].split("</section>")[0]
    assert "Not Mine" not in section
    assert section.index("Mine Rejected") < section.index("Mine Pending")  # newest first
    assert (
        f'<a href="/papers/{pending.pk}/">Mine Pending</a> <span class="state state-pending"'
        in section
    )
    assert (
        f'<a href="/papers/{rejected.pk}/">Mine Rejected</a> <span class="state state-rejected"'
        in section
    )
    assert "arXiv 2401.12345" in section


def test_my_page_links_only_the_submissions_i_may_open(client, world, people, monkeypatch):
    from curation import selectors
    from papers.models import Paper as PaperModel

    rejected = paper_submit(user=people["member"], title="Mine Rejected")
    paper_reject(paper=rejected, moderator=people["moderator"], reason="No.")
    # Were the read rule to hide a rejected paper from its submitter too, the page would
    # name it without a link: the rule is papers_visible_to's alone.
    monkeypatch.setattr(
        selectors, "papers_visible_to", lambda viewer: PaperModel.objects.published()
    )
    body = _as(client, people, "member").get("/me/").content.decode()
    section = body.split('id="submissions-h"')[1].split("</section>")[0]
    assert '<span class="title">Mine Rejected</span>' in section
    assert f"/papers/{rejected.pk}/" not in section


def test_a_member_logs_in_and_is_sent_back_to_the_submit_page(client, world, people):
    response = client.post(
        "/accounts/login/",
        {"username": "reader", "password": DEFAULT_PASSWORD, "next": SUBMIT_URL},
    )
    assert (response.status_code, response["Location"]) == (302, SUBMIT_URL)
