"""Outgoing webhooks on a tag or a team list: made by a moderator (a tag) or the list's
owner, each owned by its maker alone; and their deliveries, exactly once per (event,
webhook).

An event that concerns a webhook's target (a paper published with its tag, by
papers_announce and paper_tagged_notify; a comment on a paper of its list, by
comment_notify) records a WebhookDelivery in the same transaction as the inbox items, its
body made then, and sends notifications.tasks.deliver_webhook once that commits: never in
the request that caused it. The task claims the row (pending -> sending), POSTs it, and marks
it sent; a failure puts it back to pending and the task retries with exponential backoff
(WEBHOOK_MAX_RETRIES), then gives up (failed). As for digests, the one window is a worker
killed after the receiver answered 2xx and before `sent` commits: the row stays `sending`
and the beat sweep sends it again once stale, with the same X-Paperboard-Delivery id, which
receivers can use to drop the repeat.

Each request is signed: X-Paperboard-Signature: sha256=<hex HMAC-SHA256 of
"<timestamp>.<body>" with the webhook's secret>, the timestamp in X-Paperboard-Timestamp
(receivers refuse old ones: no replays).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.roles import Viewer, is_moderator, require_member
from config.errors import DomainError
from curation.models import Tag
from curation.selectors import tag_by_slug
from lists.models import ListItem, PaperList
from lists.selectors import lists_visible_to
from notifications.models import (
    WEBHOOK_URL_MAX_LENGTH,
    Webhook,
    WebhookDelivery,
    WebhookDeliveryStatus,
)
from papers.models import Paper

logger = logging.getLogger(__name__)

MSG_BAD_URL = "The address must be a full http:// or https:// URL."
MSG_PRIVATE_URL = "The address must not point to a private, loopback or local network."
MSG_ONE_TARGET = "Name either a tag or a list, not both and not neither."
MSG_NO_SUCH_TAG = "There is no such tag."
MSG_NO_SUCH_LIST = "There is no such list."
MSG_TAG_MODERATORS = "Only moderators may add a webhook to a tag."
MSG_LIST_OWNER = "Only the owner of a team list may add a webhook to it."
MSG_NO_SUCH_WEBHOOK = "There is no such webhook."

SECRET_BYTES = 32
SIGNATURE_HEADER = "X-Paperboard-Signature"
TIMESTAMP_HEADER = "X-Paperboard-Timestamp"
DELIVERY_HEADER = "X-Paperboard-Delivery"
USER_AGENT = "Paperboard-Webhooks/1"


class WebhookFailed(Exception):
    """The receiver did not take the delivery (an error status, a network failure)."""


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid", extra={"fields": {field: [message]}})


def _address_is_private(host: str) -> bool:
    """Whether `host` is, or resolves to, an address off the public internet."""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False  # not resolvable now: the send will fail and retry
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return True
    return False


def webhook_url_check(url: str) -> str:
    """The URL, if it is one a webhook may post to; else a DomainError naming `url`."""
    url = (url or "").strip()
    if len(url) > WEBHOOK_URL_MAX_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
        raise _invalid("url", MSG_BAD_URL)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        raise _invalid("url", MSG_BAD_URL) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        raise _invalid("url", MSG_BAD_URL)
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES and _address_is_private(parts.hostname):
        raise _invalid("url", MSG_PRIVATE_URL)
    return url


@dataclass(frozen=True)
class CreatedWebhook:
    webhook: Webhook
    secret: str  # shown to its maker once


@transaction.atomic
def webhook_create(
    *, owner: Viewer, url: str, tag: str | None = None, paper_list: int | None = None
):
    """A webhook on a tag (by its slug; moderators) or a team list (its owner)."""
    owner = require_member(owner)
    if (tag is None) == (paper_list is None):
        raise _invalid("tag", MSG_ONE_TARGET)
    url = webhook_url_check(url)
    target: dict = {}
    if tag is not None:
        found = tag_by_slug(tag)
        if found is None:
            raise _invalid("tag", MSG_NO_SUCH_TAG)
        if not is_moderator(owner):
            raise DomainError(MSG_TAG_MODERATORS, code="permission_denied", status_code=403)
        target["tag"] = found
    else:
        found_list = lists_visible_to(owner).filter(pk=paper_list or 0).first()
        if found_list is None:
            raise _invalid("list", MSG_NO_SUCH_LIST)
        if found_list.owner_id != owner.pk or not found_list.is_team:
            raise DomainError(MSG_LIST_OWNER, code="permission_denied", status_code=403)
        target["paper_list"] = found_list
    secret = secrets.token_urlsafe(SECRET_BYTES)
    webhook = Webhook.objects.create(owner=owner, url=url, secret=secret, **target)
    return CreatedWebhook(webhook=webhook, secret=secret)


@transaction.atomic
def webhook_delete(*, webhook: Webhook, user: Viewer) -> None:
    """Its owner removes it (and its deliveries); for anyone else it does not exist."""
    user = require_member(user)
    if webhook.owner_id != user.pk:
        raise DomainError(MSG_NO_SUCH_WEBHOOK, code="not_found", status_code=404)
    webhook.delete()


# --- Events --------------------------------------------------------------------------------


def _paper_fields(paper: Paper) -> dict:
    path = f"/papers/{paper.pk}/"
    return {
        "id": paper.pk,
        "title": paper.title,
        "arxiv_id": paper.arxiv_id or None,
        "url": settings.SITE_URL + path,
    }


def _record(pairs: Iterable[tuple[Webhook, str, dict]]) -> None:
    """Record a delivery per (webhook, event key) not recorded before, and send each once
    the caller's transaction commits."""
    rows = [WebhookDelivery(webhook=w, event_key=key, payload=body) for w, key, body in pairs]
    if not rows:
        return
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    keys = {(row.webhook_id, row.event_key) for row in rows}
    pending = WebhookDelivery.objects.filter(
        webhook_id__in={w for w, _ in keys},
        event_key__in={k for _, k in keys},
        status=WebhookDeliveryStatus.PENDING,
        attempts=0,
    ).values_list("pk", "webhook_id", "event_key")
    ids = [pk for pk, w, k in pending if (w, k) in keys]

    def send() -> None:
        from notifications.tasks import deliver_webhook

        for pk in ids:
            deliver_webhook.delay(pk)

    transaction.on_commit(send)


