"""The feed stays up while a large dump is ingested, and never shows half a digest day.

Reader threads hammer the real server (gunicorn under production settings, tests/live.py):
the new day's view in the API (its first page, and a walk over all its pages), the hot feed
(anonymous, so through its short cache, and as a member, uncached), the digest days with their
counts, the web feed and that day's web page, and search. Meanwhile `manage.py ingest_digest
--publish --sync` ingests a dump of DUMP_PAPERS papers for a new digest day in another process,
as an admin would. Every read is answered 200, and every one showed the new day either not at
all or whole (dump_ingest writes a dump in one transaction); once the command is over the day
is complete everywhere, search included. PostgreSQL only.
"""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
import requests

from curation.api.papers import ANONYMOUS_FEED_CACHE_SECONDS
from frontend.page_cache import ANONYMOUS_PAGE_CACHE_SECONDS
from tests import live
from tests.factories import DigestEntryFactory, DigestFactory, PaperFactory

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(live.skip_reason() is not None, reason=live.skip_reason() or ""),
]

DUMP_PAPERS = 2500
NEW_DAY = datetime.date(2024, 12, 2)
OLD_DAY = datetime.date(2024, 12, 1)
OLD_PAPERS = 30
TITLE = "Concurrent Readers and Writers, Study {i:05d}"
SEARCH = "concurrent readers writers"
API_PAGE = 100  # the API's largest page
WEB_PAGE = 20  # frontend.views.PAGE_SIZE
READERS = 3
INGEST_TIMEOUT = 240
REQUEST_TIMEOUT = (10, 120)

EMPTY, WHOLE = "empty", "whole"
WEB_CARD = re.compile(r'<article class="paper"')
WEB_NEW_DAY_CARD = f'href="/?date={NEW_DAY.isoformat()}">Digest {NEW_DAY.isoformat()}</a>'


def _dump_text() -> bytes:
    """A page copy of one digest day (tests/fixtures/digest-aug22-plain.txt's shape)."""
    paragraphs = [
        "new",
        "Get trending papers in your email inbox!",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
        NEW_DAY.strftime("%b %-d"),
    ]
    for i in range(DUMP_PAPERS):
        paragraphs.append(TITLE.format(i=i))
        paragraphs.append(
            f"We measure how study {i} behaves while many clients read the feed at once. " * 3
        )
    return ("\n\n".join(paragraphs) + "\n").encode()


class Partial(AssertionError):
    """A read showed part of the new day."""


# --- what each read shows ------------------------------------------------------------------
# Each probe makes one read (or a walk of reads) and says whether it showed the new day
# EMPTY or WHOLE, or raises Partial; a status other than 200 is an AssertionError.


def _get(session: requests.Session, server, path: str) -> requests.Response:
    response = session.get(server.absolute(path), timeout=REQUEST_TIMEOUT)
    if response.status_code != 200:
        raise AssertionError(f"GET {path}: {response.status_code} {response.text[:300]}")
    return response


def _day_first_page(server, session) -> str:
    body = _get(session, server, f"/api/papers/?date={NEW_DAY}&page_size={API_PAGE}").json()
    positions = [paper["position"] for paper in body["results"]]
    if not positions and body["next"] is None:
        return EMPTY
    if positions == list(range(1, API_PAGE + 1)) and body["next"]:
        return WHOLE
    raise Partial(f"day page 1: positions {positions[:3]}..{positions[-3:]}, next {body['next']}")


def _day_walk(server, session) -> str:
    """Every page of the day, following `next`: none of its papers or all of them."""
    titles, path = [], f"/api/papers/?date={NEW_DAY}&page_size={API_PAGE}"
    while path:
        body = _get(session, server, path).json()
        titles += [paper["title"] for paper in body["results"]]
        path = body["next"]
    if not titles:
        return EMPTY
    if titles == [TITLE.format(i=i) for i in range(DUMP_PAPERS)]:
        return WHOLE
    raise Partial(f"day walk: {len(titles)} of {DUMP_PAPERS} papers")


def _hot_feed(server, session) -> str:
    """New papers have no votes and a later day than the old ones: they lead the hot feed."""
    body = _get(session, server, f"/api/papers/?order=hot&page_size={API_PAGE}").json()
    days = Counter(paper["first_digest_on"] for paper in body["results"])
    if days == {OLD_DAY.isoformat(): OLD_PAPERS}:
        return EMPTY
    if days == {NEW_DAY.isoformat(): API_PAGE}:
        return WHOLE
    raise Partial(f"hot feed: papers by day {dict(days)}")


def _digests(server, session) -> str:
    body = _get(session, server, "/api/digests/").json()
    counts = {digest["date"]: digest["paper_count"] for digest in body["results"]}
    if counts == {OLD_DAY.isoformat(): OLD_PAPERS}:
        return EMPTY
    if counts == {NEW_DAY.isoformat(): DUMP_PAPERS, OLD_DAY.isoformat(): OLD_PAPERS}:
        return WHOLE
    raise Partial(f"digests: {counts}")


def _web_day(server, session) -> str:
    html = _get(session, server, f"/?date={NEW_DAY}").text
    cards = len(WEB_CARD.findall(html))
    # Before the ingestion commits, the day has no digest yet.
    if cards == 0 and "There was no digest on that day." in html:
        return EMPTY
    if cards == WEB_PAGE and "data-load-more" in html:
        return WHOLE
    raise Partial(f"web day page: {cards} papers")


