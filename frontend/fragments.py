"""Rendered template fragments kept in the Django cache under a digest of what they show.

A fragment (a paper's card, the tag chips of a feed) is rendered from a small dict of plain
values, never from models or the request, so that dict says everything its HTML depends on.
The HTML is kept under a digest of the dict and of the template's own source: a fragment
whose data changed has another key, so a kept fragment is never stale and nothing needs
invalidating; an unchanged one is shared by every reader it shows the same. Django's
templates cost tens of microseconds per tag or filter: the twenty cards and fifty tag chips of
a list page were most of its time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import cache as memoize

from django.core.cache import cache
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

FRAGMENT_CACHE_SECONDS = 3600
KEY_PREFIX = "web:fragment:"


@memoize
def template_digest(template_name: str) -> str:
    """The template's source, as part of every key: a changed template (a deployment) never
    serves fragments rendered by the old one."""
    template = get_template(template_name)
    assert isinstance(template, DjangoTemplate)  # the only engine configured
    source = template.template.source
    return hashlib.sha256(f"{template_name}\n{source}".encode()).hexdigest()[:16]


def _key(template_name: str, context: dict) -> str:
    raw = json.dumps(context, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return f"{KEY_PREFIX}{template_digest(template_name)}:{digest}"


def fragments_render(template_name: str, contexts: Sequence[dict]) -> list[SafeString]:
    """The HTML of `template_name` rendered with each context (plain JSON values only), in
    order: from the cache where rendered before (one `get_many`), else rendered and kept."""
    keys = [_key(template_name, context) for context in contexts]
    kept = cache.get_many(keys) if keys else {}
    template = get_template(template_name)
    made: dict[str, str] = {}
    out = []
    for key, context in zip(keys, contexts, strict=True):
        html = kept.get(key) or made.get(key)
        if html is None:
            html = made[key] = template.render(context)
        out.append(mark_safe(html))  # rendered by the template, which escaped every value
    if made:
        cache.set_many(made, FRAGMENT_CACHE_SECONDS)
    return out


def fragment_render(template_name: str, context: dict) -> SafeString:
    return fragments_render(template_name, [context])[0]
