"""``flask route-explorer`` commands: match and build (issue: live testers)."""

from __future__ import annotations

from flask.cli import AppGroup


def register(group: AppGroup) -> None:
    """Add this module's commands to the group."""
