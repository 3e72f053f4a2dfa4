"""The web pages' "not found" answer.

Only a PageNotFound's message is shown to the reader: it is a sentence the app wrote for
them ("There is no such paper."). Any other 404 (an unknown address, whose exception holds
the URL resolver's internals; get_object_or_404's "No Tag matches the given query.") shows
the page's own sentence.
"""

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponseBadRequest, HttpResponseNotFound
from django.template import loader

MSG_BAD_REQUEST = "This address is not one the site makes; start again from its pages."


class PageNotFound(Http404):
    """A 404 whose message is one sentence for the reader, shown on the page."""


class PageBadRequest(BadRequest):
    """A 400 whose message is one sentence for the reader (a stale or edited "Load more"
    address, say), shown on the page."""


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponseNotFound:
    """handler404 (config/urls.py)."""
    message = str(exception) if isinstance(exception, PageNotFound) else ""
    body = loader.render_to_string("404.html", {"message": message}, request)
    return HttpResponseNotFound(body)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponseBadRequest:
    """handler400 (config/urls.py)."""
    message = str(exception) if isinstance(exception, PageBadRequest) else MSG_BAD_REQUEST
    body = loader.render_to_string("400.html", {"message": message}, request)
    return HttpResponseBadRequest(body)
