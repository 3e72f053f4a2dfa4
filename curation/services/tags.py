"""The tag vocabulary (moderators, logged) and tags on papers (members)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils.module_loading import import_string
from django.utils.text import slugify

from accounts.roles import Viewer, is_moderator, require_member, require_moderator
from config.errors import DomainError
from curation.events import CurationEvent, CurationEventKind, curation_events
from curation.models import (
    TAG_NAME_MAX_LENGTH,
    ModerationAction,
    PaperTag,
    Tag,
    TagOldSlug,
    TargetKind,
)
from curation.services._guards import clean_reason
from curation.services.events import moderation_event_record
from papers.listing_version import listings_changed
from papers.models import Paper, PaperStatus

TAG_NAME_MAX_CHARS = TAG_NAME_MAX_LENGTH
TAG_DESCRIPTION_MAX_CHARS = 5000

MSG_TAG_NAME_REQUIRED = "A tag needs a name."
MSG_TAG_NAME_TOO_LONG = f"A tag's name has at most {TAG_NAME_MAX_CHARS} characters."
MSG_TAG_DESCRIPTION_TOO_LONG = (
    f"A tag's description has at most {TAG_DESCRIPTION_MAX_CHARS:,} characters."
)
MSG_TAG_SLUG_INVALID = "A tag's slug is made of letters, digits, hyphens and underscores."
MSG_TAG_EXISTS = "A tag with this name or slug exists already."
MSG_MERGE_SELF = "A tag cannot be merged into itself."
MSG_TAG_GONE = "This tag is not here any more: another moderator merged or deleted it."
MSG_TAG_NOT_PUBLISHED = "Only published papers can be tagged."
MSG_PAPER_TAG_MISSING = "This paper does not have this tag."
MSG_PAPER_TAG_NOT_YOURS = "You can only remove the tags you added."
# The moderation log's entry of a tag a moderator put on a paper (paper_tag_apply).
LOG_TAG_ADDED = "tags: + {name}"

logger = logging.getLogger(__name__)


# --- Telling the apps above curation that tags' papers changed -----------------------------
# The recommendations train a model per tag on its papers; curation may not import them
# (the layers), so the writers of paper tags send the tasks named in
# settings.TAGS_CHANGED_TASKS once they commit, as papers.services.changes does for papers.
# Each task finds its own work (the tags whose papers changed enough), so one sent for
# nothing costs a query.


def tags_changed_schedule() -> None:
    if getattr(settings, "TAGS_CHANGED_TASKS", None):
        transaction.on_commit(_send_tags_changed_tasks, robust=True)


def _send_tags_changed_tasks() -> None:
    for name in settings.TAGS_CHANGED_TASKS:
        try:
            import_string(name).delay()
        except Exception:  # a broker down: the task's beat entry sends it again
            logger.warning("could not send %s after tags changed", name, exc_info=True)


# --- The count of published papers per tag ------------------------------------------------
# Tag.paper_count moves by deltas, under two locks that every writer takes in this order: the
# paper's row, then the tag's row. Whoever adds or removes a paper's tag, or moves a paper
# into or out of "published", holds both; so the delta is judged on a state nobody else can
# change meanwhile, and a count stays exact however writes interleave (the tests run them at
# once on PostgreSQL). Counting instead would read every paper tag of a large tag: 5,800 rows
# and about 10-400 ms on the bench database, per vote-sized action.


def _tags_lock(tag_ids: Iterable[int] | None) -> list[int]:
    """Lock these tag rows (all when None) for this transaction, in id order; return the
    ids of those that exist.

    A write that inserts paper tags takes this lock before the insert: the insert's foreign
    key check share-locks the tag row, and two transactions each holding that share lock
    and then asking for the update lock would deadlock."""
    tags = Tag.objects.all() if tag_ids is None else Tag.objects.filter(pk__in=set(tag_ids))
    return list(tags.select_for_update().order_by("pk").values_list("pk", flat=True))


def _tag_counts_shift(deltas: dict[int, int]) -> None:
    """Add each delta to its tag's paper_count (the caller holds the tag rows locked)."""
    for tag_id, delta in deltas.items():
        if delta:
            Tag.objects.filter(pk=tag_id).update(paper_count=F("paper_count") + delta)


