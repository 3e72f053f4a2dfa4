"""Comment Markdown to safe HTML, in two layers.

1. markdown-it-py, CommonMark preset with raw HTML disabled: any HTML a commenter types is
   shown as text, and links with scripting schemes (javascript:, vbscript:, file:, data:)
   are not turned into links.
2. nh3 (the Rust `ammonia` sanitizer) on its output, as a second wall: only the tags and
   attributes below survive, URLs only absolute with http(s)/mailto schemes, and every link gets
   rel="nofollow ugc". Images are not allowed (they would let a comment load any URL in
   every reader's browser): `![alt](url)` becomes a plain link.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc"

# Images are turned off in the parser too, so `![alt](url)` reads as "!" and a link to the
# image instead of vanishing.
_md = MarkdownIt("commonmark", {"html": False}).disable("image")


def render_markdown(text: str) -> str:
    """Sanitized HTML for a comment body written in Markdown."""
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        # Relative URLs ("%6Aavascript:...", "/api/...") lose their href: a comment links out.
        url_relative="deny",
        strip_comments=True,
    )
