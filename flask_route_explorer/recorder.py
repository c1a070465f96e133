"""Per-request recording of url_for calls (issue: toolbar panel)."""

from __future__ import annotations

from flask import Flask


def install(app: Flask) -> None:
    """Start recording url_for calls on this app (debug only)."""