def paper_tags_lock(*, paper_ids: Iterable[int]) -> list[tuple[int, int]]:
    """The (paper id, tag id) pairs of these papers, with every tag row locked. The caller
    holds the papers' rows locked, so no member adds or removes their tags meanwhile; but a
    merge moves tags without locking papers, so the pairs are read again once the tags are
    locked, until every tag they name is locked."""
    paper_ids = list(paper_ids)
    locked: set[int] = set()
    while True:
        pairs = list(
            PaperTag.objects.filter(paper_id__in=paper_ids)
            .order_by("tag_id", "paper_id")
            .values_list("paper_id", "tag_id")
        )
        missing = {tag_id for _, tag_id in pairs} - locked
        if not missing:
            return pairs
        locked |= set(_tags_lock(missing))
        locked |= missing  # tags deleted meanwhile: their rows are gone, so are the pairs


def paper_tag_counts_shift(*, paper_ids: Iterable[int], delta: int) -> None:
    """These papers (locked by the caller) just moved into (+1) or out of (-1) "published":
    move the counts of their tags."""
    deltas: dict[int, int] = {}
    for _, tag_id in paper_tags_lock(paper_ids=paper_ids):
        deltas[tag_id] = deltas.get(tag_id, 0) + delta
    _tag_counts_shift(deltas)


@transaction.atomic
def tag_counts_refresh(*, tag_ids: Iterable[int] | None = None) -> None:
    """Count again the published papers of these tags (all when None), from the rows: for
    data changed behind the services' back (a restore, SQL by hand; see the
    `tag_counts_refresh` command). One grouped pass over the paper tags."""
    locked = _tags_lock(tag_ids)
    counts = dict(
        PaperTag.objects.filter(tag_id__in=locked, paper__status=PaperStatus.PUBLISHED)
        .order_by()
        .values("tag_id")
        .annotate(n=Count("pk"))
        .values_list("tag_id", "n")
    )
    for tag_id in locked:
        Tag.objects.filter(pk=tag_id).update(paper_count=counts.get(tag_id, 0))


def _clean_name_and_slug(name: str, slug: str | None) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(MSG_TAG_NAME_REQUIRED, code="invalid")
    # Refused rather than cut: a moderator must see the name the vocabulary will hold.
    if len(name) > TAG_NAME_MAX_CHARS:
        raise DomainError(MSG_TAG_NAME_TOO_LONG, code="invalid")
    slug = slugify(slug if slug else name)
    if not slug:
        raise DomainError(MSG_TAG_SLUG_INVALID, code="invalid")
    return name, slug[:64]


def _clean_description(description: str) -> str:
    description = description.strip()
    if len(description) > TAG_DESCRIPTION_MAX_CHARS:
        raise DomainError(MSG_TAG_DESCRIPTION_TOO_LONG, code="invalid")
    return description


def _refuse_clash(name: str, slug: str, *, exclude: Tag | None = None) -> None:
    clash = Tag.objects.filter(name__iexact=name) | Tag.objects.filter(slug=slug)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    existing = clash.first()
    if existing is not None:
        raise DomainError(
            MSG_TAG_EXISTS, code="duplicate", status_code=409, extra={"tag_id": existing.pk}
        )


def _tag_locked(tag: Tag) -> Tag:
    """The tag's row, locked for this transaction; refused when it was deleted (or merged)
    since the caller read it."""
    locked = Tag.objects.select_for_update().filter(pk=tag.pk).first()
    if locked is None:
        raise DomainError(MSG_TAG_GONE, code="not_found", status_code=404)
    return locked


def _save_tag(tag: Tag) -> None:
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError as error:  # lost a race against another moderator
        raise DomainError(MSG_TAG_EXISTS, code="duplicate", status_code=409) from error
    # A tag's own slug is never another's old address: the new owner takes it.
    TagOldSlug.objects.filter(slug=tag.slug).delete()
    listings_changed()  # the tag lists and the cards show its name


