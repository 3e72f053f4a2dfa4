"""Recommendations benchmark: `make bench-recs`.

1. Copies the papers of the bench database of `make bench-api` (BENCH_API_DATABASE_URL,
   default paperboard_bench_api: 100,000 published papers and 2,000 pending ones) into a
   database of its own (BENCH_RECS_DATABASE_URL, default paperboard_bench_recs; dropped and
   created each run, then migrated). The bench database is only read: one `COPY ... TO
   STDOUT` of its papers in a read-only transaction. When it is missing or incomplete, this
   says how to seed it and exits 2.
2. **Fit**: a child process under production settings runs `features_fit()` on them and
   reports its time (and each step's), and its peak resident memory (VmHWM).
3. **How near the fast way is**: right after the fit, the related lists of 200 papers
   against the exact top 10, for information (the bench corpus is the hard case for it: its
   abstracts are words drawn at random, so a paper is near others through common words only,
   which the topic way finds; see recommendations/engine/neighbours.py).
4. **A new day**: a child process adds 100 published papers (made as seed_api.py makes
   them, of the samples' words) and times `recommendations_refresh()`: their vectors with the
   current vocabulary, their related papers, and their place in the others' lists. First in
   a fresh process (which loads the published vectors), then another 100 in the same
   process, as a worker that has run before does it.
5. **Serving**: gunicorn (config/gunicorn.py, production settings, throttles off) and wrk,
   16 connections for 10 s after 2 s of warm-up, on `/api/papers/<id>/related/` (a Lua script
   cycling through 10,000 papers) beside the floor `/healthz`, each round one after the other,
   3 rounds, medians.

Targets: fit < 3 min with a peak below 1.5 GB; a day of 100 papers < 2 s (by a worker that
has run before; the first run of a process is reported beside it); the related endpoint's
p99 < 50 ms. Exits 1 when one is missed.

Environment: BENCH_RECS_DATABASE_URL, BENCH_API_DATABASE_URL, BENCH_RECS_SECONDS (10),
BENCH_RECS_WARMUP (2), BENCH_RECS_ROUNDS (3), BENCH_RECS_CONNECTIONS (16), BENCH_RECS_PAPERS
(only the first N papers: a quick check of the script, not a measure).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import api, common, seed_api  # noqa: E402

OUT = ROOT / "bench" / "out"
DB_URL = os.environ.get(
    "BENCH_RECS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/paperboard_bench_recs"
)
SECONDS = int(os.environ.get("BENCH_RECS_SECONDS", "10"))
WARMUP = int(os.environ.get("BENCH_RECS_WARMUP", "2"))
ROUNDS = int(os.environ.get("BENCH_RECS_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_RECS_CONNECTIONS", "16"))
# Only the first this many papers (a quick check of the script itself); all by default.
PAPERS = int(os.environ.get("BENCH_RECS_PAPERS", "0"))
NEW_DAY = 100
QUALITY_SAMPLE = 200
CYCLED_PAPERS = 10_000

TARGET_FIT_SECONDS = 180
TARGET_FIT_PEAK_MB = 1536
TARGET_DAY_SECONDS = 2.0
TARGET_RELATED_P99_MS = 50

# Columns copied as they are; the generated hot score is computed again, and the submitters
# (members, not copied) are left out.
SKIPPED_COLUMNS = {"hot_score", "submitted_by_id"}
MSG_NOT_SEEDED = (
    "The bench database {name} is missing or incomplete. Seed it once with `make bench-api` "
    "(or `.venv/bin/python bench/seed_api.py`, about 3 to 4 minutes); this benchmark only "
    "reads it."
)


def django_env(**extra: str) -> dict:
    return common.production_env(DB_URL, ALLOWED_HOSTS="127.0.0.1,localhost", **extra)


# --- 1. the papers ----------------------------------------------------------------------------
def copy_papers() -> int:
    """The bench database's papers into ours (read-only there); returns how many."""
    import psycopg

    common.recreate_database(DB_URL)
    common.migrate(django_env())
    with psycopg.connect(seed_api.DB_URL) as source, psycopg.connect(DB_URL) as target:
        source.execute("SET TRANSACTION READ ONLY")
        theirs = _columns(source)
        ours = _columns(target)
        columns = [c for c in theirs if c in ours and c not in SKIPPED_COLUMNS]
        names = ", ".join(f'"{c}"' for c in columns)
        limit = f" ORDER BY id LIMIT {PAPERS}" if PAPERS else ""
        with (
            source.cursor().copy(
                f"COPY (SELECT {names} FROM papers_paper{limit}) TO STDOUT"
            ) as out,
            target.cursor().copy(f"COPY papers_paper ({names}) FROM STDIN") as into,
        ):
            for block in out:
                into.write(block)
        target.execute(
            "SELECT setval(pg_get_serial_sequence('papers_paper', 'id'), max(id)) FROM papers_paper"
        )
        count = target.execute("SELECT count(*) FROM papers_paper").fetchone()[0]
        target.commit()
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE papers_paper")
    return count


