"""The web pages' 404 shows a sentence the app wrote for the reader, or its own, never the
internals of an exception (the URL resolver's tried patterns, a model's name)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db

INTERNALS = ("Resolver404", "Http404", "tried", "No Tag matches", "No Paper matches", "pattern")


def shown(response) -> str:
    """The sentence of the page's content (its <main>)."""
    body = response.content.decode()
    main = re.search(r"<h1>Not found</h1>\s*<p>(.*?)</p>", body, re.S)
    assert main, body[:500]
    return main[1].strip()


def assert_no_internals(response) -> None:
    body = response.content.decode()
    assert [word for word in INTERNALS if word in body] == []


@pytest.mark.parametrize("path", ["/no-such-page/", "/papers/abc/", "/media/x"])
def test_a_page_that_is_not_there_says_so_in_the_sites_words(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert shown(response) == "There is nothing here."
    assert_no_internals(response)


def test_the_apps_own_sentence_is_shown(client):
    paper = PaperFactory(status="pending")

    response = client.get(reverse("paper", args=[paper.pk]))

    assert response.status_code == 404
    assert shown(response) == "There is no such paper."
    assert_no_internals(response)


def test_an_unknown_tag_says_so(client, db):
    response = client.get("/tags/nope/")

    assert response.status_code == 404
    assert shown(response) == "There is no such tag."
    assert_no_internals(response)


def test_an_unknown_tag_names_no_model(client):
    response = client.get(reverse("tag", args=["nope"]))

    assert response.status_code == 404
    assert "Tag" not in shown(response)


# `make run` serves with DEBUG on. The app's own sentences (a hidden paper, a stale "Load
# more" address) are pages for readers there too: Django's debug page would show the
# exception's internals, and its inline styles and scripts break the site's CSP (console
# errors on the page). Other errors keep the debug page a developer wants.
def test_with_debug_on_a_sentence_of_the_app_is_still_its_own_404_page(client, settings):
    settings.DEBUG = True
    paper = PaperFactory(status="hidden")

    response = client.get(reverse("paper", args=[paper.pk]))

    assert response.status_code == 404
    assert shown(response) == "There is no such paper."
    assert "DEBUG = True" not in response.content.decode()


def test_with_debug_on_a_stale_cursor_is_still_the_sites_400_page(client, settings):
    settings.DEBUG = True

    response = client.get("/", {"cursor": "zzz"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "start again from the first page" in body
    assert "DEBUG = True" not in body and "Traceback" not in body
