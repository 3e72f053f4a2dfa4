"""The member's own page (/me/): what it links to."""

import pytest
from django.urls import reverse

from curation.services import comment_create, paper_hide, vote_cast

pytestmark = pytest.mark.django_db


def test_papers_hidden_since_are_listed_without_a_link(client, world, people):
    member, moderator = people["member"], people["moderator"]
    good, hostile = world["good"], world["hostile"]
    for paper in (good, hostile):
        vote_cast(user=member, paper=paper)
        comment_create(user=member, paper=paper, body=f"On paper {paper.pk}")
    paper_hide(paper=hostile, moderator=moderator, reason="Not a paper")

    client.force_login(member)
    body = client.get(reverse("me")).content.decode()
    assert body.count(f'href="{reverse("paper", args=[good.pk])}') == 2
    assert reverse("paper", args=[hostile.pk]) not in body
    assert body.count("(no longer shown)") == 2
    # Still the member's activity, shown as text (escaped, as everywhere).
    assert "Hostile &lt;script&gt;" in body
