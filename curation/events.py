"""What curation's services tell the apps above it about, once their transaction committed.

(The moderation log, which records moderators' actions for readers, is another thing:
curation.services.events.)

- COMMENT_POSTED: a member posted a comment (`comment_id`, on `paper_id`);
- COMMENT_EDITED: its author rewrote it (new words may name other members);
- PAPER_TAGGED: a member put a tag (`tag_id`) on a published paper that did not have it.

The services emit them to `curation_events` (config.hooks) inside their transaction: the
inbox (notifications.apps) records them there, with the change, and handles them once it
has committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from config.hooks import CommittedHook


class CurationEventKind(StrEnum):
    COMMENT_POSTED = "comment_posted"
    COMMENT_EDITED = "comment_edited"
    PAPER_TAGGED = "paper_tagged"


@dataclass(frozen=True)
class CurationEvent:
    kind: CurationEventKind
    paper_id: int
    actor_id: int | None  # who did it
    comment_id: int | None = None  # COMMENT_*
    tag_id: int | None = None  # PAPER_TAGGED


curation_events: CommittedHook[CurationEvent] = CommittedHook("curation.curation_events")
