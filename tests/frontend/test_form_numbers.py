"""Ids and numbers typed into forms and addresses: any text is a 400 or a 404 with a
sentence, never a 500 (Python's int() reads "²" and other scripts' digits, numbers past the
database's integers, and refuses more than 4,300 digits)."""

import pytest

from config.cursors import MAX_ID, parse_id, parse_whole
from tests.factories import ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = ["²", "٣", "１", "-1", "0", "1.5", " 7", "9" * 20, str(MAX_ID + 1), "9" * 5000, "1e3", ""]


@pytest.mark.parametrize("text", HOSTILE)
def test_parse_id_takes_ascii_digits_within_the_database_s_integers_only(text):
    assert parse_id(text) is None


def test_parse_id_and_parse_whole_read_plain_numbers():
    assert parse_id("42") == 42
    assert parse_id(str(MAX_ID)) == MAX_ID
    assert parse_id(None) is None
    assert parse_whole("23", maximum=23) == 23
    assert parse_whole("24", maximum=23) is None
    assert parse_whole("0", maximum=23) == 0
    assert parse_whole("00000000000000000000001", maximum=23) is None  # longer than any


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_ids_in_the_pages_forms_get_a_sentence(client, value):
    member = UserFactory()
    client.force_login(member)
    answers = [
        client.post("/inbox/", {"action": "read", "item": value}),
        client.post("/inbox/webhooks/", {"action": "delete", "webhook": value}),
        client.post("/inbox/webhooks/", {"action": "create", "target": f"list:{value}"}),
        client.post("/inbox/", {"action": "settings", "digest_hour": value}),
        client.post("/sessions/propose/", {"paper": value, "session": value}),
        client.get("/sessions/", {"page": value}),
    ]
    client.force_login(ModeratorFactory())
    answers += [
        client.post("/moderation/tags/", {"action": "delete", "tag": value, "confirm": "yes"}),
        client.post("/moderation/tags/", {"action": "merge", "source": value, "into": value}),
        client.get("/moderation/", {"dump": value}),
    ]
    assert [a.status_code for a in answers if a.status_code >= 500] == []
