"""Reading the pages' query strings: what every page's form shares."""

from __future__ import annotations


def flag(value: str | None) -> bool:
    """A checkbox or a flag in the query string: ``1``, ``true``, ``on`` or ``yes`` (any case) is on."""
    return (value or "").strip().lower() in ("1", "true", "on", "yes")
