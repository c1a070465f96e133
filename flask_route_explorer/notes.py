"""PEP 678 notes with the diagnosis on every failing url_for (issue: diagnosis)."""

from __future__ import annotations

from flask import Flask


def install(app: Flask) -> None:
    """Register the url_build_error_handler that adds the diagnosis as a note."""
