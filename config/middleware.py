"""Middleware of the whole site."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from rest_framework.throttling import SimpleRateThrottle

from config.api.throttling import (
    AnonReadThrottle,
    AnonWriteThrottle,
    UserReadThrottle,
    UserWriteThrottle,
)
from config.units import human_size

MSG_NUL_IN_QUERY = "A web address cannot contain a NUL character (%00)."
MSG_BODY_TOO_LARGE = "The request body is {size} but requests are limited to {limit}."
MSG_LENGTH_REQUIRED = "Send the request body with a Content-Length header, not in chunks."
MSG_THROTTLED = "Too many requests from you: try again in {seconds} seconds."


class RefuseNulInQueryMiddleware:
    """Answer 400, with one sentence, to a web page or admin address whose query string
    holds a NUL character.

    No search or filter can contain one, and PostgreSQL refuses it in any string, so passed
    on to a query it would be a 500. The pages' own parameters (the search box, tag filters,
    the moderation log's filters) and the admin's list filters are read as they come; the
    API is left to its serializers, whose fields already refuse NUL with a 400 in the API's
    error shape.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and any(
            "\x00" in name or any("\x00" in value for value in values)
            for name, values in request.GET.lists()
        ):
            return HttpResponse(
                MSG_NUL_IN_QUERY, status=400, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


def refusal(request: HttpRequest, *, status: int, code: str, message: str) -> HttpResponse:
    """An answer given before the view: the API's error shape under /api/, one plain sentence
    elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code, "message": message}}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


# Room for the envelope of a multipart upload (boundary lines, part headers, a few small
# fields) on top of the files it carries, whose sizes the view then checks exactly.
MULTIPART_ALLOWANCE = 64 * 1024


@dataclass(frozen=True)
class UploadLimits:
    """What a view that takes uploads accepts beyond REQUEST_MAX_BODY_BYTES, and from whom.

    Set as the `upload_limits` attribute of the view class (declare_upload_limits for a view
    function), it is read by RequestBodyLimitMiddleware before anything reads the body, so
    `allows` must decide from the headers and the cookies alone (a session, an API token),
    never from the body.
    """

    limit: Callable[[], int]  # bytes, read on each request (tests change settings)
    allows: Callable[[HttpRequest], bool]
    message: str  # one sentence with {size} and {limit}
    allowance: int = MULTIPART_ALLOWANCE
    # Files read from one request at most; the view learns of more with too_many_files().
    max_files: Callable[[], int] | None = None


_UPLOAD_LIMITS = "upload_limits"


def declare_upload_limits(view: Callable[..., Any], limits: UploadLimits) -> None:
    """Declare the uploads a view function takes (a function takes no typed attributes)."""
    setattr(view, _UPLOAD_LIMITS, limits)


def upload_limits_of(request: HttpRequest) -> UploadLimits | None:
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return None
    declared = getattr(view, _UPLOAD_LIMITS, None) or getattr(
        getattr(view, "cls", None), _UPLOAD_LIMITS, None
    )
    return declared if isinstance(declared, UploadLimits) else None


# What FileCountLimit sets on the request it stopped reading (not an attribute of Django's).
_TOO_MANY_FILES = "too_many_files"


class FileCountLimit(FileUploadHandler):
    """Stop reading a multipart body at its file number `limit + 1`, and say so on the
    request (too_many_files), keeping the fields before it (the CSRF token).

    Django's own limit (DATA_UPLOAD_MAX_NUMBER_FILES) raises in the middle of the CSRF check,
    which can only answer a bare 400; this lets the view answer with the limit's sentence.
    The files read so far are not for use: the view refuses the whole upload.
    """

    def __init__(self, request, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.count = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.count += 1
        if self.count > self.limit:
            setattr(self.request, _TOO_MANY_FILES, True)
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        return raw_data  # the next handler stores it

    def file_complete(self, file_size):
        return None


def too_many_files(request: HttpRequest) -> bool:
    """Whether FileCountLimit stopped reading this request's files (read request.POST or
    request.FILES first)."""
    return getattr(request, _TOO_MANY_FILES, False)


class RequestBodyLimitMiddleware:
    """Refuse a request body beyond its limit from its declared length, before anything
    (a CSRF check, a form, a parser) reads it: nothing of it is read or spooled to disk.

    Every request may send REQUEST_MAX_BODY_BYTES; a view that declares UploadLimits (the
    dump uploads) takes up to its own limit from the people it allows. Django reads a body
    only up to its Content-Length, so the declared length bounds what is read: a chunked body
    (no Content-Length) would be dropped unread, taken for an empty one, and is refused
    (411) instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self.refuse(request)
        return refused if refused is not None else self.get_response(request)

    def refuse(self, request: HttpRequest) -> HttpResponse | None:
        meta = request.META
        if "HTTP_TRANSFER_ENCODING" in meta and not meta.get("CONTENT_LENGTH"):
            return refusal(request, status=411, code="length_required", message=MSG_LENGTH_REQUIRED)
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None  # Django reads nothing of a body whose length it cannot parse
        limit, message, allowance = settings.REQUEST_MAX_BODY_BYTES, MSG_BODY_TOO_LARGE, 0
        multipart = meta.get("CONTENT_TYPE", "").startswith("multipart/")
        upload = upload_limits_of(request) if multipart or length > limit else None
        if upload is not None:
            if upload.max_files is not None and multipart:
                request.upload_handlers = [
                    FileCountLimit(request, upload.max_files()),
                    *request.upload_handlers,
                ]
            # Those who may upload have the upload's limit instead (smaller or larger).
            beyond = length > min(limit, upload.limit() + upload.allowance)
            if beyond and upload.allows(request):
                limit, message, allowance = upload.limit(), upload.message, upload.allowance
        if length <= limit + allowance:
            return None
        text = message.format(size=human_size(length), limit=human_size(limit))
        return refusal(request, status=413, code="too_large", message=text)


