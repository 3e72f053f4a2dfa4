from django.urls import include, path

urlpatterns = [
    path("", include("curation.api.accounts.urls")),
]
