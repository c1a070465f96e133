"""The explorer's pages and JSON API (issue: foundation)."""

from __future__ import annotations

from flask import Blueprint


def register(bp: Blueprint) -> None:
    """Add the explorer's views to the blueprint."""
