"""Every write of the curation app. Import from here: `from curation.services import vote_cast`.

Each service checks the actor's role itself (accounts.roles) and raises
config.errors.DomainError with a user-facing message (module constants, MSG_*), a `code` and
an HTTP `status_code`: 401 not signed in, 403 not allowed, 404 missing, 409 wrong state or
duplicate, 429 rate limited, 400 otherwise.
"""

from curation.services.comments import (
    comment_create,
    comment_delete,
    comment_edit,
    comment_flag,
    comment_flags_dismiss,
    comment_hide,
    comment_restore,
)
from curation.services.events import moderation_event_record
from curation.services.marks import (
    member_settings_get,
    member_settings_update,
    paper_mark_set,
    paper_mark_unset,
    paper_marks_of,
)
from curation.services.submissions import paper_submit
from curation.services.tag_rules import TagRule, tag_rules_apply, tag_rules_parse
from curation.services.tags import (
    paper_tag_add,
    paper_tag_apply,
    paper_tag_counts_shift,
    paper_tag_remove,
    tag_counts_refresh,
    tag_create,
    tag_delete,
    tag_merge,
    tag_rename,
)
from curation.services.votes import VoteOutcome, paper_recount_votes, vote_cast, vote_withdraw
from curation.services.workflow import (
    REASON_REQUIRED,
    TRANSITIONS,
    BulkOutcome,
    allowed_targets,
    paper_edit,
    paper_hide,
    paper_publish,
    paper_reject,
    paper_restore,
    paper_transition,
    papers_bulk_transition,
    papers_delete,
)

__all__ = [
    "TagRule",
    "tag_rules_apply",
    "tag_rules_parse",
    "REASON_REQUIRED",
    "TRANSITIONS",
    "BulkOutcome",
    "VoteOutcome",
    "allowed_targets",
    "comment_create",
    "comment_delete",
    "comment_edit",
    "comment_flag",
    "comment_flags_dismiss",
    "comment_hide",
    "comment_restore",
    "member_settings_get",
    "member_settings_update",
    "moderation_event_record",
    "paper_edit",
    "paper_hide",
    "paper_mark_set",
    "paper_mark_unset",
    "paper_marks_of",
    "paper_publish",
    "paper_recount_votes",
    "paper_reject",
    "paper_restore",
    "paper_submit",
    "paper_tag_add",
    "paper_tag_apply",
    "paper_tag_counts_shift",
    "paper_tag_remove",
    "paper_transition",
    "papers_bulk_transition",
    "papers_delete",
    "tag_counts_refresh",
    "tag_create",
    "tag_delete",
    "tag_merge",
    "tag_rename",
    "vote_cast",
    "vote_withdraw",
]
