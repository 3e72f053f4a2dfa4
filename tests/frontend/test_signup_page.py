"""The sign-up page: it posts (never a password in the address), works without a script,
and sends the new member only to an address of this site."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a-Much-better-passphrase-42"


# (as typed in the address, as the server reads it)
HOSTILE_NEXT = [
    ("/%5Cevil.example/phish", "/\\evil.example/phish"),
    ("/%09/evil.example", "/\t/evil.example"),
    ("//evil.example/", "//evil.example/"),
    ("https://evil.example/", "https://evil.example/"),
    ("javascript:alert(1)", "javascript:alert(1)"),
]


@pytest.mark.parametrize(("in_address", "value"), HOSTILE_NEXT)
def test_next_is_only_an_address_of_this_site(client, in_address, value):
    page = client.get(f"{reverse('signup')}?next={in_address}").content.decode()
    assert 'data-next="/"' in page
    response = client.post(
        reverse("signup"),
        {"username": "newbie", "email": "n@example.com", "password": PASSWORD, "next": value},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_form_posts_and_signs_up_without_a_script(client):
    page = client.get(f"{reverse('signup')}?next=/tags/vision/").content.decode()
    assert 'method="post"' in page and 'data-next="/tags/vision/"' in page
    response = client.post(
        reverse("signup"),
        {"username": "newbie", "email": "n@example.com", "password": PASSWORD, "next": "/me/"},
    )
    assert (response.status_code, response["Location"]) == (302, "/me/")
    assert client.get("/me/").status_code == 200
    assert get_user_model().objects.filter(username="newbie").exists()


def test_refusals_show_next_to_their_fields_and_keep_what_was_typed(client):
    response = client.post(
        reverse("signup"), {"username": "mоd1", "email": "n@example.com", "password": "short"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="su-username-error"' in body and 'value="n@example.com"' in body
    assert not get_user_model().objects.exists()
