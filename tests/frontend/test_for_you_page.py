"""The home feed's "For you" tab, rendered by the server: members only, the cold start's
sentence over the hot feed, the ranked cards with "Why this paper"."""

from __future__ import annotations

import re

import pytest

from curation.services import vote_cast
from recommendations.models import ForYouItem
from recommendations.selectors import FOR_YOU_MIN_POSITIVES, MSG_FOR_YOU_NEW
from recommendations.services import features_fit, for_you_rank_all
from tests.factories import TagFactory, UserFactory
from tests.recommendations.synthetic import topic_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    papers = topic_corpus(per_topic=10)
    features_fit()
    return papers


def titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="paper-title"><a href="[^"]+">([^<]+)</a>', html)


def test_the_tab_is_a_member_s_and_anonymous_readers_are_sent_to_log_in(client, corpus):
    home = client.get("/").content.decode()
    assert "order=for_you" not in home

    response = client.get("/?order=for_you")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2F%3Forder%3Dfor_you"

    client.force_login(UserFactory())
    assert ">For you</a>" in client.get("/").content.decode()
    # Not on a tag's page: the tab belongs to the home feed.
    TagFactory(name="Graphs", slug="graphs")
    assert "order=for_you" not in client.get("/tags/graphs/").content.decode()


def test_a_cold_start_sees_the_hot_feed_and_what_to_do(client, corpus):
    member = UserFactory()
    client.force_login(member)

    page = client.get("/?order=for_you").content.decode()

    assert 'data-for-you-note="cold_start"' in page
    assert MSG_FOR_YOU_NEW.format(needed=FOR_YOU_MIN_POSITIVES) in page.replace("&#x27;", "'")
    assert 'aria-current="page">For you</a>' in page
    assert len(titles(page)) == 20 and 'class="why"' not in page


def test_a_member_s_cards_come_ranked_with_why(client, corpus):
    member = UserFactory()
    for paper in corpus["speech"][:3]:
        vote_cast(user=member, paper=paper)
    for_you_rank_all()
    client.force_login(member)

    page = client.get("/?order=for_you").content.decode()

    assert 'data-for-you-note="ready"' in page
    shown = titles(page)
    assert set(shown[:7]) == {p.title for p in corpus["speech"][3:]}
    # Every paper that shares something with the member's own says which (a paper of
    # another topic that shares nothing says nothing rather than something false).
    with_reason = ForYouItem.objects.filter(user=member, rank__lte=20).exclude(because=[])
    assert page.count('<p class="why">Why this paper: close to') == with_reason.count() >= 7
    liked = corpus["speech"][0]
    assert f'<a href="/papers/{liked.pk}/">{liked.title}</a>' in page
    # Its next page, the script's way, keeps the order.
    more = re.search(r'href="([^"]+)" data-load-more', page)
    assert more is not None
    rest = client.get(more.group(1).replace("&amp;", "&") + "&partial=items").content.decode()
    assert len(titles(rest)) == 40 - 3 - 20 and not set(titles(rest)) & set(shown)
