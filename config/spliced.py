"""A body rendered once for every reader, with holes where each reader's own values go.

A signed-in member's page of a feed, or a paper's, is the page every reader gets but for a
few values of theirs (whether they voted, their marks). Rendering it for each of them (the
serializers, then the JSON encoder, on rows unpickled from the cache) cost most of the
request; instead the page is rendered once for no one with a marker in place of each such
value (`hole`), cut at the markers (`SplicedBody.cut`) and kept in the shared cache, and each
reader's answer is the pieces joined around their own values (`SplicedBody.fill`), already
encoded: a join of bytes.

The same holds for a web page (frontend.member_pages): its markers stand in the HTML as
text, unquoted (`SplicedBody.cut(..., quoted=False)`), each followed by a character that is
not a digit (a quote, a tag), where the reader's text, attribute value or markup goes.

The markers carry a random token of the process that renders, so no title or abstract can
pass for one; once cut, the pieces hold no marker and any process may fill them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN = secrets.token_hex(12)
_MARKERS = {
    True: re.compile(rb'"hole:' + _TOKEN.encode() + rb':([a-z_]+):([0-9]+)"'),
    False: re.compile(rb"hole:" + _TOKEN.encode() + rb":([a-z_]+):([0-9]+)"),
}


def hole(name: str, index: int) -> str:
    """The marker to put in a payload where reader's value `name` of its row `index` goes."""
    return f"hole:{_TOKEN}:{name}:{index}"


@dataclass(frozen=True)
class SplicedBody:
    """A rendered body cut at its holes: pieces[0], hole 0, pieces[1], hole 1, ..., pieces[-1]."""

    pieces: tuple[bytes, ...]
    holes: tuple[tuple[str, int], ...]

    @classmethod
    def cut(cls, rendered: bytes, *, quoted: bool = True) -> SplicedBody:
        """`rendered` cut at each marker: a payload with `hole` markers as its string values,
        encoded as JSON (the marker and its quotes are the holes), or a page with markers in
        its text (quoted=False: the markers alone)."""
        parts = _MARKERS[quoted].split(rendered)
        # re.split gives text, then the two groups of each marker, then text again.
        pieces = tuple(parts[0::3])
        names, indexes = parts[1::3], parts[2::3]
        holes = tuple(
            (name.decode(), int(index)) for name, index in zip(names, indexes, strict=True)
        )
        return cls(pieces=pieces, holes=holes)

    def fill(self, value: Callable[[str, int], bytes]) -> bytes:
        """The body with each hole given `value(name, index)`: JSON, already encoded."""
        out = [self.pieces[0]]
        for (name, index), piece in zip(self.holes, self.pieces[1:], strict=True):
            out.append(value(name, index))
            out.append(piece)
        return b"".join(out)