def webhooks_papers_published(*, paper_ids: Iterable[int], tag_id: int | None = None) -> None:
    """Tell the webhooks of their tags of papers just published (or, with `tag_id`, of
    published papers given that tag). Caller holds the transaction that announces them."""
    webhooks = Webhook.objects.filter(tag__isnull=False).select_related("tag")
    if tag_id is not None:
        webhooks = webhooks.filter(tag_id=tag_id)
    by_tag: dict[int, list[Webhook]] = {}
    for webhook in webhooks:
        by_tag.setdefault(webhook.tag_id or 0, []).append(webhook)
    if not by_tag:
        return
    papers = Paper.objects.filter(
        pk__in=list(paper_ids), paper_tags__tag_id__in=by_tag
    ).values_list("pk", "title", "arxiv_id", "paper_tags__tag_id")
    pairs = []
    for paper_id, title, arxiv_id, tid in papers:
        for webhook in by_tag.get(tid, []):
            paper = Paper(pk=paper_id, title=title, arxiv_id=arxiv_id)
            fields = _paper_fields(paper)
            tag: Tag = webhook.tag  # type: ignore[assignment]  # a tag's webhook has one
            body = {
                "text": f"New paper in {tag.name}: {title} {fields['url']}",
                "event": "paper_published",
                "tag": {"slug": tag.slug, "name": tag.name},
                "paper": fields,
            }
            pairs.append((webhook, f"paper:{paper_id}", body))
    _record(pairs)


def webhooks_comment_posted(*, comment) -> None:
    """Tell the webhooks of the team lists holding a comment's paper of the new comment."""
    webhooks = Webhook.objects.filter(
        paper_list__items__paper_id=comment.paper_id, paper_list__visibility="team"
    ).select_related("paper_list")
    pairs = []
    for webhook in webhooks:
        paper_list: PaperList = webhook.paper_list  # type: ignore[assignment]
        paper = Paper.objects.get(pk=comment.paper_id)
        fields = _paper_fields(paper)
        author = comment.author.username if comment.author_id else "someone"
        url = f"{fields['url']}#c{comment.pk}"
        body = {
            "text": f"{author} commented on {paper.title} (list {paper_list.name}): {url}",
            "event": "comment_posted",
            "list": {"id": paper_list.pk, "name": paper_list.name},
            "paper": fields,
            "comment": {"id": comment.pk, "author": author, "url": url},
        }
        pairs.append((webhook, f"comment:{comment.pk}", body))
    _record(pairs)


