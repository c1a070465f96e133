"""Route coverage: which rule and method each request of the test suite matched.

The core only: recording, merging, figures and JSON. The pytest plugin
(:mod:`flask_route_explorer.pytest_plugin`) prints and writes the reports.
"""

from __future__ import annotations

from .data import ANY_METHOD, CoverageData, RuleRecord, is_internal_endpoint, last_report, load, save
from .figures import Figures, counted_records, figures, report_dict, uncovered_by_blueprint

__all__ = [
    "ANY_METHOD",
    "CoverageData",
    "Figures",
    "RuleRecord",
    "counted_records",
    "figures",
    "is_internal_endpoint",
    "last_report",
    "load",
    "report_dict",
    "save",
    "uncovered_by_blueprint",
]
