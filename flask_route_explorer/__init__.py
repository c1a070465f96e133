"""flask-route-explorer: see, test and fix your Flask app's routes while you develop."""

from __future__ import annotations

from .audit import AuditFinding, AuditReport, audit, expected_unreferenced
from .checker import Finding, Findings, check
from .diagnosis import CallSite, Diagnosis, Suggestion, diagnose
from .extension import RouteExplorer
from .inventory import Argument, Inventory, Route, get_inventory
from .sources import ViewSource

__all__ = [
    "Argument",
    "AuditFinding",
    "AuditReport",
    "CallSite",
    "Diagnosis",
    "Finding",
    "Findings",
    "Inventory",
    "Route",
    "RouteExplorer",
    "Suggestion",
    "ViewSource",
    "audit",
    "check",
    "diagnose",
    "expected_unreferenced",
    "get_inventory",
]
__version__ = "0.1.0"
