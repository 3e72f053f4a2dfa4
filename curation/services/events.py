"""The moderation log's writer, shared by every moderation service."""

from __future__ import annotations

from django.contrib.auth.models import User

from curation.models import ModerationEvent

LABEL_MAX = 200


def moderation_event_record(
    *,
    moderator: User,
    action: str,
    target_kind: str,
    target_id: int,
    target_label: str = "",
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
) -> ModerationEvent:
    """Write one log entry. Callers run it inside the transaction of the change it records."""
    label = target_label if len(target_label) <= LABEL_MAX else target_label[: LABEL_MAX - 1] + "…"
    return ModerationEvent.objects.create(
        moderator=moderator,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        target_label=label,
        from_state=from_state[:LABEL_MAX],
        to_state=to_state[:LABEL_MAX],
        reason=reason,
    )
