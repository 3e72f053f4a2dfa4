"""Content-Security-Policy for every answer: scripts only from this origin (no inline
scripts, no eval), no framing, no plugins.

The interactive API docs are no exception: Swagger UI's files are served from the app
(drf-spectacular-sidecar), and its start-up script and page styles are files too
(config/urls.py). The admin's templates still carry a few inline style attributes, so the
admin may use inline styles (never scripts).

With DEBUG on, the app's sentences for readers keep their own error pages
(ReaderErrorPagesMiddleware), not Django's debug page, which the policy would break.
"""

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
ADMIN_OVERRIDES = {"style-src": "'self' 'unsafe-inline'"}


def _header(policy: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in policy.items())


# With SHOW_SOURCE_THUMBNAILS on, the papers' thumbnails come from the source's servers.
THUMBNAILS_OVERRIDES = {"img-src": "'self' data: https:"}


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        extra = THUMBNAILS_OVERRIDES if settings.SHOW_SOURCE_THUMBNAILS else {}
        self.strict = _header({**POLICY, **extra})
        self.admin = _header({**POLICY, **ADMIN_OVERRIDES, **extra})

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" in response:
            return response
        response["Content-Security-Policy"] = (
            self.admin if request.path.startswith("/admin/") else self.strict
        )
        return response


class ReaderErrorPagesMiddleware:
    """The app's sentences for readers (frontend.errors' PageNotFound and PageBadRequest) are
    its own 404 and 400 pages with DEBUG on too, as `make run` serves: Django's debug page
    would show the exception's internals instead, and its inline styles and scripts break
    the policy above. Any other error keeps the debug page a developer wants."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from frontend.errors import PageBadRequest, PageNotFound, bad_request, page_not_found

        if isinstance(exception, PageNotFound):
            return page_not_found(request, exception)
        if isinstance(exception, PageBadRequest):
            return bad_request(request, exception)
        return None
