"""The version of what is kept of a member between their requests: their user row with its
flags (accounts.signed_in keeps it in each process, so that a signed-in request does not read
it again) and their own state on the papers they read (curation.selectors.viewer_state_read
keeps it in the cache).

A generation counter per member (config.generations), shared by every process through the
cache. The services that change what is kept call `member_changed`: a password set, reset or
turned off, a role granted or taken back, a time zone chosen, an API token issued, revoked or
expired, the admin's user form saved, a vote, a mark, the member's settings. What is kept
under an older number is not read again, so the member sees their own change on their next
request, served by any process. What changes the database without a service (a row edited
by hand, `manage.py changepassword`) is seen within accounts.signed_in.MEMO_SECONDS.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from config.generations import generation_bump_on_commit, generation_kept, generations_get

KEPT_PREFIX = "member-kept:v1:"

T = TypeVar("T")


def member_generation_name(user_id: int) -> str:
    return f"member:{int(user_id)}"


def member_version(user_id: int) -> int:
    """The current version of the member's kept state (one round trip to the cache)."""
    name = member_generation_name(user_id)
    return generations_get(name)[name]


def member_changed(user_id: int) -> None:
    """Move the member's version on, now and once the current transaction commits (as
    config.generations.generation_bump_on_commit): what was kept of them is read again."""
    generation_bump_on_commit(member_generation_name(user_id))


def member_kept(name: str, user_id: int, parts: str, build: Callable[[], T], *, seconds: int) -> T:
    """`build()`'s value for member `user_id`, kept in the cache under their current version,
    `name` and `parts` (what else it depends on, as text) for `seconds` at most: until one of
    the services that change it calls member_changed. The value must depend on nothing else
    that changes without that call, but for what `seconds` bounds."""
    digest = hashlib.blake2b(parts.encode(), digest_size=16).hexdigest()
    key = f"{KEPT_PREFIX}{name}:{int(user_id)}:{member_version(user_id)}:{digest}"
    return generation_kept(key, build, seconds)
