"""A URL map rebuilt from JSON, sample URLs of a rule, and which values a converter accepts.

"Does a URL that matched before still match?" is answered by Werkzeug itself: the routes of a JSON
document become real :class:`~werkzeug.routing.Rule` objects with the same converters, and sample
URLs built from an old rule are matched against them. A custom converter cannot be rebuilt from
JSON: a stand-in that takes any one segment replaces it, and the diff says so.
"""

from __future__ import annotations

import enum
import re
import typing as t
from dataclasses import dataclass, field

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import BaseConverter, Map, RequestRedirect, Rule, ValidationError

from .._compat import VARIABLE_RE
from .model import RouteSpec, Variable

#: The host a rebuilt map is bound to when a rule names none.
SAMPLE_SERVER = "example.test"
#: Texts tried on every converter; each converter keeps those it accepts (plus its own, see ``candidates``).
CANDIDATES = (
    "sample",
    "42",
    "1",
    "0",
    "7",
    "100000",
    "-3",
    "1.5",
    "00042",
    "0b6d9d8e-8f7e-4f4e-9b5e-5e1b1c1d2a3f",
    "a/b",
)


class StandInConverter(BaseConverter):
    """Takes the place of a custom converter the JSON cannot rebuild: any one path segment."""

    def __init__(self, map: Map, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(map)


@dataclass
class RebuiltMap:
    """A Werkzeug map made from one side's JSON."""

    map: Map
    #: Converter names the JSON uses but Werkzeug does not know (custom converters of the app).
    stand_ins: set[str] = field(default_factory=set)
    #: Routes Werkzeug refused to add, with its reason.
    refused: list[tuple[RouteSpec, str]] = field(default_factory=list)


def rebuild_map(routes: t.Iterable[RouteSpec]) -> RebuiltMap:
    """A map with a rule for every route, as the app had it (methods, defaults, slashes, redirects, hosts)."""
    routes = tuple(routes)
    url_map = Map(host_matching=any(r.host for r in routes))
    rebuilt = RebuiltMap(url_map)
    for route in routes:
        for variable in route.variables:
            if variable.converter not in url_map.converters:
                url_map.converters[variable.converter] = StandInConverter
                rebuilt.stand_ins.add(variable.converter)
        try:
            url_map.add(
                Rule(
                    route.rule,
                    endpoint=route.endpoint,
                    methods=None if route.methods is None else sorted(route.methods),
                    defaults=dict(route.defaults) or None,
                    subdomain=route.subdomain,
                    host=route.host,
                    strict_slashes=route.strict_slashes,
                    redirect_to=route.redirect_to,
                    websocket=route.websocket,
                )
            )
        except Exception as error:  # a rule text only a custom Map or Rule class accepts
            rebuilt.refused.append((route, f"{type(error).__name__}: {error}"))
    return rebuilt


def converter(url_map: Map, variable: Variable) -> BaseConverter:
    """An instance of the variable's converter, with its arguments, on this map."""
    return url_map.converters[variable.converter](url_map, *variable.args, **dict(variable.kwargs))


def accepts(instance: BaseConverter, text: str) -> bool:
    """Whether a URL segment ``text`` gets through the converter, as matching would decide."""
    if not re.fullmatch(instance.regex, text):
        return False
    try:
        instance.to_python(text)
    except (ValidationError, ValueError):
        return False
    return True


def candidates(variable: Variable) -> list[str]:
    """Texts to try for this variable: the shared ones, the items of ``any``, the limits of ``int``."""
    found = list(CANDIDATES)
    if variable.converter == "any":
        found[:0] = [str(item) for item in variable.args]
    kwargs = dict(variable.kwargs)
    digits = int(kwargs.get("fixed_digits") or 0)
    for limit, step in (("min", -1), ("max", 1)):
        value = kwargs.get(limit)
        if isinstance(value, int) and not isinstance(value, bool):
            # The limit itself and its outer neighbour: a limit moved inwards loses the old one.
            found += [f"{value:0{digits}d}", f"{value + step:0{digits}d}"]
        elif isinstance(value, float):
            found += [str(value), str(value + step)]
    return found


def accepted_values(url_map: Map, variable: Variable, pool: t.Iterable[str] | None = None) -> list[str]:
    """The texts of ``pool`` (default: the variable's candidates) its converter accepts, in order."""
    instance = converter(url_map, variable)
    return [
        text for text in dict.fromkeys(pool if pool is not None else candidates(variable)) if accepts(instance, text)
    ]


class Outcome(enum.Enum):
    """What a map does with one request."""

    MATCHED = "matched"
    REDIRECTED = "redirected"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"


@dataclass(frozen=True)
class Sample:
    """A concrete request an old rule matched: host part, path, method."""

    host: str
    path: str
    method: str

    @property
    def url(self) -> str:
        return self.path if self.host in ("", SAMPLE_SERVER) else f"//{self.host}{self.path}"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    #: The rule that handled it, for ``MATCHED``.
    rule: Rule | None = None


def _fill(text: str, values: t.Mapping[str, str]) -> str:
    return VARIABLE_RE.sub(lambda m: values[m.group("variable")], text)


def samples(route: RouteSpec, url_map: Map) -> list[Sample]:
    """Requests this route matched: one value set for each method, then each other value of each variable.

    ``any(a,b,c)`` gives a request per item, so a narrowed ``any`` shows as a URL that no longer matches.
    """
    accepted = {v.name: accepted_values(url_map, v) for v in route.variables}
    if any(not values for values in accepted.values()):
        return []
    base = {name: values[0] for name, values in accepted.items()}
    methods = sorted(route.visible_methods) if route.visible_methods is not None else ["GET"]
    variations = [base] + [{**base, name: value} for name, values in accepted.items() for value in values[1:]]
    found: list[Sample] = []
    for position, values in enumerate(variations):
        host = _fill(route.host or route.subdomain or "", values)
        path = _fill(route.rule, values)
        for method in methods if position == 0 else methods[:1]:
            found.append(Sample(host, path, method))
    return found


def match(url_map: Map, sample: Sample, websocket: bool = False) -> Result:
    """What the map does with the sample request."""
    if url_map.host_matching:
        adapter = url_map.bind(sample.host or SAMPLE_SERVER, url_scheme="ws" if websocket else "http")
    else:
        adapter = url_map.bind(SAMPLE_SERVER, subdomain=sample.host, url_scheme="ws" if websocket else "http")
    try:
        rule, _values = adapter.match(sample.path, method=sample.method, return_rule=True, websocket=websocket)
    except RequestRedirect:
        return Result(Outcome.REDIRECTED)
    except MethodNotAllowed:
        return Result(Outcome.METHOD_NOT_ALLOWED)
    except (NotFound, HTTPException):  # also a WebSocket-only rule hit by plain HTTP
        return Result(Outcome.NOT_FOUND)
    return Result(Outcome.MATCHED, rule)
