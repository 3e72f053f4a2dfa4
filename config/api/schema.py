"""The API's error shape (config.api.errors) for the OpenAPI schema, and the answers each
kind of endpoint documents."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    # The metaclass takes declared fields off the class, so this does not shadow
    # Serializer.fields as the stubs believe.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API (config.api.errors), for the schema."""

    error = ErrorBodySerializer()


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


E400 = error_response("Invalid input or filter; `fields` names the parameters at fault.")
E401 = error_response("Not signed in.")
E403 = error_response("Not allowed for this role (or a CSRF failure for session clients).")
E404 = error_response("No such object, or not visible to you.")
E409 = error_response("The object is not in a state that allows this.")
E415 = error_response("The body is not JSON, a form or multipart.")
E429 = error_response("Throttled; `retry_after` says in how many seconds to try again.")
READ_ERRORS = {400: E400, 404: E404, 429: E429}
WRITE_ERRORS = {400: E400, 401: E401, 403: E403, 404: E404, 409: E409, 415: E415, 429: E429}
