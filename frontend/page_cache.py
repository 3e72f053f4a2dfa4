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
