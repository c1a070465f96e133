"""Build a URL and match a path exactly as the app would, and explain the answer.

The testers' core: the pages, the JSON API and the CLI all call :func:`build` and :func:`match`.
Werkzeug and Flask decide (``app.url_for`` builds, ``MapAdapter.match`` dispatches); this module
never re-implements their priority. It only explains, rule by rule, why the rules near a path did
not take it, in the manner of Symfony's ``router:match``.
"""

from __future__ import annotations

import contextlib
import functools
import keyword
import math
import re
import typing as t
import uuid
import warnings
from collections import Counter
from dataclasses import dataclass, field, replace
from urllib.parse import unquote, urlsplit

from flask import Request
from flask import request as current_request
from flask.ctx import RequestContext
from flask.sessions import SecureCookieSession
from flask.testing import EnvironBuilder as FlaskEnvironBuilder
from rapidfuzz import fuzz, process
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import BaseConverter, MapAdapter, RequestRedirect, Rule, ValidationError, WebsocketMismatch
from werkzeug.test import EnvironBuilder

from . import _compat
from . import diagnosis as diagnosis_engine
from .diagnosis import Diagnosis
from .endpoints import OPTIONS, resolve_endpoint
from .inventory import AUTOMATIC_METHODS, Argument, Inventory, Route, get_inventory
from .sources import ViewSource

if t.TYPE_CHECKING:
    from flask import Flask

#: Input caps: far above any real URL, low enough that no input can make a tester slow.
MAX_PATH = 2000
MAX_VALUE = 1000
MAX_VALUES = 50
MAX_NAME = 200
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
#: ``url_for``'s own keyword arguments: never URL values.

_METHOD_RE = re.compile(r"[A-Z][A-Z0-9_-]{0,19}")
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,19}")
_HOST_RE = re.compile(r"[A-Za-z0-9._\-:\[\]]{1,255}")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_ABSOLUTE_URL_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_VARIABLE_TEXT_RE = re.compile(r"<[^>]+>")

# Verdict levels of a rule against a path, best first.
_FITS = 3  # the rule takes this path, method and host
_ALMOST = 2  # the path fits; the method, host or a trailing slash does not
_SAME_SHAPE = 1  # as many segments as the path; one of them differs
_OTHER = 0


# --------------------------------------------------------------------------- results


