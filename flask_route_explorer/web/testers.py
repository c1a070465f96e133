"""The URL-build and path-match testers (issue: live testers)."""

from __future__ import annotations

from flask import Blueprint


def register(bp: Blueprint) -> None:
    """Add the testers' views to the blueprint."""
