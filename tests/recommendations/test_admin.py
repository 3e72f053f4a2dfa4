"""The fitted versions in the admin: listed and shown, never written by hand."""

import pytest
from django.urls import reverse

from recommendations.models import FeatureVersion
from recommendations.services import features_fit
from tests.factories import PaperFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


def test_staff_see_the_versions_read_only(client):
    PaperFactory(title="Radiance fields", abstract="Neural radiance fields.")
    version = features_fit()
    client.force_login(StaffUserFactory())
    listing = client.get(reverse("admin:recommendations_featureversion_changelist"))
    assert listing.status_code == 200 and b"ready" in listing.content
    page = client.get(reverse("admin:recommendations_featureversion_change", args=[version.pk]))
    assert page.status_code == 200 and version.model_sha256.encode() in page.content
    assert client.get(reverse("admin:recommendations_featureversion_add")).status_code == 403
    response = client.post(
        reverse("admin:recommendations_featureversion_delete", args=[version.pk]), {"post": "yes"}
    )
    assert response.status_code == 403 and FeatureVersion.objects.filter(pk=version.pk).exists()