class _WebPages(SimpleRateThrottle):
    """Web pages are counted apart from the API (keys of their own), at the API's rates."""

    def get_cache_key(self, request, view):
        key = super().get_cache_key(request, view)
        return None if key is None else f"web_{key}"


class WebAnonReadThrottle(_WebPages, AnonReadThrottle):
    pass


class WebAnonWriteThrottle(_WebPages, AnonWriteThrottle):
    pass


class WebUserReadThrottle(_WebPages, UserReadThrottle):
    pass


class WebUserWriteThrottle(_WebPages, UserWriteThrottle):
    pass


WEB_THROTTLES = (
    WebAnonReadThrottle,
    WebAnonWriteThrottle,
    WebUserReadThrottle,
    WebUserWriteThrottle,
)


class WebThrottleMiddleware:
    """Throttle the web pages (the feed, papers, the admin, the log-in and password pages,
    the RSS/Atom feeds) as DRF throttles the API: reads and writes apart, anonymous clients
    by address, members by account, at the rates of REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    (API_THROTTLE_*; "off" turns a scope off for both). Over the rate: 429, one sentence and
    Retry-After. The API throttles itself; the probes and static files are never throttled.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = ("/api/", "/healthz", "/readyz", settings.STATIC_URL, settings.MEDIA_URL)

    def __call__(self, request):
        if not request.path.startswith(self.exempt):
            for throttle in (cls() for cls in WEB_THROTTLES):
                # DRF's throttles take a view only to pass it on; ours read none, and a page
                # has none to give (the stubs want an APIView).
                if not throttle.allow_request(request, None):  # type: ignore[arg-type]
                    return self.throttled(throttle.wait())
        return self.get_response(request)

    @staticmethod
    def throttled(wait: float | None) -> HttpResponse:
        seconds = max(1, math.ceil(wait or 1))
        response = HttpResponse(
            MSG_THROTTLED.format(seconds=seconds),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(seconds)
        return response