def _columns(conn) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'papers_paper' ORDER BY ordinal_position"
    ).fetchall()
    return [row[0] for row in rows]


# --- the child processes ----------------------------------------------------------------------
def peak_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def child_fit() -> dict:
    _setup()
    from recommendations.services import features_fit

    baseline = peak_mb()
    started = time.perf_counter()
    version = features_fit()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "baseline_mb": baseline,
        "status": version.status if version else None,
        "error": version.error if version else "no fit",
        "papers": version.paper_count if version else 0,
        "vectors": version.vector_count if version else 0,
        "text_features": version.text_features if version else 0,
        "author_features": version.author_features if version else 0,
        "method": version.neighbour_method if version else "",
        "steps": version.timings if version else {},
    }


def _new_papers(rng: random.Random, words: list[str], start: int, day) -> list:
    from papers.models import Paper, PaperStatus
    from papers.parsing import normalize_title

    authors_pool = [f"{a} {b}" for a in ("Ada", "Alan", "Grace", "Yann", "Fei-Fei", "Geoffrey")
                    for b in ("Lovelace", "Turing", "Hopper", "LeCun", "Li", "Hinton")]  # fmt: skip
    papers = []
    for i in range(start, start + NEW_DAY):
        title = " ".join(rng.choices(words, k=rng.randint(6, 12))).capitalize() + f" new {i}"
        abstract = " ".join(rng.choices(words, k=rng.randint(120, 200)))
        authors = rng.sample(authors_pool, rng.randint(1, 6))
        papers.append(
            Paper(
                title=title,
                title_key=normalize_title(title),
                abstract=abstract[0].upper() + abstract[1:] + ".",
                authors=authors,
                author_count=len(authors),
                first_digest_on=day,
                status=PaperStatus.PUBLISHED,
            )
        )
    return Paper.objects.bulk_create(papers)


def child_day() -> dict:
    _setup()
    import datetime

    from recommendations.models import PaperVector, RelatedPaper
    from recommendations.services import recommendations_refresh

    rng = random.Random(20261202)
    words = common.vocabulary(
        "digest-aug22-plain.txt", "digest-mar12-no-title-line.txt", "digest-nov13-with-meta.txt"
    )
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    days = []
    for number in range(2):
        papers = _new_papers(rng, words, number * NEW_DAY, tomorrow + datetime.timedelta(number))
        started = time.perf_counter()
        result = recommendations_refresh()
        seconds = time.perf_counter() - started
        ids = [p.pk for p in papers]
        days.append(
            {
                "seconds": seconds,
                "steps": result.seconds,
                "transformed": result.transformed,
                "offered": result.offered,
                "with_vector": PaperVector.objects.filter(paper_id__in=ids).count(),
                "with_related": RelatedPaper.objects.filter(paper_id__in=ids)
                .values("paper_id")
                .distinct()
                .count(),
                "listed_by_others": RelatedPaper.objects.filter(related_id__in=ids).count(),
            }
        )
    return {"days": days, "peak_mb": peak_mb()}


def child_quality() -> dict:
    """The stored lists of QUALITY_SAMPLE published papers against the exact top 10 (right
    after the fit: every vector is the fit's)."""
    _setup()
    import numpy as np

    from recommendations.engine.neighbours import TargetIndex
    from recommendations.models import PaperVector, RelatedPaper
    from recommendations.selectors import feature_version_current
    from recommendations.storage import model_load, vectors_read

    version = feature_version_current()
    model = model_load(version)
    ids, matrix = vectors_read(
        PaperVector.objects.filter(version=version, paper__status="published", fitted=True),
        model.n_features,
    )
    rng = np.random.default_rng(7)
    rows = np.sort(rng.choice(len(ids), size=min(QUALITY_SAMPLE, len(ids)), replace=False))
    started = time.perf_counter()
    exact = TargetIndex(matrix, ids, exact=True).nearest(matrix[rows], k=10, query_ids=ids[rows])
    exact_seconds = time.perf_counter() - started
    overlaps, first = [], []
    for row, pk in enumerate(ids[rows].tolist()):
        stored = list(
            RelatedPaper.objects.filter(paper_id=pk)
            .order_by("-score", "related_id")
            .values_list("related_id", flat=True)[:10]
        )
        truth = [t for t in exact.ids[row].tolist() if t >= 0]
        overlaps.append(len(set(stored) & set(truth)) / max(len(truth), 1))
        first.append(bool(stored) and bool(truth) and stored[0] == truth[0])
    return {
        "sample": len(rows),
        "recall_at_10": float(np.mean(overlaps)),
        "top_1": float(np.mean(first)),
        "exact_seconds_per_query": exact_seconds / len(rows),
        "papers": len(ids),
    }


