"""Time zones: the names a member may choose, and the zone a member reads times in.

Times are stored in UTC (USE_TZ); each member reads them in their own zone (MemberTimeZone),
or the site's TIME_ZONE when they chose none. Zones are IANA names read with zoneinfo, so a
wall-clock time keeps its meaning across daylight-saving changes.
"""

from __future__ import annotations

import functools
import zoneinfo

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import MemberTimeZone
from accounts.roles import Viewer, is_member


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone this machine knows, sorted (about 600)."""
    return tuple(sorted(zoneinfo.available_timezones()))


def time_zone_is_known(name: str) -> bool:
    return name in time_zone_names() or name == "UTC"


def site_time_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# Set on a user read by with_time_zone: the zone's name they chose, or None.
TIME_ZONE_ATTR = "chosen_time_zone"
_UNREAD = object()


def with_time_zone(users: QuerySet) -> QuerySet:
    """Users annotated with the time zone they chose (TIME_ZONE_ATTR, a subquery of the same
    query on MemberTimeZone's key), which member_time_zone then reads instead of asking."""
    chosen = MemberTimeZone.objects.filter(user_id=OuterRef("pk")).values("time_zone")[:1]
    return users.annotate(**{TIME_ZONE_ATTR: Subquery(chosen)})


def member_time_zone(viewer: Viewer) -> zoneinfo.ZoneInfo:
    """The zone `viewer` reads times in: their own choice, else the site's (no query for a
    user read with with_time_zone, as the session's is; one for another member)."""
    if not is_member(viewer):
        return site_time_zone()
    kept = getattr(viewer, TIME_ZONE_ATTR, _UNREAD)
    if kept is not _UNREAD:
        name = kept if isinstance(kept, str) else None
    else:
        name = (
            MemberTimeZone.objects.filter(user_id=viewer.pk)
            .values_list("time_zone", flat=True)
            .first()
        )
    if name and time_zone_is_known(name):
        return zoneinfo.ZoneInfo(name)
    return site_time_zone()
