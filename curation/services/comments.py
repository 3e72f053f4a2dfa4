"""Comments: post, edit, delete (authors); flag (members); hide, restore, dismiss flags
(moderators).

Paper.comment_count counts *visible* comments: neither deleted by their author nor hidden by
a moderator. Every service that changes visibility moves it by one with an F() expression in
the same transaction, holding the comment's row lock, so it cannot drift.
"""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.member_version import member_changed
from accounts.roles import Viewer, is_moderator, require_member, require_moderator
from config.errors import DomainError
from config.generations import generation_bump_on_commit
from curation.events import CurationEvent, CurationEventKind, curation_events
from curation.markdown import render_markdown
from curation.models import (
    Comment,
    CommentFlag,
    FlagReason,
    ModerationAction,
    TargetKind,
)
from curation.selectors import thread_generation
from curation.services._guards import clean_reason
from curation.services.events import moderation_event_record
from papers.listing_version import listings_changed
from papers.models import Paper, PaperStatus

EDIT_WINDOW = datetime.timedelta(minutes=15)
BODY_MAX_CHARS = 10_000
# At most COMMENT_RATE_LIMIT comments per user in each COMMENT_RATE_WINDOW seconds
# (overridable in settings); moderators are not limited.
COMMENT_RATE_LIMIT = 5
COMMENT_RATE_WINDOW = 60

MSG_BODY_REQUIRED = "Write something first."
MSG_BODY_TOO_LONG = f"A comment has at most {BODY_MAX_CHARS:,} characters."
MSG_COMMENT_NOT_PUBLISHED = "Only published papers can be commented on."
MSG_PARENT_OTHER_PAPER = "A reply must be on the same paper as the comment it answers."
MSG_PARENT_GONE = "This comment was deleted or hidden; it cannot be answered."
MSG_NOT_AUTHOR = "Only its author can change a comment."
MSG_EDIT_WINDOW_CLOSED = "A comment can only be edited within 15 minutes of posting it."
MSG_COMMENT_DELETED = "This comment was deleted."
MSG_COMMENT_HIDDEN = "This comment is hidden."
MSG_RATE_LIMITED = "You are commenting too fast. Wait a minute and try again."
MSG_ALREADY_HIDDEN = "This comment is hidden already."
MSG_NOT_HIDDEN = "This comment is not hidden."
MSG_REASON_REQUIRED = "Say why."
MSG_FLAG_REASON_INVALID = "Choose a reason: spam, off-topic, abuse or other."
MSG_FLAG_OWN = "You cannot flag your own comment."
MSG_ALREADY_FLAGGED = "You flagged this comment already."
MSG_FLAG_NOT_VISIBLE = "Only visible comments can be flagged."


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError(MSG_BODY_REQUIRED, code="invalid")
    if len(body) > BODY_MAX_CHARS:
        raise DomainError(MSG_BODY_TOO_LONG, code="invalid")
    return body


def _rate_limit(user: User, now: datetime.datetime) -> None:
    """A fixed window counter in the cache, one key per user and window."""
    if is_moderator(user):
        return
    limit = getattr(settings, "COMMENT_RATE_LIMIT", COMMENT_RATE_LIMIT)
    window = getattr(settings, "COMMENT_RATE_WINDOW", COMMENT_RATE_WINDOW)
    stamp = now.timestamp()
    slot = int(stamp // window)
    key = f"curation:comment-rate:{user.pk}:{slot}"
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window * 2)
        count = 1
    if count > limit:
        retry_after = max(1, math.ceil((slot + 1) * window - stamp))
        raise DomainError(
            MSG_RATE_LIMITED,
            code="rate_limited",
            status_code=429,
            extra={"retry_after": retry_after},
        )


def _paper_count(paper_id: int, delta: int) -> None:
    Paper.objects.filter(pk=paper_id).update(comment_count=F("comment_count") + delta)
    listings_changed()  # the cards show the count


def _thread_changed(paper_id: int) -> None:
    """The paper's thread shows something new: its shared copy is read again
    (curation.selectors.comments_thread), now and once this transaction commits."""
    generation_bump_on_commit(thread_generation(paper_id))


def _lock(comment: Comment) -> Comment:
    return Comment.objects.select_for_update().get(pk=comment.pk)


