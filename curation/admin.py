"""The admin of the curation app, and moderation actions on the Paper admin.

The Paper admin is papers.admin.PaperAdmin; it is re-registered here as a subclass that adds
the moderation actions (curation.admin_actions) and makes `status` read-only, so a paper's
state only changes through the workflow service, which logs every move.
"""

from django.contrib import admin

from curation.admin_actions import PAPER_MODERATION_ACTIONS, PaperModerationActionForm
from curation.models import Comment, CommentFlag, ModerationEvent, PaperTag, Tag
from curation.services import papers_delete
from papers.admin import PaperAdmin
from papers.models import Paper


class ModeratedPaperAdmin(PaperAdmin):
    action_form = PaperModerationActionForm
    actions = PAPER_MODERATION_ACTIONS
    list_display = [*PaperAdmin.list_display, "vote_count", "comment_count"]

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj)]
        extra = ["status", "vote_count", "comment_count", "hot_score", "submitted_by"]
        return readonly + [name for name in extra if name not in readonly]

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
    """Read and describe tags here; create, rename, merge and delete go through the
    services (the API), which log them."""

    list_display = ["name", "slug", "paper_count", "created_at"]
    search_fields = ["name", "slug"]
    readonly_fields = ["name", "slug", "paper_count", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaperTag)
class PaperTagAdmin(admin.ModelAdmin):
    list_display = ["paper", "tag", "added_by", "created_at"]
    list_select_related = ["paper", "tag", "added_by"]
    raw_id_fields = ["paper", "added_by"]
    list_filter = ["tag"]


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
    list_display = ["comment", "user", "reason", "created_at", "resolved_at", "resolved_by"]
    list_select_related = ["comment", "user", "resolved_by"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["comment", "user", "reason", "note", "created_at", "resolved_at"]
    raw_id_fields = ["resolved_by"]
