"""The recommendations' services on the real database: the fit (vectors, related lists,
versions), papers transformed on arrival with the current vocabulary, papers published
later, changed texts, the refit threshold, and the writers' hook that sends the refresh."""

from __future__ import annotations

import contextlib
import datetime
import time

import numpy as np
import pytest
from django.db import connection

from curation.services import paper_edit, paper_hide, paper_publish
from papers.models import Paper, PaperStatus
from recommendations.models import FeatureVersion, FeatureVersionStatus, PaperVector, RelatedPaper
from recommendations.selectors import feature_version_current, related_papers
from recommendations.services import (
    RELATED_STORED,
    features_fit,
    recommendations_refresh,
    refit_due,
)
from recommendations.services.features import (
    FIT_LOCK_SQL,
    MODELS_KEPT,
    MSG_INTERRUPTED,
    MSG_NO_TERMS,
    fit_lock,
)
from recommendations.storage import ModelCorrupt, model_load, vectors_read
from tests.factories import ModeratorFactory, PaperFactory, UserFactory
from tests.recommendations.topics import topics_of

pytestmark = pytest.mark.django_db

NERF_ABSTRACT = (
    "We present a neural radiance field (NeRF) for novel view synthesis from monocular "
    "videos, rendering radiance fields with point-based neural rendering and generalizable "
    "scene representations."
)


def _lists() -> dict[int, list[tuple[int, float]]]:
    lists: dict[int, list[tuple[int, float]]] = {}
    for paper, related, score in RelatedPaper.objects.order_by("paper_id", "-score").values_list(
        "paper_id", "related_id", "score"
    ):
        lists.setdefault(paper, []).append((related, score))
    return lists


def _vectors(version):
    return vectors_read(PaperVector.objects.filter(version=version), model_load(version).n_features)


def test_a_fit_gives_every_paper_its_vector_and_its_nearest_published_papers(sample_papers):
    pending = PaperFactory(
        title="A pending NeRF paper", abstract=NERF_ABSTRACT, status=PaperStatus.PENDING
    )
    version = features_fit()

    assert version.status == FeatureVersionStatus.READY
    assert feature_version_current() == version
    published = Paper.objects.published().count()
    assert version.paper_count == published == 184
    assert version.vector_count == Paper.objects.count() == 185
    assert version.neighbour_method == "exact"
    assert 1000 < version.text_features < 50_000
    assert PaperVector.objects.filter(version=version, fitted=True).count() == 185
    # Every vector a unit vector; the related lists are exactly the nearest published papers
    # by cosine, the paper itself left out, best first.
    ids, matrix = _vectors(version)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    assert np.allclose(norms[norms > 0], 1, atol=1e-5)
    is_published = np.isin(ids, list(Paper.objects.published().values_list("pk", flat=True)))
    cosine = (matrix @ matrix[is_published].T).toarray()
    lists = _lists()
    assert set(lists) == set(ids.tolist())
    for row, pk in enumerate(ids.tolist()):
        expected = sorted(
            (
                (score, other)
                for other, score in zip(ids[is_published], cosine[row], strict=True)
                if other != pk and score > 0
            ),
            key=lambda pair: (-pair[0], pair[1]),
        )[:RELATED_STORED]
        got = lists[pk]
        assert [other for other, _ in got] == [other for _, other in expected]
        assert np.allclose([s for _, s in got], [s for s, _ in expected], atol=1e-5)
    # The pending paper has its list; nobody lists it.
    assert pending.pk in lists
    assert not RelatedPaper.objects.filter(related=pending).exists()


def test_related_papers_read_as_a_reader_would_judge_them(sample_papers):
    features_fit()
    for title, topic in [
        ("NeuRBF", "neural-fields-3d"),
        ("FastSpeech", "speech-audio"),
        ("Mamba", "sequence-models"),
        ("Sparse Autoencoders Enable", "interpretability"),
    ]:
        paper = Paper.objects.get(title__startswith=title)
        related = [Paper.objects.get(pk=item.id) for item in related_papers(paper_id=paper.pk)]
        assert len(related) == 10
        # Most of the nearest five share the paper's topic, as a person tagged them
        # (tests/fixtures/topic-tags.json).
        same = [p.title for p in related[:5] if topic in topics_of(p.title, p.abstract)]
        assert len(same) >= 3, (title, [p.title for p in related[:5]])


