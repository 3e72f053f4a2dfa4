"""Fills the database of `make bench-api` (see bench/api.py), once.

100,000 published papers over 500 digest days (the last one today), 10,000 members,
1,000,000 votes, 100,000 comments (a fifth of them replies, 1% deleted and 1% hidden) and
50 tags (about 1.8 per paper). Papers go in with COPY (titles and abstracts drawn from the
samples' words, so word frequencies look like real abstracts); everything else is
INSERT ... SELECT over generate_series, in SQL. Votes and comments fall on papers with a
skewed popularity (a few papers get thousands of votes, most a handful), spread over the
whole range of digest days. Then, as the services would have left them: vote_count and
comment_count set by one UPDATE from aggregates, the full-text index filled by
papers.services.search_index.search_index_refresh, and VACUUM ANALYZE.

A table `bench_seed` written last marks the database as complete; a later run that finds it
(with the same SEED_VERSION and sizes) keeps the data, only applying new migrations. The
seeding is deterministic (fixed seeds in Python and PostgreSQL).

    python bench/seed_api.py [--reseed]

Environment: BENCH_API_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/paperboard_bench_api; dropped and created when seeding).
"""

from __future__ import annotations

import datetime
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bench.common import admin_url, production_env, vocabulary  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_API_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/paperboard_bench_api"
)

# Bump when the shape of the seeded data changes: a database seeded by another version is
# seeded again.
SEED_VERSION = 3
SIZES = {
    "papers": 100_000,
    "members": 10_000,
    "votes": 1_000_000,
    "comments": 100_000,
    "tags": 50,
    # What waits for moderators: members' submissions and flagged comments.
    "pending": 2_000,
    "flags": 500,
}
DAYS = 500
REPLY_SHARE = 0.2
# Popularity: the paper of a vote or comment is the rank floor(N * random()^SKEW), mapped to
# a paper by a multiplication modulo N (a permutation, N and the factor being coprime), so
# the popular papers are spread over all the digest days, not bunched on the first ids.
SKEW = 2
PERMUTE = 7919

TAG_NAMES = [
    "Large Language Models", "Diffusion Models", "Computer Vision", "Reinforcement Learning",
    "Speech", "Robotics", "Graph Neural Networks", "Optimization", "Theory", "Benchmarks",
    "Datasets", "Efficiency", "Quantization", "Distillation", "Retrieval", "Agents",
    "Multimodal", "Video", "3D", "Medical", "Safety", "Alignment", "Interpretability",
    "Fairness", "Privacy", "Federated Learning", "Time Series", "Recommender Systems",
    "Code Generation", "Mathematics", "Reasoning", "Vision Transformers", "Self-Supervised",
    "Contrastive Learning", "Generative Adversarial Networks", "Audio", "Music", "Translation",
    "Summarization", "Question Answering", "Tabular Data", "Scientific ML", "Climate",
    "Biology", "Chemistry", "Embodied AI", "Autonomous Driving", "Hardware", "Compilers",
    "Evaluation",
]  # fmt: skip
COMMENT_BODIES = [
    ("Nice result. Did you try it on *larger* models?",
     "<p>Nice result. Did you try it on <em>larger</em> models?</p>\n"),
    ("The ablation in section 4 is the interesting part.",
     "<p>The ablation in section 4 is the interesting part.</p>\n"),
    ("Code: [github](https://example.com/code)",
     '<p>Code: <a href="https://example.com/code" rel="nofollow ugc">github</a></p>\n'),
    ("How does this compare to the baseline of last week's top paper?",
     "<p>How does this compare to the baseline of last week's top paper?</p>\n"),
    ("- clear writing\n- weak baselines\n- no error bars",
     "<ul>\n<li>clear writing</li>\n<li>weak baselines</li>\n<li>no error bars</li>\n</ul>\n"),
]  # fmt: skip


# --- databases --------------------------------------------------------------------------------
def database_name() -> str:
    return common.database_name(DB_URL)


def recreate_database() -> None:
    common.recreate_database(DB_URL)


def database_exists() -> bool:
    import psycopg

    with psycopg.connect(admin_url(DB_URL), autocommit=True) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database_name()]
        ).fetchone()
    return row is not None


