"""API benchmark: `make bench-api`.

1. The bench database (bench/seed_api.py): 100,000 published papers, 10,000 members,
   1,000,000 votes, 100,000 comments, 50 tags; seeded once and kept between runs (--reseed
   seeds it again).
2. Serves it with gunicorn (config/gunicorn.py, its worker count for this machine's cores)
   under production settings (DEBUG off, throttles off) on a free port of 127.0.0.1.
3. Drives each endpoint with wrk on loopback (16 connections, 15 s after a 2 s warm-up) and
   reports requests/s and latency percentiles, with /healthz on the same server as the floor:
   the hot feed's first page, its 100th page (found by following `next` 99 times), a tag's
   feed, a search and a search for a word in almost half the abstracts, a paper and its
   comments (plus, for information, the most commented paper's thread).

Then the members' lines: the hot feed, a tag's feed, a paper and its comments, each with a
member's session and with their API token, and the longest thread both ways; the web pages
beside their API twins, anonymous and signed in (a member's session); and the moderation
queue for a moderator.

Then the two searches again, served from a copy of the database without the rum extension
(search as a stock PostgreSQL answers it), beside a floor of their own.

Targets: hot feed p99 < 100 ms and at least 40% of the floor's requests/s; search
p99 < 150 ms, < 250 ms without the rum extension, a word in 43% of the abstracts < 400 ms
either way; page 100's p99 within 1.5 times page 1's; every web page at least 40% of its
API twin's requests/s with p99 < 250 ms; each member's line (session and token) at least 40%
of the floor's requests/s with p99 < 100 ms, and the longest thread p99 < 250 ms; /api/tags/
under 20 ms of SQL. Exits 1 when one is missed (BENCH_API_ONLY=web, api, signed-in or search
runs a part and checks its targets).

Environment: BENCH_API_DATABASE_URL (see seed_api.py), BENCH_API_SECONDS (15),
BENCH_API_WARMUP (2), BENCH_API_CONNECTIONS (16), BENCH_API_THREADS (wrk threads, 2),
BENCH_API_SEARCH ("diffusion": about 1.4% of the papers), BENCH_API_SEARCH_BROAD
("attention": about 43%), BENCH_API_TAG (default: the tag of median size),
WEB_CONCURRENCY / GUNICORN_THREADS (gunicorn's own, as in production), BENCH_API_CACHE_URL
(the server's Django cache, e.g. redis://127.0.0.1:6379/13 as production shares one; by
default each gunicorn worker has its own in memory).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import common, seed_api  # noqa: E402

OUT = ROOT / "bench" / "out"
SECONDS = int(os.environ.get("BENCH_API_SECONDS", "10"))
CACHE_URL = os.environ.get("BENCH_API_CACHE_URL", "")
WARMUP = int(os.environ.get("BENCH_API_WARMUP", "2"))
# The endpoints are loaded this many times over, one after the other, and each figure is the
# median of its rounds: a burst of noise on the machine (these are shared VMs: the same
# endpoint's p99 was seen to double from one run to the next) skews one round, not the result.
ROUNDS = int(os.environ.get("BENCH_API_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_API_CONNECTIONS", "16"))
WRK_THREADS = int(os.environ.get("BENCH_API_THREADS", "2"))
SEARCH = os.environ.get("BENCH_API_SEARCH", "diffusion")
SEARCH_BROAD = os.environ.get("BENCH_API_SEARCH_BROAD", "attention")
DEEP_PAGE = 100

TARGET_HOT_P99_MS = 100
TARGET_HOT_FLOOR_SHARE = 0.40
TARGET_SEARCH_P99_MS = 150
# Search on a stock PostgreSQL (no rum extension: ranked by ts_rank over the GIN index's
# matches), and a word in 43% of the abstracts with or without it.
TARGET_SEARCH_STOCK_P99_MS = 250
TARGET_SEARCH_BROAD_P99_MS = 400
TARGET_DEEP_RATIO = 1.5
# Each web page against its API twin (the same data as JSON, same reader), same run.
TARGET_WEB_TWIN_SHARE = 0.40
TARGET_WEB_P99_MS = 250
TARGET_TAGS_SQL_MS = 20
# Members, by session and by API token: each of these at this share of the floor's req/s or
# more, with this p99; their longest thread with its own p99.
SIGNED_IN_LINES = (
    "hot_member", "tag_member", "paper_member", "comments_member",
    "hot_token", "tag_token", "paper_token", "comments_token",
)  # fmt: skip
THREAD_LINES = ("comments_max_member", "comments_max_token")
TARGET_SIGNED_IN_FLOOR_SHARE = 0.40
TARGET_SIGNED_IN_P99_MS = 100
TARGET_THREAD_P99_MS = 250
# "web": only the floor, the web pages and their API twins; "api": only the API's lines;
# "signed-in": only the floor and the members' API lines (SIGNED_IN_LINES, longest thread);
# "search": only the floor and the two searches, with the rum extension and without it.
ONLY = os.environ.get("BENCH_API_ONLY", "")

# wrk's own summary has no 95th percentile: this script prints what we need as JSON.
WRK_REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass
class Endpoint:
    key: str
    label: str
    path: str
    note: str = ""
    # Who asks: "anonymous", "member" / "moderator" signed in with a session cookie, or
    # "token": the member with their API token.
    role: str = "anonymous"
    # A web page's API twin: the key of the endpoint that serves the same data as JSON.
    twin: str | None = None
    result: dict = field(default_factory=dict)
    rounds: list[dict] = field(default_factory=list)
    size: int = 0


# --- the server -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(port: int, database_url: str | None = None) -> dict:
    env = seed_api.django_env()
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    env.update(
        GUNICORN_BIND=f"127.0.0.1:{port}",
        API_THROTTLE_ANON_READ="off",
        API_THROTTLE_ANON_WRITE="off",
        API_THROTTLE_USER_READ="off",
        API_THROTTLE_USER_WRITE="off",
    )
    if CACHE_URL:  # the Django cache production has (Redis), instead of one per process
        env["CACHE_URL"] = CACHE_URL
    return env


def start_server(port: int, log_path: Path, database_url: str | None = None) -> subprocess.Popen:
    log = log_path.open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"],
        cwd=ROOT,
        env=server_env(port, database_url),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole below
    )


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see its log")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"/healthz did not answer within {timeout:.0f} s")


def gunicorn_shape(log_path: Path) -> str:
    """Workers and threads as config/gunicorn.py resolved them, and max_requests."""
    from config import gunicorn as conf  # reads the same environment variables

    workers = os.environ.get("WEB_CONCURRENCY") or conf.workers
    threads = os.environ.get("GUNICORN_THREADS") or conf.threads
    max_requests = os.environ.get("GUNICORN_MAX_REQUESTS") or conf.max_requests
    sockets = "a socket per worker" if conf.reuse_port else "one socket shared by the workers"
    cache = f"cache {CACHE_URL}" if CACHE_URL else "a cache in each worker's memory"
    return f"{workers} workers x {threads} threads, max_requests {max_requests}, {sockets}, {cache}"


def get_json(url: str, headers: dict | None = None) -> tuple[int, dict | None, int]:
    """(status, JSON body or None, size) of a plain GET; None for a body that is not JSON
    (the web pages)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            kind = response.headers.get("Content-Type", "")
            return response.status, json.loads(body) if "json" in kind else None, len(body)
    except urllib.error.HTTPError as exc:
        return exc.code, None, 0


