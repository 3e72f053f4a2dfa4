"""One error shape for every 4xx answer of the API.

    {"error": {"code": "...", "message": "One sentence.", "fields": {"name": ["..."]}}}

`fields` is present only for validation errors; DomainError may add extra keys (such as a
link to the existing object a duplicate points at).
"""

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import DomainError

VALIDATION_MESSAGE = "Some fields are not valid."
MSG_NO_ENDPOINT = "There is no such API endpoint."
# Django stops reading a request beyond its DATA_UPLOAD_MAX_* limits; without these it would
# answer a bare HTML 400.
MSG_REQUEST_LIMITS = {
    TooManyFilesSent: "The request holds more files than the server reads at once.",
    TooManyFieldsSent: "The request holds more fields than the server reads at once.",
    RequestDataTooBig: "The request body is larger than the server reads.",
}


def _first_message(detail) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        return _first_message(next(iter(detail.values())))
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "message": exc.message, **exc.extra}
        return Response({"error": body}, status=exc.status_code)

    if type(exc) in MSG_REQUEST_LIMITS:
        exc = exceptions.ParseError(MSG_REQUEST_LIMITS[type(exc)])
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {
            key: [str(m) for m in (val if isinstance(val, list) else [val])]
            for key, val in detail.items()
        }
        message = _first_message(exc.detail) if len(fields) == 1 else VALIDATION_MESSAGE
        body = {"code": "invalid", "message": message, "fields": fields}
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {
            "code": codes if isinstance(codes, str) else "error",
            "message": _first_message(getattr(exc, "detail", str(exc))),
        }
    response.data = {"error": body}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and "Retry-After" in response:
        response.data["error"]["retry_after"] = int(response["Retry-After"])
    return response


@csrf_exempt  # it changes nothing, and a client's wrong URL deserves a 404, not a CSRF 403
def endpoint_not_found(request, *args, **kwargs):
    """An unknown path under /api/ answers in the API's error shape, not an HTML page."""
    return JsonResponse({"error": {"code": "not_found", "message": MSG_NO_ENDPOINT}}, status=404)
