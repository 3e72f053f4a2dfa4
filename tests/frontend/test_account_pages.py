"""The account pages under /accounts/ (password change and reset, log-out) are the site's own,
not the Django admin's pages of the same names (registration/*.html), which the admin's
templates used to shadow."""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE_TEMPLATES = "/frontend/templates/"


def template_files(response) -> list[str]:
    return [t.origin.name for t in response.templates if t.origin and t.origin.name]


def assert_the_sites_page(response, name: str) -> None:
    assert response.status_code == 200
    files = template_files(response)
    assert files[0].endswith(f"{SITE_TEMPLATES}registration/{name}"), files[0]
    assert any(f.endswith(f"{SITE_TEMPLATES}frontend/base.html") for f in files)
    assert not any("/contrib/admin/" in f for f in files), files


@pytest.fixture
def member_client():
    client = Client()
    client.force_login(UserFactory())
    return client


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/accounts/password_change/", "password_change_form.html"),
        ("/accounts/password_change/done/", "password_change_done.html"),
        ("/accounts/password_reset/", "password_reset_form.html"),
        ("/accounts/password_reset/done/", "password_reset_done.html"),
        ("/accounts/reset/done/", "password_reset_complete.html"),
        ("/accounts/reset/MQ/not-a-token/", "password_reset_confirm.html"),
        ("/accounts/login/", "login.html"),
    ],
)
def test_account_pages_are_the_sites_own(member_client, path, template):
    assert_the_sites_page(member_client.get(path), template)


def test_a_valid_reset_link_shows_the_sites_form():
    user = UserFactory()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)

    response = Client().get(f"/accounts/reset/{uid}/{token}/", follow=True)

    assert_the_sites_page(response, "password_reset_confirm.html")
    assert "Set my password" in response.content.decode()


def test_the_admins_own_password_page_is_the_sites(admin_client):
    response = admin_client.get("/admin/password_change/", follow=True)
    assert response.redirect_chain == [("/accounts/password_change/", 302)]
    assert response.status_code == 200
