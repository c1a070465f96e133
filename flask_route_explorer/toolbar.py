"""The Flask-DebugToolbar panel: the rule that handled this request and every ``url_for`` it made.

Add ``"flask_route_explorer.toolbar.RouteExplorerPanel"`` to ``DEBUG_TB_PANELS``. A thin face: the
calls come from :mod:`recorder`, the route from the inventory, failures are explained by
:func:`diagnosis.diagnose`, and the HTML comes from the explorer's own Jinja environment, so
neither the app's nor the toolbar's environment is touched.

This module imports ``flask_debugtoolbar``; nothing else in the package imports this module.
"""

from __future__ import annotations

import logging
import typing as t
from dataclasses import dataclass

from flask import current_app, request
from flask_debugtoolbar.panels import DebugPanel
from markupsafe import Markup
from werkzeug.routing import Rule

from . import _compat, recorder
from .access import is_mounted, refusal
from .diagnosis import Diagnosis, error_line
from .inventory import Route, get_inventory, is_internal_endpoint
from .rendering import render

if t.TYPE_CHECKING:
    from flask import Flask
    from werkzeug import Request
    from werkzeug.wrappers import Response

log = logging.getLogger("flask_route_explorer")


@dataclass(frozen=True, slots=True)
class ShownCall:
    """One recorded call as the panel shows it; the diagnosis only for a failure."""

    number: int
    call: recorder.UrlForCall
    diagnosis: Diagnosis | None = None
    #: Why there is no diagnosis for a failure (the engine itself failed).
    diagnosis_problem: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """What the toolbar's nav entry says; cheap, since it is computed on every request."""

    rules: int
    calls: int
    failed: int


class RouteExplorerPanel(DebugPanel):
    """Routes: the matched rule and the request's ``url_for`` calls, with the reason of each failure."""

    name = "RouteExplorer"
    has_content = True

    def __init__(self, jinja_env: t.Any, context: dict[str, t.Any] | None = None) -> None:
        super().__init__(jinja_env, context)
        # The toolbar makes one panel per request: per-request state lives on the instance, never
        # in the class-level ``context`` every panel shares.
        self._calls: list[recorder.UrlForCall] | None = None

    def nav_title(self) -> str:
        return "Routes"

    def title(self) -> str:
        return "Route Explorer"

    def url(self) -> str:
        return ""

    def process_response(self, request: Request, response: Response) -> None:
        """Freeze the list before the toolbar renders, so its own ``url_for`` calls stay out."""
        self._calls = recorder.calls()

    def _request_calls(self) -> list[recorder.UrlForCall]:
        if self._calls is None:
            self._calls = recorder.calls()
        return self._calls

    def nav_subtitle(self) -> str:
        """``42 rules · 7 url_for``, and a red ``✗ 1 failed`` when a call failed."""
        try:
            summary = self.summary()
        except Exception:
            log.exception("flask-route-explorer: the toolbar panel could not count the routes")
            return "unavailable"
        text = f"{summary.rules} rules · {summary.calls} url_for"
        if not summary.failed:
            return text
        return Markup('{} · <span class="fre-nav-failed">✗ {} failed</span>').format(text, summary.failed)

    def summary(self) -> Summary:
        calls = [c for c in self._request_calls() if not is_internal_endpoint(c.endpoint)]
        return Summary(
            rules=len(get_inventory(current_app).user_routes()),
            calls=len(calls),
            failed=sum(1 for c in calls if c.failed),
        )

    def content(self) -> str:
        """The panel's HTML; any failure of ours becomes a short message, never a broken page."""
        try:
            return self._content()
        except Exception as error:
            log.exception("flask-route-explorer: the toolbar panel failed")
            return str(
                Markup(
                    '<div class="fre-panel"><p>The Route Explorer panel failed: <code>{}: {}</code></p></div>'
                ).format(type(error).__name__, error)
            )

    def _content(self) -> str:
        app = t.cast("Flask", _compat.unproxied(current_app))
        unavailable = _unavailable_reason(app)
        if unavailable is not None:
            return str(Markup('<div class="fre-panel"><p>{}</p></div>').format(unavailable))
        rule = request.url_rule
        route = get_inventory(app).route_for(rule) if rule is not None else None
        recorded = self._request_calls()
        app_calls = [c for c in recorded if not is_internal_endpoint(c.endpoint)]
        tool_calls = [c for c in recorded if is_internal_endpoint(c.endpoint)]
        return render(
            "route_explorer/panel.html",
            request=request,
            rule=rule,
            route=route,
            methods=_shown_methods(rule, route),
            view_args=request.view_args or {},
            calls=[_shown(app, number, call) for number, call in enumerate(app_calls, 1)],
            internal_calls=[ShownCall(number, call) for number, call in enumerate(tool_calls, 1)],
            dropped=recorder.dropped_calls(),
            limit=recorder.MAX_RECORDED_CALLS,
            total_seconds=sum(c.duration for c in app_calls),
            routing_error=request.routing_exception,
            error_line=error_line,
            duration_text=duration_text,
        )


def _unavailable_reason(app: Flask) -> str | None:
    """Why the panel cannot show routes here (it shows the same things the explorer guards)."""
    if not is_mounted(app):
        return (
            "Route Explorer is not enabled for this app: it runs only in debug mode "
            "(ROUTE_EXPLORER_ENABLED = None), or when ROUTE_EXPLORER_ENABLED is True."
        )
    return refusal(app, request)


def _shown_methods(rule: Rule | None, route: Route | None) -> t.Sequence[str] | None:
    """Methods without the automatic HEAD/OPTIONS; ``None`` for a rule that takes any method."""
    if route is not None:
        return route.visible_methods
    return sorted(rule.methods) if rule is not None and rule.methods is not None else None


def _shown(app: Flask, number: int, call: recorder.UrlForCall) -> ShownCall:
    """An app call, with the diagnosis of a failure (computed here, once, only for failures)."""
    if not call.failed:
        return ShownCall(number, call)
    try:
        return ShownCall(number, call, diagnosis=recorder.diagnosis_of(call, app))
    except Exception as error:  # the engine promises not to raise; the panel must not depend on it
        return ShownCall(number, call, diagnosis_problem=f"{type(error).__name__}: {error}")


def duration_text(seconds: float) -> str:
    """``0.021 ms`` / ``3.4 ms``: url_for calls are fast, keep the digits that matter."""
    value = seconds * 1000
    return f"{value:.3f} ms" if value < 1 else f"{value:.1f} ms"
