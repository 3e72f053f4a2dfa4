"""Who may do what: the roles of issue 3.

- anonymous (None or AnonymousUser): reads only;
- member: any active signed-in user;
- moderator: a member of the "moderators" group (created by a data migration), or an admin;
- admin: a staff user. Admins hold every power of moderators.

The group lookup is cached on the user object, so a request asks the database once.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

MODERATORS_GROUP = "moderators"
_CACHE_ATTR = "_curation_is_moderator"


def is_member(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_admin(user) -> bool:
    return is_member(user) and bool(user.is_staff)


def is_moderator(user) -> bool:
    if not is_member(user):
        return False
    if user.is_staff:
        return True
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = user.groups.filter(name=MODERATORS_GROUP).exists()
        setattr(user, _CACHE_ATTR, cached)
    return cached


def moderator_grant(*, user) -> None:
    """Put `user` in the moderators group (creating the group if a test flush removed it)."""
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    user.groups.add(group)
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def moderator_revoke(*, user) -> None:
    user.groups.remove(*Group.objects.filter(name=MODERATORS_GROUP))
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
