"""Route diff: compare two URL maps (``list --json`` documents) and classify every change.

The core only; ``flask route-explorer diff`` (:mod:`flask_route_explorer.cli.diff`) prints it.
"""

from __future__ import annotations

from .accept import accepted, read_accept_file
from .changes import Change, ChangeCode, Severity
from .compare import DiffReport, compare
from .model import RouteSpec, routes_from_document

__all__ = [
    "Change",
    "ChangeCode",
    "DiffReport",
    "RouteSpec",
    "Severity",
    "accepted",
    "compare",
    "read_accept_file",
    "routes_from_document",
]
