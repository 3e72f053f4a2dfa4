"""The web pages' "not found" answer.

Only a PageNotFound's message is shown to the reader: it is a sentence the app wrote for
them ("There is no such paper."). Any other 404 (an unknown address, whose exception holds
the URL resolver's internals; get_object_or_404's "No Tag matches the given query.") shows
the page's own sentence.
"""

from django.http import Http404, HttpRequest, HttpResponseNotFound
from django.template import loader


class PageNotFound(Http404):
    """A 404 whose message is one sentence for the reader, shown on the page."""


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponseNotFound:
    """handler404 (config/urls.py)."""
    message = str(exception) if isinstance(exception, PageNotFound) else ""
    body = loader.render_to_string("404.html", {"message": message}, request)
    return HttpResponseNotFound(body)