def jsonable(value: t.Any) -> t.Any:
    """A converted URL value as JSON: keep JSON types, ``str`` a UUID, ``repr`` anything else."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return repr(value)


def _type_names(values: t.Mapping[str, t.Any]) -> dict[str, str]:
    return {name: type(value).__name__ for name, value in values.items()}


def _jsonable_values(values: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    return {str(name): jsonable(value) for name, value in values.items()}


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
        return _type_names(self.values)

    def to_dict(self) -> dict[str, t.Any]:
        return {"ok": self.ok, "endpoint": self.endpoint, "values": _jsonable_values(self.values)}


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


@dataclass(frozen=True, slots=True)
class NearRule:
    """A rule close to the path, and why it does (not) take it."""

    endpoint: str
    rule: str
    reason: str
    #: "match", "method", "host", "redirect", "path" or "error" (the app raises): the kind of answer, for styling.
    verdict: str = "path"
    route: Route | None = field(default=None, repr=False, compare=False)

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
        return _type_names(self.values)

    def to_dict(self) -> dict[str, t.Any]:
        """The JSON of ``/api/match`` and ``match --json``; ``error`` appears only for refused input."""
        data: dict[str, t.Any] = {
            "ok": self.ok,
            "status": self.status,
            "endpoint": self.endpoint,
            "rule": self.rule,
            "values": _jsonable_values(self.values),
            "allowed_methods": list(self.allowed_methods),
            "redirect_to": self.redirect_to,
            "near": [n.to_dict() for n in self.near],
        }
        if self.error is not None:
            data["error"] = self.error
        return data


# --------------------------------------------------------------------------- rule shapes


def converter_label(argument: Argument | None) -> str:
    """``int``, ``int(min=1)``, ``any('daily', 'weekly')``: a converter as written in a rule."""
    if argument is None:
        return "string"
    if not argument.args:
        return argument.converter
    parts: list[str] = []
    for name, value in argument.args.items():
        if isinstance(value, list):
            parts.extend(repr(item) for item in value)
        else:
            parts.append(f"{name}={value!r}")
    return f"{argument.converter}({', '.join(parts)})"


_Piece = tuple[bool, str]


@dataclass(frozen=True, slots=True)
class _Shape:
    """One rule cut into segments, ready to be compared with a path piece by piece."""

    route: Route
    domain: tuple[_Piece, ...]
    segments: tuple[tuple[_Piece, ...], ...]
    #: Index of the first segment holding a converter that also matches slashes (``path``).
    tail: int | None
    converters: t.Mapping[str, BaseConverter]
    labels: t.Mapping[str, str]

    def written(self, pieces: t.Iterable[_Piece]) -> str:
        """Pieces as a rule string: ``<int(min=1):user_id>.json``."""
        return "".join(
            (f"<{name}>" if self.labels.get(name, "string") == "string" else f"<{self.labels[name]}:{name}>")
            if is_variable
            else name
            for is_variable, name in pieces
        )

    def pattern(self, pieces: t.Iterable[_Piece]) -> tuple[str, list[str]]:
        """A regex for pieces (variables as named groups) and the variable names in order."""
        names: list[str] = []
        out: list[str] = []
        for is_variable, text in pieces:
            if not is_variable:
                out.append(re.escape(text))
                continue
            converter = self.converters.get(text)
            out.append(f"(?P<__v{len(names)}>{converter.regex if converter is not None else '[^/]+'})")
            names.append(text)
        return "".join(out), names


_BAR: _Piece = (False, "|")
_SLASH: _Piece = (False, "/")


def _shape(route: Route) -> _Shape:
    trace = _compat.rule_trace(route.werkzeug_rule)
    try:
        bar = trace.index(_BAR)
    except ValueError:
        bar = 0
    segments: list[list[_Piece]] = []
    for piece in trace[bar + 1 :]:
        if piece == _SLASH:
            segments.append([])
        elif segments:
            segments[-1].append(piece)
        else:
            segments.append([piece])
    converters = _compat.rule_converters(route.werkzeug_rule)
    tail = None
    # Only a converter that also matches slashes (``path``) makes a tail; most rules have none.
    if not all(converter.part_isolating for converter in converters.values()):
        tail = next(
            (
                i
                for i, pieces in enumerate(segments)
                for is_variable, name in pieces
                if is_variable and name in converters and not converters[name].part_isolating
            ),
            None,
        )
    return _Shape(
        route=route,
        domain=tuple(trace[:bar]),
        segments=tuple(map(tuple, segments)),
        tail=tail,
        converters=converters,
        labels={a.name: converter_label(a) for a in route.arguments} if route.arguments else {},
    )


class _Index:
    """Every rule cut into segments, plus lookups that find the rules near a path quickly."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.shapes = [_shape(route) for route in inventory.routes]
        self.by_rule = {id(route.werkzeug_rule): p for p, route in enumerate(inventory.routes)}
        self.by_endpoint: dict[str, list[int]] = {}
        #: (segment position, static text) -> rules with that static segment there.
        self.statics: dict[tuple[int, str], list[int]] = {}
        #: Segment count -> rules made of variables only (no static segment to find them by).
        self.dynamic: dict[int, list[int]] = {}
        #: The app's own rules, and each as text with its variables as ``*``, for fuzzy ranking.
        self.pool: list[int] = []
        self.skeletons: list[str] = []
        #: Variable name -> its argument when every rule with a variable of that name converts it
        #: alike (``user_id``: int everywhere), else ``None``: how to type a value for an unknown endpoint.
        self.variables: dict[str, Argument | None] = {}
        for position, shape in enumerate(self.shapes):
            self.by_endpoint.setdefault(shape.route.endpoint, []).append(position)
            for argument in shape.route.arguments:
                known = self.variables.setdefault(argument.name, argument)
                if known is not None and known.converter != argument.converter:
                    self.variables[argument.name] = None
            if shape.route.internal:
                continue
            self.pool.append(position)
            self.skeletons.append(_VARIABLE_TEXT_RE.sub("*", shape.route.rule))
            limit = shape.tail if shape.tail is not None else len(shape.segments)
            has_static = False
            for i, pieces in enumerate(shape.segments[:limit]):
                if len(pieces) == 1:  # the usual segment: one piece, static or a variable
                    if pieces[0][0]:
                        continue
                    text = pieces[0][1]
                elif any(is_variable for is_variable, _ in pieces):
                    continue
                else:
                    text = "".join(text for _, text in pieces)
                self.statics.setdefault((i, text), []).append(position)
                has_static = True
            if not has_static:
                key = -1 if shape.tail is not None else len(shape.segments)
                self.dynamic.setdefault(key, []).append(position)


def _index_for(app: Flask) -> _Index:
    """The app's rule shapes, rebuilt when the inventory is."""
    inventory = get_inventory(app)
    return inventory.derived(_Index, lambda: _Index(inventory))


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# --------------------------------------------------------------------------- explaining one rule


