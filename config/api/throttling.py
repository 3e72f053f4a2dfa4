"""API-wide throttles: reads and writes counted apart, for anonymous clients and for members.

Four scopes in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]: anon_read, anon_write, user_read,
user_write. Anonymous clients are counted by address (client_ip),
members by account. Writes are every unsafe method (POST, PUT, PATCH, DELETE).

A rate of "off" turns a scope off (a benchmark, say). Rates are read on each request rather
than once at import, as DRF's own classes do, so settings overrides in tests take effect.
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

OFF = {"", "off", "none"}


def client_ip(request) -> str | None:
    """The client's address as REST_FRAMEWORK["NUM_PROXIES"] defines it (see settings): the
    one notion of it shared by the throttles and by django-axes' lockout, so a client cannot
    dodge either with its own X-Forwarded-For."""
    return BaseThrottle().get_ident(request) or None


class _RequestKindThrottle(SimpleRateThrottle):
    counts_writes: bool
    counts_members: bool

    def get_rate(self):
        rates = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            raise ImproperlyConfigured(f"No throttle rate set for the scope {self.scope!r}.")
        rate = rates[self.scope]
        return None if rate is None or str(rate).strip().lower() in OFF else rate

    def get_cache_key(self, request, view):
        if (request.method not in SAFE_METHODS) != self.counts_writes:
            return None
        signed_in = bool(request.user and request.user.is_authenticated)
        if signed_in != self.counts_members:
            return None
        ident = request.user.pk if signed_in else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonReadThrottle(_RequestKindThrottle):
    scope = "anon_read"
    counts_writes = False
    counts_members = False


class AnonWriteThrottle(_RequestKindThrottle):
    scope = "anon_write"
    counts_writes = True
    counts_members = False


class UserReadThrottle(_RequestKindThrottle):
    scope = "user_read"
    counts_writes = False
    counts_members = True


class UserWriteThrottle(_RequestKindThrottle):
    scope = "user_write"
    counts_writes = True
    counts_members = True
