from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic.base import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import health
from config.api.errors import endpoint_not_found


class FaviconRedirect(RedirectView):
    """/favicon.ico, for pages without the icon link (the admin's) and browsers that ask
    anyway: the icon's static (hashed, in production) address, resolved at request time."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("frontend/img/favicon.svg")


# The web pages' 404 shows only the sentences the app wrote for readers (frontend/errors.py).
handler404 = "frontend.errors.page_not_found"
handler400 = "frontend.errors.bad_request"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Pages without the icon link (the admin's) and browsers that ask anyway.
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
    # The admin's own password change is the site's page, the one door that revokes the API
    # token and counts wrong current passwords toward the lockout (accounts.services).
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="password_change", permanent=False),
    ),
    path("admin/", admin.site.urls),
    # Django's auth pages: log-in, log-out, password change and the reset link of e-mails;
    # those that set a password go through the account services (accounts.urls, first).
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Split: Swagger UI's start-up script comes from /api/docs/?script=, not inline, and the
    # page's styles from a file, so it runs under the site's Content-Security-Policy.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="frontend/api_docs.html"
        ),
        name="api-docs",
    ),
    path("api/", include("papers.api.urls")),
    path("api/", include("accounts.api.urls")),
    # Before curation's: its papers list (/api/papers/) is served, with the member's "for
    # you" feed added, by the recommendations (recommendations.api.views.PaperListView).
    path("api/", include("recommendations.api.urls")),
    path("api/", include("curation.api.urls")),
    path("api/", include("readinggroup.api.urls")),
    path("api/", include("lists.api.urls")),
    path("api/", include("notifications.api.urls")),
    re_path(r"^api/", endpoint_not_found),
    path("feeds/", include("curation.feeds_urls")),
    # The web pages: the feed at the front door.
    path("", include("frontend.urls")),
]
