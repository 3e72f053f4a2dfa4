"""Comments: threads, the edit window, deletion, hiding, flags, the rate limit, the count."""

import datetime

import pytest
from django.utils import timezone

from config.errors import DomainError
from curation.models import DELETED_PLACEHOLDER, HIDDEN_PLACEHOLDER, CommentFlag, ModerationEvent
from curation.selectors import comment_tree, comments_thread
from curation.services import (
    comment_create,
    comment_delete,
    comment_edit,
    comment_flag,
    comment_flags_dismiss,
    comment_hide,
    comment_restore,
)
from curation.services.comments import (
    MSG_ALREADY_FLAGGED,
    MSG_ALREADY_HIDDEN,
    MSG_BODY_REQUIRED,
    MSG_COMMENT_NOT_PUBLISHED,
    MSG_EDIT_WINDOW_CLOSED,
    MSG_FLAG_OWN,
    MSG_FLAG_REASON_INVALID,
    MSG_NOT_AUTHOR,
    MSG_NOT_HIDDEN,
    MSG_PARENT_GONE,
    MSG_PARENT_OTHER_PAPER,
    MSG_RATE_LIMITED,
    MSG_REASON_REQUIRED,
)
from papers.models import Paper
from tests.factories import PaperFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2024, 8, 22, 12, 0, 0, tzinfo=datetime.UTC)


def _count(paper) -> int:
    return Paper.objects.values_list("comment_count", flat=True).get(pk=paper.pk)


@pytest.fixture
def paper(db):
    return PaperFactory()


def test_post_renders_markdown_and_counts(member, paper):
    comment = comment_create(user=member, paper=paper, body="Nice *result*.", now=T0)
    assert comment.body_html == "<p>Nice <em>result</em>.</p>\n"
    assert (comment.created_at, comment.edited_at, comment.is_edited) == (T0, None, False)
    assert _count(paper) == 1


def test_threads_stay_on_one_paper(member, other_member, paper):
    root = comment_create(user=member, paper=paper, body="Root", now=T0)
    reply = comment_create(user=other_member, paper=paper, body="Reply", parent=root, now=T0)
    comment_create(user=member, paper=paper, body="Reply to reply", parent=reply, now=T0)
    second = comment_create(user=other_member, paper=paper, body="Second root", now=T0)
    with pytest.raises(DomainError) as raised:
        comment_create(user=member, paper=PaperFactory(), body="Elsewhere", parent=root, now=T0)
    assert raised.value.message == MSG_PARENT_OTHER_PAPER

    tree = comment_tree(comments_thread(paper=paper))
    assert [(n.comment.body, [r.comment.body for r in n.replies]) for n in tree] == [
        ("Root", ["Reply"]),
        ("Second root", []),
    ]
    assert [r.comment.body for r in tree[0].replies[0].replies] == ["Reply to reply"]
    assert second.parent is None


@pytest.mark.parametrize("status", ["pending", "rejected", "hidden"])
def test_only_published_papers_take_comments(member, status):
    with pytest.raises(DomainError) as raised:
        comment_create(user=member, paper=PaperFactory(status=status), body="Hi", now=T0)
    assert raised.value.message == MSG_COMMENT_NOT_PUBLISHED


def test_empty_bodies_are_refused(member, paper):
    with pytest.raises(DomainError) as raised:
        comment_create(user=member, paper=paper, body="  \n ", now=T0)
    assert raised.value.message == MSG_BODY_REQUIRED


@pytest.mark.parametrize("role", ["anonymous", "none"])
def test_anonymous_cannot_comment(user_of_role, role, paper):
    with pytest.raises(DomainError) as raised:
        comment_create(user=user_of_role(role), paper=paper, body="Hi", now=T0)
    assert raised.value.status_code == 401


