"""The build tester: build a URL exactly as ``url_for`` would, then match it back as a browser requests it.

Flask decides (``app.url_for`` builds, with the app's ``url_defaults`` hooks and build-error
handlers); a failure is explained by the diagnosis engine, a success is matched back through the
URL map (:mod:`.dispatch`) to check that the view would get what was given (the round trip).
"""

from __future__ import annotations

import math
import typing as t
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from flask import request as current_request
from flask.ctx import RequestContext
from flask.sessions import SecureCookieSession
from flask.testing import EnvironBuilder as FlaskEnvironBuilder
from werkzeug.routing import BaseConverter, Rule

from .. import _compat
from .. import diagnosis as diagnosis_engine
from ..diagnosis import Diagnosis
from ..dispatch import json_values, type_names
from ..endpoints import resolve_endpoint, write_call
from ..inventory import Argument
from .inputs import BuildOptions, blank, build_input_problem
from .match import redirect_target
from .problems import sentence
from .request import simulate
from .shapes import RuleShapes, rule_shapes
from .verdicts import ranked_verdicts

if t.TYPE_CHECKING:
    from flask import Flask


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """The built URL matched back through the URL map: does it reach the same endpoint and values?"""

    ok: bool
    endpoint: str | None
    values: t.Mapping[str, t.Any]
    #: The rule the URL comes back to.
    rule: str | None = None
    #: Why it does not come back as built (``None`` when it does).
    problem: str | None = None

    @property
    def value_types(self) -> dict[str, str]:
        """The Python type of each value the view would receive."""
        return type_names(self.values)

    def to_dict(self) -> dict[str, t.Any]:
        return {"ok": self.ok, "endpoint": self.endpoint, "values": json_values(self.values)}


@dataclass(frozen=True, slots=True)
class BuildResult:
    """The answer of the URL-build tester."""

    ok: bool
    url: str | None
    roundtrip: RoundTrip | None
    diagnosis: Diagnosis | None
    #: The endpoint after resolving a relative ``.name`` against the pretended blueprint.
    endpoint: str = ""
    #: The call to copy, as Python and as Jinja.
    python_call: str = ""
    jinja_call: str = ""
    #: Set only when the input itself was refused (too long, malformed); nothing was built.
    error: str | None = None

    def to_dict(self) -> dict[str, t.Any]:
        """The JSON of ``/api/build`` and ``build --json``; ``error`` appears only for refused input."""
        data: dict[str, t.Any] = {
            "ok": self.ok,
            "url": self.url,
            "roundtrip": self.roundtrip.to_dict() if self.roundtrip else None,
            "diagnosis": self.diagnosis.to_dict() if self.diagnosis else None,
        }
        if self.error is not None:
            data["error"] = self.error
        return data


def typed_value(value: t.Any, argument: Argument | None) -> t.Any:
    """A form string as the number an ``int`` or ``float`` variable expects, when it parses.

    ``url_for`` in code gets ``page=1``, not ``page='1'``: only the number picks a rule whose
    defaults hold it (``/blog/`` for ``page=1``), so the tester builds with what the code would pass.
    """
    if not isinstance(value, str) or argument is None or argument.converter not in ("int", "float"):
        return value
    try:
        number: int | float = int(value) if argument.converter == "int" else float(value)
    except ValueError:
        return value
    return number if isinstance(number, int) or math.isfinite(number) else value


def call_source(
    endpoint: str,
    values: t.Mapping[str, t.Any],
    *,
    method: str | None = None,
    external: bool = False,
    scheme: str | None = None,
    anchor: str | None = None,
) -> str:
    """The ``url_for(...)`` call that builds this URL, valid in Python and in Jinja.

    Values are written with ``repr``: a value typed in a form may hold any character, and ``repr``
    is always a valid literal.
    """
    options = (("_method", method), ("_external", True if external else None), ("_scheme", scheme), ("_anchor", anchor))
    keywords = [(name, repr(value)) for name, value in values.items() if value is not None]
    keywords += [(name, repr(value)) for name, value in options if value]
    return write_call(repr(endpoint), keywords)


