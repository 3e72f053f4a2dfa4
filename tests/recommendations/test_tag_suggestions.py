"""Per-tag suggestions (recommendations.services.tag_suggestions): the model ranks on-topic
papers above off-topic ones on a synthetic corpus, tags with too few papers get none and say
why, accepting goes through the tag service and the moderation log, a dismissed paper stays
dismissed, the tags due for training, the block read in one query, the API for moderators
and the tag page's forms. Run on SQLite and on PostgreSQL (COMMON.md)."""

from __future__ import annotations

import datetime
import html
import random

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from config.errors import DomainError
from curation.models import ModerationAction, ModerationEvent, PaperTag, Tag, TargetKind
from curation.services import paper_tag_add, paper_tag_remove, tag_counts_refresh
from papers.models import PaperStatus
from recommendations.models import (
    TagSuggestion,
    TagSuggestionDismissal,
    TagTraining,
    TagTrainingState,
)
from recommendations.selectors import (
    MSG_NOT_TRAINED,
    MSG_TOO_FEW,
    feature_version_current,
    tag_suggestions_for,
)
from recommendations.services import (
    TAG_SUGGESTIONS_STORED,
    features_fit,
    tag_suggestion_accept,
    tag_suggestion_dismiss,
    tag_suggestions_refresh,
    tags_due,
)
from recommendations.services.tag_suggestions import MSG_NOT_SUGGESTED
from tests.factories import ModeratorFactory, PaperFactory, PaperTagFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

TOPICS = {
    "graphs": "graph neural networks message passing node classification molecules edges",
    "speech": "speech recognition acoustic model audio waveform speaker vocoder phonemes",
    "robots": "robot manipulation grasping reinforcement policy control locomotion sim2real",
    "vision": "image segmentation convolutional pixels detection bounding boxes camera",
}
COMMON = "we propose method results benchmark state art experiments show approach paper"


def synthetic_paper(topic: str, i: int, rng: random.Random, **extra):
    words = TOPICS[topic].split()
    common = COMMON.split()
    text = " ".join(
        rng.choice(words) if rng.random() < 0.4 else rng.choice(common) for _ in range(60)
    )
    return PaperFactory(
        title=f"{topic.title()} study {i}: {' '.join(rng.sample(words, 3))}",
        abstract=text,
        authors=[f"Author {rng.randint(0, 40)}"],
        **extra,
    )


@pytest.fixture
def corpus():
    """30 papers on each of four topics, fitted; a tag "Graphs" on 8 of the graph papers."""
    rng = random.Random(7)
    papers = {topic: [synthetic_paper(topic, i, rng) for i in range(30)] for topic in TOPICS}
    features_fit()
    tag = TagFactory(name="Graphs", slug="graphs")
    for paper in papers["graphs"][:8]:
        PaperTagFactory(paper=paper, tag=tag)
    tag_counts_refresh()
    tag.refresh_from_db()
    return {"papers": papers, "tag": tag}


def suggested(tag) -> list[int]:
    return list(
        TagSuggestion.objects.filter(tag=tag).order_by("-score").values_list("paper_id", flat=True)
    )


def test_the_model_ranks_on_topic_papers_above_off_topic_ones(corpus):
    tag = corpus["tag"]
    assert tags_due(feature_version_current()) == [tag.pk]
    assert tag_suggestions_refresh() == 1
    on_topic = {paper.pk for paper in corpus["papers"]["graphs"][8:]}
    ranked = suggested(tag)
    assert len(ranked) == TAG_SUGGESTIONS_STORED
    # The 22 graph papers without the tag fill the 20 places.
    assert set(ranked) <= on_topic
    training = TagTraining.objects.get(tag=tag)
    assert training.state == TagTrainingState.TRAINED
    assert training.positives == 8 and training.version == feature_version_current()
    assert training.candidates == 4 * 30 - 8
    assert not tags_due(feature_version_current())  # nothing changed since


