"""Every write of follows and the inbox. Import from here:
`from notifications.services import follow_create`.

Services check the member themselves (accounts.roles) and raise config.errors.DomainError
with a sentence (module constants, MSG_*), as curation's do.
"""

from notifications.services.delivery import (
    delivery_settings_get,
    delivery_settings_update,
    digests_send,
    digests_unsubscribe,
    inbox_feed_issue,
    inbox_feed_revoke,
)
from notifications.services.events import (
    comment_notify,
    paper_tagged_notify,
    papers_announce,
    presenter_notify,
)
from notifications.services.follows import (
    follow_create,
    follow_delete,
    follow_rename,
    search_query_key,
)
from notifications.services.inbox import (
    Draft,
    notification_mark_read,
    notifications_mark_all_read,
    notifications_record,
)
from notifications.services.webhooks import (
    webhook_create,
    webhook_delete,
    webhook_deliver,
)

__all__ = [
    "Draft",
    "comment_notify",
    "delivery_settings_get",
    "delivery_settings_update",
    "digests_send",
    "digests_unsubscribe",
    "inbox_feed_issue",
    "inbox_feed_revoke",
    "webhook_create",
    "webhook_delete",
    "webhook_deliver",
    "follow_create",
    "follow_delete",
    "follow_rename",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notifications_record",
    "paper_tagged_notify",
    "papers_announce",
    "presenter_notify",
    "search_query_key",
]