@dataclass(frozen=True, slots=True)
class _Request:
    """The request as the matcher sees it: decoded path, method, and the host or subdomain part."""

    path: str
    method: str
    domain: str
    host_matching: bool
    #: Set when the host is not under ``SERVER_NAME``: then no subdomain rule can take the request.
    outside: str | None = None

    @property
    def segments(self) -> list[str]:
        return self.path[1:].split("/")


@dataclass(frozen=True, slots=True)
class _Verdict:
    """One rule against one request: how close (level, score) and the first reason it does not fit."""

    position: int
    level: int
    score: int
    #: A static segment of the rule equals (or nearly equals, a typo) the path's: worth showing.
    anchored: bool
    reason: str
    verdict: str


#: Two static segments this similar (rapidfuzz ratio) are taken for a typo of each other.
_TYPO_SIMILARITY = 75.0


def _rejection(converter: BaseConverter, value: str) -> str:
    """Why ``to_python`` refused a value its regex accepted (number limits, mostly)."""
    fixed = getattr(converter, "fixed_digits", 0)
    if fixed and len(value) != fixed:
        return f"needs exactly {fixed} digits"
    minimum, maximum = getattr(converter, "min", None), getattr(converter, "max", None)
    if minimum is not None or maximum is not None:
        try:
            number = float(value)
        except ValueError:
            return "not a number"
        if minimum is not None and number < minimum:
            return f"below the minimum {minimum}"
        if maximum is not None and number > maximum:
            return f"above the maximum {maximum}"
    return "its to_python() refuses it"


def _pieces_problem(shape: _Shape, pieces: t.Sequence[_Piece], text: str) -> str | None:
    """Why ``text`` (one segment, or the rest of the path for a ``path`` tail) does not fit the pieces."""
    if all(not is_variable for is_variable, _ in pieces):
        expected = "".join(name for _, name in pieces)
        if text == expected:
            return None
        if not expected:
            return f"path too long: nothing in the rule for {text!r}"
        if not text:
            return f"empty segment where the rule expects {expected!r}"
        return f"static part differs: expected {expected!r}, got {text!r}"
    pattern, names = shape.pattern(pieces)
    found = _compiled(pattern).fullmatch(text)
    written = shape.written(pieces)
    if found is None:
        if len(pieces) == 1:
            name = pieces[0][1]
            label = shape.labels.get(name, "string")
            if not text:
                return f"empty segment where the rule expects {written}"
            return f"segment {text!r} is not accepted by {label} for {name}"
        return f"segment {text!r} does not fit {written!r}"
    for position, name in enumerate(names):
        converter = shape.converters.get(name)
        value = found.group(f"__v{position}")
        if converter is None:
            continue
        label = shape.labels.get(name, "string")
        try:
            converter.to_python(value)
        except ValidationError:
            return f"segment {value!r} is rejected by {label} for {name}: {_rejection(converter, value)}"
        except Exception as error:  # a custom converter may raise anything; the app would fail too
            return _Raised(f"{label} for {name} raises {error!r} on {value!r}")
    return None


class _Raised(str):
    """The reason of a converter that raised: the app would answer 500, not pass on to the next rule."""


class _PathScore:
    """Points of a rule against a path: 2 per segment that fits, 1 per typo or rejected variable."""

    def __init__(self) -> None:
        self.score = 0
        self.anchored = False
        self.first: str | None = None
        self.problems = 0

    def add(self, pieces: t.Sequence[_Piece], text: str, problem: str | None) -> None:
        static = all(not is_variable for is_variable, _ in pieces)
        expected = "".join(name for _, name in pieces) if static else ""
        if problem is None:
            self.score += 2
            self.anchored = self.anchored or bool(expected)
            return
        self.problems += 1
        if self.first is None:
            self.first = problem
        if not static:
            self.score += 1
        elif expected and text and fuzz.ratio(expected, text) >= _TYPO_SIMILARITY:
            self.score += 1
            self.anchored = True


