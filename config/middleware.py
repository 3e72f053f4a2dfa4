"""Middleware of the whole site."""

from django.http import HttpResponse

MSG_NUL_IN_QUERY = "A web address cannot contain a NUL character (%00)."


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
