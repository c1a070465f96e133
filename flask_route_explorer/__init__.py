"""flask-route-explorer: see, test and fix your Flask app's routes while you develop."""

from __future__ import annotations

from .checker import Finding, Findings, check
from .extension import RouteExplorer
from .inventory import Argument, Inventory, Route, get_inventory
from .sources import ViewSource

__all__ = ["Argument", "Finding", "Findings", "Inventory", "Route", "RouteExplorer", "ViewSource", "check", "get_inventory"]
__version__ = "0.1.0"