CHILDREN = {"fit": child_fit, "day": child_day, "quality": child_quality}


def run_child(name: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", name],
        cwd=ROOT,
        env=django_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- 5. serving -------------------------------------------------------------------------------
def start_server(port: int, log_path: Path) -> subprocess.Popen:
    env = django_env(GUNICORN_BIND=f"127.0.0.1:{port}")
    scopes = ("ANON_READ", "ANON_WRITE", "USER_READ", "USER_WRITE")
    env.update({f"API_THROTTLE_{scope}": "off" for scope in scopes})
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole
    )


CYCLE_LUA = """
local ids = {{{ids}}}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/papers/" .. ids[(i % #ids) + 1] .. "/related/")
end
"""


def cycled_papers() -> list[int]:
    import psycopg

    with psycopg.connect(DB_URL) as conn:
        rows = conn.execute(
            "SELECT id FROM papers_paper WHERE status = 'published' ORDER BY md5(id::text) "
            "LIMIT %s",
            [CYCLED_PAPERS],
        ).fetchall()
    return [row[0] for row in rows]


def serve_and_load() -> dict:
    api.SECONDS, api.CONNECTIONS = SECONDS, CONNECTIONS
    port = api.free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = OUT / "bench-recs-gunicorn.log"
    report = OUT / "wrk-report.lua"
    report.write_text(api.WRK_REPORT_LUA)
    ids = cycled_papers()
    cycle = OUT / "wrk-related.lua"
    cycle.write_text(CYCLE_LUA.format(ids=", ".join(map(str, ids))) + api.WRK_REPORT_LUA)
    proc = start_server(port, log_path)
    rounds: dict[str, list[dict]] = {"floor": [], "related": []}
    try:
        api.wait_ready(base, proc)
        status, body, size = api.get_json(f"{base}/api/papers/{ids[0]}/related/")
        if status != 200 or not body or len(body["results"]) != 10:
            raise SystemExit(f"/api/papers/{ids[0]}/related/ answered {status}: {body}")
        print(
            f"gunicorn on {base} ({api.gunicorn_shape(log_path)}); wrk: {CONNECTIONS} "
            f"connections, {SECONDS} s each after {WARMUP} s of warm-up, {ROUNDS} rounds",
            flush=True,
        )
        for number in range(1, ROUNDS + 1):
            for key, url, script in (
                ("floor", f"{base}/healthz", report),
                ("related", f"{base}/api/papers/{ids[0]}/related/", cycle),
            ):
                if WARMUP:
                    api.wrk(url, WARMUP, script)
                cpu = api.server_cpu_seconds(proc.pid)
                r = api.wrk(url, SECONDS, script)
                r["server_cpu_ms"] = (
                    (api.server_cpu_seconds(proc.pid) - cpu) * 1000 / max(r["requests"], 1)
                )
                r["worker_restarts"] = 0
                rounds[key].append(r)
                print(
                    f"  round {number} {key:<8} {r['rps']:7.0f} req/s  p50 {r['p50_ms']:5.1f}  "
                    f"p95 {r['p95_ms']:5.1f}  p99 {r['p99_ms']:5.1f} ms  (gunicorn CPU "
                    f"{r['server_cpu_ms']:.1f} ms/request"
                    f"{', ' + str(r['errors_total']) + ' errors' if r['errors_total'] else ''})",
                    flush=True,
                )
    finally:
        api.stop_server(proc)
    result = {key: api.combine_rounds(values) for key, values in rounds.items()}
    result["related"]["bytes"] = size
    return result