def _copy_back(target: Comment, source: Comment) -> None:
    for name in (
        "body",
        "body_html",
        "edited_at",
        "deleted_at",
        "hidden_at",
        "hidden_by_id",
        "hidden_reason",
    ):
        setattr(target, name, getattr(source, name))


@transaction.atomic
def comment_create(
    *,
    user: Viewer,
    paper: Paper,
    body: str,
    parent: Comment | None = None,
    now: datetime.datetime | None = None,
) -> Comment:
    """Post a comment (Markdown) on a published paper, optionally answering `parent`.

    Members only, rate-limited per user (DomainError code "rate_limited", status 429, with
    `retry_after` seconds in extra). `now` fixes the clock (tests).
    """
    user = require_member(user)
    now = now or timezone.now()
    body = _clean_body(body)
    locked = Paper.objects.select_for_update().filter(pk=paper.pk).first()
    if locked is None or locked.status != PaperStatus.PUBLISHED:
        raise DomainError(MSG_COMMENT_NOT_PUBLISHED, code="not_published", status_code=409)
    if parent is not None:
        if parent.paper_id != locked.pk:
            raise DomainError(MSG_PARENT_OTHER_PAPER, code="invalid")
        if not parent.is_visible:
            raise DomainError(MSG_PARENT_GONE, code="invalid")
    _rate_limit(user, now)
    comment = Comment.objects.create(
        paper=locked,
        author=user,
        parent=parent,
        body=body,
        body_html=render_markdown(body),
        created_at=now,
    )
    _paper_count(locked.pk, +1)
    _thread_changed(locked.pk)
    # Once committed: replies, mentions and followers of the paper (the inbox).
    curation_events.emit(
        [
            CurationEvent(
                kind=CurationEventKind.COMMENT_POSTED,
                paper_id=locked.pk,
                actor_id=user.pk,
                comment_id=comment.pk,
            )
        ]
    )
    return comment


@transaction.atomic
def comment_edit(
    *, comment: Comment, user: Viewer, body: str, now: datetime.datetime | None = None
) -> Comment:
    """The author rewrites a comment within EDIT_WINDOW of posting it; it shows as edited."""
    user = require_member(user)
    now = now or timezone.now()
    body = _clean_body(body)
    locked = _lock(comment)
    if locked.author_id != user.pk:
        raise DomainError(MSG_NOT_AUTHOR, code="permission_denied", status_code=403)
    if locked.is_deleted:
        raise DomainError(MSG_COMMENT_DELETED, code="deleted", status_code=409)
    if locked.is_hidden:
        raise DomainError(MSG_COMMENT_HIDDEN, code="hidden", status_code=409)
    if now - locked.created_at > EDIT_WINDOW:
        raise DomainError(MSG_EDIT_WINDOW_CLOSED, code="edit_window_closed", status_code=403)
    locked.body = body
    locked.body_html = render_markdown(body)
    locked.edited_at = now
    locked.save(update_fields=["body", "body_html", "edited_at"])
    _thread_changed(locked.paper_id)
    # Once committed: members the new words name (the inbox).
    curation_events.emit(
        [
            CurationEvent(
                kind=CurationEventKind.COMMENT_EDITED,
                paper_id=locked.paper_id,
                actor_id=user.pk,
                comment_id=locked.pk,
            )
        ]
    )
    _copy_back(comment, locked)
    return locked


@transaction.atomic
def comment_delete(
    *, comment: Comment, user: Viewer, now: datetime.datetime | None = None
) -> Comment:
    """The author deletes a comment: the row stays (replies hang on it) as a "[deleted]"
    placeholder, its text is erased. Deleting again changes nothing."""
    user = require_member(user)
    locked = _lock(comment)
    if locked.author_id != user.pk:
        raise DomainError(MSG_NOT_AUTHOR, code="permission_denied", status_code=403)
    if locked.is_deleted:
        _copy_back(comment, locked)
        return locked
    was_visible = locked.is_visible
    locked.deleted_at = now or timezone.now()
    locked.body = ""
    locked.body_html = ""
    locked.save(update_fields=["deleted_at", "body", "body_html"])
    _thread_changed(locked.paper_id)
    if was_visible:
        _paper_count(locked.paper_id, -1)
    _copy_back(comment, locked)
    return locked


