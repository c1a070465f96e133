"""The rows of the routes table, written in Python.

Why not in the template: the first page after a restart writes 100 rows, and as a Jinja loop
(about fifty attribute lookups, twenty escapes and a handful of calls per row) they cost more
than the rest of the page together. The table's frame (groups, columns, headings) stays in
``_routes_results.html``; here is one small function per cell, in the order the columns appear.
Every text from the app goes through ``escape``.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from pprint import pformat

from markupsafe import Markup, escape

from ..rendering import (
    build_link,
    highlight,
    match_link,
    method_badges,
    plain_text,
    rule_html,
    shown_methods,
    source_link,
)

if t.TYPE_CHECKING:
    from ..auditing.findings import AuditFinding, AuditReport
    from ..coverage.data import CoverageData
    from ..inventory import Route
    from ..search import Hit
    from ..sources import ViewSource

#: A description longer than this is folded into a ``<details>`` that shows the whole line on demand.
FOLDED_DOC_LENGTH = 70


@dataclass(frozen=True, slots=True)
class RowSettings:
    """What every row of one page shares."""

    #: The search text, marked where it occurs in endpoints and view names.
    query: str
    #: Show HEAD and OPTIONS badges too.
    include_automatic: bool
    #: The map's audit, or ``None`` while the page waits for it (each row then writes an empty badge span).
    audit: AuditReport | None
    #: The test suite's route coverage, when a report is there (adds the Tests column).
    coverage: CoverageData | None
    #: ``"host"``, ``"subdomain"`` or ``None``: the extra column of an app that routes by either.
    host_column: str | None


def route_rows(hits: t.Iterable[Hit], settings: RowSettings) -> Markup:
    """The ``<tr>`` of each hit, in order."""
    return Markup("".join([_row(hit, settings) for hit in hits]))


def audit_badges(route: Route, findings: t.Sequence[AuditFinding], swap: bool = False) -> Markup:
    """A row's audit badges, in a span the audit's late answer replaces by id (``swap``: as that answer)."""
    badges = "".join(
        f'<span class="audit-badge is-{escape(f.severity.value)}" tabindex="0" role="note" '
        f'title="{escape(f.code.value)}: {escape(f.message)}" aria-label="{escape(f.code.value)}: {escape(f.message)}">'
        f"{escape(f.code.label)}</span>"
        for f in findings
    )
    oob = ' hx-swap-oob="true"' if swap else ""
    return Markup(f'<span class="audit-badges" id="audit-{route.index}"{oob}>{badges}</span>')


def _row(hit: Hit, settings: RowSettings) -> str:
    route = hit.route
    classes = "route-row" + (" is-match" if hit.matched_path else "") + (" is-internal" if route.internal else "")
    cells = [
        f'<td class="cell-methods">{method_badges(shown_methods(route, settings.include_automatic))}</td>',
        _rule_cell(hit, settings),
        f'<td class="cell-endpoint"><code class="endpoint" title="{escape(route.endpoint)}">'
        f"{highlight(route.endpoint, settings.query)}</code></td>",
    ]
    if settings.host_column is not None:
        place = route.host if settings.host_column == "host" else route.subdomain
        cells.append(f'<td class="cell-host mono">{escape(place or "")}</td>')
    cells += [_view_cell(route, settings.query), _doc_cell(route)]
    if settings.coverage is not None:
        cells.append(_tests_cell(route, settings.coverage))
    cells.append(_actions_cell(route))
    return f'<tr id="route-{route.index}" class="{classes}">{"".join(cells)}</tr>'


def _rule_cell(hit: Hit, settings: RowSettings) -> str:
    route = hit.route
    tags = ['<span class="tag is-match">matches</span>'] if hit.matched_path else []
    findings = settings.audit.for_rule(route) if settings.audit is not None else ()
    tags.append(audit_badges(route, findings))
    tags += _rule_tags(route)
    return f'<td class="cell-rule">{rule_html(route.rule)} {"".join(tags)}</td>'


def _rule_tags(route: Route) -> list[str]:
    """What sets a rule apart: a redirect, defaults, build-only, websocket, alias, slashes, host."""
    tags: list[str] = []
    if route.redirect_to:
        target = escape(route.redirect_to)
        tags.append(f'<span class="tag is-warn" title="Redirects to {target}">→ {target}</span>')
    if route.defaults:
        values = ", ".join(f"{escape(key)}={escape(pformat(value))}" for key, value in route.defaults.items())
        tags.append(f'<span class="tag" title="Values the rule fills in by itself">defaults: {values}</span>')
    if route.build_only:
        tags.append('<span class="tag" title="Used to build URLs only, never matched">build only</span>')
    if route.websocket:
        tags.append('<span class="tag" title="Matches WebSocket requests only">websocket</span>')
    if route.alias:
        tags.append(
            '<span class="tag" title="Requests to this rule redirect to the endpoint\'s main rule">alias</span>'
        )
    if not route.strict_slashes:
        tags.append('<span class="tag" title="Matches with or without the trailing slash">strict_slashes=False</span>')
    if route.subdomain:
        tags.append(f'<span class="tag" title="Subdomain">subdomain: {escape(route.subdomain)}</span>')
    if route.host:
        tags.append(f'<span class="tag" title="Host">host: {escape(route.host)}</span>')
    return tags


def _view_cell(route: Route, query: str) -> str:
    view = route.view
    if view.qualname:
        module = f"{view.module}." if view.module else ""
        parts = [
            f'<code class="qualname" title="{escape(module + view.qualname)}">{highlight(view.qualname, query)}</code>'
        ]
        if view.kind not in ("function", "unknown"):
            parts.append(f'<span class="tag">{escape(view.kind)}</span>')
    elif view.kind == "none":
        parts = [
            '<span class="subtle" title="No view function is registered for this endpoint">no view function</span>'
        ]
    else:
        parts = ['<span class="subtle">source unknown</span>']
    parts.append(source_link(view.file, view.line))
    handlers = route.handlers
    if handlers:
        parts.append(
            f'<div class="handlers">{" ".join(_handler(method, handler) for method, handler in handlers)}</div>'
        )
    return f'<td class="cell-view">{" ".join(parts)}</td>'


def _handler(method: str, handler: ViewSource) -> str:
    """A ``MethodView`` handler: its method's badge, then its name and line, linked to the editor."""
    line = handler.line
    name = handler.qualname.rsplit(".", 1)[-1] if handler.qualname else "?"
    shown = f"{name}:{line}" if line else name
    return f'<span class="handler">{method_badges((method,))} {source_link(handler.file, line, shown)}</span>'