# --- the run ----------------------------------------------------------------------------------
def main(argv: list[str]) -> int:
    import shutil

    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk (make bench-recs does it)")
        return 2
    if seed_api.seeded_info() is None:
        print(MSG_NOT_SEEDED.format(name=seed_api.database_name()))
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    OUT.mkdir(parents=True, exist_ok=True)
    busy = api.cpu_busy()
    if busy > 0.15:
        print(
            f"WARNING: the machine is {busy:.0%} busy before the run (other processes share "
            "its cores): the figures below are skewed; run again when it is idle."
        )
    started = time.perf_counter()
    count = copy_papers()
    print(f"{count:,} papers copied from {seed_api.database_name()} into "
          f"{common.database_name(DB_URL)} in {time.perf_counter() - started:.0f} s")  # fmt: skip

    fit = run_child("fit")
    if fit["status"] != "ready":
        print(f"the fit failed: {fit['error']}")
        return 1
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in fit["steps"].items())
    print(
        f"fit: {fit['papers']:,} published papers, {fit['vectors']:,} vectors, "
        f"{fit['text_features']:,} terms and {fit['author_features']} authors, neighbours "
        f"{fit['method']}: {fit['seconds']:.1f} s ({steps}); peak memory {fit['peak_mb']:.0f} MB "
        f"(after start-up {fit['baseline_mb']:.0f} MB)"
    )
    quality = run_child("quality")
    print(
        f"the stored lists of {quality['sample']} papers against the exact top 10: "
        f"{quality['recall_at_10']:.0%} of the exact top 10 found, the nearest first in "
        f"{quality['top_1']:.0%} (the exact way costs {quality['exact_seconds_per_query']:.3f} s "
        f"a paper: {quality['exact_seconds_per_query'] * quality['papers'] / 60:.0f} min for all)"
    )
    day = run_child("day")
    for label, figures in zip(("first run of a process", "a worker that ran before"),
                              day["days"], strict=True):  # fmt: skip
        print(
            f"a new day of {NEW_DAY} papers, {label}: {figures['seconds']:.2f} s "
            f"({', '.join(f'{k} {v:.2f} s' for k, v in figures['steps'].items())}); "
            f"{figures['with_vector']} with a vector, {figures['with_related']} with related "
            f"papers, {figures['listed_by_others']} places in the others' lists"
        )
    served = serve_and_load()
    floor, related = served["floor"], served["related"]
    print(
        f"/healthz (floor): {floor['rps']:.0f} req/s, p99 {floor['p99_ms']:.1f} ms; "
        f"/api/papers/<id>/related/: {related['rps']:.0f} req/s "
        f"({related['rps'] / floor['rps']:.0%} of the floor), p50 {related['p50_ms']:.1f}, "
        f"p99 {related['p99_ms']:.1f} ms, {related['server_cpu_ms']:.1f} ms of gunicorn CPU "
        f"a request, {related['bytes'] / 1000:.1f} kB"
    )

    warm = day["days"][1]
    verdicts = [
        (f"fit {fit['seconds']:.0f} s < {TARGET_FIT_SECONDS} s",
         fit["seconds"] < TARGET_FIT_SECONDS),
        (f"fit peak {fit['peak_mb']:.0f} MB < {TARGET_FIT_PEAK_MB} MB",
         fit["peak_mb"] < TARGET_FIT_PEAK_MB),
        (f"a day of {NEW_DAY} papers {warm['seconds']:.2f} s < {TARGET_DAY_SECONDS} s "
         f"(first run of a process: {day['days'][0]['seconds']:.2f} s)",
         warm["seconds"] < TARGET_DAY_SECONDS and warm["with_related"] == NEW_DAY),
        (f"related p99 {related['p99_ms']:.1f} ms < {TARGET_RELATED_P99_MS} ms "
         f"(floor p99 {floor['p99_ms']:.1f} ms)",
         related["p99_ms"] < TARGET_RELATED_P99_MS and related["errors_total"] == 0),
    ]  # fmt: skip
    for text, ok in verdicts:
        print(f"  [{'ok' if ok else 'MISSED'}] {text}")
    ok = all(good for _, good in verdicts)
    (OUT / "bench-recs.json").write_text(
        json.dumps(
            {
                "cpu_busy_before": busy,
                "papers": count,
                "fit": fit,
                "day": day,
                "quality": quality,
                "served": served,
                "targets": [{"check": t, "ok": g} for t, g in verdicts],
            },
            indent=2,
            default=str,
        )
    )
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(CHILDREN[sys.argv[2]](), default=str))
    else:
        with common.served_as_in_production():
            status = main(sys.argv[1:])
        sys.exit(status)
