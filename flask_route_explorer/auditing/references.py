"""Endpoints nothing names, endpoints without a view, and views registered under several endpoints.

Unreferenced endpoints come from the static checker's own scan (``check_report(..., unused=True)``,
its RE009 findings): one scanner of ``url_for`` calls in the project, not two. What it cannot see:
URLs written as plain paths (``redirect("/login")``, ``<form action="/x">``), requests made by
tests, and endpoints built from a non-literal name (``url_for(request.endpoint)``), which are
counted in :attr:`AuditReport.dynamic_calls`.

Expected ones (API and webhook endpoints) are marked with the config list
``ROUTE_EXPLORER_AUDIT_IGNORE`` (endpoint names or ``fnmatch`` patterns such as ``"api.*"``) or the
:func:`expected_unreferenced` decorator.
"""

from __future__ import annotations

import fnmatch
import inspect
import os
import re
import typing as t
from pathlib import Path

from ..checker import check_report
from ..checker.files import skipped_dir, template_folders
from .context import AuditContext
from .findings import AuditFinding, Code

#: The attribute :func:`expected_unreferenced` sets on a view.
EXPECTED_ATTRIBUTE = "__route_explorer_expected_unreferenced__"
IGNORE_CONFIG = "ROUTE_EXPLORER_AUDIT_IGNORE"
#: The static checker's code for "endpoint never referenced by a literal url_for call".
_CHECKER_UNUSED_CODE = "RE009"

_View = t.TypeVar("_View", bound=t.Callable[..., t.Any])


def expected_unreferenced(view: _View) -> _View:
    """Mark a view whose endpoint no ``url_for`` names on purpose (an API, a webhook, a health check)."""
    setattr(view, EXPECTED_ATTRIBUTE, True)
    return view


def _marked(view: t.Callable[..., t.Any] | None) -> bool:
    """Whether the view, any function it wraps, or its View class carries the mark."""
    while view is not None:
        if getattr(view, EXPECTED_ATTRIBUTE, False) or getattr(
            getattr(view, "view_class", None), EXPECTED_ATTRIBUTE, False
        ):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def ignored_patterns(context: AuditContext) -> tuple[str, ...]:
    value = context.app.config.get(IGNORE_CONFIG) or ()
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def unreferenced_findings(
    context: AuditContext, paths: t.Sequence[str | os.PathLike[str]] | None
) -> tuple[list[AuditFinding], int]:
    """UNREFERENCED findings, and the number of url_for calls whose endpoint is not a literal."""
    report = check_report(context.app, paths, unused=True)
    unused = {f.endpoint for f in report.findings if f.code == _CHECKER_UNUSED_CODE and f.endpoint}
    unused -= quoted_names(context, paths, unused)
    patterns = ignored_patterns(context)
    findings: list[AuditFinding] = []
    done: set[str] = set()
    for route in context.audited:
        endpoint = route.endpoint
        if endpoint not in unused or endpoint in done:
            continue
        done.add(endpoint)
        if any(fnmatch.fnmatchcase(endpoint, p) for p in patterns) or _marked(context.view_of(route)):
            continue
        findings.append(AuditFinding(code=Code.UNREFERENCED, route=route))
    return findings, len(report.unverifiable)


def quoted_names(
    context: AuditContext, paths: t.Sequence[str | os.PathLike[str]] | None, names: t.Collection[str]
) -> set[str]:
    """The names that appear as a quoted string anywhere in the project's Python files and templates.

    The checker follows literal ``url_for`` calls only; real apps also name endpoints through a
    macro (flaskbb's ``navlink('management.add_user')``, whose ``url_for(endpoint)`` is not a
    literal) or a setting (``REAUTH_VIEW = "auth.reauth"``, ``login_manager.login_view``). A full
    endpoint name in quotes is a reference in all but name.

    Only blueprint endpoints (dotted names) count: an app-level name in quotes is most often its
    own registration (``add_url_rule("/x", "x", ...)``), while a blueprint's full name is never
    written where the blueprint registers it.
    """
    names = [n for n in names if "." in n]
    if not names:
        return set()
    pattern = re.compile("(['\"])(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + ")\\1")
    found: set[str] = set()
    for path in _project_files(context, paths):
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found.update(match.group(2) for match in pattern.finditer(text))
        if len(found) == len(names):
            break
    return found


def _project_files(context: AuditContext, paths: t.Sequence[str | os.PathLike[str]] | None) -> t.Iterator[str]:
    """Python files under the roots the checker reads, and every file of the template folders."""
    # The checker's own notion of the project's folders (it does not expose its file list).
    templates = template_folders(context.app)
    roots = [Path(p) for p in paths] if paths is not None else [Path(context.app.root_path), *templates]
    for root in roots:
        if root.is_file():
            yield str(root)
            continue
        in_templates = any(root == folder or folder in root.parents for folder in templates)
        for parent, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not skipped_dir(parent, d)]
            yield from (os.path.join(parent, f) for f in files if in_templates or f.endswith(".py"))


def registration_findings(context: AuditContext) -> list[AuditFinding]:
    """NO_VIEW for rules whose endpoint has no view; VIEW_UNDER_SEVERAL_ENDPOINTS for shared views."""
    findings: list[AuditFinding] = []
    endpoints_of: dict[tuple[int, int], list[str]] = {}
    first_route: dict[str, t.Any] = {}
    for route in context.audited:
        if route.endpoint in first_route:
            continue
        first_route[route.endpoint] = route
        view = context.view_of(route)
        if view is None:
            if not all(r.build_only or r.redirect_to is not None for r in context.inventory.routes_for(route.endpoint)):
                findings.append(AuditFinding(code=Code.NO_VIEW, route=route))
            continue
        endpoints_of.setdefault(_identity(view), []).append(route.endpoint)
    for first, *later in endpoints_of.values():
        for endpoint in later:
            findings.append(
                AuditFinding(code=Code.VIEW_UNDER_SEVERAL_ENDPOINTS, route=first_route[endpoint], names=(first,))
            )
    return findings


def _identity(view: t.Callable[..., t.Any]) -> tuple[int, int]:
    """What makes two registered views "the same": the function, and for a bound method its instance
    too (each attribute access makes a new bound-method object). ``as_view`` makes a new function per
    call, so two registrations of a View class never count as one view."""
    if inspect.ismethod(view):
        return (id(view.__func__), id(view.__self__))
    return (id(view), 0)
