"""An arXiv id or address in any form finds its paper: typed in the search box (page and
API) and given to the API's `arxiv_id` filter."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from papers.models import PaperStatus
from papers.services.search_index import search_index_refresh
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db

FORMS = [
    "2401.01234",
    "2401.01234v2",
    "arXiv:2401.01234",
    "https://arxiv.org/abs/2401.01234v3",
    "https://arxiv.org/pdf/2401.01234",
    "https://arxiv.org/pdf/2401.01234v1.pdf",
    "http://www.arxiv.org/abs/2401.01234",
    "https://huggingface.co/papers/2401.01234",
]


@pytest.fixture
def papers():
    found = PaperFactory(title="Sparse mixtures", abstract="Routing.", arxiv_id="2401.01234")
    PaperFactory(title="Cites 2401.01234 in its title", abstract="Other.", arxiv_id="2401.09999")
    PaperFactory(title="Hidden one", arxiv_id="2401.05555", status=PaperStatus.HIDDEN)
    old = PaperFactory(title="Strings", abstract="Old style.", arxiv_id="hep-th/9901001")
    search_index_refresh()
    return {"found": found, "old": old}


@pytest.mark.parametrize("form", FORMS)
def test_the_search_box_finds_the_paper_by_any_form_of_its_id(client, papers, form):
    response = client.get(reverse("search"), {"q": form})
    assert [p.pk for p in response.context["papers"]] == [papers["found"].pk]
    api = APIClient().get("/api/papers/", {"q": form}).json()
    assert [p["id"] for p in api["results"]] == [papers["found"].pk]


@pytest.mark.parametrize("form", FORMS)
def test_the_api_filter_takes_any_form(papers, form):
    data = APIClient().get("/api/papers/", {"arxiv_id": form}).json()
    assert [p["id"] for p in data["results"]] == [papers["found"].pk]


def test_old_style_ids_and_the_read_rules_hold(papers):
    api = APIClient()
    assert [
        p["id"] for p in api.get("/api/papers/", {"arxiv_id": "hep-th/9901001v2"}).json()["results"]
    ] == [papers["old"].pk]
    # A hidden paper is found by no one who may not see it.
    assert api.get("/api/papers/", {"arxiv_id": "2401.05555"}).json()["results"] == []
    assert api.get("/api/papers/", {"q": "2401.05555"}).json()["results"] == []


def test_a_value_that_is_no_arxiv_id_is_a_400_naming_the_field(papers):
    response = APIClient().get("/api/papers/", {"arxiv_id": "not-an-id"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["arxiv_id"] == ["This is not an arXiv id or address."]
