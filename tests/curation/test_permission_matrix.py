"""Every endpoint and method of the curation, lists and reading group APIs and the related papers
of the recommendations, for every role: the expected status (the reading group's rows and
roles: tests/readinggroup/matrix.py).

One table (MATRIX) drives the test. Each row names an endpoint, a method, a body and the
status each role gets; "owner" appears where ownership changes the answer (the author of a
comment, the member who added a tag, the submitter of a pending paper, the owner of a list),
"editor" where a team list's editors get another answer than other members. On lists rows,
"member" is another member: neither owner nor editor. Each case runs on a fresh database
built by `world`, so writes of one case never leak into another.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from curation.models import Comment
from papers.models import PaperStatus
from tests.factories import (
    DigestEntryFactory,
    ModeratorFactory,
    PaperFactory,
    PaperTagFactory,
    StaffUserFactory,
    TagFactory,
    UserFactory,
    tag_suggestion_make,
)
from tests.notifications import matrix as inbox
from tests.readinggroup import matrix as reading_group

pytestmark = pytest.mark.django_db

ANON, MEMBER, OWNER, MOD, ADMIN = "anonymous", "member", "owner", "moderator", "admin"
EDITOR = "editor"
EVERYONE = (ANON, MEMBER, MOD, ADMIN)


def everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(EVERYONE, code)


def signed_in(anon: int, code: int) -> dict[str, int]:
    return {ANON: anon, MEMBER: code, MOD: code, ADMIN: code}


def moderators(member: int, code: int, anon: int = 401) -> dict[str, int]:
    return {ANON: anon, MEMBER: member, MOD: code, ADMIN: code}


def lists(
    *, owner: int, editor: int, member: int, moderator: int | None = None, anon: int = 401
) -> dict[str, int]:
    """A lists row: moderators and admins are members like any other (`member` unless
    said), anonymous clients are asked to sign in."""
    others = member if moderator is None else moderator
    return {ANON: anon, OWNER: owner, EDITOR: editor, MEMBER: member, MOD: others, ADMIN: others}


def owner_only(owner: int, others: int) -> dict[str, int]:
    return lists(owner=owner, editor=others, member=others)


def editors(code: int, others: int) -> dict[str, int]:
    return lists(owner=code, editor=code, member=others)


# (endpoint, method, path, body, {role: status}). Paths name objects of `world`.
MATRIX: list[tuple[str, str, str, dict | None, dict[str, int]]] = [
    # Papers
    ("papers", "get", "/api/papers/", None, everyone(200)),
    ("papers?status", "get", "/api/papers/?status=pending", None, moderators(403, 200, 403)),
    ("papers?status=published", "get", "/api/papers/?status=published", None, everyone(200)),
    ("papers?order=bad", "get", "/api/papers/?order=sideways", None, everyone(400)),
    # The member's own "for you" feed (recommendations.api): anonymous clients are told to
    # sign in (a 400 naming `order`); a member without signals gets the hot feed.
    ("papers?order=for_you", "get", "/api/papers/?order=for_you", None, signed_in(400, 200)),
    ("papers?date", "get", "/api/papers/?date=2024-08-22", None, everyone(200)),
    ("papers?q", "get", "/api/papers/?q=things", None, everyone(200)),
    ("papers submit", "post", "/api/papers/", {"title": "A fresh paper"}, signed_in(401, 201)),
    (
        "papers submit unknown field",
        "post",
        "/api/papers/",
        {"title": "A fresh paper", "arxiv": "2401.12345"},
        signed_in(401, 400),
    ),
    ("papers put", "put", "/api/papers/", {}, signed_in(401, 405)),
    ("paper", "get", "/api/papers/{paper}/", None, everyone(200)),
    ("paper missing", "get", "/api/papers/999999/", None, everyone(404)),
    (
        "paper pending",
        "get",
        "/api/papers/{pending}/",
        None,
        {**moderators(404, 200, 404), OWNER: 200},
    ),
    ("paper hidden", "get", "/api/papers/{hidden}/", None, moderators(404, 200, 404)),
    ("paper delete", "delete", "/api/papers/{paper}/", None, signed_in(401, 405)),
    ("citation", "get", "/api/papers/{paper}/citation/", None, everyone(200)),
    ("citation ris", "get", "/api/papers/{paper}/citation/?format=ris", None, everyone(200)),
    (
        "citation pending",
        "get",
        "/api/papers/{pending}/citation/?format=bibtex",
        None,
        {**moderators(404, 200, 404), OWNER: 200},
    ),
    (
        "citation hidden",
        "get",
        "/api/papers/{hidden}/citation/?format=ris",
        None,
        moderators(404, 200, 404),
    ),
    ("citation missing", "get", "/api/papers/999999/citation/", None, everyone(404)),
    ("citation bad format", "get", "/api/papers/{paper}/citation/?format=csv", None, everyone(400)),
    ("citation post", "post", "/api/papers/{paper}/citation/", {}, signed_in(401, 405)),
    # Related papers (recommendations.api): whoever may open the paper.
    ("related", "get", "/api/papers/{paper}/related/", None, everyone(200)),
    (
        "related pending",
        "get",
        "/api/papers/{pending}/related/",
        None,
        {**moderators(404, 200, 404), OWNER: 200},
    ),
    ("related hidden", "get", "/api/papers/{hidden}/related/", None, moderators(404, 200, 404)),
    ("related missing", "get", "/api/papers/999999/related/", None, everyone(404)),
    ("related post", "post", "/api/papers/{paper}/related/", {}, signed_in(401, 405)),
    ("vote", "post", "/api/papers/{paper}/vote/", None, signed_in(401, 200)),
    ("vote withdraw", "delete", "/api/papers/{paper}/vote/", None, signed_in(401, 200)),
    ("vote get", "get", "/api/papers/{paper}/vote/", None, everyone(405)),
    ("vote pending", "post", "/api/papers/{pending}/vote/", None, moderators(404, 409)),
    (
        "transition",
        "post",
        "/api/papers/{paper}/transition/",
        {"to_state": "hidden", "reason": "Off topic."},
        moderators(403, 200),
    ),
    (
        "transition pending",
        "post",
        "/api/papers/{pending}/transition/",
        {"to_state": "published"},
        {**moderators(404, 200), OWNER: 403},
    ),
    (
        "transition refused",
        "post",
        "/api/papers/{paper}/transition/",
        {"to_state": "rejected", "reason": "No."},
        moderators(403, 409),
    ),
    (
        "bulk transition",
        "post",
        "/api/papers/transition/",
        {"paper_ids": ["{pending}", "{paper}"], "to_state": "published"},
        # The paper already published is refused inside the 200, the pending one moves.
        {**moderators(403, 200), OWNER: 403},
    ),
    (
        "bulk transition bad body",
        "post",
        "/api/papers/transition/",
        {"paper_ids": [], "to_state": "published"},
        moderators(400, 400),
    ),
    ("bulk transition get", "get", "/api/papers/transition/", None, everyone(405)),
    ("comments", "get", "/api/papers/{paper}/comments/", None, everyone(200)),
    ("comments missing", "get", "/api/papers/999999/comments/", None, everyone(404)),
    (
        "comment post",
        "post",
        "/api/papers/{paper}/comments/",
        {"body": "Nice work."},
        signed_in(401, 201),
    ),
    (
        "comment post pending",
        "post",
        "/api/papers/{pending}/comments/",
        {"body": "Early."},
        {**moderators(404, 409), OWNER: 409},
    ),
    (
        "paper tag add",
        "post",
        "/api/papers/{paper}/tags/",
        {"tag": "language"},
        signed_in(401, 201),
    ),
    (
        "paper tag add unknown",
        "post",
        "/api/papers/{paper}/tags/",
        {"tag": "nope"},
        signed_in(401, 400),
    ),
    (
        "paper tag remove",
        "delete",
        "/api/papers/{paper}/tags/",
        {"tag": "vision"},
        {**moderators(403, 204), OWNER: 204},
    ),
    # Comments
    (
        "comment edit",
        "patch",
        "/api/comments/{comment}/",
        {"body": "Edited."},
        {**moderators(403, 403), OWNER: 200},
    ),
    (
        "comment delete",
        "delete",
        "/api/comments/{comment}/",
        None,
        {**moderators(403, 403), OWNER: 204},
    ),
    ("comment get", "get", "/api/comments/{comment}/", None, everyone(405)),
    ("comment missing", "patch", "/api/comments/999999/", {"body": "x"}, signed_in(401, 404)),
    (
        "comment flag",
        "post",
        "/api/comments/{comment}/flag/",
        {"reason": "spam", "note": "Ads."},
        {**signed_in(401, 201), OWNER: 400},
    ),
    (
        "comment hide",
        "post",
        "/api/comments/{comment}/moderate/",
        {"action": "hide", "reason": "Rude."},
        {**moderators(403, 200), OWNER: 403},
    ),
    (
        "comment restore (not hidden)",
        "post",
        "/api/comments/{comment}/moderate/",
        {"action": "restore", "reason": "Fine."},
        moderators(403, 409),
    ),
    (
        "comment dismiss flags",
        "post",
        "/api/comments/{comment}/moderate/",
        {"action": "dismiss_flags"},
        moderators(403, 200),
    ),
    (
        "comment moderate bad action",
        "post",
        "/api/comments/{comment}/moderate/",
        {"action": "explode"},
        signed_in(401, 400),
    ),
    # Tags
    ("tags", "get", "/api/tags/", None, everyone(200)),
    ("tag create", "post", "/api/tags/", {"name": "Robotics"}, moderators(403, 201)),
    ("tag create clash", "post", "/api/tags/", {"name": "Vision"}, moderators(403, 409)),
    ("tag rename", "patch", "/api/tags/vision/", {"name": "Computer vision"}, moderators(403, 200)),
    ("tag rename missing", "patch", "/api/tags/nope/", {"name": "X"}, signed_in(401, 404)),
    ("tag get", "get", "/api/tags/vision/", None, everyone(405)),
    (
        "tag merge",
        "post",
        "/api/tags/vision/merge/",
        {"into": "language"},
        moderators(403, 200),
    ),
    ("tag merge self", "post", "/api/tags/vision/merge/", {"into": "vision"}, moderators(403, 400)),
    ("tag delete", "delete", "/api/tags/vision/", None, moderators(403, 204)),
    # A tag's suggestions (recommendations.api): moderators.
    ("tag suggestions", "get", "/api/tags/language/suggestions/", None, moderators(403, 200)),
    # The role is asked first (accounts.api.permissions.ModeratorsOnly), then the tag.
    ("tag suggestions missing", "get", "/api/tags/nope/suggestions/", None, moderators(403, 404)),
    (
        "tag suggestion accept",
        "post",
        "/api/tags/language/suggestions/{fresh}/accept/",
        None,
        moderators(403, 200),
    ),
    (
        "tag suggestion dismiss",
        "post",
        "/api/tags/language/suggestions/{fresh}/dismiss/",
        None,
        moderators(403, 200),
    ),
    (
        "tag suggestion not suggested",
        "post",
        "/api/tags/language/suggestions/{hidden}/accept/",
        None,
        moderators(403, 404),
    ),
    (
        "tag suggestion get",
        "get",
        "/api/tags/language/suggestions/{fresh}/accept/",
        None,
        moderators(403, 405),
    ),
    # Moderation, digests, export
    ("queue", "get", "/api/moderation/queue/", None, moderators(403, 200)),
    ("queue post", "post", "/api/moderation/queue/", {}, moderators(403, 405)),
    ("log", "get", "/api/moderation/log/", None, everyone(200)),
    ("log bad action", "get", "/api/moderation/log/?action=explode", None, everyone(400)),
    ("digests", "get", "/api/digests/", None, everyone(200)),
    ("export csv", "get", "/api/papers/export/?format=csv", None, everyone(200)),
    ("export jsonl", "get", "/api/papers/export/?format=jsonl", None, everyone(200)),
    ("export bibtex", "get", "/api/papers/export/?format=bibtex", None, everyone(200)),
    ("export ris", "get", "/api/papers/export/?format=ris&tag=vision", None, everyone(200)),
    (
        "export bibtex status",
        "get",
        "/api/papers/export/?format=bibtex&status=hidden",
        None,
        moderators(403, 200, 403),
    ),
    ("export bad format", "get", "/api/papers/export/?format=xls", None, everyone(400)),
    (
        "export status",
        "get",
        "/api/papers/export/?status=all",
        None,
        moderators(403, 200, 403),
    ),
    # The reading group (its own roles: organizer, presenter)
    *reading_group.ROWS,
    # The inbox and follows (the owner's own; nobody else's)
    *inbox.ROWS,
    # Marks and the reading settings
    ("mark", "post", "/api/papers/{paper}/mark/", {"mark": "read"}, signed_in(401, 200)),
    ("mark unset", "delete", "/api/papers/{paper}/mark/", {"mark": "read"}, signed_in(401, 200)),
    ("mark bad", "post", "/api/papers/{paper}/mark/", {"mark": "loved"}, signed_in(401, 400)),
    ("mark get", "get", "/api/papers/{paper}/mark/", None, everyone(405)),
    (
        "mark pending",
        "post",
        "/api/papers/{pending}/mark/",
        {"mark": "not_interested"},
        {**moderators(404, 200), OWNER: 200},
    ),
    ("settings", "get", "/api/me/settings/", None, signed_in(401, 200)),
    ("settings set", "patch", "/api/me/settings/", {"hide_marked": True}, signed_in(401, 200)),
    ("settings unknown", "patch", "/api/me/settings/", {"hide": True}, signed_in(401, 400)),
    # Lists ("member": another member; "editor": an editor of the team list)
    ("lists", "get", "/api/lists/", None, editors(200, 200)),
    ("lists bad scope", "get", "/api/lists/?scope=all-of-them", None, editors(400, 400)),
    (
        "list create",
        "post",
        "/api/lists/",
        {"name": "New", "visibility": "team"},
        editors(201, 201),
    ),
    ("list create nameless", "post", "/api/lists/", {"name": " "}, editors(400, 400)),
    ("lists put", "put", "/api/lists/", {}, editors(405, 405)),
    ("team list", "get", "/api/lists/{team_list}/", None, editors(200, 200)),
    ("personal list", "get", "/api/lists/{personal_list}/", None, owner_only(200, 404)),
    ("list missing", "get", "/api/lists/999999/", None, editors(404, 404)),
    ("team list rename", "patch", "/api/lists/{team_list}/", {"name": "R"}, owner_only(200, 403)),
    (
        "personal list rename",
        "patch",
        "/api/lists/{personal_list}/",
        {"name": "R"},
        owner_only(200, 404),
    ),
    ("team list delete", "delete", "/api/lists/{team_list}/", None, owner_only(204, 403)),
    ("personal list delete", "delete", "/api/lists/{personal_list}/", None, owner_only(204, 404)),
    ("team items", "get", "/api/lists/{team_list}/items/", None, editors(200, 200)),
    ("personal items", "get", "/api/lists/{personal_list}/items/", None, owner_only(200, 404)),
    (
        "team item add",
        "post",
        "/api/lists/{team_list}/items/",
        {"paper": "{fresh}", "note": "See *this*."},
        editors(201, 403),
    ),
    (
        "team item add twice",
        "post",
        "/api/lists/{team_list}/items/",
        {"paper": "{paper}"},
        editors(409, 403),
    ),
    (
        "team item add pending",
        "post",
        "/api/lists/{team_list}/items/",
        {"paper": "{pending}"},
        lists(owner=201, editor=404, member=404, moderator=403),
    ),
    (
        "personal item add",
        "post",
        "/api/lists/{personal_list}/items/",
        {"paper": "{fresh}"},
        owner_only(201, 404),
    ),
    (
        "team item move",
        "patch",
        "/api/lists/{team_list}/items/{team_item}/",
        {"move": "down"},
        editors(200, 403),
    ),
    (
        "team item note",
        "patch",
        "/api/lists/{team_list}/items/{team_item}/",
        {"note": "Edited."},
        editors(200, 403),
    ),
    (
        "personal item move",
        "patch",
        "/api/lists/{personal_list}/items/{personal_item}/",
        {"position": 1},
        owner_only(200, 404),
    ),
    (
        "item missing",
        "patch",
        "/api/lists/{team_list}/items/999999/",
        {"move": "up"},
        editors(404, 404),
    ),
    (
        "team item remove",
        "delete",
        "/api/lists/{team_list}/items/{team_item}/",
        None,
        editors(204, 403),
    ),
    (
        "personal item remove",
        "delete",
        "/api/lists/{personal_list}/items/{personal_item}/",
        None,
        owner_only(204, 404),
    ),
    ("team editors", "get", "/api/lists/{team_list}/editors/", None, editors(200, 200)),
    (
        "personal editors",
        "get",
        "/api/lists/{personal_list}/editors/",
        None,
        owner_only(200, 404),
    ),
    (
        "editor add",
        "post",
        "/api/lists/{team_list}/editors/",
        {"username": "member"},
        owner_only(201, 403),
    ),
    (
        "editor add personal",
        "post",
        "/api/lists/{personal_list}/editors/",
        {"username": "member"},
        owner_only(409, 404),
    ),
    (
        "editor remove",
        "delete",
        "/api/lists/{team_list}/editors/editor/",
        None,
        editors(204, 403),
    ),
]

CASES = [
    pytest.param(method, path, body, role, expected, id=f"{name}-{method}-{role}")
    for name, method, path, body, expectations in MATRIX
    for role, expected in expectations.items()
]


def build_world():
    """The users of each role and the objects the paths name; also used by
    test_permission_matrix_live.py against the live server."""
    from lists.services import list_create, list_editor_add, list_item_add

    owner = UserFactory(username="owner")
    users = {
        ANON: None,
        MEMBER: UserFactory(username="member"),
        OWNER: owner,
        EDITOR: UserFactory(username="editor"),
        MOD: ModeratorFactory(username="moderator"),
        ADMIN: StaffUserFactory(username="admin"),
    }
    paper = PaperFactory(first_digest_on=datetime.date(2024, 8, 22))
    DigestEntryFactory(paper=paper, digest__date=datetime.date(2024, 8, 22))
    pending = PaperFactory(status=PaperStatus.PENDING, first_digest_on=None, submitted_by=owner)
    hidden = PaperFactory(status=PaperStatus.HIDDEN, first_digest_on=datetime.date(2024, 8, 21))
    vision = TagFactory(name="Vision", slug="vision")
    language = TagFactory(name="Language", slug="language")
    PaperTagFactory(paper=paper, tag=vision, added_by=owner)
    comment = Comment.objects.create(
        paper=paper,
        author=owner,
        body="First!",
        body_html="<p>First!</p>",
        created_at=timezone.now(),
    )
    paper.comment_count = 1
    paper.save(update_fields=["comment_count"])
    fresh = PaperFactory(first_digest_on=datetime.date(2024, 8, 22))
    tag_suggestion_make(tag=language, paper=fresh)
    team_list = list_create(owner=owner, name="Team picks", visibility="team")
    list_editor_add(paper_list=team_list, user=owner, username="editor")
    personal_list = list_create(owner=owner, name="Mine alone")
    team_item = list_item_add(paper_list=team_list, user=owner, paper=paper)
    list_item_add(paper_list=team_list, user=owner, paper=PaperFactory())
    personal_item = list_item_add(paper_list=personal_list, user=owner, paper=paper)
    ids = {
        "paper": paper.pk,
        "pending": pending.pk,
        "hidden": hidden.pk,
        "comment": comment.pk,
        "fresh": fresh.pk,
        "team_list": team_list.pk,
        "personal_list": personal_list.pk,
        "team_item": team_item.pk,
        "personal_item": personal_item.pk,
    }
    ids.update(reading_group.reading_group_world(users))
    ids.update(inbox.notifications_world(users, ids))
    return users, ids


@pytest.fixture
def world(db):
    return build_world()


def fill(body: dict | None, ids: dict[str, int]) -> dict | None:
    """The body with each value "{name}" (also in a list) replaced by that object's id, as
    paths are."""
    if body is None:
        return None

    def named(value) -> bool:
        return isinstance(value, str) and value.startswith("{") and value.endswith("}")

    def filled(value):
        if isinstance(value, list):
            return [filled(item) for item in value]
        return ids[value[1:-1]] if named(value) and value[1:-1] in ids else value

    return {key: filled(value) for key, value in body.items()}


def test_the_matrix_covers_every_route_of_the_curation_lists_and_reading_group_apis():
    from django.urls import resolve

    from curation.api import urls
    from lists.api import urls as lists_urls
    from notifications.api import urls as notifications_urls
    from readinggroup.api import urls as reading_group_urls
    from recommendations.api import urls as recommendation_urls

    patterns = [
        *urls.urlpatterns,
        *lists_urls.urlpatterns,
        *reading_group_urls.urlpatterns,
        *recommendation_urls.urlpatterns,
        *notifications_urls.urlpatterns,
    ]
    routes = {p.name for p in patterns if getattr(p, "name", None)}
    ours = ["paper", "pending", "hidden", "comment", "fresh", "team_list", "personal_list"]
    sample = {
        **dict.fromkeys([*ours, "team_item", "personal_item"], 1),
        **reading_group.SAMPLE_IDS,
        **inbox.SAMPLE_IDS,
    }
    covered = {resolve(path.format(**sample).split("?")[0]).url_name for _, _, path, _, _ in MATRIX}
    assert routes == covered


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
def test_permission_matrix(world, method, path, body, role, expected):
    users, ids = world
    client = APIClient()
    if users[role] is not None:
        client.force_authenticate(users[role])
    url = path.format(**ids)
    response = getattr(client, method)(url, fill(body, ids), format="json")
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        error = response.json()["error"]
        assert set(error) >= {"code", "message"}
        assert isinstance(error["message"], str) and error["message"]
