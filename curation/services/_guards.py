"""Helpers shared by the curation services."""

from __future__ import annotations


def clean_reason(reason: str | None) -> str:
    return (reason or "").strip()
