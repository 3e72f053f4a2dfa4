from django.urls import path

from recommendations.api import views

urlpatterns = [
    path("papers/<int:pk>/related/", views.RelatedPapersView.as_view(), name="api-paper-related"),
]
