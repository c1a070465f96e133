"""The URL-build and path-match testers (issue: live testers). Placeholder pages until they land."""

from __future__ import annotations

from flask import Blueprint

from ..rendering import render


def register(bp: Blueprint) -> None:
    """Add the testers' views to the blueprint."""
    bp.add_url_rule("/build", "build", lambda: render("route_explorer/base.html", current_page="build"))
    bp.add_url_rule("/match", "match", lambda: render("route_explorer/base.html", current_page="match"))
