from django.urls import path

from curation.api import comments, digests, export, marks, moderation, papers, tags

urlpatterns = [
    path("papers/", papers.PaperListView.as_view(), name="api-paper-list"),
    path("papers/export/", export.PaperExportView.as_view(), name="api-paper-export"),
    path(
        "papers/transition/",
        papers.PaperBulkTransitionView.as_view(),
        name="api-paper-bulk-transition",
    ),
    path("papers/<int:pk>/", papers.PaperDetailView.as_view(), name="api-paper-detail"),
    path(
        "papers/<int:pk>/citation/",
        export.PaperCitationView.as_view(),
        name="api-paper-citation",
    ),
    path("papers/<int:pk>/vote/", papers.PaperVoteView.as_view(), name="api-paper-vote"),
    path(
        "papers/<int:pk>/transition/",
        papers.PaperTransitionView.as_view(),
        name="api-paper-transition",
    ),
    path(
        "papers/<int:pk>/comments/",
        papers.PaperCommentsView.as_view(),
        name="api-paper-comments",
    ),
    path("papers/<int:pk>/tags/", papers.PaperTagsView.as_view(), name="api-paper-tags"),
    path("papers/<int:pk>/mark/", marks.PaperMarkView.as_view(), name="api-paper-mark"),
    path("me/settings/", marks.MemberSettingsView.as_view(), name="api-me-settings"),
    path("comments/<int:pk>/", comments.CommentDetailView.as_view(), name="api-comment-detail"),
    path("comments/<int:pk>/flag/", comments.CommentFlagView.as_view(), name="api-comment-flag"),
    path(
        "comments/<int:pk>/moderate/",
        comments.CommentModerateView.as_view(),
        name="api-comment-moderate",
    ),
    path("tags/", tags.TagListView.as_view(), name="api-tag-list"),
    path("tags/<slug:slug>/", tags.TagDetailView.as_view(), name="api-tag-detail"),
    path("tags/<slug:slug>/merge/", tags.TagMergeView.as_view(), name="api-tag-merge"),
    path("moderation/queue/", moderation.ModerationQueueView.as_view(), name="api-mod-queue"),
    path("moderation/log/", moderation.ModerationLogView.as_view(), name="api-mod-log"),
    path("digests/", digests.DigestListView.as_view(), name="api-digest-list"),
]
