"""The path tester: which rule handles ``METHOD path`` on a host, as the app would dispatch it, and why.

The pages, the JSON API and the CLI all call :func:`match`. Werkzeug answers (:mod:`.dispatch`);
the rules near the path are explained one by one (:mod:`.verdicts`).
"""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass, field, replace
from urllib.parse import unquote, urlsplit

from ..dispatch import Dispatch, json_values, type_names
from ..inventory import AUTOMATIC_METHODS, Route
from ..sources import ViewSource
from .inputs import ABSOLUTE_URL_RE, MAX_PATH, match_input_problem
from .problems import Kind, Problem, Verdict, sentence
from .request import SimulatedRequest, simulate
from .shapes import RuleShapes, rule_shapes
from .verdicts import Level, RuleVerdict, nearby_positions, ranked_verdicts, verdict_of

if t.TYPE_CHECKING:
    from flask import Flask

#: How many near rules a match explains.
NEAR_LIMIT = 5
#: What each status of a match means. 400 and 500 are beyond the usual three answers: a WebSocket
#: rule answers an HTTP request with 400, and a converter (or ``redirect_to`` callable) of the app
#: that raises makes the app itself answer 500.
STATUS_TEXTS = {
    200: "Handled",
    308: "Permanent redirect",
    404: "Not found",
    405: "Method not allowed",
    400: "WebSocket mismatch",
    500: "Server error",
}