@transaction.atomic
def webhooks_list_paper_added(*, item_id: int) -> int:
    """Tell the webhooks of a team list of a paper put on it (the item, if it is still there
    and the list still a team list), once per (webhook, item); returns how many webhooks the
    list has."""
    item = (
        ListItem.objects.filter(pk=item_id, paper_list__visibility="team")
        .select_related("paper_list", "paper", "added_by")
        .first()
    )
    if item is None:
        return 0
    paper_list: PaperList = item.paper_list
    fields = _paper_fields(item.paper)
    adder = item.added_by.username if item.added_by is not None else "someone"
    pairs = [
        (
            webhook,
            f"list-item:{item.pk}",
            {
                "text": f"{adder} added {item.paper.title} to {paper_list.name}: {fields['url']}",
                "event": "paper_added",
                "list": {"id": paper_list.pk, "name": paper_list.name},
                "paper": fields,
                "added_by": adder,
                "note": item.note,
            },
        )
        for webhook in Webhook.objects.filter(paper_list=paper_list)
    ]
    _record(pairs)
    return len(pairs)


# --- Sending -------------------------------------------------------------------------------


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _claim(delivery_id: int) -> WebhookDelivery | None:
    stale = timezone.now() - datetime.timedelta(seconds=settings.DIGEST_CLAIM_STALE_SECONDS)
    with transaction.atomic():
        rows = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id)
        delivery = rows.select_for_update(skip_locked=True, of=("self",)).first()
        if delivery is None:
            return None
        if delivery.status in (WebhookDeliveryStatus.SENT, WebhookDeliveryStatus.FAILED):
            return None
        if delivery.status == WebhookDeliveryStatus.SENDING and (
            delivery.claimed_at and delivery.claimed_at > stale
        ):
            return None  # another worker is sending it now
        delivery.status = WebhookDeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.claimed_at = timezone.now()
        delivery.save(update_fields=["status", "attempts", "claimed_at"])
        return delivery


def webhook_deliver(*, delivery_id: int, last_attempt: bool = False) -> bool:
    """Send one delivery if it is still to send: True once delivered (now or before), False
    when there is nothing to do; raises WebhookFailed when the receiver did not take it (the
    row back to pending, or failed when `last_attempt`)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return False
    webhook = delivery.webhook
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: webhook_signature(
                secret=webhook.secret, timestamp=timestamp, body=body
            ),
            DELIVERY_HEADER: str(delivery.pk),
        },
    )
    error = ""
    try:
        host = urlsplit(webhook.url).hostname or ""
        if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES and _address_is_private(host):
            raise WebhookFailed(MSG_PRIVATE_URL)
        with urllib.request.urlopen(  # noqa: S310 - the scheme is checked: http(s) only
            request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
        ) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except (OSError, WebhookFailed) as exc:
        status, error = 0, str(exc)[:300] or exc.__class__.__name__
    if 200 <= status < 300:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
        )
        return True
    final = WebhookDeliveryStatus.FAILED if last_attempt else WebhookDeliveryStatus.PENDING
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=final, last_error=error[:300])
    raise WebhookFailed(f"webhook delivery {delivery.pk}: {error}")


def webhook_deliveries_pending(*, older_than: datetime.timedelta) -> list[int]:
    """Deliveries whose task was lost: pending since a while, or claimed long ago."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.DIGEST_CLAIM_STALE_SECONDS)
    pending = WebhookDelivery.objects.filter(
        status=WebhookDeliveryStatus.PENDING, created_at__lt=now - older_than
    )
    sending = WebhookDelivery.objects.filter(
        status=WebhookDeliveryStatus.SENDING, claimed_at__lt=stale
    )
    return list((pending | sending).order_by("pk").values_list("pk", flat=True)[:1000])
