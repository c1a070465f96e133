"""The explorer's pages and JSON API (issue: foundation). Placeholder page until it lands."""

from __future__ import annotations

from flask import Blueprint

from ..rendering import render


def register(bp: Blueprint) -> None:
    """Add the explorer's views to the blueprint."""
    bp.add_url_rule("/", "index", lambda: render("route_explorer/base.html", current_page="routes"))