def _web_feed(server, session) -> str:
    html = _get(session, server, "/").text
    new_cards = html.count(WEB_NEW_DAY_CARD)
    if new_cards == 0 and len(WEB_CARD.findall(html)) == WEB_PAGE:
        return EMPTY
    if new_cards == WEB_PAGE:
        return WHOLE
    raise Partial(f"web feed: {new_cards} papers of the new day")


def _search(server, session) -> str:
    """Search is indexed after the ingestion commits, a batch at a time (search_index.py), so
    a partial answer is expected while the command runs; only the end state counts. The
    search words are only in the new papers."""
    body = _get(session, server, f"/api/papers/?q={SEARCH}&page_size={API_PAGE}").json()
    days = {paper["first_digest_on"] for paper in body["results"]}
    if not body["results"]:
        return EMPTY
    if len(body["results"]) == API_PAGE and days == {NEW_DAY.isoformat()} and body["next"]:
        return WHOLE
    return f"indexing ({len(body['results'])} on page 1)"


# (name, probe, as a member?) Anonymous reads of the hot feed and of the web pages come
# through their short caches (ANONYMOUS_FEED_CACHE_SECONDS, ANONYMOUS_PAGE_CACHE_SECONDS).
PROBES = [
    ("day first page", _day_first_page, False),
    ("day walk", _day_walk, True),
    ("hot feed, anonymous", _hot_feed, False),
    ("hot feed, member", _hot_feed, True),
    ("digests", _digests, False),
    ("web day page", _web_day, False),
    ("web feed", _web_feed, False),
    ("search", _search, True),
]


@dataclass
class Reads:
    """What the readers saw, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    seen: Counter = field(default_factory=Counter)  # (probe, outcome)
    problems: list[str] = field(default_factory=list)
    finished_at: list[float] = field(default_factory=list)

    def record(self, name: str, outcome: str | None, problem: str | None = None) -> None:
        with self.lock:
            self.finished_at.append(time.monotonic())
            if problem is None:
                self.seen[(name, outcome)] += 1
            else:
                self.problems.append(f"{name}: {problem}")


def _read_once(server, sessions, reads: Reads, name, probe, as_member) -> None:
    try:
        outcome = probe(server, sessions[as_member])
    except Partial as exc:
        reads.record(name, None, f"PARTIAL DAY: {exc}")
    except Exception as exc:  # a non-200, a dropped connection, a timeout
        reads.record(name, None, f"{type(exc).__name__}: {exc}")
    else:
        reads.record(name, outcome)


def _reader(server, token, reads: Reads, stop: threading.Event, offset: int) -> None:
    sessions = {False: server.session(), True: server.session(token=token)}
    turn = offset
    while not stop.is_set():
        name, probe, as_member = PROBES[turn % len(PROBES)]
        _read_once(server, sessions, reads, name, probe, as_member)
        turn += 1


def _ingest(server, path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "ingest_digest",
            str(path),
            "--date",
            NEW_DAY.isoformat(),
            "--publish",
            "--sync",
        ],
        cwd=live.ROOT,
        env=server.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_the_feed_never_shows_a_half_ingested_day(web_server, member_tokens, tmp_path):
    old_day = DigestFactory(date=OLD_DAY)
    for position in range(1, OLD_PAPERS + 1):
        DigestEntryFactory(
            digest=old_day, position=position, paper=PaperFactory(first_digest_on=OLD_DAY)
        )
    [(_, token)] = member_tokens(1)
    dump = tmp_path / "digest-dec2-load.txt"
    dump.write_bytes(_dump_text())

    before = Reads()
    sessions = {False: web_server.session(), True: web_server.session(token=token)}
    for name, probe, as_member in PROBES:
        _read_once(web_server, sessions, before, name, probe, as_member)
    assert before.problems == []
    assert set(before.seen) == {(name, EMPTY) for name, _, _ in PROBES}

    reads, stop = Reads(), threading.Event()
    readers = [
        threading.Thread(target=_reader, args=(web_server, token, reads, stop, i * 3))
        for i in range(READERS)
    ]
    for reader in readers:
        reader.start()
    started = time.monotonic()
    command = _ingest(web_server, dump)
    try:
        output, _ = command.communicate(timeout=INGEST_TIMEOUT)
        ended = time.monotonic()
    finally:
        if command.poll() is None:  # timed out: its open transaction would block the flush
            command.kill()
            command.wait()
        stop.set()
        for reader in readers:
            reader.join(timeout=120)

    assert command.returncode == 0, output
    assert f"1 digest day(s), {DUMP_PAPERS} entries, {DUMP_PAPERS} new papers" in output
    assert reads.problems == [], reads.problems[:10]
    during = sum(started < t < ended for t in reads.finished_at)
    assert during > 0, "no read was answered while the dump was being ingested"

    # Anonymous readers may be served a copy cached before the commit for a few seconds more;
    # once those have passed, every read shows the whole day.
    time.sleep(max(ANONYMOUS_FEED_CACHE_SECONDS, ANONYMOUS_PAGE_CACHE_SECONDS) + 1)
    after = Reads()
    for name, probe, as_member in PROBES:
        _read_once(web_server, sessions, after, name, probe, as_member)
    assert after.problems == []
    assert set(after.seen) == {(name, WHOLE) for name, _, _ in PROBES}
    print(f"{len(reads.finished_at)} reads, {during} during ingestion: {dict(reads.seen)}")