def django_env() -> dict:
    """Production settings on the bench database (also the server's, see bench/api.py)."""
    return production_env(DB_URL, ALLOWED_HOSTS="127.0.0.1,localhost")


def migrate() -> None:
    common.migrate(django_env())


# Signs in a member and a moderator (made if missing) and prints their session keys as JSON:
# the signed-in lines of bench/api.py send them as the session cookie.
SESSIONS_SNIPPET = """
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from importlib import import_module
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
User = get_user_model()
member = User.objects.filter(is_staff=False, username__startswith="member").order_by("id").first()
moderator, _ = User.objects.get_or_create(username="bench-moderator")
moderator.groups.add(Group.objects.get(name="moderators"))
keys = {}
for role, user in (("member", member), ("moderator", moderator)):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    keys[role] = session.session_key
from accounts.services import api_token_create
keys["token"] = api_token_create(user=member).secret  # the member's API token, rotated
print(json.dumps({"cookie": settings.SESSION_COOKIE_NAME, **keys}))
"""


def sessions() -> dict:
    """{"cookie": the session cookie's name, "member": key, "moderator": key, "token": the
    member's API token}."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", SESSIONS_SNIPPET],
        cwd=ROOT,
        env=django_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the marker -------------------------------------------------------------------------------
def _wanted() -> dict:
    return {"version": SEED_VERSION, **SIZES, "days": DAYS}


def seeded_info() -> dict | None:
    """What bench_seed says about the database, if it is complete and of this version."""
    import psycopg

    if not database_exists():
        return None
    with psycopg.connect(DB_URL) as conn:
        exists = conn.execute("SELECT to_regclass('bench_seed')").fetchone()[0]
        if exists is None:
            return None
        row = conn.execute("SELECT params, seeded_on FROM bench_seed").fetchone()
    if row is None or row[0] != _wanted():
        return None
    return {**row[0], "seeded_on": row[1]}


# --- the papers (COPY) ------------------------------------------------------------------------
def _paper_rows(today: datetime.date):
    from papers.parsing import normalize_title

    rng = random.Random(20261126)
    words = vocabulary(
        "digest-aug22-plain.txt", "digest-mar12-no-title-line.txt", "digest-nov13-with-meta.txt"
    )
    papers = SIZES["papers"]
    first_day = today - datetime.timedelta(days=DAYS - 1)
    authors_pool = [f"{a} {b}" for a in ("Ada", "Alan", "Grace", "Yann", "Fei-Fei", "Geoffrey")
                    for b in ("Lovelace", "Turing", "Hopper", "LeCun", "Li", "Hinton")]  # fmt: skip
    for i in range(papers):
        day = first_day + datetime.timedelta(days=i * DAYS // papers)
        title = " ".join(rng.choices(words, k=rng.randint(6, 12))).capitalize() + f" {i + 1}"
        abstract = " ".join(rng.choices(words, k=rng.randint(120, 200)))
        authors = rng.sample(authors_pool, rng.randint(1, 6))
        yield (
            title,
            normalize_title(title),
            abstract[0].upper() + abstract[1:] + ".",
            json.dumps(authors),
            len(authors),
            day - datetime.timedelta(days=rng.randint(1, 60)),
            day,
            rng.randint(0, 40),
            "published",
        )


# --- seeding ----------------------------------------------------------------------------------
def _step(label: str):
    class _Timer:
        def __enter__(self):
            self.started = time.perf_counter()
            print(f"  {label} ...", end="", flush=True)

        def __exit__(self, *exc):
            print(f" {time.perf_counter() - self.started:.1f} s", flush=True)

    return _Timer()


def seed() -> dict:
    """Drop, create, migrate and fill the bench database; returns the marker's content."""
    import psycopg

    today = datetime.date.today()
    started = time.perf_counter()
    print(f"seeding {database_name()} (once; --reseed forces it again):", flush=True)
    with _step("drop, create, migrate"):
        recreate_database()
        migrate()
    members, papers = SIZES["members"], SIZES["papers"]
    with psycopg.connect(DB_URL) as conn, conn.cursor() as cur:
        # Every id below is taken from the rows just written; skipping the foreign-key
        # triggers for the bulk inserts saves a lookup per row.
        cur.execute("SET session_replication_role = replica")
        cur.execute("SELECT setseed(0.42)")
        with _step(f"{papers:,} papers (COPY)"):
            with cur.copy(
                "COPY papers_paper (title, title_key, abstract, authors, author_count, "
                "published_on, first_digest_on, upvotes, status, created_at, updated_at) "
                "FROM STDIN"
            ) as copy:
                now = datetime.datetime.now(datetime.UTC)
                for row in _paper_rows(today):
                    copy.write_row((*row, now, now))
            cur.execute(
                "CREATE TEMP TABLE paper_rank AS "
                "SELECT id, row_number() OVER (ORDER BY id) - 1 AS rank FROM papers_paper"
            )
            cur.execute("CREATE UNIQUE INDEX ON paper_rank (rank)")
        with _step(f"{DAYS} digests, {papers:,} digest entries"):
            cur.execute(
                "INSERT INTO papers_digest (date, created_at) "
                "SELECT DISTINCT first_digest_on, now() FROM papers_paper"
            )
            cur.execute(
                "INSERT INTO papers_digestentry (digest_id, paper_id, position, upvotes, "
                "metadata) "
                "SELECT d.id, p.id, "
                "row_number() OVER (PARTITION BY p.first_digest_on ORDER BY p.id), "
                "p.upvotes, '{}'::jsonb "
                "FROM papers_paper p JOIN papers_digest d ON d.date = p.first_digest_on"
            )
        with _step(f"{members:,} members"):
            cur.execute(
                "INSERT INTO auth_user (password, is_superuser, username, first_name, "
                "last_name, email, is_staff, is_active, date_joined) "
                "SELECT '!', false, 'member' || lpad(i::text, 5, '0'), '', '', "
                "'member' || i || '@example.com', false, true, "
                "now() - make_interval(mins => i) "
                "FROM generate_series(1, %s) AS i",
                [members],
            )
            cur.execute(
                "CREATE TEMP TABLE member_rank AS "
                "SELECT id, row_number() OVER (ORDER BY id) - 1 AS rank FROM auth_user"
            )
            cur.execute("CREATE UNIQUE INDEX ON member_rank (rank)")
        with _step(f"{SIZES['tags']} tags, paper tags"):
            for name in TAG_NAMES[: SIZES["tags"]]:
                slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
                cur.execute(
                    "INSERT INTO curation_tag (name, slug, description, paper_count, created_at) "
                    "VALUES (%s, %s, '', 0, now())",
                    [name, slug],
                )
            cur.execute(
                "CREATE TEMP TABLE tag_rank AS "
                "SELECT id, row_number() OVER (ORDER BY id) - 1 AS rank FROM curation_tag"
            )
            # Up to three draws per paper, each kept with probability 0.6; tag popularity
            # skewed (the first tag on about one paper in five, the last on a few hundred).
            cur.execute(
                "INSERT INTO curation_papertag (paper_id, tag_id, added_by_id, created_at) "
                "SELECT d.paper_id, t.id, m.id, now() "
                "FROM (SELECT p.id AS paper_id, floor(%(tags)s * random() ^ 2)::int AS tr, "
                "  floor(%(members)s * random())::int AS mr, random() AS keep "
                "  FROM papers_paper p CROSS JOIN generate_series(1, 3)) d "
                "JOIN tag_rank t ON t.rank = d.tr JOIN member_rank m ON m.rank = d.mr "
                "WHERE d.keep < 0.6 "
                "ON CONFLICT DO NOTHING",
                {"tags": SIZES["tags"], "members": members},
            )
        with _step(f"{SIZES['votes']:,} votes"):
            while True:
                have = cur.execute("SELECT count(*) FROM curation_vote").fetchone()[0]
                missing = SIZES["votes"] - have
                if missing <= 0:
                    break
                cur.execute(
                    "INSERT INTO curation_vote (user_id, paper_id, created_at) "
                    "SELECT m.id, p.id, now() - make_interval(secs => random() * 86400 * 30) "
                    "FROM (SELECT floor(%(members)s * random())::int AS mr, "
                    "  (floor(%(papers)s * random() ^ %(skew)s)::bigint * %(permute)s) "
                    "    %% %(papers)s AS pr "
                    "  FROM generate_series(1, %(draws)s)) d "
                    "JOIN member_rank m ON m.rank = d.mr JOIN paper_rank p ON p.rank = d.pr "
                    "LIMIT %(missing)s "
                    "ON CONFLICT DO NOTHING",
                    {
                        "members": members,
                        "papers": papers,
                        "skew": SKEW,
                        "permute": PERMUTE,
                        "draws": int(missing * 1.05) + 1000,
                        "missing": missing,
                    },
                )
        with _step(f"{SIZES['comments']:,} comments"):
            replies = int(SIZES["comments"] * REPLY_SHARE)
            roots = SIZES["comments"] - replies
            bodies = json.dumps(COMMENT_BODIES)
            cur.execute(
                "CREATE TEMP TABLE comment_body AS SELECT (ordinality - 1)::int AS rank, "
                "b->>0 AS body, b->>1 AS body_html "
                "FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS x(b, ordinality)",
                [bodies],
            )
            comment_sql = (
                "INSERT INTO curation_comment (paper_id, author_id, parent_id, body, body_html, "
                "created_at, deleted_at, hidden_at, hidden_reason) "
                "SELECT {paper}, m.id, {parent}, "
                "CASE WHEN d.fate < 0.01 THEN '' ELSE b.body END, "
                "CASE WHEN d.fate < 0.01 THEN '' ELSE b.body_html END, "
                "{created}, "
                "CASE WHEN d.fate < 0.01 THEN {created} + interval '1 hour' END, "
                "CASE WHEN d.fate >= 0.01 AND d.fate < 0.02 THEN {created} + interval '2 hours' "
                "END, "
                "CASE WHEN d.fate >= 0.01 AND d.fate < 0.02 THEN 'Off-topic.' ELSE '' END "
                "FROM (SELECT floor(%(members)s * random())::int AS mr, "
                "  floor(%(bodies)s * random())::int AS br, random() AS fate, "
                "  random() AS pick, random() AS hours, "
                "  (floor(%(papers)s * random() ^ %(skew)s)::bigint * %(permute)s) "
                "    %% %(papers)s AS pr "
                "  FROM generate_series(1, %(n)s)) d "
                "JOIN member_rank m ON m.rank = d.mr JOIN comment_body b ON b.rank = d.br "
                "{join}"
            )
            params = {
                "members": members,
                "bodies": len(COMMENT_BODIES),
                "papers": papers,
                "skew": SKEW,
                "permute": PERMUTE,
            }
            cur.execute(
                comment_sql.format(
                    paper="p.id",
                    parent="NULL",
                    created="(pp.first_digest_on + make_interval(hours => (d.hours * 72)::int))"
                    "::timestamptz",
                    join="JOIN paper_rank p ON p.rank = d.pr JOIN papers_paper pp ON pp.id = p.id",
                ),
                {**params, "n": roots},
            )
            # Replies answer a root comment drawn at random, on that comment's paper.
            cur.execute(
                "CREATE TEMP TABLE root_rank AS SELECT id, paper_id, created_at, "
                "row_number() OVER (ORDER BY id) - 1 AS rank FROM curation_comment"
            )
            cur.execute("CREATE UNIQUE INDEX ON root_rank (rank)")
            cur.execute(
                comment_sql.format(
                    paper="r.paper_id",
                    parent="r.id",
                    created="(r.created_at + make_interval(mins => (d.hours * 600)::int))",
                    join="JOIN root_rank r ON r.rank = floor(d.pick * %(roots)s)::int",
                ),
                {**params, "n": replies, "roots": roots},
            )
        with _step(f"{SIZES['pending']:,} pending papers, {SIZES['flags']} flagged comments"):
            cur.execute(
                "INSERT INTO papers_paper (title, title_key, abstract, authors, author_count, "
                "upvotes, status, submitted_by_id, vote_count, comment_count, created_at, "
                "updated_at) "
                "SELECT 'Submitted: ' || p.title, p.title_key || ' submitted ' || p.id, "
                "p.abstract, p.authors, p.author_count, 0, 'pending', m.id, 0, 0, "
                "now() - make_interval(mins => p.rank::int), now() "
                "FROM (SELECT pp.*, r.rank FROM papers_paper pp "
                "  JOIN paper_rank r ON r.id = pp.id WHERE r.rank < %(n)s) p "
                "JOIN member_rank m ON m.rank = p.rank %% %(members)s",
                {"n": SIZES["pending"], "members": members},
            )
            cur.execute(
                "INSERT INTO curation_commentflag (comment_id, user_id, reason, note, "
                "created_at) "
                "SELECT c.id, m.id, 'spam', '', now() "
                "FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rank "
                "  FROM curation_comment WHERE deleted_at IS NULL "
                "  ORDER BY id LIMIT %(n)s) c "
                "JOIN member_rank m ON m.rank = (c.rank * 7) %% %(members)s",
                {"n": SIZES["flags"], "members": members},
            )
        with _step("vote_count, comment_count (one UPDATE from aggregates)"):
            cur.execute(
                "WITH v AS (SELECT paper_id, count(*) AS n FROM curation_vote GROUP BY paper_id), "
                "c AS (SELECT paper_id, count(*) AS n FROM curation_comment "
                "  WHERE deleted_at IS NULL AND hidden_at IS NULL GROUP BY paper_id) "
                "UPDATE papers_paper p SET vote_count = coalesce(v.n, 0), "
                "  comment_count = coalesce(c.n, 0) "
                "FROM papers_paper p0 LEFT JOIN v ON v.paper_id = p0.id "
                "LEFT JOIN c ON c.paper_id = p0.id "
                "WHERE p.id = p0.id"
            )
        cur.execute("SET session_replication_role = DEFAULT")
        conn.commit()
    with _step("full-text index (search_index_refresh)"):
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-v",
                "0",
                "-c",
                "from papers.services.search_index import search_index_refresh; "
                "search_index_refresh(batch_size=5000)",
            ],
            cwd=ROOT,
            env=django_env(),
            check=True,
        )
    with _step("tag counts (tag_counts_refresh)"):
        subprocess.run(
            [sys.executable, "manage.py", "tag_counts_refresh", "-v", "0"],
            cwd=ROOT,
            env=django_env(),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    with _step("VACUUM ANALYZE"), psycopg.connect(DB_URL, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    counts = table_counts()
    print(f"  rows: {counts}")
    with psycopg.connect(DB_URL) as conn:
        conn.execute("CREATE TABLE bench_seed (params jsonb NOT NULL, seeded_on date NOT NULL)")
        conn.execute("INSERT INTO bench_seed VALUES (%s, %s)", [json.dumps(_wanted()), today])
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
    return {**_wanted(), "seeded_on": today}


def table_counts() -> dict:
    import psycopg

    tables = {
        "papers": "papers_paper WHERE status = 'published'",
        "pending": "papers_paper WHERE status = 'pending'",
        "flags": "curation_commentflag",
        "members": "auth_user",
        "votes": "curation_vote",
        "comments": "curation_comment",
        "tags": "curation_tag",
        "paper_tags": "curation_papertag",
        "unindexed": "papers_paper p WHERE NOT EXISTS "
        "(SELECT 1 FROM papers_papersearch s WHERE s.paper_id = p.id)",
    }
    with psycopg.connect(DB_URL) as conn:
        return {
            name: conn.execute(f"SELECT count(*) FROM {sql}").fetchone()[0]
            for name, sql in tables.items()
        }


def ensure_seeded(*, reseed: bool = False) -> dict:
    """The bench database, seeded if it is not already (or if `reseed`); new migrations
    are applied to a kept database, and its statistics refreshed."""
    info = None if reseed else seeded_info()
    if info is None:
        return seed()
    print(f"keeping {database_name()}, seeded on {info['seeded_on']} (--reseed to redo)")
    migrate()
    import psycopg

    with psycopg.connect(DB_URL, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return info


if __name__ == "__main__":
    ensure_seeded(reseed="--reseed" in sys.argv[1:])
    print(table_counts())
