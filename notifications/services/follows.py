"""Following: a member follows a tag, a saved search, a paper they may open or a list they
may open, once each; and stops. Nothing is told of a target from the moment its follow is
gone: the inbox's writers read the follows when they run (services/events.py)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from accounts.member_version import member_changed
from accounts.roles import Viewer, require_member
from config.errors import DomainError
from curation.search_syntax import parse_websearch
from curation.selectors import papers_visible_to, tag_by_slug
from curation.services.member_signals import member_signals_changed
from lists.selectors import lists_visible_to
from notifications.models import (
    SEARCH_NAME_MAX_LENGTH,
    SEARCH_QUERY_MAX_LENGTH,
    Follow,
    FollowKind,
)

MSG_UNKNOWN_KIND = "Follow a tag, a search, a paper or a list."
MSG_NO_SUCH_TAG = "There is no tag with this slug."
MSG_NO_SUCH_PAPER = "There is no paper with this id that you may open."
MSG_NO_SUCH_LIST = "There is no list with this id that you may open."
MSG_QUERY_REQUIRED = "Give the words of the search to follow."
MSG_QUERY_TOO_LONG = f"A search has at most {SEARCH_QUERY_MAX_LENGTH} characters."
MSG_QUERY_EMPTY = "This search has no word to look for."
MSG_NAME_TOO_LONG = f"A search's name has at most {SEARCH_NAME_MAX_LENGTH} characters."
MSG_NAME_ONLY_SEARCHES = "Only a saved search has a name."
MSG_NO_SUCH_FOLLOW = "You follow no such thing."

# The field of the API (and of the services' arguments) that names each kind's target.
TARGET_FIELDS = {
    FollowKind.TAG: "tag",
    FollowKind.PAPER: "paper",
    FollowKind.LIST: "list",
    FollowKind.SEARCH: "query",
}


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid", extra={"fields": {field: [message]}})


def search_query_key(query: str) -> str:
    """What tells two saved searches alike: case and runs of blank space change nothing of
    what a search finds (curation.search_syntax, PostgreSQL's websearch)."""
    return " ".join(query.split()).lower()


def _clean_name(name: str | None, query: str) -> str:
    name = " ".join((name or "").split())
    if len(name) > SEARCH_NAME_MAX_LENGTH:
        raise _invalid("name", MSG_NAME_TOO_LONG)
    return name or query[:SEARCH_NAME_MAX_LENGTH]


def _clean_query(query: str | None) -> str:
    query = " ".join((query or "").split())
    if not query:
        raise _invalid("query", MSG_QUERY_REQUIRED)
    if len(query) > SEARCH_QUERY_MAX_LENGTH:
        raise _invalid("query", MSG_QUERY_TOO_LONG)
    if not parse_websearch(query):
        raise _invalid("query", MSG_QUERY_EMPTY)
    return query


def _target(
    *,
    user: User,
    kind: str,
    tag: str | None,
    paper: int | None,
    paper_list: int | None,
    query: str | None,
) -> dict:
    """The target's columns, checked: a tag that exists, a paper or a list `user` may open
    (curation's and lists' read rules), a search with words. Each refusal names its field."""
    if kind == FollowKind.TAG:
        found = tag_by_slug(tag)
        if found is None:
            raise _invalid("tag", MSG_NO_SUCH_TAG)
        return {"tag": found}
    if kind == FollowKind.PAPER:
        found_paper = papers_visible_to(user).filter(pk=paper or 0).first()
        if found_paper is None:
            raise _invalid("paper", MSG_NO_SUCH_PAPER)
        return {"paper": found_paper}
    if kind == FollowKind.LIST:
        found_list = lists_visible_to(user).filter(pk=paper_list or 0).first()
        if found_list is None:
            raise _invalid("list", MSG_NO_SUCH_LIST)
        return {"paper_list": found_list}
    if kind == FollowKind.SEARCH:
        cleaned = _clean_query(query)
        return {"query": cleaned, "query_key": search_query_key(cleaned)}
    raise _invalid("kind", MSG_UNKNOWN_KIND)


def follow_create(
    *,
    user: Viewer,
    kind: str,
    tag: str | None = None,
    paper: int | None = None,
    paper_list: int | None = None,
    query: str | None = None,
    name: str | None = None,
) -> tuple[Follow, bool]:
    """`user` follows a target: a tag (its slug), a paper or a list (their ids) they may
    open, or a search (its words, and a name: the words unless given). Idempotent: following
    it again returns the follow there is, with created=False (a saved search is the same
    when its words are, whatever their case and spacing)."""
    user = require_member(user)
    target = _target(user=user, kind=kind, tag=tag, paper=paper, paper_list=paper_list, query=query)
    if kind != FollowKind.SEARCH and name:
        raise _invalid("name", MSG_NAME_ONLY_SEARCHES)
    lookup = {key: value for key, value in target.items() if key != "query"}
    existing = Follow.objects.filter(user=user, kind=kind, **lookup).first()
    if existing is not None:
        return existing, False
    if kind == FollowKind.SEARCH:
        target["name"] = _clean_name(name, target["query"])
    try:
        with transaction.atomic():
            follow = Follow.objects.create(user=user, kind=kind, **target)
    except IntegrityError:  # the same follow, made at the same moment by another request
        existing = Follow.objects.filter(user=user, kind=kind, **lookup).first()
        if existing is None:
            raise
        return existing, False
    member_changed(user.pk)  # their follow of the page's target, as kept for them
    if kind == FollowKind.TAG:
        member_signals_changed(user_ids=[user.pk])  # a followed tag is a taste ("for you")
    return follow, True


def _own(follow: Follow, user: Viewer) -> None:
    user = require_member(user)
    if follow.user_id != user.pk:
        raise DomainError(MSG_NO_SUCH_FOLLOW, code="not_found", status_code=404)


def follow_rename(*, follow: Follow, user: User, name: str) -> Follow:
    """The member renames a saved search of theirs (empty: its words)."""
    _own(follow, user)
    if follow.kind != FollowKind.SEARCH:
        raise _invalid("name", MSG_NAME_ONLY_SEARCHES)
    follow.name = _clean_name(name, follow.query)
    follow.save(update_fields=["name"])
    return follow


def follow_delete(*, follow: Follow, user: User) -> None:
    """The member stops following: nothing more is told of the target from now on (the
    items already in the inbox stay)."""
    _own(follow, user)
    Follow.objects.filter(pk=follow.pk).delete()
    member_changed(follow.user_id)
    if follow.kind == FollowKind.TAG:
        member_signals_changed(user_ids=[follow.user_id])