@pytest.mark.parametrize(
    ("minutes", "allowed"), [(0, True), (14, True), (15, True), (15.01, False), (60, False)]
)
def test_the_author_edits_within_fifteen_minutes(member, paper, minutes, allowed):
    comment = comment_create(user=member, paper=paper, body="Frist", now=T0)
    later = T0 + datetime.timedelta(minutes=minutes)
    if allowed:
        comment_edit(comment=comment, user=member, body="**First**", now=later)
        comment.refresh_from_db()
        assert (comment.body, comment.body_html) == ("**First**", "<p><strong>First</strong></p>\n")
        assert comment.edited_at == later
        assert comment.is_edited
    else:
        with pytest.raises(DomainError) as raised:
            comment_edit(comment=comment, user=member, body="First", now=later)
        assert raised.value.message == MSG_EDIT_WINDOW_CLOSED
        comment.refresh_from_db()
        assert (comment.body, comment.edited_at) == ("Frist", None)


def test_only_the_author_edits_or_deletes(member, other_member, moderator, paper):
    comment = comment_create(user=member, paper=paper, body="Mine", now=T0)
    for user in (other_member, moderator):
        with pytest.raises(DomainError) as raised:
            comment_edit(comment=comment, user=user, body="Theirs", now=T0)
        assert raised.value.message == MSG_NOT_AUTHOR
        assert raised.value.status_code == 403
        with pytest.raises(DomainError) as raised:
            comment_delete(comment=comment, user=user)
        assert raised.value.message == MSG_NOT_AUTHOR


def test_delete_leaves_a_placeholder_and_the_replies(member, other_member, paper):
    root = comment_create(user=member, paper=paper, body="Root", now=T0)
    comment_create(user=other_member, paper=paper, body="Reply", parent=root, now=T0)
    assert _count(paper) == 2
    comment_delete(comment=root, user=member, now=T0)
    root.refresh_from_db()
    assert (root.body, root.body_html, root.deleted_at) == ("", "", T0)
    assert root.html_for() == DELETED_PLACEHOLDER
    assert _count(paper) == 1
    tree = comment_tree(comments_thread(paper=paper))
    assert [r.comment.body for r in tree[0].replies] == ["Reply"]
    # Again: nothing changes.
    comment_delete(comment=root, user=member)
    assert _count(paper) == 1
    with pytest.raises(DomainError) as raised:
        comment_create(user=other_member, paper=paper, body="To nobody", parent=root, now=T0)
    assert raised.value.message == MSG_PARENT_GONE


def test_hide_and_restore_are_logged_resolve_flags_and_keep_the_count(
    member, other_member, moderator, paper
):
    comment = comment_create(user=member, paper=paper, body="Buy pills", now=T0)
    comment_flag(comment=comment, user=other_member, reason="spam", note="Obvious.")
    with pytest.raises(DomainError) as raised:
        comment_hide(comment=comment, moderator=moderator, reason="")
    assert raised.value.message == MSG_REASON_REQUIRED

    comment_hide(comment=comment, moderator=moderator, reason="Spam.", now=T0)
    comment.refresh_from_db()
    assert (comment.hidden_at, comment.hidden_by, comment.hidden_reason) == (T0, moderator, "Spam.")
    assert comment.html_for() == HIDDEN_PLACEHOLDER
    assert comment.html_for(moderator=True) == "<p>Buy pills</p>\n"
    assert _count(paper) == 0
    flag = CommentFlag.objects.get()
    assert (flag.resolved_at, flag.resolved_by) == (T0, moderator)
    with pytest.raises(DomainError) as raised:
        comment_hide(comment=comment, moderator=moderator, reason="Again.")
    assert raised.value.message == MSG_ALREADY_HIDDEN

    comment_restore(comment=comment, moderator=moderator, reason="Was a joke.")
    comment.refresh_from_db()
    assert (comment.hidden_at, comment.hidden_by, comment.hidden_reason) == (None, None, "")
    assert _count(paper) == 1
    with pytest.raises(DomainError) as raised:
        comment_restore(comment=comment, moderator=moderator, reason="Again.")
    assert raised.value.message == MSG_NOT_HIDDEN

    events = list(
        ModerationEvent.objects.order_by("id").values_list(
            "action", "target_kind", "target_id", "from_state", "to_state", "reason"
        )
    )
    assert events == [
        ("hide", "comment", comment.pk, "visible", "hidden", "Spam."),
        ("restore", "comment", comment.pk, "hidden", "visible", "Was a joke."),
    ]


