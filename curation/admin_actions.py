"""Moderation actions for the Paper admin, through the same services as the API.

The admin's action bar gets a "reason" box (PaperModerationActionForm); reject and hide use
it. Each paper goes through curation.services.paper_transition on its own, so papers in a
state that does not allow the move are reported and the others still move.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm

from config.errors import DomainError
from curation.models import Comment
from curation.services import comment_flags_dismiss, comment_hide, papers_bulk_transition
from papers.models import PaperStatus

MSG_BULK_DONE = "{count} paper(s) made {state}."
MSG_BULK_REFUSED = "“{title}”: {message}"
MSG_FLAGS_DISMISSED = "{count} flag(s) dismissed."
MSG_COMMENTS_HIDDEN = "{count} comment(s) hidden."
MSG_COMMENT_REFUSED = "Comment #{pk}: {message}"


class PaperModerationActionForm(ActionForm):
    reason = forms.CharField(
        required=False,
        max_length=1000,
        label="Reason",
        help_text="Needed to reject or hide.",
    )


def _run(modeladmin, request, queryset, to_state: str) -> None:
    reason = request.POST.get("reason", "")
    outcome = papers_bulk_transition(
        papers=queryset.order_by("pk"), moderator=request.user, to_state=to_state, reason=reason
    )
    if outcome.done:
        modeladmin.message_user(
            request,
            MSG_BULK_DONE.format(count=len(outcome.done), state=to_state),
            messages.SUCCESS,
        )
    for paper, message in outcome.refused:
        modeladmin.message_user(
            request, MSG_BULK_REFUSED.format(title=paper.title, message=message), messages.ERROR
        )


@admin.action(description="Publish the selected papers")
def publish_papers(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, PaperStatus.PUBLISHED)


@admin.action(description="Reject the selected papers (give a reason)")
def reject_papers(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, PaperStatus.REJECTED)


@admin.action(description="Hide the selected papers (give a reason)")
def hide_papers(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, PaperStatus.HIDDEN)


PAPER_MODERATION_ACTIONS = [publish_papers, reject_papers, hide_papers]


# --- Flags: resolved through the comment services, which log it -----------------------------


def _flagged_comments(queryset):
    seen: dict[int, Comment] = {}
    for flag in queryset.select_related("comment"):
        seen.setdefault(flag.comment_id, flag.comment)
    return list(seen.values())


@admin.action(description="Dismiss the open flags of these comments (keep the comments)")
def dismiss_flags(modeladmin, request, queryset):
    reason = request.POST.get("reason", "")
    count = 0
    for comment in _flagged_comments(queryset):
        count += comment_flags_dismiss(comment=comment, moderator=request.user, reason=reason)
    modeladmin.message_user(request, MSG_FLAGS_DISMISSED.format(count=count), messages.SUCCESS)


@admin.action(description="Hide the flagged comments (give a reason)")
def hide_flagged_comments(modeladmin, request, queryset):
    reason = request.POST.get("reason", "")
    hidden = 0
    for comment in _flagged_comments(queryset):
        try:
            comment_hide(comment=comment, moderator=request.user, reason=reason)
            hidden += 1
        except DomainError as error:
            modeladmin.message_user(
                request,
                MSG_COMMENT_REFUSED.format(pk=comment.pk, message=error.message),
                messages.ERROR,
            )
    if hidden:
        modeladmin.message_user(request, MSG_COMMENTS_HIDDEN.format(count=hidden), messages.SUCCESS)


COMMENT_FLAG_ACTIONS = [dismiss_flags, hide_flagged_comments]
