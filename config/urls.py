from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import health

urlpatterns = [
    # Until the web pages exist, the front door is the API's documentation.
    path("", RedirectView.as_view(pattern_name="api-docs"), name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    # Django's auth pages: log-in, log-out, password change and the reset link of e-mails.
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("papers.api.urls")),
    path("api/", include("curation.api.urls")),
    path("feeds/", include("curation.feeds_urls")),
]
