"""Quantities as the app writes them in its sentences."""


def human_size(size: int) -> str:
    """A byte count in bytes, KB, MB or GB (binary multiples), as messages show it."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
