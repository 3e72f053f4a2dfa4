"""The lists' web pages by role: My lists (/lists/) and a list's page (/lists/<id>/), their
forms (create, rename and who sees it, editors, delete), and the marks and "Add to list"
buttons on papers."""

import pytest
from django.contrib.messages import get_messages

from curation.services import member_settings_get, paper_mark_set
from lists.models import ListEditor, PaperList
from lists.services import list_create, list_editor_add, list_item_add
from papers.models import PaperStatus
from tests.factories import ModeratorFactory, PaperFactory, UserFactory
from tests.frontend.conftest import HOSTILE

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    """The owner of a team list (with an editor) and of a personal list, another member and a
    moderator; two papers on the team list."""
    owner = UserFactory(username="owner")
    editor = UserFactory(username="editor")
    other = UserFactory(username="other")
    moderator = ModeratorFactory(username="mod")
    team = list_create(owner=owner, name="Team picks", visibility="team")
    list_editor_add(paper_list=team, user=owner, username="editor")
    personal = list_create(owner=owner, name="Mine alone")
    papers = [PaperFactory(title="First Paper"), PaperFactory(title="Second Paper")]
    list_item_add(paper_list=team, user=owner, paper=papers[0], note="Read **section 2**.")
    list_item_add(paper_list=team, user=editor, paper=papers[1])
    return {
        "owner": owner,
        "editor": editor,
        "other": other,
        "moderator": moderator,
        "team": team,
        "personal": personal,
        "papers": papers,
    }


def page_for(client, user, path):
    if user is not None:
        client.force_login(user)
    return client.get(path)


def texts(response) -> str:
    return response.content.decode()