def _old_slug_keep(*, slug: str, tag: Tag) -> None:
    """`slug`, which no tag has now, leads to `tag` from now on."""
    TagOldSlug.objects.update_or_create(slug=slug, defaults={"tag": tag})


@transaction.atomic
def tag_create(
    *, moderator: Viewer, name: str, slug: str | None = None, description: str = ""
) -> Tag:
    """A new vocabulary tag; the slug defaults to slugify(name). Moderators only, logged."""
    moderator = require_moderator(moderator)
    name, slug = _clean_name_and_slug(name, slug)
    description = _clean_description(description or "")
    _refuse_clash(name, slug)
    tag = Tag(name=name, slug=slug, description=description)
    _save_tag(tag)
    moderation_event_record(
        moderator=moderator,
        action=ModerationAction.CREATE,
        target_kind=TargetKind.TAG,
        target_id=tag.pk,
        target_label=tag.name,
        to_state=tag.slug,
    )
    return tag


@transaction.atomic
def tag_rename(
    *,
    tag: Tag,
    moderator: Viewer,
    name: str,
    slug: str | None = None,
    description: str | None = None,
) -> Tag:
    """Rename `tag` (and re-slug it: the slug follows the name unless given). A new
    description is optional. Moderators only; logged with old and new "name (slug)"."""
    moderator = require_moderator(moderator)
    name, slug = _clean_name_and_slug(name, slug)
    if description is not None:
        description = _clean_description(description)
    tag = _tag_locked(tag)
    _refuse_clash(name, slug, exclude=tag)
    before = f"{tag.name} ({tag.slug})"
    old_slug = tag.slug
    tag.name, tag.slug = name, slug
    if description is not None:
        tag.description = description
    _save_tag(tag)
    if old_slug != slug:
        _old_slug_keep(slug=old_slug, tag=tag)
    moderation_event_record(
        moderator=moderator,
        action=ModerationAction.RENAME,
        target_kind=TargetKind.TAG,
        target_id=tag.pk,
        target_label=tag.name,
        from_state=before,
        to_state=f"{tag.name} ({tag.slug})",
    )
    return tag


