"""How much the parser reads at a time, how much one dump item may carry, and how many
warnings a paper and a dump may give before the rest are only counted.

Every limit on an item's values is here or beside the code it bounds: titles (text.TITLE_MAX
and LONG_TITLE_MAX, json_dump.MAX_TITLE), title keys and arXiv ids (normalize), lines and
paragraphs (text.MAX_LINE, MAX_PARAGRAPH) and JSON items (json_dump.MAX_ITEM). The columns of
Paper that hold the source's own figures and links take their widths from here.
docs/DIGEST_FORMAT.md lists them for the people who make the files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .errors import W_MORE_WARNINGS, ParsedEntry, ParseWarning

CHUNK_SIZE = 1 << 20  # bytes read from the file at a time

# arXiv caps abstracts at 1,920 characters (the samples' longest has 1,921); ten times that
# leaves room for any real abstract, and what a page then costs to show stays small.
MAX_ABSTRACT = 20_000
# Author names kept per paper; the count is kept whole (the paper page says "and N authors
# in all"). Large collaborations list a few thousand; a JSON item listing 1,150,000 names
# (9 MB) was accepted before this limit, and its page then took 4.4 s to render.
MAX_AUTHORS = 1000
MAX_AUTHOR_NAME = 200  # characters of one name

# The source's own figures and links (JSON only; json_fields.py): beyond these a value is left
# out with a warning, except the AI summary, which is cut like an abstract.
# Upvotes, comments and GitHub stars: the most starred GitHub repository has about 450,000
# stars and a paper's upvotes run to a few thousand, so a larger figure is a broken export.
MAX_SOURCE_COUNT = 10_000_000
MAX_URL = 2000  # characters; the longest address browsers and servers commonly take
MAX_AI_SUMMARY = 2000  # characters; the source's AI summaries are one or two sentences
MAX_KEYWORDS = 50  # keywords kept per paper (the source gives about ten)
MAX_KEYWORD = 100  # characters of one keyword; a longer one is left out
MAX_SOURCE_NAME = 200  # characters of an organization's or a submitter's name
# Warnings per dump, in file order, before the rest are counted by kind (one summary each):
# as many as a dump stores (papers.services.dumps.MAX_STORED_WARNINGS). A page copy whose
# one abstract went on for 5.4 MB of short paragraphs gave 320,000 warnings.
MAX_WARNINGS = 1000
# Warnings of one paper's abstract read on from paragraph to paragraph, before the rest of
# them are counted; a paper's other warnings (at most one of each kind) always pass.
MAX_WARNINGS_PER_PAPER = 10

_PLACEHOLDER_RE = re.compile(r"\{\w+\}")


class WarningTally:
    """Lets the first `limit` warnings pass; counts the rest by kind, for `summaries`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.passed = 0
        self._left_out: dict[str, list] = {}  # kind -> [first warning left out, count]

    def admit(self, item: ParseWarning) -> bool:
        """True when the warning is to be given, False when it is only counted."""
        if self.passed < self.limit:
            self.passed += 1
            return True
        count = item.omitted or 1  # a summary already stands for several
        tally = self._left_out.get(item.kind)
        if tally is None:
            self._left_out[item.kind] = [item, count]
        else:
            tally[1] += count
        return False

    def summaries(self) -> list[ParseWarning]:
        """One warning per kind left out, at the line of its first: a summary of the kind
        (W_MORE_WARNINGS), or the warning itself when it was the only one."""
        out = []
        for first, count in self._left_out.values():
            if count == 1:
                out.append(first)
                continue
            if first.kind:
                example = _PLACEHOLDER_RE.sub("…", first.kind).removesuffix(".")
            else:
                example = first.message.removesuffix(".")
            message = W_MORE_WARNINGS.format(count=f"{count:,}", example=example, line=first.line)
            out.append(ParseWarning(first.line, message, kind=first.kind, omitted=count))
        self._left_out.clear()
        return sorted(out, key=lambda w: w.line)


def bound_warnings(
    items: Iterable[ParsedEntry | ParseWarning], *, limit: int = MAX_WARNINGS
) -> Iterator[ParsedEntry | ParseWarning]:
    """`items` with at most `limit` warnings, then a summary of each kind left out."""
    tally = WarningTally(limit)
    for item in items:
        if isinstance(item, ParsedEntry) or tally.admit(item):
            yield item
    yield from tally.summaries()
