"""Lists over HTTP: a member's lists and the team's, their papers (add, note, move, remove)
and the editors of team lists.

Members only: anonymous clients get 401 everywhere. A list another member may not open
(their personal list) is a 404, as if it did not exist; a team list one may open but not
change is a 403 on writes. Views validate input, look the list up through the selectors
(lists_visible_to) and call a service, which checks who may do what itself.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Viewer
from config.api.pagination import next_link
from config.api.schema import E400, E401, E404, E429, WRITE_ERRORS
from curation.api.papers import paper_visible_or_404
from curation.api.serializers import output_context
from curation.selectors import attach_tag_briefs
from lists.api import serializers as s
from lists.models import ListItem, PaperList
from lists.selectors import (
    list_detail,
    list_items,
    list_items_page,
    lists_for_member,
    lists_page,
)
from lists.services import (
    MSG_NO_SUCH_ITEM,
    MSG_NO_SUCH_LIST,
    list_create,
    list_delete,
    list_editor_add,
    list_editor_remove,
    list_item_add,
    list_item_move,
    list_item_note_edit,
    list_item_remove,
    list_update,
)

TAGS = ["lists"]
READ_ERRORS = {401: E401, 404: E404, 429: E429}


def list_or_404(*, pk: int, viewer: Viewer) -> PaperList:
    paper_list = list_detail(pk=pk, viewer=viewer)
    if paper_list is None:
        raise NotFound(MSG_NO_SUCH_LIST)
    return paper_list


def item_or_404(*, paper_list: PaperList, pk: int, viewer: Viewer) -> ListItem:
    item = list_items(paper_list=paper_list, viewer=viewer).filter(pk=pk).first()
    if item is None:
        raise NotFound(MSG_NO_SUCH_ITEM)
    return item


def list_answer(request, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    """The list as `request.user` reads it now."""
    paper_list = list_or_404(pk=pk, viewer=request.user)
    body = s.ListDetailOutputSerializer(paper_list, context={"request": request}).data
    return Response(body, status=status_code)


def item_answer(
    request, paper_list: PaperList, pk: int, *, status_code: int = status.HTTP_200_OK
) -> Response:
    """The item as `request.user` reads it now, its paper as the paper lists show it."""
    page = list_items_page(
        list_items(paper_list=paper_list, viewer=request.user).filter(pk=pk),
        list_id=paper_list.pk,
        page_size=1,
        cursor=None,
    )
    if not page.rows:
        raise NotFound(MSG_NO_SUCH_ITEM)
    attach_tag_briefs([item.paper for item in page.rows])
    body = s.ListItemOutputSerializer(page.rows[0], context=output_context(request)).data
    return Response(body, status=status_code)


class ListCollectionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="My lists and the team's",
        operation_id="lists_list",
        description="Members. The lists I may open (mine, personal or team, and every team "
        "list), newest first, narrowed by `scope`; cursor pagination (`next`). With "
        "`paper`, each says whether that paper is on it.",
        parameters=[s.ListsQueryInputSerializer],
        responses={200: s.ListPageOutputSerializer, 400: E400, 401: E401, 429: E429},
    )
    def get(self, request):
        params = s.ListsQueryInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        lists = lists_for_member(
            viewer=request.user, scope=data["scope"], paper_id=data.get("paper")
        )
        page = lists_page(lists, page_size=data["page_size"], cursor=data.get("cursor"))
        return Response(
            {
                "next": next_link(request, page.next_cursor),
                "results": s.ListOutputSerializer(
                    page.rows, many=True, context={"request": request}
                ).data,
            }
        )

    @extend_schema(
        tags=TAGS,
        summary="Create a list",
        description="Members. Personal (only I see it) or team (every member sees it; I "
        "may name editors).",
        request=s.ListCreateInputSerializer,
        responses={201: s.ListDetailOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        data = s.ListCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        paper_list = list_create(owner=request.user, **data.validated_data)
        answer = list_answer(request, paper_list.pk, status_code=status.HTTP_201_CREATED)
        answer["Location"] = answer.data["url"]
        return answer


class ListDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="One list",
        description="With its editors. Someone else's personal list is a 404.",
        responses={200: s.ListDetailOutputSerializer, **READ_ERRORS},
    )
    def get(self, request, pk: int):
        return list_answer(request, pk)

    @extend_schema(
        tags=TAGS,
        summary="Rename a list or change who sees it",
        description="Its owner. A team list made personal loses its editors.",
        request=s.ListUpdateInputSerializer,
        responses={200: s.ListDetailOutputSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, pk: int):
        data = s.ListUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        paper_list = list_or_404(pk=pk, viewer=request.user)
        list_update(paper_list=paper_list, user=request.user, **data.validated_data)
        return list_answer(request, pk)

    @extend_schema(
        tags=TAGS,
        summary="Delete a list",
        description="Its owner. Its items go with it; the papers stay.",
        request=None,
        responses={204: None, **WRITE_ERRORS},
    )
    def delete(self, request, pk: int):
        paper_list = list_or_404(pk=pk, viewer=request.user)
        list_delete(paper_list=paper_list, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListItemsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="A list's papers",
        description="In the list's order, each with its note and who added it; only the "
        "papers I may open (a paper hidden since it was added is left out). Cursor "
        "pagination (`next`).",
        parameters=[s.ListItemsQueryInputSerializer],
        responses={200: s.ListItemPageOutputSerializer, 400: E400, **READ_ERRORS},
    )
    def get(self, request, pk: int):
        params = s.ListItemsQueryInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        paper_list = list_or_404(pk=pk, viewer=request.user)
        # The items with their papers, my vote and marks (one query) + the page's tags.
        page = list_items_page(
            list_items(paper_list=paper_list, viewer=request.user),
            list_id=paper_list.pk,
            page_size=params.validated_data["page_size"],
            cursor=params.validated_data.get("cursor"),
        )
        attach_tag_briefs([item.paper for item in page.rows])
        return Response(
            {
                "next": next_link(request, page.next_cursor),
                "results": s.ListItemOutputSerializer(
                    page.rows, many=True, context=output_context(request)
                ).data,
            }
        )

    @extend_schema(
        tags=TAGS,
        summary="Add a paper to a list",
        description="The owner and, on a team list, its editors; a paper I may open "
        "(published, or my own pending submission). It goes last, with its note "
        "(Markdown). A paper is on a list once: a second time is a 409 with `item_id`.",
        request=s.ListItemAddInputSerializer,
        responses={201: s.ListItemOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk: int):
        data = s.ListItemAddInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        paper_list = list_or_404(pk=pk, viewer=request.user)
        paper = paper_visible_or_404(pk=data.validated_data["paper"], viewer=request.user)
        item = list_item_add(
            paper_list=paper_list,
            user=request.user,
            paper=paper,
            note=data.validated_data["note"],
        )
        return item_answer(request, paper_list, item.pk, status_code=status.HTTP_201_CREATED)


class ListItemDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Write a paper's note or move it",
        description="The owner and, on a team list, its editors. `note` (Markdown; empty "
        "takes it off), and `position` (1 is the first place) or `move` (up, down: past the "
        "next paper I see; first, last). The papers between the old and new place shift "
        "by one.",
        request=s.ListItemUpdateInputSerializer,
        responses={200: s.ListItemOutputSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, pk: int, item_pk: int):
        data = s.ListItemUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = data.validated_data
        paper_list = list_or_404(pk=pk, viewer=request.user)
        item = item_or_404(paper_list=paper_list, pk=item_pk, viewer=request.user)
        if "note" in changes:
            item = list_item_note_edit(item=item, user=request.user, note=changes["note"])
        if "position" in changes or "move" in changes:
            item = list_item_move(
                item=item,
                user=request.user,
                position=changes.get("position"),
                move=changes.get("move"),
            )
        return item_answer(request, paper_list, item.pk)

    @extend_schema(
        tags=TAGS,
        summary="Take a paper off a list",
        description="The owner and, on a team list, its editors. Its note goes with it.",
        request=None,
        responses={204: None, **WRITE_ERRORS},
    )
    def delete(self, request, pk: int, item_pk: int):
        paper_list = list_or_404(pk=pk, viewer=request.user)
        item = item_or_404(paper_list=paper_list, pk=item_pk, viewer=request.user)
        list_item_remove(item=item, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListEditorsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="A team list's editors",
        description="Members the owner lets add, move and remove the list's papers.",
        responses={200: s.ListEditorsOutputSerializer, **READ_ERRORS},
    )
    def get(self, request, pk: int):
        paper_list = list_or_404(pk=pk, viewer=request.user)
        return Response(
            {"results": s.ListEditorOutputSerializer(paper_list.editors.all(), many=True).data}
        )

    @extend_schema(
        tags=TAGS,
        summary="Name an editor of a team list",
        description="Its owner; a member by user name. Idempotent: 201 when they became an "
        "editor, 200 when they were one. A personal list has no editors (409).",
        request=s.ListEditorAddInputSerializer,
        responses={
            201: s.ListEditorOutputSerializer,
            200: s.ListEditorOutputSerializer,
            **WRITE_ERRORS,
        },
    )
    def post(self, request, pk: int):
        data = s.ListEditorAddInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        paper_list = list_or_404(pk=pk, viewer=request.user)
        editor, created = list_editor_add(
            paper_list=paper_list, user=request.user, username=data.validated_data["username"]
        )
        return Response(
            s.ListEditorOutputSerializer(editor).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ListEditorDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Remove an editor of a team list",
        description="Its owner removes any editor; an editor may remove themself (leave).",
        request=None,
        responses={204: None, **WRITE_ERRORS},
    )
    def delete(self, request, pk: int, username: str):
        paper_list = list_or_404(pk=pk, viewer=request.user)
        list_editor_remove(paper_list=paper_list, user=request.user, username=username)
        return Response(status=status.HTTP_204_NO_CONTENT)
