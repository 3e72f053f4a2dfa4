"""Schemathesis against the OpenAPI schema, in-process, as reader, member, moderator and admin.

Every operation of /api/schema/ is called through the Django WSGI application with requests
generated from the schema (valid ones, and invalid ones that must be refused), over a world of
real rows so that paths with an id or a slug also reach existing papers, comments, tags and
dumps. Each answer must not be a server error, must match the schema's description of that
status (response_schema_conformance) and must be one of the statuses the schema documents
(status_code_conformance). Throttles are off; the rest (log-in lockout included) is as in
production.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_token_create
from config.wsgi import application
from curation.models import FlagReason
from curation.services.comments import comment_create, comment_flag, comment_hide
from curation.services.tags import paper_tag_add, tag_create
from curation.services.votes import vote_cast
from papers.models import DumpStatus, Paper, PaperStatus
from tests.factories import (
    DigestEntryFactory,
    DigestFactory,
    DumpFactory,
    ModeratorFactory,
    PaperFactory,
    SessionPaperFactory,
    StaffUserFactory,
    UserFactory,
)

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# Credentials come from the role only (an anonymous reader sends none).
schema.config.generation.update(with_security_parameters=False)
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)

# Ids and slugs of the world of the running test; the path parameters draw from them.
WORLD: dict[str, list] = {}


@schema.hook("flatmap_path_parameters")
def real_objects(context, path_parameters):
    """Half the time, the id or slug of an existing row instead of the generated one."""
    path = context.operation.path
    kind = path.split("/")[2]  # /api/<kind>/{id}/...
    known = WORLD.get(kind, [])
    key = "slug" if "{slug}" in path else "id"
    if not path_parameters or key not in path_parameters or not known:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters[key], *known]).map(
        lambda value: {**path_parameters, key: value}
    )


@pytest.fixture
def wsgi_in_test_transaction():
    """Calling the WSGI application directly fires request_finished, whose handler closes the
    database connection when it is inside a transaction: the test's own. Django's test
    client keeps it open the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, settings, wsgi_in_test_transaction):
    """Papers in every state on a digest day, comments (a reply, a flag, a hidden one), tags
    and dumps, made through the services where they keep counts; throttles off. Returns a
    published paper."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(
            ["anon_read", "anon_write", "user_read", "user_write"], "off"
        ),
    }
    authors = [UserFactory(username="author"), UserFactory(username="reader")]
    keeper = ModeratorFactory(username="keeper")
    papers = [PaperFactory(status=status) for status in PaperStatus.values for _ in range(2)]
    digest = DigestFactory()
    for position, paper in enumerate(papers, start=1):
        DigestEntryFactory(digest=digest, paper=paper, position=position)
    published = next(p for p in papers if p.status == PaperStatus.PUBLISHED)
    # The source's figures and links, so that their answers are checked with values in them.
    Paper.objects.filter(pk=published.pk).update(
        upvotes=12,
        source_comment_count=0,
        github_repo="https://github.com/example/romath",
        github_stars=57,
        thumbnail_url="https://cdn.example.org/romath.png",
        ai_summary="A benchmark.",
        ai_keywords=["benchmark", "Romanian"],
        organization="upb",
        source_submitted_by="akhaliq",
    )
    tags = [tag_create(moderator=keeper, name=name) for name in ("Graphs", "Vision")]
    paper_tag_add(paper=published, tag=tags[0], user=authors[0])
    first = comment_create(user=authors[0], paper=published, body="A *first* comment.")
    reply = comment_create(user=authors[1], paper=published, body="A reply.", parent=first)
    hidden = comment_create(user=authors[1], paper=published, body="Gone soon.")
    comment_flag(comment=first, user=authors[1], reason=FlagReason.values[0])
    comment_hide(comment=hidden, moderator=keeper, reason="Off topic.")
    dumps = [DumpFactory(), DumpFactory(status=DumpStatus.FAILED, error="The file is empty.")]
    session = SessionPaperFactory(paper=published, proposed_by=authors[0]).session
    WORLD.clear()
    WORLD.update(
        papers=[p.pk for p in papers],
        comments=[c.pk for c in (first, reply, hidden)],
        tags=[t.slug for t in tags],
        dumps=[d.pk for d in dumps],
        sessions=[session.pk],
    )
    yield published
    WORLD.clear()


def token_headers(user) -> dict:
    return {"Authorization": f"Token {api_token_create(user=user).secret}"}


@pytest.fixture
def anonymous(world):
    return {}


@pytest.fixture
def member(world):
    """A member with a comment and a vote of their own, to edit, delete and withdraw."""
    user = UserFactory(username="member")
    WORLD["comments"].append(comment_create(user=user, paper=world, body="Mine.").pk)
    vote_cast(user=user, paper=world)
    return token_headers(user)


@pytest.fixture
def moderator(world):
    return token_headers(ModeratorFactory(username="moderator"))


@pytest.fixture
def admin(world):
    """Staff, the only role that may upload and read dumps."""
    return token_headers(StaffUserFactory(username="staff"))


def call_and_check(case, headers):
    case.call_and_validate(headers=headers, checks=CHECKS)


@schema.parametrize()
@EXAMPLES
def test_api_as_anonymous(case, anonymous):
    call_and_check(case, anonymous)


@schema.parametrize()
@EXAMPLES
def test_api_as_member(case, member):
    call_and_check(case, member)


@schema.parametrize()
@EXAMPLES
def test_api_as_moderator(case, moderator):
    call_and_check(case, moderator)


@schema.parametrize()
@EXAMPLES
def test_api_as_admin(case, admin):
    call_and_check(case, admin)
