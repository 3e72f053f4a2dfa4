"""How much the parser reads at a time, and how much one dump item may carry."""

from __future__ import annotations

CHUNK_SIZE = 1 << 20  # bytes read from the file at a time