def test_anonymous_readers_are_sent_to_log_in(client, cast):
    for path in ("/lists/", f"/lists/{cast['team'].pk}/", f"/lists/{cast['personal'].pk}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_my_lists_shows_mine_and_the_teams_never_anothers_personal(client, cast):
    list_create(owner=cast["other"], name="Other's secret")
    body = texts(page_for(client, cast["owner"], "/lists/"))
    assert "Team picks" in body and "Mine alone" in body and "Other&#x27;s secret" not in body
    assert "2 papers" in body and "you can change it" in body
    other = texts(page_for(client, cast["other"], "/lists/"))
    assert "Team picks" in other and "Mine alone" not in other and "Other&#x27;s secret" in other
    mod = texts(page_for(client, cast["moderator"], "/lists/?scope=team"))
    assert "Team picks" in mod and "Mine alone" not in mod


def test_the_scopes(client, cast):
    client.force_login(cast["editor"])
    editable = texts(client.get("/lists/?scope=editable"))
    assert "Team picks" in editable
    mine = texts(client.get("/lists/?scope=mine"))
    assert "Team picks" not in mine and "No list here." in mine
    assert client.get("/lists/?scope=nonsense").status_code == 200  # read as "all"


def test_a_member_makes_a_list(client, cast):
    client.force_login(cast["other"])
    response = client.post("/lists/", {"name": "Weekend", "visibility": "team"})
    made = PaperList.objects.get(name="Weekend")
    assert response.status_code == 302 and response["Location"] == f"/lists/{made.pk}/"
    assert (made.owner, made.visibility) == (cast["other"], "team")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Made the list “Weekend”."]


def test_a_refused_list_keeps_what_was_typed(client, cast):
    client.force_login(cast["other"])
    response = client.post("/lists/", {"name": "   ", "visibility": "team"})
    assert response.status_code == 200
    body = texts(response)
    assert "A list needs a name." in body and 'aria-invalid="true"' in body
    assert not PaperList.objects.filter(owner=cast["other"]).exists()
    response = client.post("/lists/", {"name": "Fine", "visibility": "public"})
    assert "A list is personal or team." in texts(response)


def test_a_private_list_is_a_404_to_everyone_else(client, cast):
    for role in ("editor", "other", "moderator"):
        client.force_login(cast[role])
        response = client.get(f"/lists/{cast['personal'].pk}/")
        assert response.status_code == 404
        assert "There is no such list." in texts(response)
        response = client.post(f"/lists/{cast['personal'].pk}/", {"action": "delete"})
        assert response.status_code == 404
    assert PaperList.objects.filter(pk=cast["personal"].pk).exists()


def test_what_each_role_sees_on_a_team_list(client, cast):
    path = f"/lists/{cast['team'].pk}/"
    owner = texts(page_for(client, cast["owner"], path))
    assert "First Paper" in owner and "Second Paper" in owner
    assert "<p>Read <strong>section 2</strong>.</p>" in owner
    assert "Added by owner" in owner and "Added by editor" in owner
    assert "Move up" in owner and "Name and who sees it" in owner and "Delete this list" in owner
    assert "Name editor" in owner

    client.logout()
    editor = texts(page_for(client, cast["editor"], path))
    assert "Move up" in editor and "Edit note" in editor and "Stop editing this list" in editor
    assert "Name and who sees it" not in editor and "Delete this list" not in editor

    for role in ("other", "moderator"):
        client.logout()
        body = texts(page_for(client, cast[role], path))
        assert "First Paper" in body and "Move up" not in body and "Remove<" not in body
        assert "Name and who sees it" not in body
        assert "You can read this list" in body


def test_a_list_shows_only_papers_its_reader_may_open(client, cast):
    pending = PaperFactory(
        title="Editor's Own Pending", status=PaperStatus.PENDING, submitted_by=cast["editor"]
    )
    list_item_add(paper_list=cast["team"], user=cast["editor"], paper=pending)
    path = f"/lists/{cast['team'].pk}/"
    assert "Editor&#x27;s Own Pending" in texts(page_for(client, cast["editor"], path))
    client.logout()
    assert "Editor&#x27;s Own Pending" not in texts(page_for(client, cast["other"], path))


def test_the_owner_renames_and_makes_it_personal(client, cast):
    client.force_login(cast["owner"])
    path = f"/lists/{cast['team'].pk}/"
    response = client.post(
        path, {"action": "settings", "name": "Renamed", "visibility": "personal"}
    )
    assert response.status_code == 302 and response["Location"] == path
    cast["team"].refresh_from_db()
    assert (cast["team"].name, cast["team"].visibility) == ("Renamed", "personal")
    assert not ListEditor.objects.exists()
    refused = client.post(path, {"action": "settings", "name": "", "visibility": "personal"})
    assert refused.status_code == 200 and "A list needs a name." in texts(refused)


def test_others_cannot_rename_or_delete(client, cast):
    path = f"/lists/{cast['team'].pk}/"
    for role in ("editor", "other"):
        client.force_login(cast[role])
        response = client.post(path, {"action": "settings", "name": "Taken", "visibility": "team"})
        assert response.status_code == 200
        assert "Only the list&#x27;s owner can do this." in texts(response)
        response = client.post(path, {"action": "delete", "confirm": "yes"})
        assert "Only the list&#x27;s owner can do this." in texts(response)
    cast["team"].refresh_from_db()
    assert cast["team"].name == "Team picks"


def test_deleting_needs_the_box_ticked(client, cast):
    client.force_login(cast["owner"])
    path = f"/lists/{cast['team'].pk}/"
    response = client.post(path, {"action": "delete"})
    assert response.status_code == 200 and "Tick the box to confirm" in texts(response)
    response = client.post(path, {"action": "delete", "confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == "/lists/"
    assert not PaperList.objects.filter(pk=cast["team"].pk).exists()


def test_editors_are_named_removed_and_may_leave(client, cast):
    client.force_login(cast["owner"])
    path = f"/lists/{cast['team'].pk}/"
    assert client.post(path, {"action": "editor-add", "username": "OTHER"}).status_code == 302
    assert ListEditor.objects.filter(paper_list=cast["team"], user=cast["other"]).exists()
    refused = client.post(path, {"action": "editor-add", "username": "nobody-here"})
    assert refused.status_code == 200 and "There is no member of that name." in texts(refused)
    assert 'value="nobody-here"' in texts(refused)
    client.post(path, {"action": "editor-remove", "username": "other"})
    assert not ListEditor.objects.filter(user=cast["other"]).exists()
    client.logout()
    client.force_login(cast["editor"])
    response = client.post(path, {"action": "editor-remove", "username": "editor"})
    assert response.status_code == 302
    assert not ListEditor.objects.exists()


def test_an_unknown_action_is_a_400(client, cast):
    client.force_login(cast["owner"])
    response = client.post(f"/lists/{cast['team'].pk}/", {"action": "explode"})
    assert response.status_code == 400


def test_load_more_pages_a_long_list(client, cast):
    owner = cast["owner"]
    long = list_create(owner=owner, name="Long")
    for i in range(53):
        list_item_add(paper_list=long, user=owner, paper=PaperFactory(title=f"Long paper {i:02d}"))
    client.force_login(owner)
    first = texts(client.get(f"/lists/{long.pk}/"))
    assert first.count('class="list-item"') == 50 and "Load more" in first
    href = (
        first.split("data-load-more")[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    )
    rest = texts(client.get(href + "&partial=items"))
    assert rest.count('class="list-item"') == 3 and "Long paper 52" in rest
    assert client.get(f"/lists/{long.pk}/?cursor=garbage").status_code == 400


def test_hostile_names_and_notes_are_text(client, cast):
    hostile = list_create(owner=cast["owner"], name=HOSTILE, visibility="team")
    list_item_add(
        paper_list=hostile,
        user=cast["owner"],
        paper=PaperFactory(title=f"Title {HOSTILE}"),
        note=f"Note {HOSTILE} [x](javascript:alert(1))",
    )
    client.force_login(cast["other"])
    for path in ("/lists/", f"/lists/{hostile.pk}/"):
        body = texts(client.get(path))
        assert HOSTILE not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert 'href="javascript' not in texts(client.get(f"/lists/{hostile.pk}/"))


def test_cards_and_the_paper_page_carry_the_members_buttons(client, cast):
    paper = cast["papers"][0]
    paper_mark_set(user=cast["other"], paper=paper, kind="not_interested")
    body = texts(page_for(client, cast["other"], "/?order=new"))
    assert body.count('data-mark="read"') == 2 and body.count("data-add-to-list=") == 2
    card = body.split(f'data-paper-id="{paper.pk}"')[1].split("</article>")[0]
    assert f'data-mark="not_interested" data-paper="{paper.pk}" aria-pressed="true"' in card
    assert f'data-mark="read" data-paper="{paper.pk}" aria-pressed="false"' in card
    page = texts(client.get(f"/papers/{paper.pk}/"))
    assert 'data-mark="not_interested"' in page and 'aria-pressed="true"' in page
    assert "data-add-to-list" in page
    client.logout()
    anonymous = texts(client.get("/?order=new")) + texts(client.get(f"/papers/{paper.pk}/"))
    assert "data-mark=" not in anonymous and "data-add-to-list" not in anonymous


def test_my_page_sets_the_reading_setting(client, cast):
    client.force_login(cast["other"])
    page = texts(client.get("/me/"))
    assert (
        'name="hide_marked"' in page and "checked" not in page.split('name="hide_marked"')[1][:30]
    )
    response = client.post("/me/settings/", {"hide_marked": "yes"})
    assert response.status_code == 302 and response["Location"] == "/me/#reading-h"
    assert member_settings_get(user=cast["other"]).hide_marked is True
    assert " checked" in texts(client.get("/me/")).split('name="hide_marked"')[1][:30]
    client.post("/me/settings/", {})
    assert member_settings_get(user=cast["other"]).hide_marked is False
    assert client.get("/me/settings/").status_code == 405


def test_the_header_links_members_to_their_lists(client, cast):
    assert 'href="/lists/"' in texts(page_for(client, cast["other"], "/"))
    client.logout()
    assert 'href="/lists/"' not in texts(client.get("/"))
