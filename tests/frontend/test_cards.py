"""What a paper's card shows beyond its title: the first authors, the source's upvotes apart
from the team's votes, arXiv and PDF links."""

import pytest
from django.urls import reverse

from frontend.cards import arxiv_links, authors_short
from tests.factories import PaperFactory


@pytest.mark.parametrize(
    ("authors", "count", "expected"),
    [
        (["Ada", "Alan", "Grace", "Edsger"], 4, "Ada, Alan, Grace et al."),
        (["Ada", "Alan", "Grace"], 3, "Ada, Alan, Grace"),
        # Authors the source hides are counted, not named: the named ones are not all.
        (["Ada"], 2, "Ada et al."),
        (["Ada", "Alan"], 3, "Ada, Alan et al."),
        (["Ada"], None, "Ada"),
        (["", "  ", "Ada"], None, "Ada"),
        ([], 7, "7 authors"),
        (None, 1, "1 author"),
        ([], None, ""),
    ],
)
def test_authors_short(authors, count, expected):
    assert authors_short(authors, count) == expected


def test_arxiv_links():
    assert arxiv_links("2401.01234") == {
        "abs": "https://arxiv.org/abs/2401.01234",
        "pdf": "https://arxiv.org/pdf/2401.01234",
    }
    assert arxiv_links(None) == {}


@pytest.mark.django_db
def test_a_card_shows_authors_links_and_the_sources_upvotes_apart(client):
    PaperFactory(
        title="Known paper",
        authors=["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"],
        arxiv_id="2401.01234",
        upvotes=42,
    )
    PaperFactory(title="Bare paper", authors=[], author_count=None, arxiv_id=None, upvotes=None)
    body = client.get(reverse("home") + "?order=new").content.decode()
    known = body[body.index("Known paper") :]
    known = known[: known.index("</article>")]
    assert '<p class="authors">Ada Lovelace, Alan Turing, Grace Hopper et al.</p>' in known
    assert "42 upvotes on Hugging Face" in known
    assert 'href="https://arxiv.org/abs/2401.01234"' in known
    assert 'href="https://arxiv.org/pdf/2401.01234"' in known
    bare = body[body.index("Bare paper") :]
    bare = bare[: bare.index("</article>")]
    assert 'class="authors"' not in bare and "Hugging Face" not in bare and "arxiv.org" not in bare


@pytest.mark.django_db
def test_the_paper_page_shows_every_link_and_safe_links_in_the_abstract(client):
    paper = PaperFactory(
        title="Linked paper",
        abstract='Code at https://github.com/org/repo. <script>alert(1)</script> "x"',
        arxiv_id="2401.01234",
        upvotes=7,
    )
    body = client.get(reverse("paper", args=[paper.pk])).content.decode()
    assert 'href="https://arxiv.org/pdf/2401.01234"' in body
    assert 'href="https://huggingface.co/papers/2401.01234"' in body
    assert "7 upvotes (theirs, not this team's votes and comments)" in body
    assert (
        '<a href="https://github.com/org/repo" rel="nofollow">https://github.com/org/repo</a>'
        in body
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    counted = PaperFactory(title="Counted", authors=[], author_count=5)
    body = client.get(reverse("paper", args=[counted.pk])).content.decode()
    assert "5 authors (names not known)" in body
