"""One arXiv identity per paper, its version kept apart: the latest version seen, from dumps
and from members' submissions, never a second paper."""

import json

import pytest

from config.errors import DomainError
from curation.services import paper_submit
from papers.models import Paper
from papers.parsing.normalize import arxiv_id_parts

pytestmark = pytest.mark.django_db


def _json_dump(arxiv_id: str, day: str = "2024-09-18") -> bytes:
    return json.dumps(
        [
            {
                "paper": {"id": arxiv_id, "title": "Versioned paper", "summary": "Abstract."},
                "publishedAt": f"{day}T08:00:00.000Z",
                "title": "Versioned paper",
            }
        ]
    ).encode()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2401.01234", ("2401.01234", None)),
        ("2401.01234v2", ("2401.01234", 2)),
        ("arXiv:2401.01234v3", ("2401.01234", 3)),
        ("https://arxiv.org/abs/2401.01234v4", ("2401.01234", 4)),
        ("https://arxiv.org/pdf/2401.01234v5.pdf", ("2401.01234", 5)),
        ("http://www.arxiv.org/pdf/2401.01234", ("2401.01234", None)),
        ("https://huggingface.co/papers/2401.01234", ("2401.01234", None)),
        ("hep-th/9901001v2", ("hep-th/9901001", 2)),
        # arXiv's citation form, with the primary category
        ("arXiv:2401.01234v2 [cs.CL]", ("2401.01234", 2)),
        ("2401.01234 [q-bio.NC]", ("2401.01234", None)),
        ("arXiv:hep-th/9901001 [hep-th]", ("hep-th/9901001", None)),
        ("2401.01234 [cs.CL", None),
        ("2401.01234v0", ("2401.01234", None)),
        ("not an id", None),
    ],
)
def test_arxiv_id_parts(given, expected):
    assert arxiv_id_parts(given) == expected


def test_dumps_keep_the_latest_version_seen_on_one_paper(ingest):
    ingest(_json_dump("2409.11074v2"), name="a.json")
    ingest(_json_dump("2409.11074v3", day="2024-09-19"), name="b.json")
    ingest(_json_dump("2409.11074v1", day="2024-09-20"), name="c.json")
    ingest(_json_dump("2409.11074", day="2024-09-21"), name="d.json")
    (paper,) = Paper.objects.all()
    assert (paper.arxiv_id, paper.arxiv_version) == ("2409.11074", 3)


def test_a_member_brings_the_version_up_never_down(ingest, member):
    ingest(_json_dump("2409.11074"), name="a.json")
    for given, expected in (("2409.11074v4", 4), ("arXiv:2409.11074v2", 4)):
        with pytest.raises(DomainError):
            paper_submit(user=member, arxiv_id=given)
        assert Paper.objects.get().arxiv_version == expected
    new = paper_submit(user=member, title="Another", arxiv_id="https://arxiv.org/abs/2410.00001v7")
    assert (new.arxiv_id, new.arxiv_version) == ("2410.00001", 7)


def test_a_moderators_edit_of_the_id_keeps_its_version_apart(ingest):
    from papers.services.papers import paper_update

    ingest(_json_dump("2409.11074v5"), name="a.json")
    paper = Paper.objects.get()

    # The same id, a later version given: the version goes up, the id stays as it was.
    assert paper_update(paper=paper, changes={"arxiv_id": "arXiv:2409.11074v7"}) == [
        "arxiv_version"
    ]
    assert (paper.arxiv_id, paper.arxiv_version) == ("2409.11074", 7)
    assert paper_update(paper=paper, changes={"arxiv_id": "2409.11074v2"}) == []
    # Another id: the version seen of the former one does not go with it.
    paper_update(paper=paper, changes={"arxiv_id": "https://arxiv.org/abs/2409.99999"})
    paper.refresh_from_db()
    assert (paper.arxiv_id, paper.arxiv_version) == ("2409.99999", None)
    paper_update(paper=paper, changes={"arxiv_id": "hep-th/9901001v3"})
    paper.refresh_from_db()
    assert (paper.arxiv_id, paper.arxiv_version) == ("hep-th/9901001", 3)
    paper_update(paper=paper, changes={"arxiv_id": ""})
    paper.refresh_from_db()
    assert (paper.arxiv_id, paper.arxiv_version) == (None, None)
