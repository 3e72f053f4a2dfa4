"""Delivery of inbox items to a member: their settings per topic, their private Atom feed's
address, and the e-mail digests, sent exactly once.

The digest, step by step (digests_send, from beat every few minutes):

1. Due: a member with some topic on e-mail whose digest hour (08:00 by default) has come
   today in THEIR time zone (accounts.time_zones) gets the daily digest of today's period
   ("daily:2026-12-02"); on Monday from that hour (or later that week, when beat was down)
   the weekly one ("weekly:2026-W49").
2. Claim, in one transaction: the Digest row of (member, period), unique, in state
   `sending`, and a Delivery row per item it carries, unique per (item, channel). Two runs at
   once: the second finds the digest (or, on PostgreSQL, skips the member row the first
   holds: select_for_update(skip_locked)) and leaves it; an item already carried by another
   digest is not taken again (the Delivery constraint).
3. Send, outside any transaction: one message, plain text and HTML, whose Message-ID is made
   from the digest's id, with a one-click unsubscribe link (RFC 8058).
4. Mark it sent.

The one window: a sender killed after the SMTP server accepted the message and before step
4 commits (milliseconds). Its digest stays `sending`; after DIGEST_CLAIM_STALE_SECONDS a
later run sends it again, with the same items and the same Message-ID, so a mail client
that keeps one message per Message-ID shows it once. A digest whose sender is alive is
never sent twice, nor an item in two digests; a digest that fails DIGEST_MAX_ATTEMPTS times
is given up (`failed`), its items delivered nowhere else.
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import MemberTimeZone
from accounts.private_feeds import IssuedFeed, private_feed_issue, private_feed_revoke
from accounts.roles import Viewer, require_member
from accounts.time_zones import site_time_zone, time_zone_is_known
from config.errors import DomainError
from notifications.models import (
    TOPIC_KINDS,
    Delivery,
    DeliveryChannel,
    DeliveryPreference,
    DeliveryProfile,
    DeliveryTopic,
    Digest,
    DigestCadence,
    DigestStatus,
    InboxFeed,
    Notification,
)

logger = logging.getLogger(__name__)

MSG_UNKNOWN_TOPIC = "There is no such topic: choose one of {choices}."
MSG_UNKNOWN_CADENCE = "The e-mail choice must be one of off, daily or weekly."
MSG_BAD_FEED = "The feed choice must be true or false."
MSG_BAD_HOUR = "The digest hour must be a whole hour from 0 to 23."
MSG_BAD_UNSUBSCRIBE = "This unsubscribe link is not valid: use the one in your latest e-mail."
MSG_NO_EMAIL = "Your account has no e-mail address: add one to get digests."

UNSUBSCRIBE_SALT = "notifications.digest.unsubscribe"
DIGEST_MAX_ATTEMPTS = 3
DIGEST_MAX_ITEMS = 200  # more wait for the next digest
# Items older than this are not sent by a digest turned on later: a digest tells of news.
DIGEST_LOOKBACK = datetime.timedelta(days=8)


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid", extra={"fields": {field: [message]}})


# --- Settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicSetting:
    topic: str
    label: str
    email: str
    feed: bool


@dataclass(frozen=True)
class DeliverySettings:
    digest_hour: int
    topics: list[TopicSetting]

    def feed_kinds(self) -> list[str]:
        return [kind for t in self.topics if t.feed for kind in TOPIC_KINDS[t.topic]]


def delivery_settings_get(*, member: Viewer) -> DeliverySettings:
    """The member's settings, every topic listed (its defaults when never set). Two queries."""
    member = require_member(member)
    hour = (
        DeliveryProfile.objects.filter(member=member).values_list("digest_hour", flat=True).first()
    )
    rows = {p.topic: p for p in DeliveryPreference.objects.filter(member=member)}
    topics = []
    for topic in DeliveryTopic:
        row = rows.get(topic.value)
        topics.append(
            TopicSetting(
                topic=topic.value,
                label=str(topic.label),
                email=row.email if row else DigestCadence.OFF,
                feed=row.feed if row else True,
            )
        )
    return DeliverySettings(digest_hour=8 if hour is None else hour, topics=topics)


@transaction.atomic
def delivery_settings_update(
    *, member: Viewer, digest_hour: int | None = None, topics: Mapping[str, Mapping] | None = None
) -> DeliverySettings:
    """Set the member's digest hour and, per topic given, `email` (off, daily, weekly) and
    `feed` (bool). Everything is checked before anything is written."""
    member = require_member(member)
    changes: dict[str, dict] = {}
    for topic, values in (topics or {}).items():
        if topic not in DeliveryTopic.values:
            choices = ", ".join(DeliveryTopic.values)
            raise _invalid("topics", MSG_UNKNOWN_TOPIC.format(choices=choices))
        change = {}
        if "email" in values:
            if values["email"] not in DigestCadence.values:
                raise _invalid("email", MSG_UNKNOWN_CADENCE)
            change["email"] = values["email"]
        if "feed" in values:
            if not isinstance(values["feed"], bool):
                raise _invalid("feed", MSG_BAD_FEED)
            change["feed"] = values["feed"]
        changes[topic] = change
    if digest_hour is not None:
        if isinstance(digest_hour, bool) or not isinstance(digest_hour, int):
            raise _invalid("digest_hour", MSG_BAD_HOUR)
        if not 0 <= digest_hour <= 23:
            raise _invalid("digest_hour", MSG_BAD_HOUR)
        DeliveryProfile.objects.update_or_create(
            member=member, defaults={"digest_hour": digest_hour}
        )
    for topic, change in changes.items():
        if change:
            DeliveryPreference.objects.update_or_create(member=member, topic=topic, defaults=change)
    return delivery_settings_get(member=member)


