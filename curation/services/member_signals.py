"""Telling the apps above curation that a member's signals of taste changed.

A member's votes, their "not interested" marks and the papers they put on lists are what the
"for you" feed of the recommendations learns from; curation and lists may not import the
recommendations (the layers, pyproject.toml). So the services that change one of them call
`member_signals_changed`, which calls the handlers named (by their dotted paths) in
settings.MEMBER_SIGNALS_CHANGED_HANDLERS with the member's id once the transaction commits,
as papers_changed_schedule does for papers. (Not Django's signals: an explicit call in the
service, where a reader sees it.) A handler only schedules work and must be cheap: it runs
in the request that made the change.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def member_signals_changed(*, user_ids: Iterable[int | None]) -> None:
    """Call the handlers of MEMBER_SIGNALS_CHANGED_HANDLERS for each of `user_ids` (None
    skipped: an item whose adder is gone) once the current transaction commits."""
    ids = sorted({pk for pk in user_ids if pk is not None})
    if ids and settings.MEMBER_SIGNALS_CHANGED_HANDLERS:
        transaction.on_commit(lambda: _call_handlers(ids), robust=True)


def _call_handlers(user_ids: list[int]) -> None:
    for name in settings.MEMBER_SIGNALS_CHANGED_HANDLERS:
        try:
            handler = import_string(name)
            for user_id in user_ids:
                handler(user_id=user_id)
        except Exception:  # a broker down: the periodic ranking catches up
            logger.warning(
                "could not call %s after signals of %s changed", name, user_ids, exc_info=True
            )
