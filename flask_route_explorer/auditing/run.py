"""``audit(app)``: every check of the URL map, in one pass over the inventory."""

from __future__ import annotations

import os
import typing as t

from ..inventory import get_inventory
from .collisions import collision_findings
from .context import AuditContext
from .findings import AuditFinding, AuditReport
from .references import registration_findings, unreferenced_findings
from .shadowing import Matcher, Verdict, competition, shadowed_findings, verdicts
from .signatures import signature_findings

if t.TYPE_CHECKING:
    from flask import Flask


def audit(
    app: Flask,
    paths: t.Sequence[str | os.PathLike[str]] | None = None,
    *,
    references: bool = True,
    include_internal: bool = False,
) -> AuditReport:
    """Audit the app's URL map: shadowed and colliding rules, view signatures, unreferenced endpoints.

    ``paths`` are where to look for ``url_for`` calls (default: the app's root path and template
    folders, as ``flask route-explorer check``); ``references=False`` skips that scan (it reads
    files; everything else reads only the URL map). The tools' own rules and ``static`` are left
    out unless ``include_internal``. In a test: ``assert not audit(app).errors``.
    """
    inventory = get_inventory(app)
    audited = tuple(
        route for route in inventory.routes if include_internal or not (route.internal or route.view.kind == "static")
    )
    context = AuditContext(app=app, inventory=inventory, audited=audited, views=app.view_functions)
    findings = _map_findings(context)
    findings += signature_findings(context)
    findings += registration_findings(context)
    dynamic = 0
    if references:
        unreferenced, dynamic = unreferenced_findings(context, paths)
        findings += unreferenced
    findings.sort(key=lambda f: (f.code.value, f.route.index))
    return AuditReport(
        findings=tuple(findings),
        rules=len(audited),
        endpoints=len({r.endpoint for r in audited}),
        references_checked=references,
        dynamic_calls=dynamic,
    )


def _map_findings(context: AuditContext) -> list[AuditFinding]:
    """Shadowed and colliding rules: Werkzeug's verdicts on the rules of each group of one shape."""
    competing = competition(context.inventory.routes, context.app.url_map)
    matcher = Matcher(context)
    found: dict[tuple[int, str], Verdict] = {}
    for route in competing.candidates:
        for verdict in verdicts(matcher, route, complete=route.index in competing.grouped):
            found[(route.index, verdict.method)] = verdict
    explained: set[tuple[int, str]] = set()
    findings = collision_findings(context, competing.groups, found, explained)
    return findings + shadowed_findings(context, found.values(), explained)


_MAP_AUDIT = "audit.map_audit"


def map_audit(app: Flask) -> AuditReport:
    """The audit of the URL map alone (no file scan), computed once per inventory: what pages show."""
    inventory = get_inventory(app)
    return inventory.derived(_MAP_AUDIT, lambda: audit(app, references=False))


def map_audit_if_made(app: Flask) -> AuditReport | None:
    """:func:`map_audit` when it has been computed for the current URL map, else ``None`` (never computes).

    The audit reads every view's signature: at 1,400 rules it costs more than the rest of the
    first page after a restart, so the page asks for it once it is shown.
    """
    return t.cast("AuditReport | None", get_inventory(app).derived_if_made(_MAP_AUDIT))
