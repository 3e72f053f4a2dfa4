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
