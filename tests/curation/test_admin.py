"""The Paper admin's moderation actions go through the workflow service."""

import pytest
from django.urls import reverse

from curation.models import ModerationEvent
from curation.services.workflow import MSG_REASON_REQUIRED
from papers.models import Paper
from tests.factories import CommentFactory, PaperFactory, TagFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:papers_paper_changelist")


def _act(client, action, papers, reason=""):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [p.pk for p in papers], "reason": reason},
        follow=True,
    )


def test_bulk_publish(admin_client, admin_user):
    papers = PaperFactory.create_batch(2, status="pending")
    response = _act(admin_client, "publish_papers", papers)
    assert response.status_code == 200
    assert "2 paper(s) made published." in response.content.decode()
    assert set(Paper.objects.values_list("status", flat=True)) == {"published"}
    assert (
        list(ModerationEvent.objects.values_list("action", "moderator"))
        == [("publish", admin_user.pk)] * 2
    )


def test_reject_with_reason_and_without(admin_client):
    paper = PaperFactory(status="pending")
    response = _act(admin_client, "reject_papers", [paper])
    assert MSG_REASON_REQUIRED.format(to_state="rejected") in response.content.decode()
    assert Paper.objects.get().status == "pending"
    _act(admin_client, "reject_papers", [paper], reason="Not a paper.")
    assert Paper.objects.get().status == "rejected"
    assert ModerationEvent.objects.get().reason == "Not a paper."


def test_curation_admin_pages_open(admin_client):
    PaperFactory()
    TagFactory()
    CommentFactory()
    for name in [
        "papers_paper",
        "curation_moderationevent",
        "curation_tag",
        "curation_comment",
        "curation_commentflag",
        "curation_papertag",
    ]:
        assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    paper = Paper.objects.first()
    assert (
        admin_client.get(reverse("admin:papers_paper_change", args=[paper.pk])).status_code == 200
    )