# Session cookies of the signed-in lines, filled by main() (seed_api.sessions).
SESSIONS: dict[str, str] = {}


def role_headers(role: str) -> dict:
    if role == "anonymous":
        return {}
    if role == "token":  # the member, by API token
        return {"Authorization": f"Token {SESSIONS['token']}"}
    return {"Cookie": f"{SESSIONS['cookie']}={SESSIONS[role]}"}


# --- the endpoints ----------------------------------------------------------------------------
def bench_choices() -> dict:
    """The tag of median size and the most commented paper, read from the bench database."""
    import psycopg

    with psycopg.connect(seed_api.DB_URL) as conn:
        tags = conn.execute(
            "SELECT t.slug, count(*) FROM curation_papertag pt "
            "JOIN curation_tag t ON t.id = pt.tag_id GROUP BY t.slug ORDER BY 2 DESC, 1"
        ).fetchall()
        latest_day = conn.execute(
            "SELECT max(first_digest_on) FROM papers_paper WHERE status = 'published'"
        ).fetchone()[0]
        chatty = conn.execute(
            "SELECT id, comment_count FROM papers_paper WHERE status = 'published' "
            "ORDER BY comment_count DESC, id LIMIT 1"
        ).fetchone()
        searches = {
            word: conn.execute(
                "SELECT count(*) FROM papers_paper p JOIN papers_papersearch s "
                "ON s.paper_id = p.id WHERE p.status = 'published' "
                "AND s.search_vector @@ websearch_to_tsquery('english', %s)",
                [word],
            ).fetchone()[0]
            for word in (SEARCH, SEARCH_BROAD)
        }
    wanted = os.environ.get("BENCH_API_TAG")
    tag = next((t for t in tags if t[0] == wanted), None) if wanted else tags[len(tags) // 2]
    if tag is None:
        raise SystemExit(f"BENCH_API_TAG={wanted}: no such tag with papers")
    return {"tag": tag, "chatty": chatty, "searches": searches, "day": latest_day.isoformat()}


def endpoints(base: str, choices: dict) -> list[Endpoint]:
    """The URLs to load, resolved against the running server: page 100 by following `next`,
    the paper as the first of the hot feed."""
    hot = "/api/papers/?order=hot"
    status, page, _ = get_json(base + hot)
    if status != 200 or not page or not page.get("results"):
        raise SystemExit(f"GET {hot} answered {status}; is the papers API there?")
    top_paper = page["results"][0]["id"]
    url = base + hot
    started = time.perf_counter()
    second = page["next"].removeprefix(base)
    for _ in range(DEEP_PAGE - 1):
        _, page, _ = get_json(url)
        url = page["next"]
    walk = time.perf_counter() - started
    deep = url.removeprefix(base)
    slug, tag_papers = choices["tag"]
    chatty_id, chatty_comments = choices["chatty"]
    hits = choices["searches"]
    day = choices["day"]
    points = [
        Endpoint("floor", "floor: /healthz", "/healthz"),
        Endpoint("hot", "hot feed, page 1", hot),
        # Page 1 may come from the cache of anonymous first pages (curation.api.papers,
        # ANONYMOUS_FEED_CACHE_SECONDS); page 2 runs page 1's query the way page 100 does
        # (cursor, database, serialization): the depth check compares page 100 with it.
        Endpoint("second", "hot feed, page 2", second, "page 1's work, never cached"),
        Endpoint(
            "deep",
            f"hot feed, page {DEEP_PAGE}",
            deep,
            f"cursor found by following next {DEEP_PAGE - 1} times in {walk:.1f} s",
        ),
        Endpoint("tag", "tag feed", f"/api/papers/?tag={slug}", f"{slug}: {tag_papers} papers"),
        Endpoint("search", "search", f"/api/papers/?q={SEARCH}", f"{hits[SEARCH]} matches"),
        Endpoint("paper", "paper", f"/api/papers/{top_paper}/", "first of the hot feed"),
        Endpoint(
            "comments",
            "its comments",
            f"/api/papers/{top_paper}/comments/",
            "first of the hot feed",
        ),
        Endpoint(
            "search_broad",
            "broad search",
            f"/api/papers/?q={SEARCH_BROAD}",
            f"{hits[SEARCH_BROAD]} matches",
        ),
        Endpoint(
            "comments_max",
            "(info) longest thread",
            f"/api/papers/{chatty_id}/comments/",
            f"{chatty_comments} visible comments",
        ),
        Endpoint("day", "digest day", f"/api/papers/?date={day}", "the latest day"),
    ]
    # The web pages, each beside its API twin, anonymous and signed in (a member's session).
    pages = [
        # (name, web path, API twin's anonymous key, API twin's path)
        ("home", "/", "hot", hot),
        ("day", f"/?date={day}", "day", f"/api/papers/?date={day}"),
        ("paper", f"/papers/{top_paper}/", "paper", f"/api/papers/{top_paper}/"),
        ("tag", f"/tags/{slug}/", "tag", f"/api/papers/?tag={slug}"),
        ("search", f"/search/?q={SEARCH}", "search", f"/api/papers/?q={SEARCH}"),
    ]
    for name, web, api_key, api_path in pages:
        points.append(Endpoint(f"web_{name}", f"web {name}", web, twin=api_key))
        points.append(Endpoint(f"{api_key}_member", f"{api_key}, member", api_path, role="member"))
        points.append(
            Endpoint(
                f"web_{name}_member",
                f"web {name}, member",
                web,
                role="member",
                twin=f"{api_key}_member",
            )
        )
    # The signed-in API lines of SIGNED_IN_LINES not made above: by session and by token.
    points.append(
        Endpoint(
            "comments_member", "its comments, member", f"/api/papers/{top_paper}/comments/",
            role="member",
        )
    )  # fmt: skip
    twins = {"hot": hot, "tag": f"/api/papers/?tag={slug}", "paper": f"/api/papers/{top_paper}/"}
    twins["comments"] = f"/api/papers/{top_paper}/comments/"
    for key, path in twins.items():
        points.append(Endpoint(f"{key}_token", f"{key}, token", path, role="token"))
    for role in ("member", "token"):
        points.append(
            Endpoint(
                f"comments_max_{role}",
                f"longest thread, {'member' if role == 'member' else 'token'}",
                f"/api/papers/{chatty_id}/comments/",
                f"{chatty_comments} visible comments",
                role=role,
            )
        )
    points.append(Endpoint("queue", "moderation queue", "/api/moderation/queue/", role="moderator"))
    points.append(
        Endpoint(
            "web_queue", "web moderation queue", "/moderation/", role="moderator", twin="queue"
        )
    )
    return points


# --- search on a stock PostgreSQL -------------------------------------------------------------
def stock_database() -> str:
    """A copy of the bench database without the rum extension (its RUM index goes with it),
    made from the bench database as a template: search as a stock PostgreSQL answers it
    (ts_rank over the GIN index's matches, curation.selectors.papers_search). Its URL."""
    import psycopg

    base, _, name = seed_api.DB_URL.rpartition("/")
    stock = f"{name}_stock"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{stock}"')
        # A file copy: the default of PostgreSQL 15 writes the whole copy to the WAL.
        strategy = " STRATEGY = FILE_COPY" if conn.info.server_version >= 150000 else ""
        conn.execute(f'CREATE DATABASE "{stock}" TEMPLATE "{name}"{strategy}')
    url = f"{base}/{stock}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP EXTENSION IF EXISTS rum CASCADE")
    return url


