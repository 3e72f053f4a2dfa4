"""The ingestion service on the real database: dedup, idempotency, fill-in, failures."""

import contextlib
import datetime
import json

import pytest
from django.db import connection
from django.utils import timezone

from papers.models import Digest, DigestEntry, Dump, DumpStatus, Paper, PaperStatus
from papers.services import DuplicateDump, dump_create, dump_ingest
from tests.conftest import FIXTURES

SAMPLES = {
    "digest-aug22-plain.txt": (8, 22, 51),
    "digest-mar12-no-title-line.txt": (3, 12, 95),
    "digest-nov13-with-meta.txt": (11, 13, 62),
}


def sample(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def latest_on_or_before(month: int, day: int, today: datetime.date) -> datetime.date:
    candidate = datetime.date(today.year, month, day)
    return candidate if candidate <= today else candidate.replace(year=today.year - 1)


def hf_item(
    title,
    *,
    day="2024-09-18",
    arxiv_id=None,
    summary=None,
    authors=None,
    upvotes=None,
    published=None,
    top=None,
    **more,
):
    """An item of the HF daily papers API; `more` adds keys to its paper, `top` to the item."""
    paper = {"title": title, **more}
    if arxiv_id:
        paper["id"] = arxiv_id
    if summary is not None:
        paper["summary"] = summary
    if authors is not None:
        paper["authors"] = [{"name": n, "hidden": False} for n in authors]
    if upvotes is not None:
        paper["upvotes"] = upvotes
    if published:
        paper["publishedAt"] = f"{published}T11:03:46.000Z"
    return {
        "paper": paper,
        "publishedAt": f"{day}T08:00:00.000Z",
        "title": title,
        "numComments": 0,
        "thumbnail": "https://example.org/t.png",
        **(top or {}),
    }


def hf_dump(*items) -> bytes:
    return json.dumps(list(items), indent=2).encode()


def table_state():
    """Everything ingestion may write, to compare before and after."""
    return (
        list(Paper.objects.order_by("id").values()),
        list(Digest.objects.order_by("id").values("id", "date")),
        list(DigestEntry.objects.order_by("id").values()),
    )


@contextlib.contextmanager
def writes_to_papers_and_entries():
    """The statements run meanwhile that write papers or digest entries: inserts, updates and
    deletes, and on PostgreSQL bulk.bulk_update's temporary table. COPY goes round Django's
    cursor and is not seen: compare table_state() for rows that a dump inserts."""
    seen: list[str] = []

    def record(execute, sql, params, many, context):
        verb = sql.lstrip().split(None, 1)[0].upper()
        if verb in {"INSERT", "UPDATE", "DELETE", "CREATE"} and any(
            name in sql for name in ('"papers_paper"', '"papers_digestentry"', "_bulk_update_")
        ):
            seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


ABSTRACT = (
    "We study a question that matters. Our method improves the state of the art on every "
    "benchmark we tried, and we release the code."
)


@pytest.mark.parametrize("name", SAMPLES)
def test_each_sample_is_ingested_with_exact_counts(ingest, name):
    month, day, count = SAMPLES[name]

    dump = ingest(sample(name), name=name)

    assert dump.status == DumpStatus.DONE
    assert dump.error == ""
    assert dump.stats["digests"] == 1
    assert dump.stats["entries"] == count
    assert dump.stats["new_papers"] == count
    assert dump.stats["existing_papers"] == 0
    assert (dump.progress_done, dump.progress_total) == (dump.size, dump.size)
    digest = Digest.objects.get()
    assert digest.date == latest_on_or_before(month, day, timezone.localdate())
    assert list(digest.dumps.all()) == [dump]
    assert digest.entries.count() == count
    assert list(digest.entries.values_list("position", flat=True)) == list(range(1, count + 1))
    assert Paper.objects.filter(status=PaperStatus.PENDING).count() == count
    assert Paper.objects.filter(first_digest_on=digest.date).count() == count


def test_papers_are_found_again_across_digests(ingest):
    dumps = [ingest(sample(name), name=name) for name in SAMPLES]

    titles = {}
    for dump in dumps:
        for entry in DigestEntry.objects.filter(dump=dump).select_related("paper"):
            titles.setdefault(entry.paper.title_key, set()).add(dump.pk)
    assert Paper.objects.count() == len(titles)
    assert DigestEntry.objects.count() == 51 + 95 + 62
    assert Digest.objects.count() == 3
    # 11 papers of aug22 are on mar12 too; nov13 shares 11 with aug22 and 10 with mar12.
    assert dumps[1].stats["existing_papers"] == 11
    assert dumps[1].stats["new_papers"] == 95 - 11
    shared = Paper.objects.filter(digest_entries__digest__date__month=8).filter(
        digest_entries__digest__date__month=3
    )
    assert shared.count() == 11
    assert dumps[2].stats["new_papers"] + dumps[2].stats["existing_papers"] == 62


def test_the_same_content_again_changes_nothing(ingest):
    text = sample("digest-nov13-with-meta.txt")
    ingest(text, name="nov13.txt")
    before = table_state()

    # Same content, different bytes (Windows line ends): not a duplicate upload.
    with writes_to_papers_and_entries() as writes:
        again = ingest(text.replace(b"\n", b"\r\n"), name="nov13-crlf.txt")

    assert writes == []  # not even an UPDATE that would set the same values
    assert again.status == DumpStatus.DONE
    assert again.stats["new_papers"] == 0
    assert again.stats["existing_papers"] == 62
    assert again.stats["new_entries"] == 0
    papers, digests, entries = table_state()
    assert (papers, digests) == before[:2]
    assert [{**e, "dump_id": None} for e in entries] == [{**e, "dump_id": None} for e in before[2]]


def test_running_a_finished_dump_again_changes_nothing(ingest):
    dump = ingest(sample("digest-aug22-plain.txt"))
    before = table_state()

    again = dump_ingest(dump=dump)

    assert again.status == DumpStatus.DONE
    assert again.attempts == 1
    assert table_state() == before


def test_an_interrupted_run_simply_runs_again(ingest, db):
    from django.core.files.base import ContentFile

    dump = dump_create(file=ContentFile(sample("digest-aug22-plain.txt")), original_name="a.txt")
    # A worker claimed it and died: the row says processing, nothing else was written.
    Dump.objects.filter(pk=dump.pk).update(status=DumpStatus.PROCESSING, attempts=1)

    finished = dump_ingest(dump=dump)

    assert finished.status == DumpStatus.DONE
    assert finished.attempts == 2
    assert finished.stats["new_papers"] == 51


def test_batches_give_the_same_result_as_one_pass(ingest):
    dump = ingest(sample("digest-mar12-no-title-line.txt"), batch_size=7)

    assert dump.stats["entries"] == 95
    assert dump.stats["new_papers"] == 95
    assert DigestEntry.objects.count() == 95


def test_a_byte_identical_file_is_a_duplicate(ingest):
    first = ingest(sample("digest-aug22-plain.txt"), name="aug22.txt")
    from django.core.files.base import ContentFile

    with pytest.raises(DuplicateDump) as excinfo:
        dump_create(file=ContentFile(sample("digest-aug22-plain.txt")), original_name="again.txt")

    assert excinfo.value.existing == first
    assert excinfo.value.message.startswith(f"This file was already uploaded as dump #{first.pk}")
    assert Dump.objects.count() == 1


def test_a_file_whose_upload_failed_may_be_uploaded_again(ingest):
    failed = ingest(b"", name="empty.txt")
    assert failed.status == DumpStatus.FAILED

    retry = ingest(b"", name="empty.txt")

    assert retry.pk != failed.pk


def test_fields_are_filled_in_and_never_erased(ingest):
    title = "Sparse Mixtures: Routing Experts at Scale"
    ingest(
        hf_dump(
            hf_item(
                title,
                arxiv_id="2409.11074",
                summary=ABSTRACT,
                authors=["Ada Lovelace", "Alan Turing"],
                upvotes=5,
                published="2024-09-17",
            )
        )
    )
    # A later dump that knows less: no abstract, no authors, no arXiv id, no date.
    ingest(hf_dump(hf_item(title.upper(), day="2024-09-19", upvotes=9)))

    paper = Paper.objects.get()
    assert paper.title == title
    assert paper.abstract == ABSTRACT
    assert paper.arxiv_id == "2409.11074"
    assert paper.authors == ["Ada Lovelace", "Alan Turing"]
    assert paper.author_count == 2
    assert paper.published_on == datetime.date(2024, 9, 17)
    assert paper.first_digest_on == datetime.date(2024, 9, 18)
    assert paper.upvotes == 9  # the latest dump's figure
    assert paper.digest_entries.count() == 2


def test_a_missing_field_is_filled_by_a_later_dump(ingest):
    title = "Quiet Transformers"
    ingest(hf_dump(hf_item(title, day="2024-09-19")))
    ingest(
        hf_dump(
            hf_item(title, day="2024-09-18", summary=ABSTRACT, arxiv_id="2409.00001", upvotes=3)
        )
    )

    paper = Paper.objects.get()
    assert paper.abstract == ABSTRACT
    assert paper.arxiv_id == "2409.00001"
    assert paper.first_digest_on == datetime.date(2024, 9, 18)
    assert paper.upvotes == 3


def test_a_dump_without_upvotes_keeps_the_stored_figure(ingest):
    ingest(hf_dump(hf_item("Counting Votes", summary=ABSTRACT, upvotes=7)))
    ingest(hf_dump(hf_item("Counting Votes", day="2024-09-20")))

    assert Paper.objects.get().upvotes == 7


def test_the_arxiv_id_finds_a_paper_whose_title_changed(ingest):
    ingest(hf_dump(hf_item("Old Title of a Paper", arxiv_id="2409.11074", summary=ABSTRACT)))
    dump = ingest(hf_dump(hf_item("A New Title", arxiv_id="arXiv:2409.11074v2", day="2024-09-20")))

    assert Paper.objects.count() == 1
    assert dump.stats["existing_papers"] == 1
    assert Paper.objects.get().title == "Old Title of a Paper"


def test_titles_differing_in_case_punctuation_spacing_are_one_paper(ingest):
    ingest(
        hf_dump(
            hf_item("Diffusion: Models,  Explained!", summary=ABSTRACT),
            hf_item("diffusion models explained", day="2024-09-19"),
            hf_item("DIFFUSION —  MODELS   EXPLAINED", day="2024-09-20"),
            # NFKC folds fullwidth letters
            hf_item(
                "\uff24\uff49\uff46\uff46\uff55\uff53\uff49\uff4f\uff4e Models Explained",
                day="2024-09-21",
            ),
        )
    )

    assert Paper.objects.count() == 1
    assert DigestEntry.objects.count() == 4


def test_new_papers_are_published_with_publish_and_old_ones_keep_their_status(ingest):
    ingest(hf_dump(hf_item("Kept Pending", summary=ABSTRACT)))
    Paper.objects.update(status=PaperStatus.REJECTED)

    dump = ingest(
        hf_dump(
            hf_item("Kept Pending", day="2024-09-19"),
            hf_item("Brand New", day="2024-09-19", summary=ABSTRACT),
        ),
        publish=True,
    )

    assert dump.stats["new_papers"] == 1
    assert Paper.objects.get(title="Kept Pending").status == PaperStatus.REJECTED
    assert Paper.objects.get(title="Brand New").status == PaperStatus.PUBLISHED


def test_the_uploader_can_give_the_digest_date(ingest):
    ingest(sample("digest-aug22-plain.txt"), digest_date=datetime.date(2023, 8, 22))

    assert Digest.objects.get().date == datetime.date(2023, 8, 22)
    assert Paper.objects.filter(first_digest_on=datetime.date(2023, 8, 22)).count() == 51


def test_a_cut_off_copy_keeps_its_last_title_with_a_warning(ingest):
    text = sample("digest-aug22-plain.txt").decode()
    paragraphs = text.rstrip().split("\n\n")
    cut = "\n\n".join(paragraphs[:-1]) + "\n"  # drop the last abstract
    last_title = paragraphs[-2].strip()

    dump = ingest(cut.encode())

    assert dump.status == DumpStatus.DONE
    assert dump.stats["entries"] == 51
    assert dump.warning_count == 1
    assert dump.stats["warnings"] == 1
    assert dump.warnings[0]["line"] == cut.count("\n")
    paper = Paper.objects.get(title=last_title)
    assert paper.abstract == ""


def test_a_later_abstract_fills_a_cut_off_paper(ingest):
    text = sample("digest-aug22-plain.txt").decode()
    paragraphs = text.rstrip().split("\n\n")
    ingest(("\n\n".join(paragraphs[:-1]) + "\n").encode(), name="cut.txt")

    ingest(sample("digest-aug22-plain.txt"), name="full.txt")

    assert Paper.objects.get(title=paragraphs[-2].strip()).abstract == paragraphs[-1].strip()


BAD_FILES = {
    "empty": b"",
    "blank": b"\n\n  \r\n",
    "binary": bytes(range(256)) * 8,
    "zip": b"PK\x03\x04" + b"\x00" * 200,
    "html": b"<!DOCTYPE html><html><head><title>Daily Papers</title></head><body></body></html>",
    "broken json": b'[{"paper": {"title": "A"}, "publishedAt": "2024-09-18T08:00:00Z"}, {"pap',
    "json object": b'{"papers": []}',
    "header only": (
        b"new\n\nSubscribe\n\nDaily Papers\n\nbyAK and the research community\n\nAug 22\n"
    ),
}


@pytest.mark.parametrize("content", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_fails_with_one_sentence_and_writes_nothing(ingest, content):
    ingest(sample("digest-aug22-plain.txt"), name="good.txt")
    before = table_state()

    dump = ingest(content, name="bad.txt")

    assert dump.status == DumpStatus.FAILED
    assert dump.error.endswith(".")
    assert "\n" not in dump.error
    assert dump.stats == {}
    assert table_state() == before


def test_a_json_file_broken_after_many_good_items_writes_nothing(ingest):
    items = [hf_item(f"Paper number {i}", summary=ABSTRACT) for i in range(50)]
    content = hf_dump(*items)[:-40]  # the last item is cut in the middle

    dump = ingest(content, batch_size=10)

    assert dump.status == DumpStatus.FAILED
    assert Paper.objects.count() == 0
    assert Digest.objects.count() == 0


def test_a_dump_started_too_often_is_set_aside(db, settings):
    from django.core.files.base import ContentFile

    settings.DUMP_MAX_ATTEMPTS = 3
    dump = dump_create(file=ContentFile(sample("digest-aug22-plain.txt")), original_name="a.txt")
    # Three workers died in the middle of it.
    Dump.objects.filter(pk=dump.pk).update(status=DumpStatus.PROCESSING, attempts=3)

    finished = dump_ingest(dump=dump)

    assert finished.status == DumpStatus.FAILED
    assert finished.error.startswith("Ingestion was started 3 times without finishing")
    assert Paper.objects.count() == 0
