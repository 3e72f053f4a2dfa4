"""Every read of lists: which lists a member may open and change, a list's page of papers, and
their pages (keyset, as the feeds are: config.cursors).

The two rules of reading, each in one place:
- lists_visible_to: a member opens their own lists and every team list; a personal list is
  nobody else's, moderators included (to them it does not exist: a 404). Anonymous readers
  open none.
- visible_items: a list shows, and counts, only the papers its reader may open
  (curation.selectors.papers_visible_to): a paper hidden or rejected since it was added, or
  another member's pending submission, is left out for that reader.
Who may change a list is lists_editable_by, which the services ask too.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.roles import Viewer, is_member
from config.cursors import KeysetPage, keyset_page, parse_int
from config.errors import DomainError
from curation.selectors import MARK_ATTRS, papers_visible_to, with_viewer_state
from lists.models import ListEditor, ListItem, ListVisibility, PaperList

# Which lists of those a member may open a listing shows (the API's `scope`, the web page's
# tabs): all of them, mine (any visibility), the team's (mine included), those I may change.
SCOPES = ("all", "mine", "team", "editable")
MSG_UNKNOWN_SCOPE = "The scope is one of all, mine, team or editable."


def lists_visible_to(viewer: Viewer) -> QuerySet[PaperList]:
    """Lists `viewer` may open: their own and every team list; none for anonymous readers."""
    if not is_member(viewer):
        return PaperList.objects.none()
    return PaperList.objects.filter(Q(owner=viewer) | Q(visibility=ListVisibility.TEAM))


def _editable_q(viewer: User) -> Q:
    """The lists `viewer` (a member) may change: their own, and the team lists whose owner
    made them an editor (an EXISTS on the (list, user) index)."""
    editor = Exists(ListEditor.objects.filter(paper_list=OuterRef("pk"), user=viewer))
    return Q(owner=viewer) | (Q(visibility=ListVisibility.TEAM) & Q(editor))


def lists_editable_by(viewer: Viewer) -> QuerySet[PaperList]:
    """Lists whose papers `viewer` may add, move, annotate and remove."""
    if not is_member(viewer):
        return PaperList.objects.none()
    return PaperList.objects.filter(_editable_q(viewer))


def with_viewer_rights(lists: QuerySet[PaperList], viewer: Viewer) -> QuerySet[PaperList]:
    """Annotate `viewer_can_edit` (bool), in the same query."""
    if not is_member(viewer):
        return lists.annotate(viewer_can_edit=Value(False, output_field=BooleanField()))
    return lists.annotate(
        viewer_can_edit=ExpressionWrapper(_editable_q(viewer), output_field=BooleanField())
    )


def visible_items(viewer: Viewer) -> QuerySet[ListItem]:
    """Items whose paper `viewer` may open: an EXISTS by the paper's primary key, so a
    list's page reads its own items and their papers, never a scan of the papers."""
    return ListItem.objects.filter(
        Exists(papers_visible_to(viewer).filter(pk=OuterRef("paper_id")))
    )


def with_item_count(lists: QuerySet[PaperList], viewer: Viewer) -> QuerySet[PaperList]:
    """Annotate `item_count`: the papers on each list that `viewer` may open (a subquery
    evaluated for the lists the page returns; a list holds at most LIST_MAX_ITEMS)."""
    counted = (
        visible_items(viewer)
        .filter(paper_list=OuterRef("pk"))
        .order_by()
        .values("paper_list")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return lists.annotate(item_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0))


