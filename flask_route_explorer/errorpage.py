"""The enriched BuildError page (issue: diagnosis)."""

from __future__ import annotations

from flask import Flask


def install(app: Flask) -> None:
    """Register the enriched error page for the app's url_for failures."""