def _path_verdict(shape: _Shape, request: _Request) -> tuple[int, _PathScore, str]:
    """(level, points, verdict kind) of the path part alone; ``points.first`` is the first reason."""
    segments = request.segments
    rule_segments = shape.segments
    strict = shape.route.strict_slashes
    limit = shape.tail if shape.tail is not None else len(rule_segments)
    points = _PathScore()
    for i in range(limit):
        if i >= len(segments):
            if points.first is None and i == len(rule_segments) - 1 and rule_segments[i] == ():
                if strict:
                    points.first = f"trailing slash: redirects to {request.path}/"
                    return _ALMOST, points, "redirect"
                return _FITS, points, "match"
            rest = "/" + "/".join(shape.written(s) for s in rule_segments[i:])
            points.first = points.first or f"path too short: the rule continues with {rest!r}"
            return _OTHER, points, "path"
        points.add(rule_segments[i], segments[i], _pieces_problem(shape, rule_segments[i], segments[i]))
    if shape.tail is None:
        extra = segments[len(rule_segments) :]
        if extra == [""] and points.first is None:
            if not strict:
                return _FITS, points, "match"
            trimmed = request.path.rstrip("/") or "/"
            points.first = f"trailing slash: the rule has none ({trimmed!r} would match)"
            return _SAME_SHAPE, points, "path"
        if extra:
            points.first = points.first or f"path too long: nothing in the rule for '/{'/'.join(extra)}'"
            return _OTHER, points, "path"
    elif len(segments) <= shape.tail:
        rest = "/" + "/".join(shape.written(s) for s in rule_segments[shape.tail :])
        points.first = points.first or f"path too short: the rule continues with {rest!r}"
        return _OTHER, points, "path"
    else:
        tail_pieces: list[_Piece] = []
        for i, pieces in enumerate(rule_segments[shape.tail :]):
            if i:
                tail_pieces.append((False, "/"))
            tail_pieces.extend(pieces)
        problem = _pieces_problem(shape, tail_pieces, "/".join(segments[shape.tail :]))
        points.add(tail_pieces, "", problem and problem.replace("segment ", "rest of the path ", 1))
    if points.first is not None:
        if points.problems == 1 and isinstance(points.first, _Raised):
            # Everything else fits: Werkzeug reaches this converter, and it raises.
            return _ALMOST, points, "error"
        return _SAME_SHAPE, points, "path"
    return _FITS, points, "match"


def _domain_problem(shape: _Shape, request: _Request) -> str | None:
    if request.outside is not None:
        return request.outside
    pattern, _ = shape.pattern(shape.domain)
    if _compiled(pattern).fullmatch(request.domain):
        return None
    what = "host" if request.host_matching else "subdomain"
    return f"{what} mismatch: the rule wants {shape.written(shape.domain)!r}, the request has {request.domain!r}"


def _verdict(index: _Index, position: int, request: _Request) -> _Verdict:
    """How close one rule comes to the request, and the first reason it does not take it."""
    shape = index.shapes[position]
    level, points, kind = _path_verdict(shape, request)
    reason = points.first or ""
    if level == _FITS:
        route = shape.route
        level, kind, reason = _ALMOST, "host", _domain_problem(shape, request) or ""
        if not reason and route.websocket:
            reason = "WebSocket rule: an HTTP request never matches it"
        if not reason and not route.allows(request.method):
            kind, reason = (
                "method",
                f"method {request.method} not allowed (allowed: {', '.join(route.visible_methods or ())})",
            )
        if not reason:
            level, kind, reason = _FITS, "match", "matches"
    return _Verdict(position, level, points.score, points.anchored or level >= _ALMOST, reason, kind)


def _candidates(index: _Index, request: _Request, extra: t.Iterable[int]) -> list[int]:
    """Rules worth explaining: same static segments, variable-only rules of the same length, fuzzy."""
    segments = request.segments
    counts: Counter[int] = Counter()
    for i, segment in enumerate(segments[:64]):
        hits = index.statics.get((i, segment))
        if hits:
            counts.update(hits)
    found = dict.fromkeys(p for p, _ in counts.most_common(30))
    for key in (len(segments), -1):
        found.update(dict.fromkeys(index.dynamic.get(key, ())[:30]))
    if index.skeletons:
        for _, _, at in process.extract(request.path, index.skeletons, scorer=fuzz.ratio, limit=12):
            found.setdefault(index.pool[at])
    found.update(dict.fromkeys(extra))
    return list(found)


def _ranked(index: _Index, request: _Request, positions: t.Iterable[int]) -> list[_Verdict]:
    verdicts = [_verdict(index, p, request) for p in positions]
    similarity = {v.position: fuzz.ratio(request.path, index.shapes[v.position].route.rule) for v in verdicts}
    verdicts.sort(key=lambda v: (-v.level, -v.score, -similarity[v.position], v.position))
    return verdicts


def _near(index: _Index, verdict: _Verdict, reason: str | None = None, kind: str | None = None) -> NearRule:
    route = index.shapes[verdict.position].route
    return NearRule(route.endpoint, route.rule, reason or verdict.reason, kind or verdict.verdict, route)


# --------------------------------------------------------------------------- dispatching like the app


@dataclass(frozen=True, slots=True)
class _Dispatch:
    """What ``MapAdapter.match`` answered for one request."""

    request: _Request
    status: int
    rule: Rule | None = None
    values: t.Mapping[str, t.Any] = field(default_factory=dict)
    allowed: tuple[str, ...] = ()
    redirect_url: str | None = None
    adapter: MapAdapter | None = None
    base: str = ""
    #: What the app's own code raised while matching (a converter, a ``redirect_to`` callable).
    failure: str | None = None