@transaction.atomic
def tag_merge(*, source: Tag, target: Tag, moderator: Viewer, reason: str = "") -> int:
    """Move every paper of `source` to `target` and delete `source`; return the number of
    papers that gained `target`. A paper that had both keeps its one `target` tag (and who
    added it). Moderators only; logged on the source tag."""
    moderator = require_moderator(moderator)
    if source.pk == target.pk:
        raise DomainError(MSG_MERGE_SELF, code="invalid")
    # Both rows locked in id order, so two merges of the same pair cannot deadlock.
    locked = {
        t.pk: t
        for t in Tag.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    if len(locked) < 2:
        raise DomainError(MSG_TAG_GONE, code="not_found", status_code=404)
    source, target = locked[source.pk], locked[target.pk]
    already = PaperTag.objects.filter(tag=target).values("paper_id")
    PaperTag.objects.filter(tag=source, paper_id__in=already).delete()
    moved_published = PaperTag.objects.filter(
        tag=source, paper__status=PaperStatus.PUBLISHED
    ).count()
    moved = PaperTag.objects.filter(tag=source).update(tag=target)
    moderation_event_record(
        moderator=moderator,
        action=ModerationAction.MERGE,
        target_kind=TargetKind.TAG,
        target_id=source.pk,
        target_label=source.name,
        from_state=f"{source.name} ({source.slug})",
        to_state=f"{target.name} ({target.slug})",
        reason=clean_reason(reason),
    )
    # The merged tag's addresses, old and current, lead to the tag that stays.
    TagOldSlug.objects.filter(tag=source).update(tag=target)
    source.delete()
    _old_slug_keep(slug=source.slug, tag=target)
    _tag_counts_shift({target.pk: moved_published})
    listings_changed()
    tags_changed_schedule()
    return moved


@transaction.atomic
def tag_delete(*, tag: Tag, moderator: Viewer, reason: str = "") -> None:
    """Delete a tag and take it off every paper. Moderators only, logged."""
    moderator = require_moderator(moderator)
    tag = _tag_locked(tag)
    moderation_event_record(
        moderator=moderator,
        action=ModerationAction.DELETE,
        target_kind=TargetKind.TAG,
        target_id=tag.pk,
        target_label=tag.name,
        from_state=f"{tag.name} ({tag.slug})",
        reason=clean_reason(reason),
    )
    Tag.objects.filter(pk=tag.pk).delete()
    listings_changed()


@transaction.atomic
def paper_tag_add(*, paper: Paper, tag: Tag, user: Viewer) -> tuple[PaperTag, bool]:
    """Apply a vocabulary tag to a published paper as `user` (members). Idempotent: if the
    paper has the tag already, that PaperTag is returned with created=False."""
    user = require_member(user)
    # The paper's row is locked, as a move of its state locks it: a paper being hidden is
    # not tagged meanwhile, and the tag's count sees one order of the two.
    locked = Paper.objects.select_for_update().filter(pk=paper.pk).first()
    if locked is None or locked.status != PaperStatus.PUBLISHED:
        raise DomainError(MSG_TAG_NOT_PUBLISHED, code="not_published", status_code=409)
    _tags_lock([tag.pk])
    paper_tag, created = PaperTag.objects.get_or_create(
        paper=paper, tag=tag, defaults={"added_by": user}
    )
    if created:
        _tag_counts_shift({tag.pk: +1})
        listings_changed()
        # Once committed: the followers of the tag (the inbox).
        curation_events.emit(
            [
                CurationEvent(
                    kind=CurationEventKind.PAPER_TAGGED,
                    paper_id=locked.pk,
                    actor_id=user.pk,
                    tag_id=tag.pk,
                )
            ]
        )
        tags_changed_schedule()
    return paper_tag, created


@transaction.atomic
def paper_tag_apply(*, paper: Paper, tag: Tag, moderator: Viewer, reason: str = "") -> bool:
    """A moderator puts a tag on a published paper (a suggestion of the tag's model, say):
    paper_tag_add, logged in the moderation log as an edit of the paper's tags. Return
    whether the paper gained the tag (False: it had it already, and nothing is logged)."""
    moderator = require_moderator(moderator)
    _, created = paper_tag_add(paper=paper, tag=tag, user=moderator)
    if created:
        moderation_event_record(
            moderator=moderator,
            action=ModerationAction.EDIT,
            target_kind=TargetKind.PAPER,
            target_id=paper.pk,
            target_label=paper.title,
            to_state=LOG_TAG_ADDED.format(name=tag.name),
            reason=clean_reason(reason),
        )
    return created


@transaction.atomic
def paper_tag_remove(*, paper: Paper, tag: Tag, user: Viewer) -> None:
    """Take a tag off a paper. Members remove the tags they added, on published papers;
    moderators remove any."""
    user = require_member(user)
    locked = Paper.objects.select_for_update().filter(pk=paper.pk).first()
    _tags_lock([tag.pk])
    paper_tag = PaperTag.objects.filter(paper=paper, tag=tag).first() if locked else None
    if locked is None or paper_tag is None:
        raise DomainError(MSG_PAPER_TAG_MISSING, code="not_found", status_code=404)
    if not is_moderator(user):
        if locked.status != PaperStatus.PUBLISHED:
            raise DomainError(MSG_TAG_NOT_PUBLISHED, code="not_published", status_code=409)
        if paper_tag.added_by_id != user.pk:
            raise DomainError(MSG_PAPER_TAG_NOT_YOURS, code="permission_denied", status_code=403)
    paper_tag.delete()
    listings_changed()
    if locked.status == PaperStatus.PUBLISHED:
        _tag_counts_shift({tag.pk: -1})
    tags_changed_schedule()
