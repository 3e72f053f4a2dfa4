"""Recording inbox items, and a member marking theirs read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.member_version import member_changed
from accounts.roles import Viewer, require_member
from config.errors import DomainError
from notifications.models import Notification

MSG_NO_SUCH_ITEM = "There is no such item in your inbox."


@dataclass(frozen=True)
class Draft:
    """An item to record: for whom, what kind, the event's key, and what it refers to."""

    recipient_id: int
    kind: str
    event_key: str
    actor_id: int | None = None
    paper_id: int | None = None
    comment_id: int | None = None
    session_id: int | None = None
    paper_list_id: int | None = None
    tag_id: int | None = None
    follow_id: int | None = None


def notifications_record(*, drafts: Iterable[Draft]) -> int:
    """Record the items; returns how many drafts were offered after dropping repeats.

    An event is recorded once per recipient: of drafts with the same (recipient, event_key)
    the first is kept (callers list the most specific reason first: a reply before a
    mention before a follow), and one recorded before (a task run twice, a retry) stays as
    it was: the unique constraint refuses the copy and the insert skips it (ON CONFLICT DO
    NOTHING), so concurrent runs need no lock.

    This is where a delivery channel (e-mail, webhooks) will plug in: see models.py."""
    unique: dict[tuple[int, str], Draft] = {}
    for draft in drafts:
        unique.setdefault((draft.recipient_id, draft.event_key), draft)
    if unique:
        Notification.objects.bulk_create(
            [Notification(**vars(draft)) for draft in unique.values()],
            ignore_conflicts=True,
            batch_size=500,
        )
        for recipient_id in {recipient for recipient, _ in unique}:
            member_changed(recipient_id)  # their unread count, as kept for them
    return len(unique)


@transaction.atomic
def notification_mark_read(*, notification: Notification, user: Viewer) -> Notification:
    """The recipient marks one item read (again: nothing changes). Someone else's item does
    not exist for them."""
    user = require_member(user)
    if notification.recipient_id != user.pk:
        raise DomainError(MSG_NO_SUCH_ITEM, code="not_found", status_code=404)
    Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=timezone.now())
    member_changed(user.pk)
    notification.refresh_from_db(fields=["read_at", "unread"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: Viewer) -> int:
    """Every unread item of the member's inbox read; returns how many were unread."""
    user = require_member(user)
    read = Notification.objects.filter(recipient=user, unread=True).update(read_at=timezone.now())
    member_changed(user.pk)
    return read