def lists_for_member(
    *, viewer: Viewer, scope: str = "all", paper_id: int | None = None
) -> QuerySet[PaperList]:
    """The lists `viewer` may open, newest first (the cursor key: the id), narrowed by
    `scope` (SCOPES). Each with its owner (joined), `item_count` (the papers the viewer may
    open on it: a subquery per list of the page), `viewer_can_edit` and, when `paper_id` is
    given, `has_paper` (whether that paper is on it: what "Add to list" offers)."""
    if scope not in SCOPES:
        raise DomainError(
            MSG_UNKNOWN_SCOPE, code="invalid", extra={"fields": {"scope": [MSG_UNKNOWN_SCOPE]}}
        )
    lists = lists_visible_to(viewer)
    if scope == "mine" and is_member(viewer):
        lists = lists.filter(owner=viewer)
    elif scope == "team":
        lists = lists.filter(visibility=ListVisibility.TEAM)
    elif scope == "editable" and is_member(viewer):
        lists = lists.filter(_editable_q(viewer))
    lists = with_item_count(lists, viewer)
    if paper_id is not None:
        on_it = ListItem.objects.filter(paper_list=OuterRef("pk"), paper_id=paper_id)
        lists = lists.annotate(has_paper=Exists(on_it))
    return with_viewer_rights(lists.select_related("owner"), viewer).order_by("-id")


def list_detail(*, pk: int, viewer: Viewer) -> PaperList | None:
    """A list `viewer` may open, or None. With its owner (joined), `viewer_can_edit`,
    `item_count` (with_item_count), and its editors with their users, by name, in
    `paper_list.editors.all()` (one query)."""
    lists = (
        with_item_count(lists_visible_to(viewer), viewer)
        .filter(pk=pk)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "editors",
                queryset=ListEditor.objects.select_related("user").order_by("user__username"),
            )
        )
    )
    return with_viewer_rights(lists, viewer).first()


def list_items(*, paper_list: PaperList, viewer: Viewer) -> QuerySet[ListItem]:
    """The items of `paper_list` whose paper `viewer` may open, in the list's order, each
    with its paper and who added it (joined), and the viewer's vote and marks on the paper
    (EXISTS, in the same query; list_items_page hands them to the paper, as a card reads
    them). A list shows its papers whatever the reader's "hide marked" setting: the reader
    chose to keep them there."""
    items = (
        visible_items(viewer)
        .filter(paper_list=paper_list)
        .select_related("paper", "added_by")
        .order_by("position", "id")
    )
    return with_viewer_state(items, viewer, paper_ref="paper_id")


def _papers_with_viewer_state(items: Sequence[ListItem]) -> Sequence[ListItem]:
    for item in items:
        for attr in ("viewer_voted", *MARK_ATTRS.values()):
            setattr(item.paper, attr, getattr(item, attr, False))
    return items


def list_items_page(
    items: QuerySet[ListItem], *, list_id: int, page_size: int, cursor: str | None
) -> KeysetPage:
    """A page of a list's items (list_items), in the list's order: keyset on (position, id).
    A move while a reader pages through may show an item twice or skip it, as a feed does
    when papers move; the reader's next page load is whole again."""
    page = keyset_page(
        items,
        kind=f"list-{list_id}",
        page_size=page_size,
        cursor=cursor,
        key_of=lambda item: item.position,
        parse_key=parse_int,
        # position >= key in front: an index condition (see curation.selectors.feed_after).
        after=lambda qs, key, pk: qs.filter(
            Q(position__gte=key) & (Q(position__gt=key) | Q(position=key, pk__gt=pk))
        ),
    )
    _papers_with_viewer_state(page.rows)
    return page


def lists_page(lists: QuerySet[PaperList], *, page_size: int, cursor: str | None) -> KeysetPage:
    """A page of lists (lists_for_member), newest first."""
    return keyset_page(
        lists,
        kind="lists",
        page_size=page_size,
        cursor=cursor,
        key_of=lambda paper_list: paper_list.pk,
        parse_key=parse_int,
        after=lambda qs, key, pk: qs.filter(pk__lt=pk),
    )


def papers_added_by(*, user_ids: Sequence[int] | None = None):
    """(member, paper, when) of every paper a member put on a list (of `user_ids`, or every
    member's): a member's signal of taste, read by the "for you" feed of the
    recommendations (settings.FOR_YOU_POSITIVE_SOURCES). On the (paper_list, paper) rows,
    not through who may see the list: these are the member's own acts."""
    items = ListItem.objects.filter(added_by__isnull=False)
    if user_ids is not None:
        items = items.filter(added_by_id__in=list(user_ids))
    return items.values_list("added_by_id", "paper_id", "created_at").iterator(chunk_size=5000)