def test_a_new_paper_is_transformed_with_the_current_vocabulary_and_joins_the_lists(
    sample_papers,
):
    version = features_fit()
    neighbour = Paper.objects.get(title__startswith="MonoNeRF")
    new = PaperFactory(title="Generalizable NeRF from videos", abstract=NERF_ABSTRACT)

    result = recommendations_refresh()

    assert result.transformed == 1 and result.offered == 1 and not result.fit_sent
    assert FeatureVersion.objects.filter(status=FeatureVersionStatus.READY).count() == 1
    vector = PaperVector.objects.get(paper=new)
    assert vector.version_id == version.pk and not vector.fitted and vector.offered
    own = [item.id for item in related_papers(paper_id=new.pk)]
    assert neighbour.pk in own[:3]
    # Offered to its nearest papers' lists, where it beats their weakest.
    assert RelatedPaper.objects.filter(paper=neighbour, related=new).exists()
    assert RelatedPaper.objects.filter(paper=neighbour).count() == RELATED_STORED
    # Transformed with the fitted vocabulary: the same vector a fit's transform gives.
    model = model_load(version)
    _, stored = vectors_read(PaperVector.objects.filter(paper=new), model.n_features)
    from recommendations.storage import paper_text

    direct = model.transform([paper_text(new.title, new.abstract, new.authors)])
    assert abs(stored - direct).max() < 1e-6

    assert recommendations_refresh().transformed == 0  # nothing waits any more


def test_a_fit_has_the_database_count_the_rows_it_wrote(sample_papers):
    """The planner's counts of the rewritten tables are the fit's, committed with its rows
    (not those of before, until autovacuum comes round)."""
    features_fit()
    with connection.cursor() as cursor:
        for table in ("recommendations_relatedpaper", "recommendations_papervector"):
            if connection.vendor == "postgresql":
                cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [table])
            else:
                cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
            assert cursor.fetchone()[0] > 0, table


def test_words_the_fit_never_saw_give_an_empty_vector_and_no_related_paper(sample_papers):
    features_fit()
    new = PaperFactory(title="Zyxqv wug blicket", abstract="Florp glorbs quuxly zyxqv wugs.")
    recommendations_refresh()
    assert (
        PaperVector.objects.get(paper=new).data == b""
        or len(bytes(PaperVector.objects.get(paper=new).data)) == 0
    )
    assert related_papers(paper_id=new.pk) == []
    assert not RelatedPaper.objects.filter(related=new).exists()


def test_a_pending_paper_joins_the_others_lists_when_it_is_published(sample_papers):
    features_fit()
    neighbour = Paper.objects.get(title__startswith="MonoNeRF")
    pending = PaperFactory(title="Dynamic NeRF", abstract=NERF_ABSTRACT, status="pending")
    recommendations_refresh()
    assert related_papers(paper_id=pending.pk)  # its own list, for its page
    assert not RelatedPaper.objects.filter(related=pending).exists()

    paper_publish(paper=pending, moderator=ModeratorFactory())
    result = recommendations_refresh()

    assert result.offered == 1 and result.transformed == 1  # its row changed: checked again
    assert PaperVector.objects.get(paper=pending).offered
    assert pending.pk in [item.id for item in related_papers(paper_id=neighbour.pk)]


def test_a_hidden_paper_is_never_listed_and_its_own_list_stays(sample_papers):
    features_fit()
    neighbour = Paper.objects.get(title__startswith="MonoNeRF")
    first = Paper.objects.get(pk=related_papers(paper_id=neighbour.pk)[0].id)
    paper_hide(paper=first, moderator=ModeratorFactory(), reason="Off topic.")

    shown = [item.id for item in related_papers(paper_id=neighbour.pk)]
    assert first.pk not in shown and len(shown) == 10  # the stored spare fills the page
    assert related_papers(paper_id=first.pk)  # a moderator still sees its own list


def test_a_changed_text_is_transformed_again_and_an_unchanged_one_is_not(sample_papers):
    version = features_fit()
    paper = Paper.objects.get(title__startswith="Pointer Networks")
    other = Paper.objects.get(title__startswith="Attention as an RNN")
    before = bytes(PaperVector.objects.get(paper=paper).data)
    untouched = PaperVector.objects.get(paper=other)

    paper_edit(paper=paper, moderator=ModeratorFactory(), changes={"abstract": NERF_ABSTRACT})
    Paper.objects.filter(pk=other.pk).update(
        updated_at=untouched.computed_at + datetime.timedelta(microseconds=1)
    )  # written again (its counts, say), not its text
    result = recommendations_refresh()

    assert result.transformed == 2
    vector = PaperVector.objects.get(paper=paper)
    assert bytes(vector.data) != before and not vector.fitted and vector.version_id == version.pk
    assert Paper.objects.get(title__startswith="MonoNeRF").pk in [
        item.id for item in related_papers(paper_id=paper.pk)[:3]
    ]
    again = PaperVector.objects.get(paper=other)
    assert again.fitted and bytes(again.data) == bytes(untouched.data)
    assert recommendations_refresh().transformed == 0


def test_each_fit_is_a_new_version_and_older_models_are_let_go(sample_papers):
    versions = [features_fit() for _ in range(MODELS_KEPT + 1)]
    assert [v.status for v in versions] == [FeatureVersionStatus.READY] * 3
    assert feature_version_current() == versions[-1]
    assert set(PaperVector.objects.values_list("version", flat=True)) == {versions[-1].pk}
    blobs = {v.pk: bytes(v.model) for v in FeatureVersion.objects.all()}
    assert blobs[versions[0].pk] == b""
    assert blobs[versions[1].pk] and blobs[versions[2].pk]
    # The same papers, the same model: a fit is deterministic.
    assert versions[1].model_sha256 == versions[2].model_sha256
    assert versions[2].timings["total"] > 0 and set(versions[2].params) >= {"max_features"}


