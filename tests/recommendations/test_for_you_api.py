"""GET /api/papers/?order=for_you: a member's own feed, the hot feed for a cold start (and
saying so), "not interested" at once, why each paper, its pages and its queries."""

from __future__ import annotations

import pytest

from curation.selectors import papers_list
from recommendations.api.views import FEED_ORDER_HEADER, MSG_FOR_YOU_ANONYMOUS
from recommendations.selectors import FOR_YOU_MIN_POSITIVES
from recommendations.services import features_fit, for_you_rank_all
from tests.api_clients import client_for
from tests.factories import UserFactory
from tests.recommendations.synthetic import topic_corpus

pytestmark = pytest.mark.django_db

URL = "/api/papers/?order=for_you"


@pytest.fixture
def corpus():
    papers = topic_corpus(per_topic=20)
    features_fit()
    return papers


def liking(corpus, topic: str, n: int = 4):
    from curation.services import vote_cast

    member = UserFactory()
    for paper in corpus[topic][:n]:
        vote_cast(user=member, paper=paper)
    for_you_rank_all()
    return member


def test_anonymous_clients_are_told_to_sign_in(corpus):
    response = client_for(None).get(URL)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"] == {"order": [MSG_FOR_YOU_ANONYMOUS]}
    # The other orders are as they were.
    assert client_for(None).get("/api/papers/?order=new").status_code == 200


def test_a_member_gets_their_topic_first_each_with_why(corpus):
    member = liking(corpus, "proteins")
    liked = {p.pk: p.title for p in corpus["proteins"][:4]}
    topic_ids = {p.pk for p in corpus["proteins"]}

    response = client_for(member).get(f"{URL}&page_size=10")

    assert response.status_code == 200
    assert response[FEED_ORDER_HEADER] == "for_you"
    body = response.json()
    assert body["for_you"]["status"] == "ready" and body["for_you"]["order"] == "for_you"
    assert body["for_you"]["positive_count"] == 4
    assert body["for_you"]["positives_needed"] == FOR_YOU_MIN_POSITIVES
    results = body["results"]
    assert len(results) == 10 and {item["id"] for item in results} <= topic_ids - set(liked)
    for item in results:
        assert 1 <= len(item["because"]) <= 3
        for near in item["because"]:
            assert liked[near["id"]] == near["title"]
            assert near["url"].endswith(f"/api/papers/{near['id']}/")
    # The item is a paper as every list gives it.
    assert {"id", "url", "title", "abstract", "tags", "vote_count", "voted", "marks"} <= set(
        results[0]
    )


def test_the_pages_follow_the_rank_to_the_end(corpus):
    member = liking(corpus, "robots")
    client = client_for(member)
    seen: list[int] = []
    url = f"{URL}&page_size=25"
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 80 - 4


def test_a_cold_start_gets_the_hot_feed_and_is_told_so(corpus):
    from curation.services import vote_cast

    member = UserFactory()
    vote_cast(user=member, paper=corpus["speech"][0])
    for_you_rank_all()

    response = client_for(member).get(f"{URL}&page_size=5")

    assert response.status_code == 200
    assert response[FEED_ORDER_HEADER] == "hot"
    body = response.json()
    assert body["for_you"]["status"] == "cold_start" and body["for_you"]["order"] == "hot"
    assert body["for_you"]["positive_count"] == 1
    assert "upvote" in body["for_you"]["message"].lower()
    hot = [p.pk for p in papers_list(viewer=member, order="hot")[:5]]
    assert [item["id"] for item in body["results"]] == hot
    assert all("because" not in item for item in body["results"])
    # Its next page is the hot feed's next page, even once the feed is ready.
    for paper in corpus["speech"][1:3]:
        vote_cast(user=member, paper=paper)
    for_you_rank_all()
    after = client_for(member).get(body["next"])
    assert after[FEED_ORDER_HEADER] == "hot"
    assert [item["id"] for item in after.json()["results"]] == [
        p.pk for p in papers_list(viewer=member, order="hot")[5:10]
    ]
    # A new first page is the member's own.
    assert client_for(member).get(URL)[FEED_ORDER_HEADER] == "for_you"


def test_not_interested_leaves_the_feed_at_the_next_read(corpus):
    member = liking(corpus, "graphs")
    client = client_for(member)
    first = client.get(URL).json()["results"][0]["id"]

    marked = client.post(f"/api/papers/{first}/mark/", {"mark": "not_interested"}, format="json")
    assert marked.status_code == 200

    ids = [item["id"] for item in client.get(f"{URL}&page_size=100").json()["results"]]
    assert first not in ids and len(ids) == 80 - 4 - 1


def test_each_member_reads_their_own_feed(corpus):
    alice = liking(corpus, "graphs")
    bob = liking(corpus, "speech")
    graphs = {p.pk for p in corpus["graphs"]}
    speech = {p.pk for p in corpus["speech"]}

    alice_ids = [i["id"] for i in client_for(alice).get(f"{URL}&page_size=10").json()["results"]]
    bob_ids = [i["id"] for i in client_for(bob).get(f"{URL}&page_size=10").json()["results"]]

    assert set(alice_ids) <= graphs and set(bob_ids) <= speech


def test_filters_search_and_a_bad_cursor(corpus):
    member = liking(corpus, "graphs")
    client = client_for(member)
    assert client.get(f"{URL}&has_code=true").json()["results"] == []  # none has code
    searched = client.get(f"{URL}&q=protein")
    assert searched.status_code == 200 and "for_you" not in searched.json()
    bad = client.get(f"{URL}&cursor=not-a-cursor")
    assert bad.status_code == 400 and "cursor" in bad.json()["error"]["fields"]
    hot_cursor = client.get("/api/papers/?order=new&page_size=1").json()["next"].split("=")[-1]
    assert client.get(f"{URL}&cursor={hot_cursor}").status_code == 400


@pytest.mark.parametrize("size", [1, 50])
def test_a_page_runs_four_queries_whatever_its_size(corpus, django_assert_num_queries, size):
    member = liking(corpus, "robots")
    client = client_for(member)
    client.get(URL)
    # The feed's state (by key), the page (the rank index, joined to the papers, my vote and
    # marks as EXISTS), the reasons' titles, the page's tags.
    with django_assert_num_queries(4):
        response = client.get(f"{URL}&page_size={size}")
    assert len(response.json()["results"]) == size


def test_the_schema_documents_the_order_and_its_answer(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/papers/"]["get"]
    order = next(p for p in operation["parameters"] if p["name"] == "order")
    assert "for_you" in str(order["schema"]) or "for_you" in str(schema["components"])
    ok = operation["responses"]["200"]
    assert FEED_ORDER_HEADER in ok["headers"]
    ref = ok["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    fields = schema["components"]["schemas"][ref]["properties"]
    assert "for_you" in fields and "for_you" not in schema["components"]["schemas"][ref].get(
        "required", []
    )
