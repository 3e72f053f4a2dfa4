"""One rule for what a reader sees of a hidden comment, wherever it shows: its reason is
public (as in the moderation log), its text and author are for moderators."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from curation.models import HIDDEN_PLACEHOLDER
from curation.services import comment_create, comment_hide
from tests.factories import ModeratorFactory, PaperFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_hidden_comment_shows_the_same_to_a_member_everywhere(client):
    paper = PaperFactory()
    # A name no title or abstract of the factories can hold.
    author, reader = UserFactory(username="qzxwriterq"), UserFactory()
    comment = comment_create(user=author, paper=paper, body="Secret words")
    comment_hide(comment=comment, moderator=ModeratorFactory(), reason="Off-topic aside")

    api = APIClient()
    api.force_authenticate(reader)
    shown = api.get(f"/api/papers/{paper.pk}/comments/").json()["results"][0]
    assert (shown["hidden_reason"], shown["author"], shown["body_html"]) == (
        "Off-topic aside",
        None,
        HIDDEN_PLACEHOLDER,
    )
    log = api.get("/api/moderation/log/").json()["results"][0]
    assert log["reason"] == "Off-topic aside"

    client.force_login(reader)
    page = client.get(reverse("paper", args=[paper.pk])).content.decode()
    assert "hidden: Off-topic aside" in page
    assert "Secret words" not in page and "qzxwriterq" not in page
    assert "Off-topic aside" in client.get(reverse("moderation-log")).content.decode()
