"""Who may do what.

- anonymous (None or AnonymousUser): reads only;
- member: any active signed-in user;
- moderator: a member of the "moderators" group (created by a data migration), or an admin;
- admin: a staff user. Admins hold every power of moderators.

Whether a user is a moderator is read with the user in one query when the request signs in
by session (accounts.backends) or token (accounts.authentication); otherwise it is looked up
once and kept on the user object.
"""

from __future__ import annotations

from typing import TypeAlias, TypeGuard

from django.contrib.auth.models import AnonymousUser, Group, User
from django.db.models import Exists, OuterRef, QuerySet

from accounts.member_version import member_changed
from config.errors import DomainError

MODERATORS_GROUP = "moderators"
# Set on the user object by with_moderator_flag, or by the first is_moderator call.
MODERATOR_ATTR = "in_moderators_group"

# Who reads or acts: a signed-in user, an anonymous visitor, or nobody (a command, a task).
Viewer: TypeAlias = User | AnonymousUser | None

MSG_SIGN_IN = "Sign in to do this."
MSG_MODERATORS_ONLY = "Only moderators can do this."


def with_moderator_flag(users: QuerySet) -> QuerySet:
    """Users annotated with whether they are in the moderators group (an EXISTS of the same
    query), which is_moderator then reads instead of asking the database again."""
    memberships = users.model.groups.through.objects.filter(
        **{users.model.groups.field.m2m_field_name(): OuterRef("pk")},
        group__name=MODERATORS_GROUP,
    )
    return users.annotate(**{MODERATOR_ATTR: Exists(memberships)})


def is_member(user: Viewer) -> TypeGuard[User]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_admin(user: Viewer) -> bool:
    return is_member(user) and bool(user.is_staff)


def is_moderator(user: Viewer) -> bool:
    if not is_member(user):
        return False
    if user.is_staff:
        return True
    known = getattr(user, MODERATOR_ATTR, None)
    if known is None:
        known = user.groups.filter(name=MODERATORS_GROUP).exists()
        setattr(user, MODERATOR_ATTR, known)
    return known


def require_member(user: Viewer) -> User:
    """For services: a DomainError (401) unless `user` is a member; the member otherwise
    (`user = require_member(user)` narrows the viewer's type for what follows)."""
    if not is_member(user):
        raise DomainError(MSG_SIGN_IN, code="not_authenticated", status_code=401)
    return user


def require_moderator(user: Viewer) -> User:
    """For services: a DomainError (401, 403) unless `user` is a moderator; the moderator
    otherwise."""
    member = require_member(user)
    if not is_moderator(member):
        raise DomainError(MSG_MODERATORS_ONLY, code="permission_denied", status_code=403)
    return member


def moderator_grant(*, user: User) -> None:
    """Put `user` in the moderators group (creating the group if a test flush removed it)."""
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    user.groups.add(group)
    member_changed(user.pk)
    if hasattr(user, MODERATOR_ATTR):
        delattr(user, MODERATOR_ATTR)


def moderator_revoke(*, user: User) -> None:
    user.groups.remove(*Group.objects.filter(name=MODERATORS_GROUP))
    member_changed(user.pk)
    if hasattr(user, MODERATOR_ATTR):
        delattr(user, MODERATOR_ATTR)
