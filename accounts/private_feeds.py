"""Private feed addresses: a secret token in a URL that a feed reader or a calendar program
fetches without signing in (the inbox's Atom feed, the reading group's iCalendar feed).

One rule for all of them: the token is random (256 bits) and shown to its member once, when
the address is made; only its SHA-256 digest is stored (and its first characters, to
recognize it); making a new address replaces the old one at once (rotation), and revoking
stops it at once. A member has at most one address of each kind: each kind is a model with
this abstract base (`member` is a one-to-one key to the user).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.contrib.auth.models import User
from django.db import models, transaction

from accounts.roles import Viewer, is_member, require_member

TOKEN_BYTES = 32
PREFIX_CHARS = 6
MAX_TOKEN_LENGTH = 100  # a longer token in an address is no token of ours: not even hashed


class PrivateFeed(models.Model):
    """The stored half of an address: its member, the token's digest and first characters.
    A kind may declare `member` again for a related name of its own."""

    member = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


F = TypeVar("F", bound=PrivateFeed)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedFeed(Generic[F]):
    feed: F
    token: str  # shown to the member once, never stored
    rotated: bool  # True when it replaced an older address


@transaction.atomic
def private_feed_issue(model: type[F], *, member: Viewer) -> IssuedFeed[F]:
    """Make the member's address of this kind, replacing (so stopping at once) any older one."""
    member = require_member(member)
    # The user row is the lock: two requests at once still leave one address.
    User.objects.select_for_update().filter(pk=member.pk).first()
    rotated, _ = model._default_manager.filter(member=member).delete()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = model._default_manager.create(
        member=member, token_digest=token_digest(token), token_prefix=token[:PREFIX_CHARS]
    )
    return IssuedFeed(feed=feed, token=token, rotated=rotated > 0)


@transaction.atomic
def private_feed_revoke(model: type[PrivateFeed], *, member: Viewer) -> bool:
    """Stop the member's address of this kind; False when they had none."""
    member = require_member(member)
    deleted, _ = model._default_manager.filter(member=member).delete()
    return deleted > 0


def private_feed_of(model: type[F], *, member: Viewer) -> F | None:
    """The member's address of this kind (its stored half), if they have one."""
    if not is_member(member):
        return None
    return model._default_manager.filter(member=member).first()


def private_feed_owner(model: type[PrivateFeed], *, token: str) -> User | None:
    """The active member whose address of this kind carries `token`, or None (a wrong,
    rotated or revoked token, or a member no longer active)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    feed = (
        model._default_manager.filter(token_digest=token_digest(token))
        .select_related("member")
        .first()
    )
    owner = getattr(feed, "member", None)
    return owner if is_member(owner) else None
