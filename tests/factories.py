"""factory_boy factories for the whole suite."""

import datetime
import functools
import hashlib

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from papers.models import Digest, DigestEntry, Dump, DumpStatus, Paper, PaperStatus
from papers.parsing import normalize_title

DEFAULT_PASSWORD = "factory-pass-123"


@functools.cache
def _default_password_hash() -> str:
    # Hashing is slow on purpose; one hash, computed once, serves every user of the suite.
    return make_password(DEFAULT_PASSWORD)


class UserFactory(DjangoModelFactory):
    """A user whose password is DEFAULT_PASSWORD."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.LazyFunction(_default_password_hash)


class StaffUserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class PaperFactory(DjangoModelFactory):
    class Meta:
        model = Paper

    title = factory.Sequence(lambda n: f"A Study of Things, Part {n}")
    title_key = factory.LazyAttribute(lambda p: normalize_title(p.title))
    abstract = factory.Faker("paragraph")
    first_digest_on = datetime.date(2024, 8, 22)
    status = PaperStatus.PUBLISHED


class DumpFactory(DjangoModelFactory):
    """A finished dump. The stored file's bytes make its sha256, so two dumps never clash."""

    class Meta:
        model = Dump

    class Params:
        content = factory.Sequence(lambda n: f"dump {n}\n".encode())

    original_name = factory.Sequence(lambda n: f"digest-{n}.txt")
    file = factory.LazyAttribute(lambda d: ContentFile(d.content, name=d.original_name))
    sha256 = factory.LazyAttribute(lambda d: hashlib.sha256(d.content).hexdigest())
    size = factory.LazyAttribute(lambda d: len(d.content))
    uploaded_by = factory.SubFactory(StaffUserFactory)
    status = DumpStatus.DONE
    progress_done = 3
    progress_total = 3
    stats = factory.LazyFunction(
        lambda: {
            "digests": 1,
            "entries": 3,
            "new_entries": 3,
            "new_papers": 2,
            "existing_papers": 1,
            "warnings": 1,
        }
    )
    warnings = factory.LazyFunction(
        lambda: [{"line": 12, "message": "The last title has no abstract; it was skipped."}]
    )
    warning_count = 1


class DigestFactory(DjangoModelFactory):
    class Meta:
        model = Digest
        django_get_or_create = ("date",)

    date = factory.Sequence(lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(days=n))


class DigestEntryFactory(DjangoModelFactory):
    class Meta:
        model = DigestEntry

    digest = factory.SubFactory(DigestFactory)
    paper = factory.SubFactory(PaperFactory)
    position = factory.Sequence(lambda n: n + 1)


# --- Curation ------------------------------------------------------------------------------


class ModeratorFactory(UserFactory):
    """A member of the "moderators" group (created here if a flushed test database lost it)."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def moderators_group(obj, create, extracted, **kwargs):
        if create:
            from accounts.roles import moderator_grant

            moderator_grant(user=obj)


class TagFactory(DjangoModelFactory):
    class Meta:
        model = "curation.Tag"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda t: t.name.lower().replace(" ", "-"))
    description = ""


class PaperTagFactory(DjangoModelFactory):
    """A tag on a paper written directly; the tag's paper_count is counted again, as the tag
    services keep it."""

    class Meta:
        model = "curation.PaperTag"

    paper = factory.SubFactory(PaperFactory)
    tag = factory.SubFactory(TagFactory)
    added_by = factory.SubFactory(UserFactory)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            from curation.services import tag_counts_refresh

            tag_counts_refresh(tag_ids=[instance.tag_id])


class CommentFactory(DjangoModelFactory):
    """A comment row written directly (no count update): use curation.services to test
    rules; this is for building fixtures around them."""

    class Meta:
        model = "curation.Comment"

    paper = factory.SubFactory(PaperFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment number {n}.")
    body_html = factory.LazyAttribute(lambda c: f"<p>{c.body}</p>\n")
    created_at = factory.LazyFunction(timezone.now)


# --- Reading group -------------------------------------------------------------------------


class ReadingSessionFactory(DjangoModelFactory):
    """A session row written directly, a week from now unless told (past ones included: the
    services refuse to make those); use readinggroup.services to test rules."""

    class Meta:
        model = "readinggroup.ReadingSession"

    title = factory.Sequence(lambda n: f"Reading session {n}")
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=7)).replace(microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(hours=1))
    time_zone = "UTC"
    organizer = factory.SubFactory(UserFactory)
    updated_at = factory.LazyFunction(timezone.now)


class SessionPaperFactory(DjangoModelFactory):
    class Meta:
        model = "readinggroup.SessionPaper"

    session = factory.SubFactory(ReadingSessionFactory)
    paper = factory.SubFactory(PaperFactory)
    proposed_by = factory.SubFactory(UserFactory)


# --- Lists ---------------------------------------------------------------------------------


class PaperListFactory(DjangoModelFactory):
    """A list written directly: use lists.services to test rules."""

    class Meta:
        model = "lists.PaperList"

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Reading list {n}")
    visibility = "personal"


class ListItemFactory(DjangoModelFactory):
    """An item written directly, at the given position (the services keep them dense)."""

    class Meta:
        model = "lists.ListItem"

    paper_list = factory.SubFactory(PaperListFactory)
    paper = factory.SubFactory(PaperFactory)
    position = factory.Sequence(lambda n: n + 1)
    added_by = factory.LazyAttribute(lambda item: item.paper_list.owner)


def tag_suggestion_make(*, tag, paper, score: float = 1.0):
    """A stored suggestion of `paper` for `tag`, as a training writes it (on a ready
    feature version, made if there is none)."""
    from django.utils import timezone

    from recommendations.models import FeatureVersion, FeatureVersionStatus, TagSuggestion

    version = FeatureVersion.objects.filter(status=FeatureVersionStatus.READY).first()
    if version is None:
        version = FeatureVersion.objects.create(status=FeatureVersionStatus.READY)
    return TagSuggestion.objects.create(
        tag=tag, paper=paper, score=score, version=version, created_at=timezone.now()
    )
