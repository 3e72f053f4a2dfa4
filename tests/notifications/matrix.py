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

SETTINGS = "/api/notification-settings/"
FEED = "/api/notification-settings/feed/"
WEBHOOK = "/api/webhooks/{owner_webhook}/"
DAILY_REPLIES = {"topics": [{"topic": "reply", "email": "daily", "feed": False}]}
# A public address given as a number: no name to resolve, nothing private.
HOOK = "https://93.184.215.14/hook"
TAG_HOOK = {**moderators(403, 201)}

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
    # Delivery settings and the feed: each member's own, nobody else's.
    ("delivery settings", "get", SETTINGS, None, members(200)),
    ("delivery settings set", "patch", SETTINGS, DAILY_REPLIES, members(200)),
    ("delivery settings hour", "patch", SETTINGS, {"digest_hour": 7}, members(200)),
    ("delivery settings bad hour", "patch", SETTINGS, {"digest_hour": 24}, members(400)),
    (
        "delivery settings bad cadence",
        "patch",
        SETTINGS,
        {"topics": [{"topic": "reply", "email": "hourly"}]},
        members(400),
    ),
    ("delivery settings unknown", "patch", SETTINGS, {"sms": True}, members(400)),
    ("delivery settings put", "put", SETTINGS, DAILY_REPLIES, members(405)),
    ("inbox feed", "get", FEED, None, members(200)),
    ("inbox feed make", "post", FEED, None, members(201)),
    ("inbox feed stop", "delete", FEED, None, members(204)),
    ("inbox feed patch", "patch", FEED, {}, members(405)),
    # Webhooks: a tag's by moderators, a team list's by its owner; each seen by its maker.
    ("webhooks", "get", "/api/webhooks/", None, members(200)),
    ("webhook on a tag", "post", "/api/webhooks/", {"url": HOOK, "tag": "vision"}, TAG_HOOK),
    (
        "webhook on a team list",
        "post",
        "/api/webhooks/",
        {"url": HOOK, "list": "{team_list}"},
        mine(201, 403),
    ),
    (
        "webhook on a personal list",
        "post",
        "/api/webhooks/",
        {"url": HOOK, "list": "{personal_list}"},
        mine(403, 400),
    ),
    (
        "webhook bad url",
        "post",
        "/api/webhooks/",
        {"url": "ftp://93.184.215.14/x", "tag": "vision"},
        members(400),
    ),
    ("webhook", "get", WEBHOOK, None, mine(200)),
    ("webhook missing", "get", "/api/webhooks/999999/", None, members(404)),
    ("webhook put", "put", WEBHOOK, {"url": HOOK}, members(405)),
    ("webhook delete", "delete", WEBHOOK, None, mine(204)),
]

SAMPLE_IDS = {"owner_item": 1, "owner_follow": 2, "owner_search": 3, "owner_webhook": 4}


def notifications_world(users: dict, ids: dict) -> dict[str, int]:
    """The owner follows the tag "vision" and a saved search, has an item in their inbox
    (a reply by the member to the owner's comment) and a webhook on their team list. Returns
    their ids."""
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
    from notifications.services import webhook_create

    hook = webhook_create(owner=owner, url=HOOK, paper_list=ids["team_list"]).webhook
    return {
        "owner_item": item.pk,
        "owner_follow": follow.pk,
        "owner_search": search.pk,
        "owner_webhook": hook.pk,
    }
