"""The related papers on a paper's page (frontend/_related_papers.html): the nearest published
papers as links, read with one query of the related table."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers.models import PaperStatus
from recommendations.services import features_fit
from tests.factories import ModeratorFactory, PaperFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields():
    papers = [
        PaperFactory(
            title=f"Radiance fields {i}",
            abstract="Neural radiance fields for novel view synthesis. " * (i + 1),
            authors=["Ada Lovelace", "Alan Turing", "Grace Hopper", "Yann LeCun"],
        )
        for i in range(4)
    ]
    PaperFactory(title="Speech synthesis", abstract="Text to speech with neural vocoders.")
    features_fit()
    return papers


def _related_titles(body: str) -> list[str]:
    section = re.search(r'<section aria-labelledby="related-h".*?</section>', body, re.S)
    assert section, "no related papers section"
    return re.findall(r'<li><a href="/papers/\d+/">([^<]+)</a>', section.group(0))


def test_a_paper_page_lists_its_related_papers_with_one_query(client, fields):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("paper", args=[fields[0].pk]))
    body = response.content.decode()
    titles = _related_titles(body)
    assert titles[:3] == ["Radiance fields 1", "Radiance fields 2", "Radiance fields 3"]
    assert "Radiance fields 0" not in titles
    assert "Ada Lovelace, Alan Turing, Grace Hopper et al." in body
    assert f'href="/papers/{fields[1].pk}/"' in body
    related = [q for q in captured if "recommendations_relatedpaper" in q["sql"]]
    assert len(related) == 1


def test_hidden_papers_are_not_listed_and_a_paper_without_a_list_says_so(client, fields):
    fields[1].status = PaperStatus.HIDDEN
    fields[1].save(update_fields=["status"])
    client.force_login(ModeratorFactory())
    titles = _related_titles(client.get(reverse("paper", args=[fields[0].pk])).content.decode())
    assert "Radiance fields 1" not in titles and "Radiance fields 2" in titles
    new = PaperFactory(title="Unfitted paper")
    body = client.get(reverse("paper", args=[new.pk])).content.decode()
    assert _related_titles(body) == [] and "No related papers yet." in body
