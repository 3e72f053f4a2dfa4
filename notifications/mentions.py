"""The members a comment names: `@username` in its Markdown. Pure Python, no Django.

A name starts after `@` where no word character or `@` stands before it (so an address such
as ada@example.org names nobody) and runs over the characters usernames are made of
(letters, digits, `_ . + -`; accounts.services); a trailing `.`, `+` or `-` ends a
sentence, not a name. Code (fenced blocks and `inline spans`) names nobody: it is quoted.
"""

from __future__ import annotations

import re

# At most this many distinct names are read from one comment.
MENTIONS_MAX = 20

_FENCED = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)", re.A)


def mentioned_usernames(body: str) -> list[str]:
    """The names `body` mentions, lower-cased, each once, in order (at most MENTIONS_MAX)."""
    text = _INLINE_CODE.sub(" ", _FENCED.sub(" ", body or ""))
    seen: dict[str, None] = {}
    for match in _MENTION.finditer(text):
        name = match.group(1).rstrip(".+-").lower()
        if name:
            seen.setdefault(name)
            if len(seen) == MENTIONS_MAX:
                break
    return list(seen)