def _adapter(
    app: Flask, path: str, method: str, host: str | None, scheme: str | None
) -> tuple[MapAdapter, str, str | None]:
    """The URL adapter Flask would create for this request (``create_url_adapter``), the base URL,
    and why the host is outside ``SERVER_NAME`` (``None`` when it is not)."""
    scheme = scheme or app.config.get("PREFERRED_URL_SCHEME") or "http"
    server = host or app.config.get("SERVER_NAME") or "localhost"
    root = (app.config.get("APPLICATION_ROOT") or "/").rstrip("/")
    base = f"{scheme}://{server}"
    environ = EnvironBuilder(path="/", base_url=f"{base}{root}/", method=method).get_environ()
    environ.update(_target_environ(path))
    outside = _outside_server_name(app, server, scheme)
    with warnings.catch_warnings() if outside else contextlib.nullcontext():
        if outside:
            # Werkzeug warns on stderr and matches the marker subdomain '<invalid>': the answer
            # below says it plainly instead. Filters are swapped only on this rare path.
            warnings.simplefilter("ignore", UserWarning)
        adapter = app.create_url_adapter(Request(environ))
    if adapter is None:  # only without a request; kept for type checkers
        raise RuntimeError("no URL adapter")
    return adapter, base + root, outside


def _outside_server_name(app: Flask, host: str, scheme: str) -> str | None:
    """ "host X is not under SERVER_NAME Y" when subdomain matching cannot place the host.

    The same test as ``Map.bind_to_environ``: the host's dot-separated labels must end with
    ``SERVER_NAME``'s (default ports left out of both).
    """
    server_name = app.config.get("SERVER_NAME")
    if not server_name or app.url_map.host_matching or not app.subdomain_matching:
        return None
    default_port = ":443" if scheme in ("https", "wss") else ":80"

    def labels(name: str) -> list[str]:
        name = name.lower()
        return (name[: -len(default_port)] if name.endswith(default_port) else name).split(".")

    wanted = labels(server_name)
    if labels(host)[-len(wanted) :] == wanted:
        return None
    return f"host {host} is not under SERVER_NAME {server_name}"


def _target_environ(target: str) -> dict[str, str]:
    """``PATH_INFO`` and ``QUERY_STRING`` as a WSGI server sets them for a request target.

    Not through ``EnvironBuilder(path=...)``: it parses the target as a URL, so ``//users/7`` would
    become the host ``users`` and the path ``/7``. A server takes the target as a path, decodes its
    percent-escapes and passes it on as latin-1 text of the UTF-8 bytes (PEP 3333).
    """
    path, _, query = target.split("#", 1)[0].partition("?")

    def wsgi_text(text: str) -> str:
        return text.encode("utf-8").decode("latin-1")

    return {"PATH_INFO": wsgi_text(unquote(path)), "QUERY_STRING": wsgi_text(query)}


def _dispatch(app: Flask, path: str, method: str, host: str | None = None, scheme: str | None = None) -> _Dispatch:
    adapter, base, outside = _adapter(app, path, method, host, scheme)
    host_matching = app.url_map.host_matching
    request = _Request(
        path="/" + (adapter.path_info or "").lstrip("/"),
        method=method,
        domain=(adapter.server_name if host_matching else adapter.subdomain) or "",
        host_matching=host_matching,
        outside=outside,
    )
    common = {"request": request, "adapter": adapter, "base": base}
    try:
        rule, values = adapter.match(method=method, return_rule=True)
    except RequestRedirect as redirect:
        return _Dispatch(status=308, redirect_url=redirect.new_url, **common)
    except MethodNotAllowed as error:
        allowed = sorted(set(error.valid_methods or ()))
        shown = [m for m in allowed if m not in AUTOMATIC_METHODS] or allowed
        return _Dispatch(status=405, allowed=tuple(shown), **common)
    except WebsocketMismatch:
        return _Dispatch(status=400, **common)
    except NotFound:
        return _Dispatch(status=404, **common)
    except HTTPException as error:
        return _Dispatch(status=error.code or 404, **common)
    except Exception as error:  # a custom converter or a redirect_to callable failed: the app answers 500
        return _Dispatch(status=500, failure=repr(error), **common)
    return _Dispatch(status=200, rule=rule, values=values, **common)


def _local(url: str, base: str) -> str:
    """A redirect target without the scheme and host when they are the request's own."""
    if url.startswith(base + "/"):
        return url[len(base) :]
    return url


def _path_of(url: str, base: str) -> str:
    """The path of a URL relative to the app root, still percent-encoded."""
    local = _local(url, base)
    if _ABSOLUTE_URL_RE.match(local):
        local = urlsplit(local).path or "/"
    return local.split("?", 1)[0].split("#", 1)[0] or "/"


