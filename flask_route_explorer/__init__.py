"""flask-route-explorer: see, test and fix your Flask app's routes while you develop.

The public names are imported the first time they are asked for (PEP 562): pytest imports
:mod:`.pytest_plugin` through its entry point in every run of every project that has the package
installed, with ``--route-coverage`` or not, and that must not import the rest of the package.
"""

from __future__ import annotations

import importlib
import typing as t

if t.TYPE_CHECKING:
    from .auditing import AuditFinding, AuditReport, audit, expected_unreferenced
    from .checker import Finding, Findings, check
    from .diagnosis import CallSite, Diagnosis, Suggestion, diagnose
    from .extension import RouteExplorer
    from .inventory import Argument, Inventory, Route, get_inventory
    from .sources import ViewSource

#: Each public name and the module it comes from.
_HOMES = {
    "Argument": ".inventory",
    "AuditFinding": ".auditing",
    "AuditReport": ".auditing",
    "CallSite": ".diagnosis",
    "Diagnosis": ".diagnosis",
    "Finding": ".checker",
    "Findings": ".checker",
    "Inventory": ".inventory",
    "Route": ".inventory",
    "RouteExplorer": ".extension",
    "Suggestion": ".diagnosis",
    "ViewSource": ".sources",
    "audit": ".auditing",
    "check": ".checker",
    "diagnose": ".diagnosis",
    "expected_unreferenced": ".auditing",
    "get_inventory": ".inventory",
}

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


def __getattr__(name: str) -> t.Any:
    """Import a public name from its module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value