def build(
    app: Flask,
    endpoint: str,
    values: t.Mapping[str, t.Any],
    *,
    method: str | None = None,
    external: bool = False,
    scheme: str | None = None,
    anchor: str | None = None,
    blueprint: str | None = None,
    extra_query: t.Mapping[str, t.Any] | None = None,
    base_url: str | None = None,
) -> BuildResult:
    """Build a URL exactly as ``url_for`` would in a request of ``blueprint``; never raises.

    Values may be strings as typed in a form: the converters convert them, as they would in the
    app. The app's ``url_defaults`` hooks and build-error handlers run, as they do for ``url_for``.
    A failure is explained by the diagnosis engine; a success is matched back (round trip).
    ``base_url`` is where the pretended request arrives (the page passes its own, so external URLs
    show the developer's host); by default ``SERVER_NAME`` or ``localhost``, as in Flask's tests.

    ``app`` may be the ``current_app`` proxy (the CLI's): the app behind it is used, else the diagnosis
    pushes a context of its own per fix it verifies (opening the session, running teardown again).
    """
    app = t.cast("Flask", _compat.unproxied(app))
    endpoint = (endpoint or "").strip()
    method = blank(method)
    options = BuildOptions(
        method=method.upper() if method else None,
        external=external,
        scheme=blank(scheme),
        anchor=anchor or None,
        blueprint=blank(blueprint),
    )
    extra = dict(extra_query or {})
    problem = build_input_problem(app, endpoint, values, extra, options)
    if problem is not None:
        return BuildResult(ok=False, url=None, roundtrip=None, diagnosis=None, endpoint=endpoint, error=problem)
    resolved = resolve_endpoint(endpoint, options.blueprint)
    shapes = rule_shapes(app)
    arguments = shapes.inventory.arguments_of(resolved)
    # A variable the endpoint lacks (a misspelt endpoint, most often) is typed as the app's other rules
    # type it, so the diagnosis's fix for the right endpoint reads ``user_id=7``, not ``user_id='7'``.
    given = {
        name: typed_value(value, arguments.get(name) or shapes.variables.get(name))
        for name, value in {**values, **extra}.items()
    }
    call = call_source(
        endpoint, given, method=options.method, external=external, scheme=options.scheme, anchor=options.anchor
    )
    url, diagnosis = _url_for(app, endpoint, resolved, given, options, base_url)
    return BuildResult(
        ok=url is not None,
        url=url,
        roundtrip=_round_trip(app, shapes, resolved, url, given, options.method) if url is not None else None,
        diagnosis=diagnosis,
        endpoint=resolved,
        python_call=call,
        jinja_call="{{ " + call + " }}",
    )


def _url_for(
    app: Flask,
    endpoint: str,
    resolved: str,
    given: t.Mapping[str, t.Any],
    options: BuildOptions,
    base_url: str | None,
) -> tuple[str | None, Diagnosis | None]:
    """``app.url_for`` in a pretended request of the blueprint: the URL, or the diagnosis of its failure."""
    with _pretended_request(app, base_url):
        # The pretended request: ``request.blueprint`` is what ``url_for`` resolves ``.name`` against.
        current_request.url_rule = (
            Rule("/", endpoint=f"{options.blueprint}.{resolved.rpartition('.')[2]}") if options.blueprint else None
        )
        try:
            url = app.url_for(
                endpoint,
                _anchor=options.anchor,
                _method=options.method,
                _scheme=options.scheme,
                _external=True if options.external else None,
                **{k: v for k, v in given.items() if v is not None},
            )
        except Exception as error:  # BuildError, a converter's ValueError, a failing url_defaults hook...
            return None, _diagnose(error, app)
    return str(url), None


def _pretended_request(app: Flask, base_url: str | None) -> RequestContext:
    """A request context for ``GET /`` that ``url_for`` can build in, with an empty session given.

    ``test_request_context`` would ask the app's session interface to open a session (a database
    or Redis round trip in many apps) on every keystroke of the tester. No before-request hook and
    no view runs; the app's ``teardown_request`` functions do run when the context ends, as they do
    after any request context.
    """
    builder = FlaskEnvironBuilder(app, "/", base_url=base_url)
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    return RequestContext(app, environ, session=SecureCookieSession())


def _diagnose(error: Exception, app: Flask) -> Diagnosis:
    """The engine's diagnosis; a bare one if the engine itself fails, so the tester still answers."""
    try:
        return diagnosis_engine.diagnose(error, app)
    except Exception:
        return Diagnosis(kind="other", endpoint=None, explanation=f"{type(error).__name__}: {error}")


# --------------------------------------------------------------------------- the round trip


