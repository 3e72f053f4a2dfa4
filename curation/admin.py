"""The admin of the curation app, and moderation on the Paper admin.

Every write here goes through a service, as the API's and the web pages' do, so the rules and
the moderation log hold whatever door a change comes in by: the Paper admin (papers.admin's,
re-registered here) edits a paper's data with paper_edit, moves it with the workflow's actions
(curation.admin_actions) and deletes it with papers_delete; a paper's tags are removed with
paper_tag_remove; flags are resolved by dismissing them or hiding their comment. Tags
themselves, comments and the log are read-only here: the tag vocabulary is kept through the
tag services, on its web page (/moderation/tags/, linked from the Tag list) or the API;
comments by their authors and moderators.
"""

from django import forms
from django.contrib import admin, messages

from config.errors import DomainError
from curation.admin_actions import (
    COMMENT_FLAG_ACTIONS,
    PAPER_MODERATION_ACTIONS,
    PaperModerationActionForm,
)
from curation.models import Comment, CommentFlag, ModerationEvent, PaperTag, Tag
from curation.services import paper_edit, paper_tag_remove, papers_delete
from papers.admin import PAPER_SOURCE_FIELDS, PaperAdmin
from papers.models import Paper
from papers.services import EDITABLE_FIELDS, paper_changes_clean


class PaperEditForm(forms.ModelForm):
    """A paper's own data, checked by the rules of papers.services.paper_changes_clean (a
    title or arXiv id another paper has is refused, with the field it is about)."""

    reason = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Why the change (goes to the moderation log).",
    )

    class Meta:
        model = Paper
        fields = list(EDITABLE_FIELDS)

    def changes(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.changed_data if f in EDITABLE_FIELDS}

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and not self.errors:
            try:
                paper_changes_clean(
                    paper=Paper.objects.get(pk=self.instance.pk), changes=self.changes()
                )
            except DomainError as error:
                field = error.extra.get("field")
                self.add_error(field if field in self.fields else None, error.message)
        return cleaned


class ModeratedPaperAdmin(PaperAdmin):
    form = PaperEditForm
    action_form = PaperModerationActionForm
    actions = PAPER_MODERATION_ACTIONS
    list_display = [*PaperAdmin.list_display, "vote_count", "comment_count"]
    curation_fields = (
        "status",
        "first_digest_on",
        "vote_count",
        "comment_count",
        "hot_score",
        "submitted_by",
        "title_key",
        "search_index",  # PaperAdmin's: indexed, waiting, or why it cannot be
        "created_at",
        "updated_at",
    )
    readonly_fields = [*curation_fields, *PAPER_SOURCE_FIELDS]
    fieldsets = [
        (None, {"fields": [*EDITABLE_FIELDS, "reason"]}),
        ("Here", {"fields": curation_fields}),
        (
            "At the source",
            {
                "fields": PAPER_SOURCE_FIELDS,
                "description": "What the source of the digests says of the paper, as the "
                "dumps gave it; its counts are the latest dump's figures. Not this site's "
                "votes and comments, and not edited here.",
            },
        ),
    ]

    def has_add_permission(self, request):
        return False  # papers come from dumps and members' submissions

    # Edited and deleted here, through the services below (PaperAdmin itself is read-only).
    def has_change_permission(self, request, obj=None):
        return admin.ModelAdmin.has_change_permission(self, request, obj)

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def save_model(self, request, obj, form, change):
        paper_edit(
            paper=obj,
            moderator=request.user,
            changes=form.changes(),
            reason=form.cleaned_data.get("reason", ""),
        )

    # Deleting a paper changes the counts of its tags and is logged: through the service.
    def delete_model(self, request, obj):
        papers_delete(papers=[obj], moderator=request.user)

    def delete_queryset(self, request, queryset):
        papers_delete(papers=queryset, moderator=request.user)


if admin.site.is_registered(Paper):
    admin.site.unregister(Paper)
admin.site.register(Paper, ModeratedPaperAdmin)


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "moderator", "action", "target_kind", "target_label", "reason"]
    list_filter = ["action", "target_kind"]
    list_select_related = ["moderator"]
    search_fields = ["target_label", "reason", "moderator__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Read-only: create, rename, merge and delete go through the tag services, which log
    them, on the vocabulary's web page (its link tops the list: the template
    admin/curation/tag/change_list.html, kept with the web pages in frontend/) or the API."""

    list_display = ["name", "slug", "paper_count", "created_at"]
    search_fields = ["name", "slug"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaperTag)
class PaperTagAdmin(admin.ModelAdmin):
    """Tags on papers, to look through and to remove (paper_tag_remove); members add them on
    the paper's page."""

    list_display = ["paper", "tag", "added_by", "created_at"]
    list_select_related = ["paper", "tag", "added_by"]
    list_filter = ["tag"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        try:
            paper_tag_remove(paper=obj.paper, tag=obj.tag, user=request.user)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)

    def delete_queryset(self, request, queryset):
        for paper_tag in queryset.select_related("paper", "tag"):
            self.delete_model(request, paper_tag)


class CommentFlagInline(admin.TabularInline):
    model = CommentFlag
    extra = 0
    can_delete = False
    readonly_fields = ["user", "reason", "note", "created_at", "resolved_at", "resolved_by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["pk", "paper", "author", "created_at", "edited_at", "deleted_at", "hidden_at"]
    list_select_related = ["paper", "author"]
    search_fields = ["body", "author__username"]
    readonly_fields = [
        "paper",
        "author",
        "parent",
        "body",
        "body_html",
        "created_at",
        "edited_at",
        "deleted_at",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    ]
    inlines = [CommentFlagInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CommentFlag)
class CommentFlagAdmin(admin.ModelAdmin):
    """Flags are resolved by the actions (dismissed, or the comment hidden), which log it."""

    list_display = ["comment", "user", "reason", "created_at", "resolved_at", "resolved_by"]
    list_select_related = ["comment", "user", "resolved_by"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter)]
    action_form = PaperModerationActionForm
    actions = COMMENT_FLAG_ACTIONS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
