from notifications.mentions import MENTIONS_MAX, mentioned_usernames


def test_names_are_read_once_lower_cased_in_order():
    assert mentioned_usernames("Thanks @Ada and @bob, and @ada again.") == ["ada", "bob"]


def test_a_sentence_end_is_not_part_of_a_name_and_addresses_name_nobody():
    assert mentioned_usernames("Ask @ada. Or @bob-") == ["ada", "bob"]
    assert mentioned_usernames("Mail ada@example.org or @@bob") == []
    assert mentioned_usernames("(@ada) [@bob]") == ["ada", "bob"]


def test_code_names_nobody():
    body = "Run `@decorator` here:\n\n```\n@ada\n```\n\nbut ping @bob"
    assert mentioned_usernames(body) == ["bob"]


def test_at_most_so_many_names():
    body = " ".join(f"@user{n}" for n in range(MENTIONS_MAX + 5))
    assert len(mentioned_usernames(body)) == MENTIONS_MAX
    assert mentioned_usernames("") == []