def test_a_tag_with_too_few_papers_gets_no_model_and_the_block_says_why(corpus):
    small = TagFactory(name="Speech", slug="speech")
    for paper in corpus["papers"]["speech"][:3]:
        PaperTagFactory(paper=paper, tag=small)
    tag_counts_refresh()
    small.refresh_from_db()
    assert small.pk not in tags_due(feature_version_current())
    tag_suggestions_refresh(tag_ids=[small.pk])
    assert not TagSuggestion.objects.filter(tag=small).exists()
    assert TagTraining.objects.get(tag=small).state == TagTrainingState.TOO_FEW
    block = tag_suggestions_for(tag=small, viewer=ModeratorFactory())
    assert block.state == "too_few" and block.items == []
    assert block.message == MSG_TOO_FEW.format(count=3, s="s", minimum=5)


def test_a_tag_that_falls_below_the_minimum_loses_its_suggestions(corpus):
    tag, moderator = corpus["tag"], ModeratorFactory()
    tag_suggestions_refresh()
    assert suggested(tag)
    for paper in corpus["papers"]["graphs"][:4]:
        paper_tag_remove(paper=paper, tag=tag, user=moderator)
    tag.refresh_from_db()
    assert tag.paper_count == 4
    assert tags_due(feature_version_current()) == [tag.pk]
    tag_suggestions_refresh()
    assert suggested(tag) == []
    assert tag_suggestions_for(tag=tag, viewer=moderator).state == "too_few"


