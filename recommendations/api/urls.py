from django.urls import path

from recommendations.api import views

urlpatterns = [
    # Before curation's own route for the same address (config/urls.py includes these first):
    # the papers list, with the member's "for you" feed.
    path("papers/", views.PaperListView.as_view(), name="api-paper-list"),
    path("papers/<int:pk>/related/", views.RelatedPapersView.as_view(), name="api-paper-related"),
]