def stock_database_drop(url: str) -> None:
    import psycopg

    base, _, stock = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{stock}"')


def stock_search(choices: dict, script: Path) -> list[Endpoint]:
    """The floor and the two searches served from a copy of the database without the rum
    extension, by a gunicorn of its own; the copy is dropped after."""
    hits = choices["searches"]
    points = [
        Endpoint("floor_stock", "floor, stock PostgreSQL", "/healthz"),
        Endpoint(
            "search_stock",
            "search, stock PostgreSQL",
            f"/api/papers/?q={SEARCH}",
            f"{hits[SEARCH]} matches, no rum extension",
        ),
        Endpoint(
            "search_broad_stock",
            "broad search, stock",
            f"/api/papers/?q={SEARCH_BROAD}",
            f"{hits[SEARCH_BROAD]} matches, no rum extension",
        ),
    ]
    started = time.perf_counter()
    url = stock_database()
    print(
        f"a copy without the rum extension made in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = OUT / "bench-api-gunicorn-stock.log"
    proc = start_server(port, log_path, url)
    try:
        wait_ready(base, proc)
        load(base, points, script, log_path, proc.pid)
    finally:
        stop_server(proc)
        stock_database_drop(url)
    return points


# The SQL time of one /api/tags/ request, through the app on the bench database: the median
# of 20 requests' summed query times (Django's own timing of each query).
TAGS_SQL_SNIPPET = """
import statistics
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client()
times = []
for _ in range(21):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/tags/", HTTP_HOST="127.0.0.1").status_code == 200
    times.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
print(statistics.median(times[1:]))
"""


def tags_sql_ms() -> float:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", TAGS_SQL_SNIPPET],
        cwd=ROOT,
        env=server_env(0),
        check=True,
        capture_output=True,
        text=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


# --- the load ---------------------------------------------------------------------------------
def wrk(url: str, seconds: int, script: Path, headers: dict | None = None) -> dict:
    header_args = [
        arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")
    ]
    result = subprocess.run(
        [
            "wrk",
            *header_args,
            f"-t{WRK_THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = [x for x in result.stdout.splitlines() if x.startswith("{")][-1]
    report = json.loads(line)
    duration = report["duration_us"] / 1e6
    report["rps"] = report["requests"] / duration
    for p in ("p50", "p95", "p99", "max"):
        report[f"{p}_ms"] = report[f"{p}_us"] / 1000
    report["errors_total"] = sum(report["errors"].values())
    report["bytes_per_request"] = report["bytes"] / max(report["requests"], 1)
    return report


def server_cpu_seconds(master_pid: int) -> float:
    """CPU time used so far by gunicorn: the master, its live workers and the workers it has
    reaped. Per request, it is what a request costs the application whatever else runs."""

    def times(pid: int) -> tuple[int, list[int]]:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[1]), [int(x) for x in fields[11:15]]  # ppid; utime..cstime

    _, (utime, stime, cutime, cstime) = times(master_pid)
    ticks = utime + stime + cutime + cstime
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid, (u, s, _, _) = times(int(entry))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if ppid == master_pid:
                ticks += u + s
    return ticks / os.sysconf("SC_CLK_TCK")


def worker_restarts(log_path: Path, since: int) -> int:
    """Workers gunicorn booted again (max_requests) since `since` bytes of its log."""
    with log_path.open("rb") as log:
        log.seek(since)
        return log.read().count(b"Autorestarting worker")


def load(base: str, points: list[Endpoint], script: Path, log_path: Path, pid: int) -> None:
    for point in points:
        status, _, size = get_json(base + point.path, role_headers(point.role))
        if status != 200:
            raise SystemExit(f"GET {point.path} as {point.role} answered {status}")
        point.size = size
    for number in range(1, ROUNDS + 1):
        print(f"round {number} of {ROUNDS}", flush=True)
        for point in points:
            headers = role_headers(point.role)
            if WARMUP:
                wrk(base + point.path, WARMUP, script, headers)
            offset = log_path.stat().st_size
            cpu = server_cpu_seconds(pid)
            r = wrk(base + point.path, SECONDS, script, headers)
            r["server_cpu_ms"] = (server_cpu_seconds(pid) - cpu) * 1000 / max(r["requests"], 1)
            r["worker_restarts"] = worker_restarts(log_path, offset)
            point.rounds.append(r)
            print(
                f"  {point.label:<26} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:6.1f}  "
                f"p95 {r['p95_ms']:6.1f}  p99 {r['p99_ms']:6.1f} ms  ({point.size / 1000:.1f} kB, "
                f"gunicorn CPU {r['server_cpu_ms']:.1f} ms/request, "
                f"{r['worker_restarts']} worker restarts"
                f"{', ' + str(r['errors_total']) + ' errors' if r['errors_total'] else ''})",
                flush=True,
            )
    for point in points:
        point.result = combine_rounds(point.rounds)


MEDIAN_FIGURES = ("rps", "p50_ms", "p95_ms", "p99_ms", "server_cpu_ms", "bytes_per_request")
SUMMED_FIGURES = ("requests", "errors_total", "worker_restarts")


def combine_rounds(rounds: list[dict]) -> dict:
    """Each figure's median over the rounds (counts summed), and the rounds themselves."""
    combined = {k: statistics.median(r[k] for r in rounds) for k in MEDIAN_FIGURES}
    combined.update({k: sum(r[k] for r in rounds) for k in SUMMED_FIGURES})
    combined["rounds"] = [{k: r[k] for k in MEDIAN_FIGURES + SUMMED_FIGURES} for r in rounds]
    return combined


# --- report -----------------------------------------------------------------------------------
def _share_verdict(
    label: str, result: dict, reference: dict, of: str, share_target: float, p99_target: int
) -> tuple[str, bool]:
    """A line's requests/s as a share of `reference`'s (`of` names it) and its p99."""
    share = result["rps"] / max(reference["rps"], 1e-9)
    return (
        f"{label}: {share:.0%} of {of} req/s (>= {share_target:.0%}), p99 "
        f"{result['p99_ms']:.1f} ms < {p99_target} ms",
        share >= share_target and result["p99_ms"] < p99_target,
    )


def check_web(points: dict[str, Endpoint]) -> list[tuple[str, bool]]:
    """Each web page against its API twin measured in the same run."""
    return [
        _share_verdict(
            point.label,
            point.result,
            points[point.twin].result,
            "its API twin's",
            TARGET_WEB_TWIN_SHARE,
            TARGET_WEB_P99_MS,
        )  # fmt: skip
        for point in points.values()
        if point.twin is not None and point.twin in points
    ]


def check_signed_in(points: dict[str, Endpoint]) -> list[tuple[str, bool]]:
    """The members' lines (session and token) against the floor of the same run."""
    floor = points["floor"].result
    verdicts = [
        _share_verdict(
            points[key].label,
            points[key].result,
            floor,
            "the floor's",
            TARGET_SIGNED_IN_FLOOR_SHARE,
            TARGET_SIGNED_IN_P99_MS,
        )  # fmt: skip
        for key in SIGNED_IN_LINES
        if key in points
    ]
    for key in THREAD_LINES:
        if key in points:
            r = points[key].result
            verdicts.append(
                (
                    f"{points[key].label}: p99 {r['p99_ms']:.1f} ms < {TARGET_THREAD_P99_MS} ms",
                    r["p99_ms"] < TARGET_THREAD_P99_MS,
                )
            )
    return verdicts


def check(points: dict[str, Endpoint]) -> list[tuple[str, bool]]:
    if ONLY == "web":
        return check_web(points) + check_answered(points)
    if ONLY == "signed-in":
        return check_signed_in(points) + check_answered(points)
    if ONLY == "search":
        return check_search(points) + check_answered(points)
    return (
        check_api(points)
        + check_search(points)
        + check_signed_in(points)
        + check_web(points)
        + check_answered(points)
    )


def check_search(points: dict[str, Endpoint]) -> list[tuple[str, bool]]:
    """The search lines: with the rum extension (the bench database) and without it."""
    targets = [
        ("search", TARGET_SEARCH_P99_MS),
        ("search_broad", TARGET_SEARCH_BROAD_P99_MS),
        ("search_stock", TARGET_SEARCH_STOCK_P99_MS),
        ("search_broad_stock", TARGET_SEARCH_BROAD_P99_MS),
    ]
    if ONLY != "search":  # check_api judges the search line itself
        targets = targets[1:]
    return [
        (
            f"{points[key].label} p99 {points[key].result['p99_ms']:.1f} ms < {target} ms",
            points[key].result["p99_ms"] < target,
        )
        for key, target in targets
        if key in points
    ]


def check_answered(points: dict[str, Endpoint]) -> list[tuple[str, bool]]:
    return [
        (
            "every endpoint answered, no failed request (non-2xx, socket errors, timeouts)",
            all(
                p.result["errors_total"] == 0 and p.result["requests"] > 0 for p in points.values()
            ),
        ),
    ]


def check_api(points: dict[str, Endpoint]) -> list[tuple[str, bool]]:
    floor, hot, deep, search = (points[k].result for k in ("floor", "hot", "deep", "search"))
    share = hot["rps"] / max(floor["rps"], 1e-9)
    # Like for like: a cached page 1 would measure the cache, not the cost of depth.
    second = points["second"].result
    ratio = deep["p99_ms"] / max(second["p99_ms"], 1e-9)
    ratio_first = deep["p99_ms"] / max(hot["p99_ms"], 1e-9)
    return [
        (
            f"hot feed p99 {hot['p99_ms']:.1f} ms < {TARGET_HOT_P99_MS} ms",
            hot["p99_ms"] < TARGET_HOT_P99_MS,
        ),
        (
            f"hot feed throughput {share:.0%} of the floor's >= {TARGET_HOT_FLOOR_SHARE:.0%}",
            share >= TARGET_HOT_FLOOR_SHARE,
        ),
        (
            f"search p99 {search['p99_ms']:.1f} ms < {TARGET_SEARCH_P99_MS} ms",
            search["p99_ms"] < TARGET_SEARCH_P99_MS,
        ),
        (
            f"page {DEEP_PAGE} p99 = {ratio:.2f} x page 2's (page 1 uncached) "
            f"<= {TARGET_DEEP_RATIO} ({ratio_first:.2f} x the served page 1's)",
            ratio <= TARGET_DEEP_RATIO,
        ),
    ]


def print_table(points: list[Endpoint]) -> None:
    floor_rps = points[0].result["rps"]
    print()
    print(
        f"| {'endpoint':<26} | {'req/s':>7} | {'of floor':>8} | {'p50 ms':>7} | {'p95 ms':>7} "
        f"| {'p99 ms':>7} | {'CPU ms':>6} | {'kB':>5} | {'restarts':>8} | notes"
    )
    print(
        f"|{'-' * 28}|{'-' * 9}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 8}|{'-' * 7}"
        f"|{'-' * 10}|------"
    )
    for point in points:
        r = point.result
        print(
            f"| {point.label:<26} | {r['rps']:7.0f} | {r['rps'] / max(floor_rps, 1e-9):8.0%} "
            f"| {r['p50_ms']:7.1f} | {r['p95_ms']:7.1f} | {r['p99_ms']:7.1f} "
            f"| {r['server_cpu_ms']:6.1f} "
            f"| {r['bytes_per_request'] / 1000:5.1f} | {r['worker_restarts']:8} | {point.note}"
        )
    print()


def cpu_busy(seconds: float = 2.0) -> float:
    """Share of the machine's CPU time spent busy over `seconds` (other work skews figures)."""

    def sample():
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields) - idle, sum(fields)

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(total1 - total0, 1)


def main(argv: list[str]) -> int:
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk (make bench-api does it)")
        return 2
    # A TERM (a CI timeout, say) still goes through the `finally` that stops gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    OUT.mkdir(parents=True, exist_ok=True)
    info = seed_api.ensure_seeded(reseed="--reseed" in argv)
    choices = bench_choices()
    time.sleep(1)  # let the ANALYZE and the counts above settle before judging the machine
    busy = cpu_busy()
    if busy > 0.15:
        print(
            f"WARNING: the machine is {busy:.0%} busy before the run (other processes share "
            "its cores): the figures below are skewed; run again when it is idle."
        )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = OUT / "bench-api-gunicorn.log"
    script = OUT / "wrk-report.lua"
    script.write_text(WRK_REPORT_LUA)
    # As production does before it serves: the pages' static files with their hashed names.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server_env(port),
        check=True,
    )
    SESSIONS.update(seed_api.sessions())
    tags_sql = tags_sql_ms()
    proc = start_server(port, log_path)
    try:
        wait_ready(base, proc)
        points = endpoints(base, choices)
        if ONLY == "web":
            twins = {p.twin for p in points if p.twin}
            points = [p for p in points if p.key == "floor" or p.twin or p.key in twins]
        elif ONLY == "api":
            points = [p for p in points if not p.key.startswith("web_")]
        elif ONLY == "signed-in":
            wanted = {"floor", *SIGNED_IN_LINES, *THREAD_LINES}
            points = [p for p in points if p.key in wanted]
        elif ONLY == "search":
            points = [p for p in points if p.key in ("floor", "search", "search_broad")]
        print(
            f"gunicorn on {base} ({gunicorn_shape(log_path)}; log {log_path.relative_to(ROOT)}); "
            f"wrk: {CONNECTIONS} connections, {WRK_THREADS} threads, {SECONDS} s each "
            f"after {WARMUP} s of warm-up, {ROUNDS} rounds (the table gives medians)",
            flush=True,
        )
        load(base, points, script, log_path, proc.pid)
    finally:
        stop_server(proc)
    if ONLY in ("", "api", "search"):
        points += stock_search(choices, script)
    print_table(points)
    by_key = {p.key: p for p in points}
    verdicts = check(by_key)
    verdicts.append(
        (
            f"/api/tags/ runs {tags_sql:.1f} ms of SQL (median of 20) < {TARGET_TAGS_SQL_MS} ms",
            tags_sql < TARGET_TAGS_SQL_MS,
        )
    )
    for text, ok in verdicts:
        print(f"  [{'ok' if ok else 'MISSED'}] {text}")
    ok = all(good for _, good in verdicts)
    (OUT / "bench-api.json").write_text(
        json.dumps(
            {
                "seed": {k: str(v) for k, v in info.items()},
                "cpu_busy_before": busy,
                "endpoints": {p.key: {"path": p.path, "note": p.note, **p.result} for p in points},
                "targets": [{"check": t, "ok": g} for t, g in verdicts],
            },
            indent=2,
        )
    )
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    with common.served_as_in_production():
        status = main(sys.argv[1:])
    sys.exit(status)