# --- Unsubscribe ------------------------------------------------------------------------------


def unsubscribe_token(*, member: User) -> str:
    """A signed token naming the member, for the link in their digests: no login needed, so
    it works from any mail client (and for RFC 8058's one-click POST)."""
    return signing.dumps({"m": member.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_member(*, token: str):
    """The member a token names, or a DomainError (400) for a forged or damaged one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise DomainError(MSG_BAD_UNSUBSCRIBE) from None
    member = get_user_model().objects.filter(pk=data.get("m")).first()
    if member is None:
        raise DomainError(MSG_BAD_UNSUBSCRIBE)
    return member


@transaction.atomic
def digests_unsubscribe(*, token: str) -> int:
    """Turn off every e-mail digest of the member the token names; returns how many topics
    were on. From now on no digest is claimed for them; one already claimed and being sent
    by a live run may still leave (at most one, within seconds)."""
    member = unsubscribe_member(token=token)
    return (
        DeliveryPreference.objects.filter(member=member)
        .exclude(email=DigestCadence.OFF)
        .update(email=DigestCadence.OFF)
    )


# --- The private Atom feed --------------------------------------------------------------------


def inbox_feed_issue(*, member: Viewer) -> IssuedFeed[InboxFeed]:
    """Make the member's feed address, replacing (so stopping at once) any older one (the
    rule of every private feed address: accounts.private_feeds)."""
    return private_feed_issue(InboxFeed, member=member)


def inbox_feed_revoke(*, member: Viewer) -> bool:
    """Stop the member's feed address; False when they had none."""
    return private_feed_revoke(InboxFeed, member=member)


# --- E-mail digests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DuePeriod:
    cadence: str
    period: str


def due_periods(*, now: datetime.datetime, zone: zoneinfo.ZoneInfo, hour: int) -> list[DuePeriod]:
    """The digest periods due at `now` for a member in `zone` whose digest hour is `hour`:
    today's daily one from that hour on; this week's weekly one from that hour on Monday
    (and the rest of the week, should beat have missed Monday)."""
    local = now.astimezone(zone)
    due = []
    if local.hour >= hour:
        due.append(DuePeriod(DigestCadence.DAILY, f"daily:{local.date().isoformat()}"))
    if local.weekday() > 0 or local.hour >= hour:
        year, week, _ = local.isocalendar()
        due.append(DuePeriod(DigestCadence.WEEKLY, f"weekly:{year}-W{week:02d}"))
    return due


def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    if name and time_zone_is_known(name):
        return zoneinfo.ZoneInfo(name)
    return site_time_zone()


@dataclass
class DigestRun:
    sent: int = 0
    empty: int = 0
    skipped: int = 0  # claimed by another run, or sent already
    failed: int = 0


def digests_send(*, now: datetime.datetime | None = None) -> DigestRun:
    """Send every digest due at `now` (beat's door; see the module's docstring)."""
    now = now or timezone.now()
    run = DigestRun()
    prefs = (
        DeliveryPreference.objects.exclude(email=DigestCadence.OFF)
        .filter(member__is_active=True)
        .exclude(member__email="")
        .values_list("member_id", "topic", "email")
    )
    chosen: dict[int, dict[str, list[str]]] = {}
    for member_id, topic, cadence in prefs:
        chosen.setdefault(member_id, {}).setdefault(cadence, []).append(topic)
    if not chosen:
        return run
    hours = dict(
        DeliveryProfile.objects.filter(member_id__in=chosen).values_list("member_id", "digest_hour")
    )
    zones = dict(
        MemberTimeZone.objects.filter(user_id__in=chosen).values_list("user_id", "time_zone")
    )
    for member_id, cadences in chosen.items():
        zone = _zone(zones.get(member_id))
        for due in due_periods(now=now, zone=zone, hour=hours.get(member_id, 8)):
            topics = cadences.get(due.cadence)
            if not topics:
                continue
            outcome = digest_send(member_id=member_id, period=due.period, topics=topics, now=now)
            setattr(run, outcome, getattr(run, outcome) + 1)
    return run


def _claim(
    *, member_id: int, period: str, topics: Iterable[str], now: datetime.datetime
) -> Digest | None:
    """Claim the member's digest of `period` and its items (one transaction), or None when
    there is nothing to do: sent already, empty, claimed by a live run, or given up."""
    stale = now - datetime.timedelta(seconds=settings.DIGEST_CLAIM_STALE_SECONDS)
    with transaction.atomic():
        members = get_user_model().objects.filter(pk=member_id)
        # Another run on this member right now (PostgreSQL): leave them to it.
        skip_locked = connection.features.has_select_for_update_skip_locked
        if skip_locked and members.select_for_update(skip_locked=True).first() is None:
            return None
        digest = Digest.objects.filter(member_id=member_id, period=period).first()
        if digest is not None:
            if digest.status != DigestStatus.SENDING or digest.claimed_at > stale:
                return None
            if digest.attempts >= DIGEST_MAX_ATTEMPTS:
                Digest.objects.filter(pk=digest.pk).update(status=DigestStatus.FAILED)
                return None
            # Its sender died after claiming it: send it again, same items, same Message-ID.
            Digest.objects.filter(pk=digest.pk).update(claimed_at=now, attempts=digest.attempts + 1)
            digest.refresh_from_db()
            return digest
        try:
            with transaction.atomic():
                digest = Digest.objects.create(
                    member_id=member_id,
                    period=period,
                    status=DigestStatus.SENDING,
                    claimed_at=now,
                    attempts=1,
                )
        except IntegrityError:
            return None  # another run claimed it a moment ago
        kinds = [kind for topic in topics for kind in TOPIC_KINDS[topic]]
        waiting = (
            Notification.objects.filter(
                recipient_id=member_id, kind__in=kinds, created_at__gte=now - DIGEST_LOOKBACK
            )
            .exclude(deliveries__channel=DeliveryChannel.EMAIL)
            .order_by("id")
            .values_list("pk", flat=True)[:DIGEST_MAX_ITEMS]
        )
        Delivery.objects.bulk_create(
            [
                Delivery(notification_id=pk, channel=DeliveryChannel.EMAIL, digest=digest)
                for pk in waiting
            ],
            ignore_conflicts=True,  # an item another digest took meanwhile stays with it
        )
        if not digest.deliveries.exists():
            Digest.objects.filter(pk=digest.pk).update(status=DigestStatus.EMPTY)
            return None
        digest.message_id = f"<digest-{digest.pk}.{member_id}@{_mail_domain()}>"
        digest.save(update_fields=["message_id"])
        return digest


def _mail_domain() -> str:
    from urllib.parse import urlsplit

    return urlsplit(settings.SITE_URL).hostname or "paperboard"


def digest_send(*, member_id: int, period: str, topics: Iterable[str], now=None) -> str:
    """Claim, send and mark one digest; returns "sent", "empty", "skipped" or "failed"."""
    now = now or timezone.now()
    digest = _claim(member_id=member_id, period=period, topics=topics, now=now)
    if digest is None:
        status = Digest.objects.filter(member_id=member_id, period=period).values_list(
            "status", flat=True
        )
        return "empty" if status.first() == DigestStatus.EMPTY else "skipped"
    try:
        digest_message(digest=digest).send()
    except Exception:
        # Left `sending`: a later run, once the claim is stale, tries again (at most
        # DIGEST_MAX_ATTEMPTS times in all).
        logger.exception("digest %s of member %s could not be sent", digest.pk, member_id)
        return "failed"
    Digest.objects.filter(pk=digest.pk).update(status=DigestStatus.SENT, sent_at=timezone.now())
    return "sent"


@dataclass(frozen=True)
class DigestLine:
    text: str
    url: str | None
    excerpt: str


def digest_message(*, digest: Digest) -> EmailMultiAlternatives:
    """The e-mail of a claimed digest: its items as their recipient may see them now."""
    from notifications.presentation import item_view
    from notifications.selectors import inbox_items

    member = get_user_model().objects.get(pk=digest.member_id)
    items = inbox_items(viewer=member).filter(deliveries__digest=digest).order_by("id")
    lines = []
    for item in items:
        view = item_view(item)
        url = settings.SITE_URL + view.url if view.url else None
        lines.append(DigestLine(text=view.text, url=url, excerpt=view.excerpt))
    token = unsubscribe_token(member=member)
    unsubscribe_url = settings.SITE_URL + reverse("digest-unsubscribe", args=[token])
    weekly = digest.period.startswith("weekly:")
    context = {
        "member": member,
        "lines": lines,
        "weekly": weekly,
        "inbox_url": settings.SITE_URL + reverse("inbox"),
        "settings_url": settings.SITE_URL + reverse("inbox") + "#delivery-h",
        "unsubscribe_url": unsubscribe_url,
    }
    count = len(lines)
    subject = f"Paperboard: {count} new item{'s' if count != 1 else ''} in your inbox" + (
        " this week" if weekly else " today"
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notifications/digest.txt", context),
        to=[member.email],
        headers={
            "Message-ID": digest.message_id,
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("notifications/digest.html", context), "text/html")
    return message