@dataclass(frozen=True, slots=True)
class NearRule:
    """A rule close to the path, and why it does (not) take it."""

    endpoint: str
    rule: str
    #: Why not (``None``: it takes the request).
    problem: Problem | None
    kind: Verdict = Verdict.PATH
    route: Route | None = field(default=None, repr=False, compare=False)

    @property
    def reason(self) -> str:
        """The problem as the faces show it."""
        return sentence(self.problem)

    @property
    def verdict(self) -> str:
        """The kind of answer, as the faces style it: "match", "method", "host", "redirect", "path" or "error"."""
        return self.kind.value

    def to_dict(self) -> dict[str, t.Any]:
        return {"endpoint": self.endpoint, "rule": self.rule, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The answer of the path tester: what the app would dispatch the request to, and why."""

    ok: bool
    status: int
    path: str
    method: str
    host: str | None = None
    endpoint: str | None = None
    rule: str | None = None
    values: t.Mapping[str, t.Any] = field(default_factory=dict)
    allowed_methods: tuple[str, ...] = ()
    redirect_to: str | None = None
    near: tuple[NearRule, ...] = ()
    #: The inventory route that handles the path, for 200 answers.
    route: Route | None = field(default=None, repr=False, compare=False)
    #: The code that answers this method: a ``MethodView``'s handler (``UserAPI.get``), else the view.
    view: ViewSource | None = field(default=None, repr=False, compare=False)
    #: Set only when the input itself was refused; then the status is 404 and ``near`` is empty.
    error: str | None = None

    @property
    def value_types(self) -> dict[str, str]:
        """The Python type of each converted value, as the view receives it."""
        return type_names(self.values)

    def to_dict(self) -> dict[str, t.Any]:
        """The JSON of ``/api/match`` and ``match --json``; ``error`` appears only for refused input."""
        data: dict[str, t.Any] = {
            "ok": self.ok,
            "status": self.status,
            "endpoint": self.endpoint,
            "rule": self.rule,
            "values": json_values(self.values),
            "allowed_methods": list(self.allowed_methods),
            "redirect_to": self.redirect_to,
            "near": [n.to_dict() for n in self.near],
        }
        if self.error is not None:
            data["error"] = self.error
        return data


def match(app: Flask, path: str, *, method: str = "GET", host: str | None = None) -> MatchResult:
    """Which rule handles ``method path`` on ``host``, as the app would dispatch it; never raises.

    A full URL (``http://host/path``) is accepted too: its host is used when ``host`` is not given.
    """
    method = (method or "GET").strip().upper()
    host = (host or "").strip() or None
    path = (path or "").strip()
    scheme: str | None = None
    if ABSOLUTE_URL_RE.match(path) and len(path) <= MAX_PATH:
        try:
            parts = urlsplit(path)
        except ValueError as error:  # "Invalid IPv6 URL": a bracket of the host left open
            return MatchResult(
                ok=False,
                status=404,
                path=path,
                method=method[:20],
                host=host,
                error=f"{path!r} is not a valid URL: {error}.",
            )
        scheme = parts.scheme if parts.scheme in ("http", "https") else None
        host = host or parts.netloc or None
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if path and not path.startswith("/"):
        path = "/" + path
    problem = match_input_problem(path, method, host)
    if problem is not None:
        return MatchResult(ok=False, status=404, path=path[:MAX_PATH], method=method[:20], host=host, error=problem)
    try:
        request, outcome = simulate(app, path, method, host, scheme)
    except Exception as error:  # an untrusted host (TRUSTED_HOSTS), a malformed host header
        return MatchResult(
            ok=False, status=404, path=path, method=method, host=host, error=f"The request cannot be built: {error}"
        )
    return _Explanation(app, path, host, request, outcome).result()


def handler_for(view: ViewSource, method: str) -> ViewSource:
    """The code that answers ``method``: a ``MethodView``'s handler for it, else the view itself.

    HEAD falls back to ``get`` as ``MethodView.dispatch_request`` does; an automatic OPTIONS answer
    (Flask's, not the class's) keeps the class.
    """
    handlers = dict(view.handlers)
    return handlers.get(method) or (handlers.get("GET") if method == "HEAD" else None) or view


def redirect_target(shapes: RuleShapes, outcome: Dispatch) -> int | None:
    """The position of the rule a redirect leads to (followed once, with the same method)."""
    return shapes.position_of(outcome.rule) if outcome.redirects and outcome.status == 200 else None


def near_rule(
    shapes: RuleShapes, verdict: RuleVerdict, problem: Problem | None = None, kind: Verdict | None = None
) -> NearRule:
    """One verdict as a near rule, with its own problem and kind unless others are given."""
    route = shapes.route(verdict.position)
    return NearRule(
        route.endpoint,
        route.rule,
        problem if problem is not None else verdict.problem,
        kind if kind is not None else verdict.verdict,
        route,
    )


def _has_defaults(shapes: RuleShapes, route: Route) -> bool:
    """Whether the rule, or another rule of its endpoint, has default values (Werkzeug redirects to it)."""
    return bool(route.defaults) or any(other.defaults for other in shapes.routes_of(route.endpoint))


class _Explanation:
    """One dispatched request explained: the rules near it ranked, then an answer per status."""

    def __init__(self, app: Flask, path: str, host: str | None, request: SimulatedRequest, outcome: Dispatch) -> None:
        self.shapes = rule_shapes(app)
        self.path, self.host, self.request, self.outcome = path, host, request, outcome
        self.winner = self.shapes.position_of(outcome.rule) if outcome.status == 200 and not outcome.redirects else None
        self.target = redirect_target(self.shapes, outcome)
        extra = [p for p in (self.winner, self.target) if p is not None]
        self.verdicts = ranked_verdicts(self.shapes, request, nearby_positions(self.shapes, request, extra))

    def result(self) -> MatchResult:
        if self.outcome.redirects:
            return self._redirected()
        if self.outcome.status == 200 and self.winner is not None:
            return self._handled(self.winner)
        if self.outcome.status == 500:
            return self._failed()
        wanted = Level.ALMOST if self.outcome.status == 405 else Level.OTHER
        shown = [v for v in self.verdicts if v.level >= wanted and v.anchored]
        allowed = self.outcome.allowed
        return MatchResult(
            ok=False,
            status=self.outcome.status,
            path=self.path,
            method=self.request.method,
            host=self.host,
            # HEAD and OPTIONS only when the path takes nothing else.
            allowed_methods=tuple(m for m in allowed if m not in AUTOMATIC_METHODS) or allowed,
            near=tuple(near_rule(self.shapes, v) for v in shown[:NEAR_LIMIT]),
        )

    def _handled(self, winner: int) -> MatchResult:
        route = self.shapes.route(winner)
        comes_first = Problem(Kind.COMES_SECOND, other_rule=route.rule)
        near = [
            near_rule(self.shapes, v, comes_first if v.level == Level.FITS else None)
            for v in self.verdicts
            if v.position != winner and v.level >= Level.ALMOST
        ]
        return MatchResult(
            ok=True,
            status=200,
            path=self.path,
            method=self.request.method,
            host=self.host,
            endpoint=route.endpoint,
            rule=route.rule,
            values=dict(self.outcome.values),
            allowed_methods=route.visible_methods or (),
            near=tuple(near[:NEAR_LIMIT]),
            route=route,
            view=handler_for(route.view, self.request.method),
        )

    def _redirected(self) -> MatchResult:
        target = self.request.shown(self.outcome.redirects[0])
        cause = self._redirect_cause(target)
        near = [cause[1]] if cause is not None else []
        near += [
            near_rule(self.shapes, v)
            for v in self.verdicts
            if v.level >= Level.ALMOST and (cause is None or v.position != cause[0])
        ]
        return MatchResult(
            ok=False,
            status=308,
            path=self.path,
            method=self.request.method,
            host=self.host,
            redirect_to=target,
            near=tuple(near[:NEAR_LIMIT]),
        )

    def _failed(self) -> MatchResult:
        """The app answers 500: a converter raised, or else the matched rule's ``redirect_to`` callable."""
        raised = [
            near_rule(self.shapes, v, replace(v.problem, app_answers_500=True))
            for v in self.verdicts
            if v.verdict is Verdict.ERROR and v.problem is not None
        ]
        if not raised:
            failed = Problem(Kind.CALLABLE_RAISED, error=self.outcome.failure or "", app_answers_500=True)
            raised = [near_rule(self.shapes, v, failed, Verdict.ERROR) for v in self.verdicts if v.level == Level.FITS]
        others = [
            near_rule(self.shapes, v)
            for v in self.verdicts
            if v.level >= Level.ALMOST and v.verdict is not Verdict.ERROR
        ]
        return MatchResult(
            ok=False,
            status=500,
            path=self.path,
            method=self.request.method,
            host=self.host,
            near=tuple((raised + others)[:NEAR_LIMIT]),
        )

    def _redirect_cause(self, target: str) -> tuple[int, NearRule] | None:
        """Why Werkzeug redirects (merged slashes, a trailing slash, ``redirect_to``, default values), and which rule."""
        shapes, request = self.shapes, self.request
        target_path = unquote(target.split("?", 1)[0])
        for verdict in self.verdicts:
            if verdict.level != Level.FITS:
                continue
            route = shapes.route(verdict.position)
            if route.redirect_to is not None:
                problem = Problem(Kind.REDIRECT_TO, target=target)
                return verdict.position, near_rule(shapes, verdict, problem, Verdict.REDIRECT)
            if self.target is not None and self.target != verdict.position and _has_defaults(shapes, route):
                problem = Problem(Kind.DEFAULTS, target=target, other_rule=shapes.route(self.target).rule)
                return verdict.position, near_rule(shapes, verdict, problem, Verdict.REDIRECT)
        if self.target is None:
            return None
        target_verdict = next((v for v in self.verdicts if v.position == self.target), None) or verdict_of(
            shapes, self.target, request
        )
        if "//" in request.path and re.sub("/{2,}", "/", request.path) == target_path:
            kind = Kind.MERGED_SLASHES
        elif target_path == request.path + "/":
            kind = Kind.SLASH_REDIRECT
        else:
            kind = Kind.REDIRECTS
        return self.target, near_rule(shapes, target_verdict, Problem(kind, target=target), Verdict.REDIRECT)