def test_hiding_a_deleted_comment_does_not_count_twice(member, moderator, paper):
    comment = comment_create(user=member, paper=paper, body="Oops", now=T0)
    comment_delete(comment=comment, user=member)
    comment_hide(comment=comment, moderator=moderator, reason="Cleanup.")
    comment_restore(comment=comment, moderator=moderator, reason="Cleanup.")
    assert _count(paper) == 0


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", False),
        ("none", False),
        ("member", False),
        ("moderator", True),
        ("admin", True),
    ],
)
def test_only_moderators_hide_and_restore(user_of_role, member, paper, role, allowed):
    comment = comment_create(user=member, paper=paper, body="Hm", now=T0)
    user = user_of_role(role)
    if allowed:
        comment_hide(comment=comment, moderator=user, reason="R.")
        comment_restore(comment=comment, moderator=user, reason="R.")
        assert comment_flags_dismiss(comment=comment, moderator=user) == 0
    else:
        for call in (
            lambda: comment_hide(comment=comment, moderator=user, reason="R."),
            lambda: comment_restore(comment=comment, moderator=user, reason="R."),
            lambda: comment_flags_dismiss(comment=comment, moderator=user),
        ):
            with pytest.raises(DomainError) as raised:
                call()
            assert raised.value.status_code in (401, 403)


def test_flags(member, other_member, moderator, paper):
    comment = comment_create(user=member, paper=paper, body="Hm", now=T0)
    with pytest.raises(DomainError) as raised:
        comment_flag(comment=comment, user=member, reason="spam")
    assert raised.value.message == MSG_FLAG_OWN
    with pytest.raises(DomainError) as raised:
        comment_flag(comment=comment, user=other_member, reason="boring")
    assert raised.value.message == MSG_FLAG_REASON_INVALID
    flag = comment_flag(comment=comment, user=other_member, reason="off-topic", note=" meh ")
    assert (flag.reason, flag.note, flag.resolved_at) == ("off-topic", "meh", None)
    with pytest.raises(DomainError) as raised:
        comment_flag(comment=comment, user=other_member, reason="abuse")
    assert raised.value.message == MSG_ALREADY_FLAGGED
    assert raised.value.status_code == 409

    assert comment_flags_dismiss(comment=comment, moderator=moderator, reason="Fine.") == 1
    assert CommentFlag.objects.get().resolved_by == moderator
    assert ModerationEvent.objects.get().action == "dismiss_flags"
    assert _count(paper) == 1


def test_the_rate_limit(settings, member, moderator, paper):
    settings.COMMENT_RATE_LIMIT = 3
    settings.COMMENT_RATE_WINDOW = 60
    for i in range(3):
        comment_create(user=member, paper=paper, body=f"c{i}", now=T0)
    with pytest.raises(DomainError) as raised:
        comment_create(user=member, paper=paper, body="one too many", now=T0)
    assert raised.value.message == MSG_RATE_LIMITED
    assert (raised.value.code, raised.value.status_code) == ("rate_limited", 429)
    assert raised.value.extra == {"retry_after": 60}
    assert _count(paper) == 3
    # Another user is not affected, nor are moderators; the next minute is a new window.
    comment_create(user=UserFactory(), paper=paper, body="me too", now=T0)
    for i in range(5):
        comment_create(user=moderator, paper=paper, body=f"m{i}", now=T0)
    comment_create(user=member, paper=paper, body="later", now=T0 + datetime.timedelta(minutes=1))