def test_a_model_that_does_not_match_its_checksum_is_refused(sample_papers):
    version = features_fit()
    FeatureVersion.objects.filter(pk=version.pk).update(model_sha256="0" * 64)
    version.refresh_from_db()
    with pytest.raises(ModelCorrupt):
        model_load(version)


def test_the_features_are_fitted_again_when_the_corpus_grew_by_the_set_share(
    sample_papers, settings, django_capture_on_commit_callbacks
):
    settings.RECOMMENDATIONS_REFIT_GROWTH = 0.02  # 184 papers: a refit from the 4th new one
    version = features_fit()
    for i in range(3):
        PaperFactory(title=f"NeRF variant {i}", abstract=NERF_ABSTRACT)
    with django_capture_on_commit_callbacks(execute=True):
        result = recommendations_refresh()
    assert result.transformed == 3 and not result.fit_sent and not refit_due(version)
    assert feature_version_current() == version

    PaperFactory(title="NeRF variant 3", abstract=NERF_ABSTRACT)
    with django_capture_on_commit_callbacks(execute=True):
        result = recommendations_refresh()
    assert result.fit_sent
    current = feature_version_current()
    assert current != version and current.paper_count == 188
    assert PaperVector.objects.filter(fitted=False).count() == 0


def test_nothing_is_fitted_without_a_published_paper(db):
    PaperFactory(status=PaperStatus.PENDING)
    assert features_fit() is None
    assert recommendations_refresh().fit_sent is False
    assert not FeatureVersion.objects.exists()


def test_papers_of_stop_words_only_fail_the_fit_with_a_sentence_once(db):
    PaperFactory(title="The and of", abstract="It is what it is, and so on.")
    version = features_fit()
    assert version.status == FeatureVersionStatus.FAILED and version.error == MSG_NO_TERMS
    # The refresh does not fit again until the published papers change.
    assert recommendations_refresh().fit_sent is False
    PaperFactory(title="Radiance fields", abstract=NERF_ABSTRACT)
    assert recommendations_refresh().fit_sent is True


def test_a_fit_left_unfinished_by_a_dead_process_is_marked_failed(sample_papers):
    left = FeatureVersion.objects.create()  # fitting, by a process that died since
    assert features_fit().status == FeatureVersionStatus.READY
    left.refresh_from_db()
    assert left.status == FeatureVersionStatus.FAILED and left.error == MSG_INTERRUPTED


def test_one_process_fits_at_a_time(sample_papers):
    """The lock a fit holds (a session lock of PostgreSQL, a file lock with SQLite) taken by
    another process: no fit here, and the refresh does not count on one."""
    with _lock_held_elsewhere():
        assert features_fit() is None
    assert features_fit().status == FeatureVersionStatus.READY


@contextlib.contextmanager
def _lock_held_elsewhere():
    if connection.vendor == "postgresql":
        import psycopg

        settings = connection.settings_dict
        with psycopg.connect(
            dbname=settings["NAME"],
            user=settings["USER"],
            password=settings["PASSWORD"],
            host=settings["HOST"],
            port=settings["PORT"] or None,
            autocommit=True,
        ) as other:
            other.execute(f"SELECT pg_advisory_lock({FIT_LOCK_SQL})")
            pid = other.info.backend_pid
            yield
        # The other backend lets its session lock go when it exits, which happens a moment
        # after its client closed the connection: wait for it (the test was racing it).
        with connection.cursor() as cursor:
            for _ in range(100):
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone() is None:
                    break
                time.sleep(0.05)
        return
    # With SQLite the lock is a file lock: another open file holding it is another holder.
    with fit_lock() as held:
        assert held
        yield


def test_ingestion_and_publication_send_the_refresh_when_they_commit(
    ingest, fixture_path, django_capture_on_commit_callbacks
):
    """The writers' hook (papers.services.changes): an ingestion commits, the refresh runs
    (tasks run in the test's process), finds no version, sends the first fit, which sends
    the refresh again."""
    with django_capture_on_commit_callbacks(execute=True):
        ingest(fixture_path("digest-aug22-plain.txt").read_bytes(), publish=True)
    version = feature_version_current()
    assert version is not None and version.paper_count == 51
    assert PaperVector.objects.count() == 51

    member = UserFactory()
    from curation.services import paper_submit

    with django_capture_on_commit_callbacks(execute=True):
        submitted = paper_submit(user=member, title="Radiance fields again", abstract=NERF_ABSTRACT)
    assert PaperVector.objects.filter(paper=submitted, offered=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        paper_publish(paper=submitted, moderator=ModeratorFactory())
    assert PaperVector.objects.get(paper=submitted).offered
    assert RelatedPaper.objects.filter(related=submitted).exists()