# --------------------------------------------------------------------------- match


def _match_input_problem(path: str, method: str, host: str | None) -> str | None:
    if not path:
        return "Enter a path to match, such as /users/7."
    if len(path) > MAX_PATH:
        return f"The path is {len(path):,} characters long; the tester accepts at most {MAX_PATH:,}."
    if _CONTROL_RE.search(path):
        return "The path contains control characters; a browser would never send them."
    try:
        unquote(path, errors="strict")
    except UnicodeDecodeError:
        return "The path has percent-escapes that are not valid UTF-8 (such as %FF); Flask would read them as U+FFFD."
    if not _METHOD_RE.fullmatch(method):
        return f"{method[:40]!r} is not an HTTP method."
    if host is not None and not _HOST_RE.fullmatch(host):
        return "The host may hold only letters, digits, dots, hyphens and a port."
    return None


def match(app: Flask, path: str, *, method: str = "GET", host: str | None = None) -> MatchResult:
    """Which rule handles ``method path`` on ``host``, as the app would dispatch it; never raises.

    A full URL (``http://host/path``) is accepted too: its host is used when ``host`` is not given.
    """
    method = (method or "GET").strip().upper()
    host = (host or "").strip() or None
    path = (path or "").strip()
    scheme: str | None = None
    if _ABSOLUTE_URL_RE.match(path) and len(path) <= MAX_PATH:
        parts = urlsplit(path)
        scheme = parts.scheme if parts.scheme in ("http", "https") else None
        host = host or parts.netloc or None
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if path and not path.startswith("/"):
        path = "/" + path
    problem = _match_input_problem(path, method, host)
    if problem is not None:
        return MatchResult(ok=False, status=404, path=path[:MAX_PATH], method=method[:20], host=host, error=problem)
    try:
        outcome = _dispatch(app, path, method, host, scheme)
    except Exception as error:  # an untrusted host (TRUSTED_HOSTS), a malformed host header
        return MatchResult(
            ok=False, status=404, path=path, method=method, host=host, error=f"The request cannot be built: {error}"
        )
    return _explain_match(app, path, method, host, outcome)


def _explain_match(app: Flask, path: str, method: str, host: str | None, outcome: _Dispatch) -> MatchResult:
    index = _index_for(app)
    request = outcome.request
    base = {"path": path, "method": method, "host": host}
    winner = index.by_rule.get(id(outcome.rule)) if outcome.rule is not None else None
    extra = [winner] if winner is not None else []
    redirect_target = _redirect_rule(index, outcome) if outcome.status == 308 else None
    if redirect_target is not None:
        extra.append(redirect_target)
    verdicts = _ranked(index, request, _candidates(index, request, extra))

    if outcome.status == 200 and winner is not None:
        route = index.shapes[winner].route
        winner_rule = route.rule
        near = [
            _near(index, v, f"also matches, but {winner_rule!r} comes first" if v.level == _FITS else None)
            for v in verdicts
            if v.position != winner and v.level >= _ALMOST
        ]
        return MatchResult(
            ok=True,
            status=200,
            endpoint=route.endpoint,
            rule=route.rule,
            values=dict(outcome.values),
            allowed_methods=route.visible_methods or (),
            near=tuple(near[:NEAR_LIMIT]),
            route=route,
            view=handler_for(route.view, method),
            **base,
        )
    if outcome.status == 308 and outcome.redirect_url is not None:
        target = _local(outcome.redirect_url, outcome.base)
        cause = _redirect_cause(index, request, verdicts, redirect_target, target)
        near = [cause[1]] if cause is not None else []
        near += [_near(index, v) for v in verdicts if v.level >= _ALMOST and (cause is None or v.position != cause[0])]
        return MatchResult(ok=False, status=308, redirect_to=target, near=tuple(near[:NEAR_LIMIT]), **base)
    if outcome.status == 500:
        raised = [_near(index, v, f"{v.reason}: the app answers 500") for v in verdicts if v.verdict == "error"]
        if not raised:  # no converter raised: the rule's redirect_to callable did
            reason = f"matches, then raised {outcome.failure}: the app answers 500"
            raised = [_near(index, v, reason, "error") for v in verdicts if v.level == _FITS]
        others = [_near(index, v) for v in verdicts if v.level >= _ALMOST and v.verdict != "error"]
        return MatchResult(ok=False, status=500, near=tuple((raised + others)[:NEAR_LIMIT]), **base)
    wanted = _ALMOST if outcome.status == 405 else _OTHER
    shown = [v for v in verdicts if v.level >= wanted and v.anchored]
    return MatchResult(
        ok=False,
        status=outcome.status,
        allowed_methods=outcome.allowed,
        near=tuple(_near(index, v) for v in shown[:NEAR_LIMIT]),
        **base,
    )


