"""Content-Security-Policy for every answer: scripts only from this origin (no inline
scripts, no eval), no framing, no plugins.

The interactive API docs (drf-spectacular's Swagger UI) load their script from a CDN and
start it inline, so /api/docs/ keeps its own page without this policy; the admin's templates
still carry a few inline style attributes, so the admin may use inline styles (never
scripts).
"""

from django.conf import settings

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


STRICT = _header(POLICY)
ADMIN = _header({**POLICY, **ADMIN_OVERRIDES})


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = tuple(getattr(settings, "CSP_EXEMPT_PATH_PREFIXES", ("/api/docs/",)))

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" in response or request.path.startswith(self.exempt):
            return response
        response["Content-Security-Policy"] = (
            ADMIN if request.path.startswith("/admin/") else STRICT
        )
        return response
