"""What the lists' services tell the apps above them about, once their transaction committed.

- PAPER_ADDED: a member put a paper on a list (`item_id`, the paper `paper_id`, the list
  `list_id`).

The services emit them to `list_events` (config.hooks) inside their transaction; the
listeners (the webhooks of team lists: notifications.apps) get them only once it committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from config.hooks import CommittedHook


class ListEventKind(StrEnum):
    PAPER_ADDED = "paper_added"


@dataclass(frozen=True)
class ListEvent:
    kind: ListEventKind
    list_id: int
    paper_id: int
    actor_id: int | None  # who did it
    item_id: int | None = None  # PAPER_ADDED


list_events: CommittedHook[ListEvent] = CommittedHook("lists.list_events")