def handler_for(view: ViewSource, method: str) -> ViewSource:
    """The code that answers ``method``: a ``MethodView``'s handler for it, else the view itself.

    HEAD falls back to ``get`` as ``MethodView.dispatch_request`` does; an automatic OPTIONS answer
    (Flask's, not the class's) keeps the class.
    """
    handlers = dict(view.handlers)
    return handlers.get(method) or (handlers.get("GET") if method == "HEAD" else None) or view


def _redirect_rule(index: _Index, outcome: _Dispatch) -> int | None:
    """The rule that handles the redirect target (following it once, with the same method)."""
    if outcome.adapter is None or outcome.redirect_url is None:
        return None
    target = unquote(_path_of(outcome.redirect_url, outcome.base))
    try:
        rule, _ = outcome.adapter.match(target, method=outcome.request.method, return_rule=True)
    except Exception:
        return None
    return index.by_rule.get(id(rule))


def _redirect_cause(
    index: _Index, request: _Request, verdicts: list[_Verdict], target_rule: int | None, target: str
) -> tuple[int, NearRule] | None:
    """Why Werkzeug redirects (merged slashes, a trailing slash, ``redirect_to``, default values), and which rule."""
    target_path = unquote(target.split("?", 1)[0])
    for verdict in verdicts:
        if verdict.level != _FITS:
            continue
        route = index.shapes[verdict.position].route
        if route.redirect_to is not None:
            return verdict.position, _near(index, verdict, f"redirect_to: redirects to {target}", "redirect")
        if route.defaults or any(index.shapes[p].route.defaults for p in index.by_endpoint.get(route.endpoint, ())):
            if target_rule is not None and target_rule != verdict.position:
                defaults_rule = index.shapes[target_rule].route.rule
                reason = f"defaults: the values are the defaults of {defaults_rule!r}; redirects to {target}"
                return verdict.position, _near(index, verdict, reason, "redirect")
    if target_rule is None:
        return None
    target_verdict = next((v for v in verdicts if v.position == target_rule), None) or _verdict(
        index, target_rule, request
    )
    if "//" in request.path and re.sub("/{2,}", "/", request.path) == target_path:
        reason = f"repeated slashes: merged, redirects to {target}"
    elif target_path == request.path + "/":
        reason = f"trailing slash: redirects to {target}"
    else:
        reason = f"redirects to {target}"
    return target_rule, _near(index, target_verdict, reason, "redirect")


# --------------------------------------------------------------------------- build


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
    """The ``url_for(...)`` call that builds this URL, valid in Python and in Jinja."""
    parts = [repr(endpoint)]
    starred: list[str] = []
    for name, value in values.items():
        if value is None:
            continue
        literal = repr(value)
        if name.isidentifier() and not keyword.iskeyword(name):
            parts.append(f"{name}={literal}")
        else:
            starred.append(f"{name!r}: {literal}")
    if method:
        parts.append(f"_method={method!r}")
    if external:
        parts.append("_external=True")
    if scheme:
        parts.append(f"_scheme={scheme!r}")
    if anchor:
        parts.append(f"_anchor={anchor!r}")
    if starred:
        parts.append("**{" + ", ".join(starred) + "}")
    return f"url_for({', '.join(parts)})"


def _build_input_problem(
    app: Flask,
    endpoint: str,
    values: t.Mapping[str, t.Any],
    extra: t.Mapping[str, t.Any],
    method: str | None,
    scheme: str | None,
    anchor: str | None,
    blueprint: str | None,
) -> str | None:
    if not endpoint:
        return "Choose an endpoint to build a URL for."
    if len(endpoint) > MAX_NAME:
        return f"The endpoint name is {len(endpoint):,} characters long; the tester accepts at most {MAX_NAME}."
    if _CONTROL_RE.search(endpoint):
        return "The endpoint name contains control characters."
    if len(values) + len(extra) > MAX_VALUES:
        return f"{len(values) + len(extra)} values given; the tester accepts at most {MAX_VALUES}."
    for name, value in (*values.items(), *extra.items()):
        if not isinstance(name, str) or not name:
            return "A value has no name."
        if len(name) > MAX_NAME or _CONTROL_RE.search(name):
            return f"The value name {name[:40]!r}… is not a usable argument name."
        if name in OPTIONS:
            return f"{name} is one of url_for's own arguments: use its field, not a value."
        if name == "endpoint":
            return "'endpoint' cannot be a value: it is url_for's first parameter."
        if isinstance(value, str) and len(value) > MAX_VALUE:
            return f"The value of {name!r} is {len(value):,} characters long; the tester accepts at most {MAX_VALUE:,}."
    clash = next((name for name in extra if name in values), None)
    if clash is not None:
        return f"{clash!r} is given both as a URL variable and as an extra query argument."
    if method is not None and not _METHOD_RE.fullmatch(method):
        return f"{method[:40]!r} is not an HTTP method."
    if scheme is not None and not _SCHEME_RE.fullmatch(scheme):
        return f"{scheme[:40]!r} is not a URL scheme (such as https)."
    if anchor is not None and len(anchor) > MAX_VALUE:
        return f"The anchor is {len(anchor):,} characters long; the tester accepts at most {MAX_VALUE:,}."
    if blueprint is not None and blueprint not in app.blueprints:
        known = ", ".join(sorted(app.blueprints)) or "none"
        return f"No blueprint named {blueprint[:60]!r} is registered (registered: {known})."
    return None


