"""The route audit: rules that never match, rules that collide, views whose signature disagrees with
their rule, and endpoints nothing links to.

``audit(app)`` gives an :class:`AuditReport`; ``assert not audit(app).errors`` in a test suite.
"""

from __future__ import annotations

from .findings import AuditFinding, AuditFindings, AuditReport, Code, Proof, Severity, TwinReason
from .references import expected_unreferenced
from .run import audit, map_audit, map_audit_if_made

__all__ = [
    "AuditFinding",
    "AuditFindings",
    "AuditReport",
    "Code",
    "Proof",
    "Severity",
    "TwinReason",
    "audit",
    "expected_unreferenced",
    "map_audit",
    "map_audit_if_made",
]