def _doc_cell(route: Route) -> str:
    doc = plain_text(route.view.doc)
    shown = escape(doc)
    if len(doc) > FOLDED_DOC_LENGTH:
        body = f'<details class="doc"><summary title="Show the whole line">{shown}</summary></details>'
        return f'<td class="cell-doc" title="{shown}">{body}</td>'
    return f'<td class="cell-doc" title="{shown}">{shown}</td>'


def _tests_cell(route: Route, coverage: CoverageData) -> str:
    hits = coverage.hits_for_route(route.rule, route.endpoint, route.methods)
    if not hits:
        return '<td class="cell-tests is-never">never</td>'
    return f'<td class="cell-tests">{hits:,}</td>'


def _actions_cell(route: Route) -> str:
    endpoint = escape(route.endpoint)
    actions = [f'<a href="{escape(build_link(route.endpoint))}" title="Build a URL for {endpoint}">Build</a>']
    if route.path_as_written:
        rule = escape(route.rule)
        actions.append(f'<a href="{escape(match_link(route.rule))}" title="Match the path {rule}">Match</a>')
    actions.append(
        f'<a href="#route-{route.index}" class="permalink" title="Link to this row" aria-label="Link to this row">#</a>'
    )
    return f'<td class="cell-actions">{" ".join(actions)}</td>'