def test_real_clock_defaults(member, paper):
    before = timezone.now()
    comment = comment_create(user=member, paper=paper, body="Now")
    assert before <= comment.created_at <= timezone.now()
    comment_edit(comment=comment, user=member, body="Now edited")
    assert comment.edited_at is not None


def test_the_thread_says_which_comments_the_viewer_flagged(paper, django_assert_num_queries):
    author, reader = UserFactory(), UserFactory()
    first = comment_create(user=author, paper=paper, body="One")
    comment_create(user=author, paper=paper, body="Two")
    comment_flag(comment=first, user=reader, reason="spam")
    with django_assert_num_queries(3):  # the thread, its authors, the reader's flags
        flagged = {c.body: c.viewer_flagged for c in comments_thread(paper=paper, viewer=reader)}
    assert flagged == {"One": True, "Two": False}
    for viewer in (None, author):
        assert not any(c.viewer_flagged for c in comments_thread(paper=paper, viewer=viewer))


def test_the_thread_is_read_once_and_shared_with_each_reader_s_own_flags(
    paper, django_assert_num_queries
):
    author, reader, other = UserFactory(), UserFactory(), UserFactory()
    first = comment_create(user=author, paper=paper, body="One")
    comment_create(user=author, paper=paper, body="Two", parent=first)
    comments_thread(paper=paper)
    with django_assert_num_queries(0):  # an anonymous reader: the shared thread alone
        assert [c.body for c in comments_thread(paper=paper)] == ["One", "Two"]
    comment_flag(comment=first, user=reader, reason="spam")  # not a change of the thread
    with django_assert_num_queries(1):  # a member: their flags
        mine = {c.body: c.viewer_flagged for c in comments_thread(paper=paper, viewer=reader)}
    assert mine == {"One": True, "Two": False}
    assert not any(c.viewer_flagged for c in comments_thread(paper=paper, viewer=other))
    assert [c.author.username for c in comments_thread(paper=paper)] == [author.username] * 2


def test_every_write_to_a_thread_is_seen_at_once(paper, member, moderator):
    author = UserFactory()
    comment = comment_create(user=author, paper=paper, body="First")

    def shown():
        return [(c.body, c.is_hidden, c.is_deleted) for c in comments_thread(paper=paper)]

    assert shown() == [("First", False, False)]  # now kept
    reply = comment_create(user=member, paper=paper, body="Reply", parent=comment)
    assert shown() == [("First", False, False), ("Reply", False, False)]
    comment_edit(comment=comment, user=author, body="First, edited")
    assert shown()[0] == ("First, edited", False, False)
    comment_hide(comment=reply, moderator=moderator, reason="Off topic")
    assert shown()[1] == ("Reply", True, False)
    comment_restore(comment=reply, moderator=moderator, reason="On topic after all")
    assert shown()[1] == ("Reply", False, False)
    comment_delete(comment=comment, user=author)
    assert shown()[0] == ("", False, True)
    other = PaperFactory()
    comment_create(user=author, paper=other, body="Elsewhere")
    assert [c.body for c in comments_thread(paper=other)] == ["Elsewhere"]


def test_the_process_keeps_a_few_threads_for_a_few_seconds(monkeypatch):
    from curation import selectors

    memo = selectors._ThreadMemo()
    clock = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock[0])
    memo.put(1, 7, ["thread one"])
    assert memo.get(1, 7) == ["thread one"]
    assert memo.get(1, 8) is None  # another generation: a write moved it on
    clock[0] += selectors.SHARED_SECONDS + 0.1
    assert memo.get(1, 7) is None  # kept no longer than the shared cache keeps it
    for paper_id in range(selectors._ThreadMemo.MAX_THREADS + 5):
        memo.put(paper_id, 1, [paper_id])
    assert memo.get(0, 1) is None and memo.get(selectors._ThreadMemo.MAX_THREADS + 4, 1)