def test_a_tag_is_due_when_its_papers_changed_enough_or_the_features_were_fitted(corpus):
    tag, member = corpus["tag"], UserFactory()
    tag_suggestions_refresh()
    version = feature_version_current()
    graphs = corpus["papers"]["graphs"]
    paper_tag_add(paper=graphs[8], tag=tag, user=member)
    paper_tag_add(paper=graphs[9], tag=tag, user=member)
    assert tags_due(version) == []  # two changes: not enough yet
    paper_tag_add(paper=graphs[10], tag=tag, user=member)
    assert tags_due(version) == [tag.pk]
    tag_suggestions_refresh()
    assert tags_due(version) == []
    TagTraining.objects.filter(tag=tag).update(
        trained_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert tags_due(version) == [tag.pk]  # a day old: papers published since are candidates
    tag_suggestions_refresh()
    features_fit()
    assert tags_due(feature_version_current()) == [tag.pk]  # new features


def test_accepting_goes_through_the_tag_service_and_the_moderation_log(corpus):
    tag, moderator = corpus["tag"], ModeratorFactory()
    tag_suggestions_refresh()
    best = suggested(tag)[0]
    count = Tag.objects.get(pk=tag.pk).paper_count
    tag_suggestion_accept(tag=tag, paper_id=best, moderator=moderator)
    paper_tag = PaperTag.objects.get(tag=tag, paper_id=best)
    assert paper_tag.added_by == moderator
    assert Tag.objects.get(pk=tag.pk).paper_count == count + 1
    event = ModerationEvent.objects.get(target_kind=TargetKind.PAPER, target_id=best)
    assert event.action == ModerationAction.EDIT and event.moderator == moderator
    assert event.to_state == "tags: + Graphs"
    assert best not in suggested(tag)
    # A second time: it is no longer a suggestion.
    with pytest.raises(DomainError) as refused:
        tag_suggestion_accept(tag=tag, paper_id=best, moderator=moderator)
    assert refused.value.status_code == 404 and refused.value.message == MSG_NOT_SUGGESTED


def test_only_moderators_accept_dismiss_or_read_suggestions(corpus):
    tag, member = corpus["tag"], UserFactory()
    tag_suggestions_refresh()
    best = suggested(tag)[0]
    for act in (tag_suggestion_accept, tag_suggestion_dismiss):
        with pytest.raises(DomainError) as refused:
            act(tag=tag, paper_id=best, moderator=member)
        assert refused.value.status_code == 403
    with pytest.raises(DomainError):
        tag_suggestions_for(tag=tag, viewer=member)
    assert not PaperTag.objects.filter(tag=tag, paper_id=best).exists()
    assert not TagSuggestionDismissal.objects.exists()


def test_a_paper_hidden_since_cannot_be_accepted_and_is_not_shown(corpus):
    tag, moderator = corpus["tag"], ModeratorFactory()
    tag_suggestions_refresh()
    best = suggested(tag)[0]
    from curation.services import paper_hide
    from papers.models import Paper

    paper_hide(paper=Paper.objects.get(pk=best), moderator=moderator, reason="Duplicate.")
    assert best not in [item.id for item in tag_suggestions_for(tag=tag, viewer=moderator).items]
    with pytest.raises(DomainError) as refused:
        tag_suggestion_accept(tag=tag, paper_id=best, moderator=moderator)
    assert refused.value.status_code == 409
    assert not PaperTag.objects.filter(tag=tag, paper_id=best).exists()


def test_a_dismissed_paper_stays_dismissed(corpus):
    tag, moderator = corpus["tag"], ModeratorFactory()
    tag_suggestions_refresh()
    dismissed = suggested(tag)[:3]
    for pk in dismissed:
        tag_suggestion_dismiss(tag=tag, paper_id=pk, moderator=moderator)
    assert not set(dismissed) & set(suggested(tag))
    tag_suggestions_refresh(tag_ids=[tag.pk])
    assert suggested(tag)
    assert not set(dismissed) & set(suggested(tag))
    features_fit()
    tag_suggestions_refresh()
    assert not set(dismissed) & set(suggested(tag))
    assert TagSuggestionDismissal.objects.filter(tag=tag).count() == 3


def test_the_block_is_one_query_for_its_suggestions(corpus, django_assert_num_queries):
    tag, moderator = corpus["tag"], ModeratorFactory()
    tag_suggestions_refresh()
    moderator.in_moderators_group = True  # as the session's backend reads it
    # The training's row by its key, then the suggestions.
    with django_assert_num_queries(2) as captured:
        block = tag_suggestions_for(tag=tag, viewer=moderator)
    assert "JOIN" in captured.captured_queries[1]["sql"]
    assert block.state == "ready" and len(block.items) == 10
    scores = [item.score for item in block.items]
    assert scores == sorted(scores, reverse=True)
    # A paper a member tagged since the training is not suggested any more.
    paper_tag_add(
        paper=PaperTag.objects.model.paper.field.related_model.objects.get(pk=block.items[0].id),
        tag=tag,
        user=UserFactory(),
    )
    assert block.items[0].id not in [
        i.id for i in tag_suggestions_for(tag=tag, viewer=moderator).items
    ]


def test_a_tag_not_trained_yet_says_so(corpus):
    block = tag_suggestions_for(tag=corpus["tag"], viewer=ModeratorFactory())
    assert block.state == "not_trained" and block.message == MSG_NOT_TRAINED


def test_tagging_papers_trains_the_tag_once_its_changes_add_up(
    corpus, django_capture_on_commit_callbacks
):
    """The writers of paper tags send the task when they commit (TAGS_CHANGED_TASKS)."""
    tag, member = corpus["tag"], UserFactory()
    new = TagFactory(name="Robots", slug="robots")
    robots = corpus["papers"]["robots"]
    for paper in robots[:4]:
        with django_capture_on_commit_callbacks(execute=True):
            paper_tag_add(paper=paper, tag=new, user=member)
    assert not TagTraining.objects.filter(tag=new).exists()  # four papers: too few
    with django_capture_on_commit_callbacks(execute=True):
        paper_tag_add(paper=robots[4], tag=new, user=member)
    assert TagTraining.objects.get(tag=new).state == TagTrainingState.TRAINED
    assert set(suggested(new)) <= {paper.pk for paper in robots[5:]}
    assert TagTraining.objects.filter(tag=tag).exists()  # the other tag was due too


# --- The API ------------------------------------------------------------------------------


def test_the_api_lists_accepts_and_dismisses(corpus):
    tag = corpus["tag"]
    tag_suggestions_refresh()
    client = APIClient()
    client.force_authenticate(ModeratorFactory())
    body = client.get("/api/tags/graphs/suggestions/").json()
    assert body["tag"] == "graphs" and body["state"] == "ready" and body["trained_on"] == 8
    assert len(body["results"]) == TAG_SUGGESTIONS_STORED
    first, second = body["results"][0], body["results"][1]
    assert set(first) == {"id", "url", "title", "authors", "arxiv_id", "first_digest_on", "score"}
    assert first["url"].endswith(f"/api/papers/{first['id']}/")
    answer = client.post(f"/api/tags/graphs/suggestions/{first['id']}/accept/")
    assert answer.status_code == 200 and answer.json()["action"] == "accepted"
    assert PaperTag.objects.filter(tag=tag, paper_id=first["id"]).exists()
    answer = client.post(f"/api/tags/graphs/suggestions/{second['id']}/dismiss/")
    assert answer.status_code == 200 and answer.json()["action"] == "dismissed"
    ids = [r["id"] for r in client.get("/api/tags/graphs/suggestions/").json()["results"]]
    assert first["id"] not in ids and second["id"] not in ids
    again = client.post(f"/api/tags/graphs/suggestions/{second['id']}/accept/")
    assert again.status_code == 404
    assert again.json()["error"]["message"] == MSG_NOT_SUGGESTED


def test_the_api_refuses_members_and_anonymous_clients(corpus):
    assert APIClient().get("/api/tags/graphs/suggestions/").status_code == 401
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert client.get("/api/tags/graphs/suggestions/").status_code == 403


def test_the_endpoints_are_in_the_openapi_schema(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    paths = yaml.safe_load(out.read_text())["paths"]
    assert paths["/api/tags/{slug}/suggestions/"]["get"]["operationId"] == "tags_suggestions"
    accept = paths["/api/tags/{slug}/suggestions/{paper_id}/accept/"]["post"]
    assert accept["operationId"] == "tags_suggestions_accept"
    assert {"200", "401", "403", "404", "409"} <= set(accept["responses"])
    assert "/api/tags/{slug}/suggestions/{paper_id}/dismiss/" in paths


# --- The tag page ---------------------------------------------------------------------------


def test_the_tag_page_shows_the_block_to_moderators_only(client, corpus):
    tag_suggestions_refresh()
    assert "Papers that may belong here" not in client.get("/tags/graphs/").content.decode()
    client.force_login(UserFactory())
    assert "Papers that may belong here" not in client.get("/tags/graphs/").content.decode()
    client.force_login(ModeratorFactory())
    page = client.get("/tags/graphs/").content.decode()
    assert "Papers that may belong here" in page
    assert page.count('name="action" value="accept"') == 10
    assert "csrfmiddlewaretoken" in page


def test_the_tag_page_forms_add_and_dismiss(client, corpus):
    tag, moderator = corpus["tag"], ModeratorFactory()
    tag_suggestions_refresh()
    first, second = suggested(tag)[:2]
    client.force_login(moderator)
    answer = client.post(f"/tags/graphs/suggestions/{first}/", {"action": "accept"}, follow=True)
    assert answer.redirect_chain[-1][0] == "/tags/graphs/#suggestions-h"
    assert "Added “" in answer.content.decode()
    assert PaperTag.objects.filter(tag=tag, paper_id=first, added_by=moderator).exists()
    assert ModerationEvent.objects.filter(target_id=first, action=ModerationAction.EDIT).exists()
    client.post(f"/tags/graphs/suggestions/{second}/", {"action": "dismiss"})
    assert TagSuggestionDismissal.objects.filter(tag=tag, paper_id=second).exists()
    # Gone meanwhile: the service's sentence, nothing written.
    answer = client.post(f"/tags/graphs/suggestions/{second}/", {"action": "accept"}, follow=True)
    assert html.escape(MSG_NOT_SUGGESTED) in answer.content.decode()
    assert not PaperTag.objects.filter(tag=tag, paper_id=second).exists()
    assert client.post(f"/tags/graphs/suggestions/{second}/", {"action": "x"}).status_code == 400
    assert client.post(f"/tags/nope/suggestions/{second}/", {"action": "accept"}).status_code == 404
    client.force_login(UserFactory())
    assert (
        client.post(f"/tags/graphs/suggestions/{first}/", {"action": "dismiss"}).status_code == 403
    )


def test_the_tag_page_says_why_a_small_tag_has_no_suggestions(client, corpus):
    small = TagFactory(name="Tiny", slug="tiny")
    PaperTagFactory(paper=corpus["papers"]["vision"][0], tag=small)
    tag_counts_refresh()
    client.force_login(ModeratorFactory())
    page = client.get("/tags/tiny/").content.decode()
    assert MSG_TOO_FEW.format(count=1, s="", minimum=5) in page


def test_unpublished_papers_are_never_candidates(corpus):
    tag = corpus["tag"]
    pending = synthetic_paper("graphs", 99, random.Random(1), status=PaperStatus.PENDING)
    from recommendations.services import recommendations_refresh

    recommendations_refresh()
    tag_suggestions_refresh()
    assert pending.pk not in suggested(tag)