def browser_path(path: str) -> str:
    """The path a browser requests for a link: ``.`` and ``..`` segments removed (``%2e`` counts).

    The WHATWG URL parser's rule, which browsers follow and Werkzeug's matcher does not know of:
    ``/files/x/../y`` is requested as ``/files/y``.
    """
    segments = path.split("/")[1:]
    kept: list[str] = []
    for position, segment in enumerate(segments):
        dots = segment.lower().replace("%2e", ".")
        last = position == len(segments) - 1
        if dots == "..":
            if kept:
                kept.pop()
            if last:
                kept.append("")
        elif dots == ".":
            if last:
                kept.append("")
        else:
            kept.append(segment)
    return "/" + "/".join(kept)


def _same_value(converter: BaseConverter | None, sent: t.Any, got: t.Any) -> bool:
    """Whether the view receives what was given: compared as the converter reads it ('007' is 7)."""
    if sent == got:
        return True
    if converter is None or not isinstance(sent, str):
        return str(sent) == str(got) if converter is None else False
    try:
        return bool(converter.to_python(sent) == got)
    except Exception:
        pass
    try:
        return bool(converter.to_python(converter.to_url(sent)) == got)
    except Exception:
        return False


def _natural_method(shapes: RuleShapes, endpoint: str) -> str:
    """The method to match a built URL back with: GET when the endpoint takes it."""
    routes = shapes.routes_of(endpoint)
    if not routes or any(route.allows("GET") for route in routes):
        return "GET"
    return (routes[0].visible_methods or ("GET",))[0]


def _round_trip(
    app: Flask, shapes: RuleShapes, endpoint: str, url: str, values: t.Mapping[str, t.Any], method: str | None
) -> RoundTrip:
    """Match the built URL back as a browser would request it; say so when it reaches another
    endpoint or other values."""
    if url.startswith("//"):
        host = url[2:].split("/", 1)[0]
        return RoundTrip(
            False, None, {}, problem=f"A browser reads {url} as a link to the host {host!r} (a protocol-relative URL)."
        )
    parts = urlsplit(url)
    sent = parts.path or "/"
    requested = browser_path(sent)
    trip = _match_back(app, shapes, endpoint, requested, parts.netloc or None, parts.scheme or None, values, method)
    if requested == sent:
        return trip
    if trip.endpoint is not None and trip.endpoint != endpoint:
        landing = f"{requested} is handled by {trip.endpoint!r} (rule {trip.rule}), not {endpoint!r}."
    else:
        landing = trip.problem or f"{requested} reaches {endpoint!r} with the same values."
    return replace(
        trip, ok=False, problem=f"A browser requests {requested}, not {sent} (it removes . and .. segments): {landing}"
    )


def _match_back(
    app: Flask,
    shapes: RuleShapes,
    endpoint: str,
    path: str,
    host: str | None,
    scheme: str | None,
    values: t.Mapping[str, t.Any],
    method: str | None,
) -> RoundTrip:
    root = (app.config.get("APPLICATION_ROOT") or "/").rstrip("/")
    if root and path.startswith(root + "/"):
        path = path[len(root) :]
    try:
        request, outcome = simulate(app, path, method or _natural_method(shapes, endpoint), host, scheme)
    except Exception as error:
        return RoundTrip(False, None, {}, problem=f"the URL cannot be matched back: {error}")
    shown = request.path
    if outcome.redirects:
        position = redirect_target(shapes, outcome)
        route = shapes.route(position) if position is not None else None
        return RoundTrip(
            False,
            route.endpoint if route else None,
            {},
            route.rule if route else None,
            f"{shown} redirects to {request.shown(outcome.redirects[0])}: "
            "the view would get other values than the ones given.",
        )
    rule = outcome.rule
    if outcome.status == 200 and rule is not None:
        if rule.endpoint != endpoint:
            return RoundTrip(
                False,
                str(rule.endpoint),
                dict(outcome.values),
                rule.rule,
                f"{shown} is handled by {rule.endpoint!r} (rule {rule.rule}), which comes first: "
                f"the URL never reaches {endpoint!r}.",
            )
        converters = _compat.rule_converters(rule)
        changed = [
            f"{name} comes back as {got!r}, not {values[name]!r}"
            for name, got in outcome.values.items()
            if name in values and values[name] is not None and not _same_value(converters.get(name), values[name], got)
        ]
        problem = ("The view would not get what was given: " + "; ".join(changed) + ".") if changed else None
        return RoundTrip(not changed, endpoint, dict(outcome.values), rule.rule, problem)
    verdicts = ranked_verdicts(shapes, request, shapes.by_endpoint.get(endpoint, ()))
    first = verdicts[0].problem if verdicts else None
    reason = sentence(first) if first is not None else f"status {outcome.status}"
    return RoundTrip(False, None, {}, None, f"{shown} does not lead back to {endpoint!r}: {reason}.")