def _blank(value: str | None) -> str | None:
    value = value.strip() if isinstance(value, str) else value
    return value or None


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
    """
    endpoint = (endpoint or "").strip()
    method = _blank(method)
    method = method.upper() if method else None
    scheme, blueprint = _blank(scheme), _blank(blueprint)
    anchor = anchor or None
    extra = dict(extra_query or {})
    problem = _build_input_problem(app, endpoint, values, extra, method, scheme, anchor, blueprint)
    if problem is not None:
        return BuildResult(ok=False, url=None, roundtrip=None, diagnosis=None, endpoint=endpoint, error=problem)
    resolved = resolve_endpoint(endpoint, blueprint)
    index = _index_for(app)
    arguments = index.inventory.arguments_of(resolved)
    # A variable the endpoint lacks (a misspelt endpoint, most often) is typed as the app's other rules
    # type it, so the diagnosis's fix for the right endpoint reads ``user_id=7``, not ``user_id='7'``.
    given = {
        name: typed_value(value, arguments.get(name) or index.variables.get(name))
        for name, value in {**values, **extra}.items()
    }
    call = call_source(endpoint, given, method=method, external=external, scheme=scheme, anchor=anchor)
    texts = {"endpoint": resolved, "python_call": call, "jinja_call": "{{ " + call + " }}"}
    with _pretended_request(app, base_url):
        # The pretended request: ``request.blueprint`` is what ``url_for`` resolves ``.name`` against.
        current_request.url_rule = (
            Rule("/", endpoint=f"{blueprint}.{resolved.rpartition('.')[2]}") if blueprint else None
        )
        try:
            url = app.url_for(
                endpoint,
                _anchor=anchor,
                _method=method,
                _scheme=scheme,
                _external=True if external else None,
                **{k: v for k, v in given.items() if v is not None},
            )
        except Exception as error:  # BuildError, a converter's ValueError, a failing url_defaults hook...
            return BuildResult(ok=False, url=None, roundtrip=None, diagnosis=_diagnose(error, app), **texts)
    url = str(url)
    return BuildResult(
        ok=True, url=url, roundtrip=_round_trip(app, index, resolved, url, given, method), diagnosis=None, **texts
    )


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


def _natural_method(index: _Index, endpoint: str) -> str:
    """The method to match a built URL back with: GET when the endpoint takes it."""
    routes = [index.shapes[p].route for p in index.by_endpoint.get(endpoint, ())]
    if not routes or any(route.allows("GET") for route in routes):
        return "GET"
    return (routes[0].visible_methods or ("GET",))[0]


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


def _round_trip(
    app: Flask, index: _Index, endpoint: str, url: str, values: t.Mapping[str, t.Any], method: str | None
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
    trip = _match_back(app, index, endpoint, requested, parts.netloc or None, parts.scheme or None, values, method)
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
    index: _Index,
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
        outcome = _dispatch(app, path, method or _natural_method(index, endpoint), host, scheme)
    except Exception as error:
        return RoundTrip(False, None, {}, problem=f"the URL cannot be matched back: {error}")
    shown = outcome.request.path
    if outcome.status == 200 and outcome.rule is not None:
        rule = outcome.rule
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
    if outcome.status == 308 and outcome.redirect_url is not None:
        target = _local(outcome.redirect_url, outcome.base)
        position = _redirect_rule(index, outcome)
        route = index.shapes[position].route if position is not None else None
        return RoundTrip(
            False,
            route.endpoint if route else None,
            {},
            route.rule if route else None,
            f"{shown} redirects to {target}: the view would get other values than the ones given.",
        )
    verdicts = _ranked(index, outcome.request, index.by_endpoint.get(endpoint, ()))
    reason = verdicts[0].reason if verdicts and verdicts[0].reason != "matches" else f"status {outcome.status}"
    return RoundTrip(False, None, {}, None, f"{shown} does not lead back to {endpoint!r}: {reason}.")