def _resolve_open_flags(comment: Comment, moderator: User, now: datetime.datetime) -> int:
    resolved = CommentFlag.objects.filter(comment=comment, resolved_at=None).update(
        resolved_at=now, resolved_by=moderator
    )
    if resolved:
        listings_changed()  # the comment leaves the moderation queue
    return resolved


def _label(comment: Comment) -> str:
    return f"comment #{comment.pk} on paper #{comment.paper_id}"


@transaction.atomic
def comment_hide(
    *, comment: Comment, moderator: User, reason: str, now: datetime.datetime | None = None
) -> Comment:
    """A moderator hides a comment, saying why; its open flags are resolved; logged."""
    return _set_hidden(comment=comment, moderator=moderator, reason=reason, now=now, hide=True)


@transaction.atomic
def comment_restore(
    *, comment: Comment, moderator: User, reason: str, now: datetime.datetime | None = None
) -> Comment:
    """A moderator shows a hidden comment again, saying why; open flags resolved; logged."""
    return _set_hidden(comment=comment, moderator=moderator, reason=reason, now=now, hide=False)


def _set_hidden(
    *, comment: Comment, moderator: Viewer, reason: str, now: datetime.datetime | None, hide: bool
) -> Comment:
    """Hide or restore; the caller holds the transaction."""
    moderator = require_moderator(moderator)
    reason = clean_reason(reason)
    if not reason:
        raise DomainError(MSG_REASON_REQUIRED, code="reason_required")
    now = now or timezone.now()
    locked = _lock(comment)
    if locked.is_hidden == hide:
        message = MSG_ALREADY_HIDDEN if hide else MSG_NOT_HIDDEN
        raise DomainError(message, code="invalid_transition", status_code=409)
    was_visible = locked.is_visible
    if hide:
        locked.hidden_at, locked.hidden_by, locked.hidden_reason = now, moderator, reason
    else:
        locked.hidden_at, locked.hidden_by, locked.hidden_reason = None, None, ""
    locked.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _thread_changed(locked.paper_id)
    if was_visible != locked.is_visible:
        _paper_count(locked.paper_id, +1 if locked.is_visible else -1)
    _resolve_open_flags(locked, moderator, now)
    moderation_event_record(
        moderator=moderator,
        action=ModerationAction.HIDE if hide else ModerationAction.RESTORE,
        target_kind=TargetKind.COMMENT,
        target_id=locked.pk,
        target_label=_label(locked),
        from_state="visible" if hide else "hidden",
        to_state="hidden" if hide else "visible",
        reason=reason,
    )
    _copy_back(comment, locked)
    return locked


@transaction.atomic
def comment_flag(*, comment: Comment, user: Viewer, reason: str, note: str = "") -> CommentFlag:
    """A member flags someone else's visible comment for the moderators, once."""
    user = require_member(user)
    if reason not in FlagReason.values:
        raise DomainError(MSG_FLAG_REASON_INVALID, code="invalid")
    if comment.author_id == user.pk:
        raise DomainError(MSG_FLAG_OWN, code="invalid")
    if not Comment.objects.filter(pk=comment.pk, deleted_at=None, hidden_at=None).exists():
        raise DomainError(MSG_FLAG_NOT_VISIBLE, code="invalid", status_code=409)
    try:
        with transaction.atomic():
            flag = CommentFlag.objects.create(
                comment=comment, user=user, reason=reason, note=(note or "").strip()
            )
    except IntegrityError as error:
        raise DomainError(MSG_ALREADY_FLAGGED, code="duplicate", status_code=409) from error
    listings_changed()  # the moderation queue lists it
    member_changed(user.pk)  # their flags on the thread, as kept for them
    return flag


@transaction.atomic
def comment_flags_dismiss(
    *, comment: Comment, moderator: Viewer, reason: str = "", now: datetime.datetime | None = None
) -> int:
    """A moderator resolves a comment's open flags without hiding it; logged when there
    were any. Returns how many flags were resolved."""
    moderator = require_moderator(moderator)
    locked = _lock(comment)
    resolved = _resolve_open_flags(locked, moderator, now or timezone.now())
    if resolved:
        moderation_event_record(
            moderator=moderator,
            action=ModerationAction.DISMISS_FLAGS,
            target_kind=TargetKind.COMMENT,
            target_id=locked.pk,
            target_label=_label(locked),
            reason=clean_reason(reason),
        )
    return resolved
