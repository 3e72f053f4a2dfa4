from django.urls import path

from recommendations.api import tag_suggestions, views

urlpatterns = [
    # Before curation's own route for the same address (config/urls.py includes these first):
    # the papers list, with the member's "for you" feed.
    path("papers/", views.PaperListView.as_view(), name="api-paper-list"),
    path("papers/<int:pk>/related/", views.RelatedPapersView.as_view(), name="api-paper-related"),
    path(
        "tags/<slug:slug>/suggestions/",
        tag_suggestions.TagSuggestionsView.as_view(),
        name="api-tag-suggestions",
    ),
    path(
        "tags/<slug:slug>/suggestions/<int:paper_id>/accept/",
        tag_suggestions.TagSuggestionAcceptView.as_view(),
        name="api-tag-suggestion-accept",
    ),
    path(
        "tags/<slug:slug>/suggestions/<int:paper_id>/dismiss/",
        tag_suggestions.TagSuggestionDismissView.as_view(),
        name="api-tag-suggestion-dismiss",
    ),
]
