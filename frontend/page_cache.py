"""A few seconds' cache of the public pages as anonymous readers get them.

An anonymous reader's feed, digest day, tag, search or paper page is the same for every
anonymous reader, so it is rendered once and kept ANONYMOUS_PAGE_CACHE_SECONDS in the Django
cache (Redis in production, per process when embedded), keyed on the address: under load a
public page then costs little more than a cache read, as the API's anonymous first pages do
(curation.api.papers.ANONYMOUS_FEED_CACHE_SECONDS, the same lag). An anonymous reader sees a
new vote, comment or paper within that many seconds; signed-in readers, whose pages say what
they voted and offer their forms, are never served from it.

Such a page carries no CSRF token (the shared copy would hand one reader's token to others):
it has no form that posts, and the log-in and sign-up pages, which do, are not cached.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from papers.listing_version import listing_shared, listing_version

ANONYMOUS_PAGE_CACHE_SECONDS = 5
KEY_PREFIX = "web:anonymous-page:v1:"


# What anonymous_page_cache sets on a request whose page is shared (not an attribute of
# Django's).
_PAGE_SHARED = "page_shared"


def page_is_shared(request: HttpRequest) -> bool:
    """Whether this page is rendered for every anonymous reader (templates leave out what is
    the reader's own, such as the CSRF token)."""
    return getattr(request, _PAGE_SHARED, False)


def _key(request: HttpRequest) -> str:
    raw = f"{request.get_host()}|{request.get_full_path()}"
    return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def anonymous_page_cache(view):
    """Serve `view`'s answers to anonymous GETs from the cache (see the module docstring).
    Only a 200 that sets no cookie is kept."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if (
            request.method not in ("GET", "HEAD")
            or request.user.is_authenticated
            or "messages" in request.COOKIES
        ):
            return view(request, *args, **kwargs)
        key = _key(request)
        kept = cache.get(key)
        if kept is not None:
            content, content_type = kept
            return HttpResponse(content, content_type=content_type)
        setattr(request, _PAGE_SHARED, True)
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            cache.set(
                key, (response.content, response["Content-Type"]), ANONYMOUS_PAGE_CACHE_SECONDS
            )
        return response

    return wrapper


# --- What signed-in readers share -----------------------------------------------------------
# A signed-in reader's list page shows the same papers as everyone's (but for their own vote
# and marks, read apart: curation.selectors.viewer_state_attach), so the rows of a list page,
# its tag list and such are read once and kept a few seconds for every reader, under the
# listing version (papers.listing_version): a write that changes what lists show (a vote, a
# comment, a tag, a paper published or hidden, a dump) moves the version on as it commits,
# so its writer, and everyone after, reads the rows again. The seconds only bound a write
# that does not say so (a change made in the database by hand).


def shared_version(request: HttpRequest) -> int:
    """The listing version (papers.listing_version), read once per request: what a shared
    value or a template's `{% cache %}` block of shared data is kept under."""
    version = getattr(request, "_listing_version", None)
    if version is None:
        version = request._listing_version = listing_version()  # type: ignore[attr-defined]
    return version


def shared_value(request: HttpRequest, name: str, parts: object, build):
    """papers.listing_version.listing_shared under this request's version: `build()`'s value,
    kept SHARED_SECONDS for every reader. The value must not depend on who reads: build it
    for no one."""
    return listing_shared(name, parts, build, version=shared_version(request))
