"""The inbox's and follows' rows of the permission matrix (tests/curation/test_permission_matrix.py
runs them in-process, test_permission_matrix_live.py over HTTP), and the objects they name.

Roles are the matrix's: "owner" has an item in their inbox, a followed tag and a saved
search; every other member is someone else, to whom those do not exist (404). A body's
value "{name}" is the id of that object of the world (test_permission_matrix.fill).
"""

from __future__ import annotations

from notifications.models import NotificationKind
from notifications.services import Draft, follow_create, notifications_record

ANON, MEMBER, OWNER, EDITOR, MOD, ADMIN = (
    "anonymous",
    "member",
    "owner",
    "editor",
    "moderator",
    "admin",
)


def members(code: int) -> dict[str, int]:
    """Every signed-in role alike; anonymous clients are asked to sign in."""
    return {ANON: 401, MEMBER: code, OWNER: code, EDITOR: code, MOD: code, ADMIN: code}


def mine(owner: int, others: int = 404) -> dict[str, int]:
    """The owner's answer, and the one of everybody else signed in."""
    return {**members(others), OWNER: owner}


def moderators(others: int, code: int) -> dict[str, int]:
    return {**members(others), MOD: code, ADMIN: code}


ITEM = "/api/inbox/{owner_item}/"
FOLLOW = "/api/follows/{owner_follow}/"
SEARCH = "/api/follows/{owner_search}/"

ROWS: list[tuple[str, str, str, dict | None, dict[str, int]]] = [
    ("inbox", "get", "/api/inbox/", None, members(200)),
    ("inbox unread", "get", "/api/inbox/?unread=true", None, members(200)),
    ("inbox bad cursor", "get", "/api/inbox/?cursor=nonsense", None, members(400)),
    ("inbox post", "post", "/api/inbox/", {}, members(405)),
    ("inbox unread count", "get", "/api/inbox/unread-count/", None, members(200)),
    ("inbox item read", "post", ITEM + "read/", None, mine(200)),
    ("inbox item read get", "get", ITEM + "read/", None, members(405)),
    ("inbox item read missing", "post", "/api/inbox/999999/read/", None, members(404)),
    ("inbox read all", "post", "/api/inbox/read-all/", None, members(200)),
    ("follows", "get", "/api/follows/", None, members(200)),
    ("follows of a kind", "get", "/api/follows/?kind=search", None, members(200)),
    ("follows bad kind", "get", "/api/follows/?kind=author", None, members(400)),
    ("follow tag", "post", "/api/follows/", {"kind": "tag", "tag": "language"}, members(201)),
    ("follow tag again", "post", "/api/follows/", {"kind": "tag", "tag": "vision"}, mine(200, 201)),
    ("follow no tag", "post", "/api/follows/", {"kind": "tag", "tag": "nope"}, members(400)),
    (
        "follow unknown field",
        "post",
        "/api/follows/",
        {"kind": "tag", "tag": "language", "topic": "x"},
        members(400),
    ),
    (
        "follow search",
        "post",
        "/api/follows/",
        {"kind": "search", "query": "sparse routing", "name": "Routing"},
        members(201),
    ),
    (
        "follow empty search",
        "post",
        "/api/follows/",
        {"kind": "search", "query": "-"},
        members(400),
    ),
    ("follow paper", "post", "/api/follows/", {"kind": "paper", "paper": "{paper}"}, members(201)),
    (
        "follow hidden paper",
        "post",
        "/api/follows/",
        {"kind": "paper", "paper": "{hidden}"},
        moderators(400, 201),
    ),
    (
        "follow team list",
        "post",
        "/api/follows/",
        {"kind": "list", "list": "{team_list}"},
        members(201),
    ),
    (
        "follow personal list",
        "post",
        "/api/follows/",
        {"kind": "list", "list": "{personal_list}"},
        mine(201, 400),
    ),
    ("follow", "get", FOLLOW, None, mine(200)),
    ("follow missing", "get", "/api/follows/999999/", None, members(404)),
    ("follow rename", "patch", SEARCH, {"name": "Mixtures"}, mine(200)),
    ("follow rename a tag", "patch", FOLLOW, {"name": "Mine"}, mine(400)),
    ("follow put", "put", FOLLOW, {"name": "Mine"}, members(405)),
    ("unfollow", "delete", FOLLOW, None, mine(204)),
]

SAMPLE_IDS = {"owner_item": 1, "owner_follow": 2, "owner_search": 3}


def notifications_world(users: dict, ids: dict) -> dict[str, int]:
    """The owner follows the tag "vision" and a saved search, and has an item in their inbox
    (a reply by the member to the owner's comment). Returns their ids."""
    owner = users[OWNER]
    follow, _ = follow_create(user=owner, kind="tag", tag="vision")
    search, _ = follow_create(user=owner, kind="search", query="mixture of experts")
    notifications_record(
        drafts=[
            Draft(
                owner.pk,
                NotificationKind.REPLY,
                "comment:matrix",
                actor_id=users[MEMBER].pk,
                paper_id=ids["paper"],
                comment_id=ids["comment"],
            )
        ]
    )
    from notifications.models import Notification

    item = Notification.objects.get(recipient=owner)
    return {"owner_item": item.pk, "owner_follow": follow.pk, "owner_search": search.pk}
