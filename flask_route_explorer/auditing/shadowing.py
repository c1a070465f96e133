"""Which rules Werkzeug never picks: grouping by shape, then asking Werkzeug's own matcher.

Not quadratic. Werkzeug's state-machine matcher tries a static segment before any converter at the
same place and only falls back to converters when the static branch finds no rule for the method.
So a rule can only lose *every* URL to a rule that has the same static segments in the same places
and a converter wherever it has one: the same *shape* (``/users/*/edit``). Rules are grouped by
shape in one pass; a rule alone in its group cannot be shadowed, and only the rules of a group with
several members are matched. (A rule with a static segment where this one has a converter wins only
that one value; that is how Flask apps are meant to work, not a shadow.)

Inside a group, sample URLs are built from each rule (see :mod:`.samples`) and matched by
``url_map.bind(...).match(url, method, return_rule=True)``: the verdict is Werkzeug's own.
"""

from __future__ import annotations

import enum
import typing as t
from dataclasses import dataclass

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import BaseConverter, Map, MapAdapter, RequestRedirect, Rule
from werkzeug.routing.converters import PathConverter, UnicodeConverter
from werkzeug.routing.exceptions import RequestAliasRedirect

from .. import _compat
from ..inventory import Route
from .context import AuditContext, methods_to_try
from .findings import AuditFinding, Code, Proof
from .samples import Samples, converter_samples, exhaustive, url_rows

#: The host name the audit binds the URL map to (a reserved name: it never means a real host).
AUDIT_HOST = "audit.invalid"
#: A path segment swallowed by a converter that is not part-isolating (``path``): the rest of the rule.
REST = "**"
DYNAMIC = "*"
#: The regexes of a ``string`` converter without length limits: it takes any one segment.
_ANY_SEGMENT = frozenset({"[^/]+", "[^/]{1,}"})


class Shape(t.NamedTuple):
    """Where a rule has static text and where converters, by segment (``*`` one, ``**`` the rest)."""

    domain: tuple[str, ...]
    path: tuple[str, ...]


class Layout(t.NamedTuple):
    """A rule's shape, its exact pattern (converters by regex and weight) and its trailing slash."""

    shape: Shape
    #: Static text and converter identities, piece by piece: equal for rules that match the same URLs.
    pattern: tuple[t.Hashable, ...]
    trailing_slash: bool


def converter_identity(converter: BaseConverter) -> tuple[str, str, int]:
    return (type(converter).__name__, converter.regex, converter.weight)


_PIPE = (False, "|")


def rest_converters(url_map: Map) -> frozenset[str]:
    """Names of the converters that are not part-isolating (``path``): they take the rest of a URL."""
    return frozenset(name for name, cls in url_map.converters.items() if not getattr(cls, "part_isolating", True))


def shape_of(route: Route, rest: t.Collection[str]) -> tuple[Shape, bool]:
    """A rule's shape and whether it ends with a slash, from Werkzeug's own pieces of it (cheap: no converters built)."""
    swallowing = {a.name for a in route.arguments if a.converter in rest} if route.arguments else set()
    text = route.rule
    if route.subdomain is None and route.host is None and "(" not in text:
        # The common case, read from the rule's text: no converter arguments (which may hold a
        # slash) and no host part. Same result as the pieces below, in a fraction of the time.
        segments = text.split("/")[1:]
        if swallowing:
            path = _rest_cut(segments, swallowing)
        else:
            path = tuple(DYNAMIC if "<" in segment else segment for segment in segments)
        return (Shape((), path[:-1]), True) if path and path[-1] == "" else (Shape((), path), False)
    pieces = _compat.rule_trace(route.werkzeug_rule)
    split = 0 if pieces[0] == _PIPE else pieces.index(_PIPE)
    domain = _skeleton(pieces[:split], swallowing, ".") if split else ()
    path = _skeleton(pieces[split + 1 :], swallowing, "/")
    trailing = bool(path) and path[-1] == ""
    return Shape(domain, path[:-1] if trailing else path), trailing


def _rest_cut(segments: t.Sequence[str], swallowing: t.Collection[str]) -> tuple[str, ...]:
    path: list[str] = []
    for segment in segments:
        if "<" not in segment:
            path.append(segment)
        elif any(f":{name}>" in segment for name in swallowing):
            path.append(REST)
            break
        else:
            path.append(DYNAMIC)
    return tuple(path)


def layout(route: Route, rest: t.Collection[str]) -> Layout:
    """The shape of a rule plus its exact pattern (converters by class, regex and weight)."""
    shape, trailing = shape_of(route, rest)
    converters = _compat.rule_converters(route.werkzeug_rule) if route.arguments else {}
    pattern = tuple(
        converter_identity(converters[text]) if is_var and text in converters else text
        for is_var, text in _compat.rule_trace(route.werkzeug_rule)
    )
    return Layout(shape, pattern, trailing)


def _skeleton(pieces: t.Sequence[tuple[bool, str]], swallowing: t.Collection[str], separator: str) -> tuple[str, ...]:
    if separator == "/" and pieces and pieces[0] == (False, "/"):
        pieces = pieces[1:]  # a path begins with its separator
    segments: list[str] = []
    current: list[str] = []
    dynamic = False
    for is_variable, text in pieces:
        if not is_variable and text == separator:
            segments.append(DYNAMIC if dynamic else "".join(current))
            current, dynamic = [], False
            continue
        if is_variable:
            if text in swallowing:
                segments.append(REST)  # Werkzeug matches the rest of the URL in one go from here
                return tuple(segments)
            dynamic = True
        current.append(text)
    segments.append(DYNAMIC if dynamic else "".join(current))
    return tuple(segments)


class Competition(t.NamedTuple):
    """The rules that could lose URLs to another rule, found without comparing pairs."""

    #: Rules of one exact shape, for every shape held by several rules.
    groups: list[list[tuple[Route, Layout]]]
    #: Every rule to ask Werkzeug about: members of those groups, and rules under the prefix of a
    #: rule whose converter takes the rest of the URL (``/files/<path:p>`` may take ``/files/a/b``).
    candidates: list[Route]
    #: Positions of the group members (their verdicts must be complete, for converter overlaps).
    grouped: frozenset[int]


def competition(routes: t.Iterable[Route], url_map: Map) -> Competition:
    """Group rules by shape in one pass; then one lookup per shape and distinct rest-prefix length."""
    rest = rest_converters(url_map)
    by_shape: dict[Shape, list[Route]] = {}
    for route in routes:
        if not route.build_only:  # build-only rules are never matched: Werkzeug leaves them out of its matcher
            by_shape.setdefault(shape_of(route, rest)[0], []).append(route)
    groups = [[(r, layout(r, rest)) for r in members] for members in by_shape.values() if len(members) > 1]
    chosen = {route.index: route for members in groups for route, _ in members}
    prefixes: dict[int, set[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for shape in by_shape:
        if shape.path and shape.path[-1] == REST:
            prefixes.setdefault(len(shape.path) - 1, set()).add((shape.domain, shape.path[:-1]))
    lengths = sorted(prefixes)
    for shape, members in by_shape.items() if prefixes else ():
        for n in lengths:
            if n >= len(shape.path):
                break
            if (shape.domain, shape.path[:n]) in prefixes[n]:
                chosen.update((route.index, route) for route in members)
                break
    grouped = frozenset(route.index for members in groups for route, _ in members)
    return Competition(groups, sorted(chosen.values(), key=lambda r: r.index), grouped)


class Outcome(enum.Enum):
    RULE = "rule"
    NOT_FOUND = "404"
    METHOD_NOT_ALLOWED = "405"
    REDIRECT = "redirect"
    ERROR = "error"


@dataclass(frozen=True)
class Verdict:
    """What Werkzeug did with a rule's sample URLs for one method."""

    route: Route
    method: str
    #: The sample URLs (paths) the rule did not get.
    urls: tuple[str, ...]
    #: Whether the rule got at least one of its sample URLs.
    reached: bool
    #: The rules that took the URLs the rule did not get (in the order first seen).
    winners: tuple[Route, ...]
    #: What happened to URLs no rule took (404, 405, a redirect, a converter that raised).
    other_outcomes: tuple[Outcome, ...]
    proof: Proof


class Matcher:
    """Werkzeug's matcher, bound once per host, plus a one-rule map per rule to check a URL is its own."""

    def __init__(self, context: AuditContext) -> None:
        self.context = context
        self.url_map = context.app.url_map
        self._adapters: dict[str, MapAdapter] = {}
        self._alone: dict[int, Map] = {}

    def adapter(self, domain: str, url_map: Map | None = None) -> MapAdapter:
        target = url_map or self.url_map
        if target.host_matching:
            return target.bind(domain or AUDIT_HOST)
        return target.bind(AUDIT_HOST, subdomain=domain or None)

    def match(self, domain: str, path: str, method: str, websocket: bool) -> tuple[Outcome, Rule | None]:
        adapter = self._adapters.get(domain)
        if adapter is None:
            adapter = self._adapters[domain] = self.adapter(domain)
        try:
            rule, _ = adapter.match(path, method, return_rule=True, websocket=websocket)
        except RequestAliasRedirect:
            return Outcome.REDIRECT, None
        except RequestRedirect:
            return Outcome.REDIRECT, None
        except MethodNotAllowed:
            return Outcome.METHOD_NOT_ALLOWED, None
        except NotFound:
            return Outcome.NOT_FOUND, None
        except Exception:  # a custom converter or redirect_to callable that raises
            return Outcome.ERROR, None
        return Outcome.RULE, rule

    def is_own(self, route: Route, domain: str, path: str, method: str) -> bool:
        """Whether ``route`` alone in a map matches the URL: a sample it could lose at all."""
        alone = self._alone.get(route.index)
        if alone is None:
            alone = self._alone[route.index] = Map(
                [route.werkzeug_rule.empty()],
                converters=dict(self.url_map.converters),
                strict_slashes=self.url_map.strict_slashes,
                merge_slashes=self.url_map.merge_slashes,
                host_matching=self.url_map.host_matching,
                default_subdomain=self.url_map.default_subdomain,
                redirect_defaults=False,
            )
        try:
            self.adapter(domain, alone).match(path, method, websocket=route.websocket)
        except RequestRedirect:
            return route.redirect_to is not None
        except Exception:
            return False
        return True


def _samples_of(route: Route) -> dict[str, Samples]:
    converters = _compat.rule_converters(route.werkzeug_rule)
    return {name: converter_samples(converter) for name, converter in converters.items()}


def verdicts(matcher: Matcher, route: Route, *, complete: bool = True) -> list[Verdict]:
    """Werkzeug's answer, for each method of the rule, on every sample URL the rule builds.

    Without ``complete``, a method's verdict stops at the first URL the rule gets: enough to know
    it is not shadowed, and all a rule needs that shares no shape with another one.
    """
    samples = _samples_of(route)
    if any(not s.values for s in samples.values()):
        return []  # a converter that accepts none of our values: nothing to ask Werkzeug
    urls = [url.split("|", 1) for url in url_rows(_compat.rule_trace(route.werkzeug_rule), samples)]
    inventory = matcher.context.inventory
    proof = Proof.EXHAUSTIVE if exhaustive(samples) else Proof.SAMPLES
    found: list[Verdict] = []
    for method in methods_to_try(route):
        reached = False
        winners: dict[int, Route] = {}
        outcomes: dict[Outcome, None] = {}
        lost: list[str] = []
        for domain, path in urls:
            outcome, rule = matcher.match(domain, path, method, route.websocket)
            winner = inventory.route_for(rule) if rule is not None else None
            if winner is not None and _same_target(winner, route):
                reached = True
                if not complete:
                    break
            elif matcher.is_own(route, domain, path, method):  # else: not a URL this rule could have had
                lost.append(path)
                if winner is not None:
                    winners.setdefault(winner.index, winner)
                else:
                    outcomes.setdefault(outcome, None)
        if reached or lost:
            found.append(Verdict(route, method, tuple(lost), reached, tuple(winners.values()), tuple(outcomes), proof))
    return found


def _same_target(winner: Route, route: Route) -> bool:
    """The rule itself, or a rule of the same endpoint with the same defaults (a harmless duplicate)."""
    return winner.index == route.index or (
        winner.endpoint == route.endpoint and dict(winner.defaults) == dict(route.defaults)
    )


def converters_cover(winner: Route, route: Route) -> bool:
    """A proof from the regexes: at each variable, the winner's converter takes every value the rule's takes.

    Holds when both rules have the same pieces and each pair of converters is the same (same class
    and regex), or the winner's is ``path``, or an unlimited ``string`` facing a part-isolating one.
    """
    mine, theirs = _compat.rule_trace(route.werkzeug_rule), _compat.rule_trace(winner.werkzeug_rule)
    if len(mine) != len(theirs):
        return False
    my_converters = _compat.rule_converters(route.werkzeug_rule)
    their_converters = _compat.rule_converters(winner.werkzeug_rule)
    for (my_var, my_text), (their_var, their_text) in zip(mine, theirs):
        if my_var != their_var or (not my_var and my_text != their_text):
            return False
        if my_var and not _covers(their_converters.get(their_text), my_converters.get(my_text)):
            return False
    return True


def _covers(wide: BaseConverter | None, narrow: BaseConverter | None) -> bool:
    if wide is None or narrow is None:
        return False
    if converter_identity(wide) == converter_identity(narrow) or isinstance(wide, PathConverter):
        return True
    # Werkzeug's own ``string`` only: a custom converter's to_python may still refuse a value.
    return isinstance(wide, UnicodeConverter) and wide.regex in _ANY_SEGMENT and getattr(narrow, "part_isolating", True)


def shadowed_findings(
    context: AuditContext, found: t.Iterable[Verdict], explained: set[tuple[int, str]]
) -> list[AuditFinding]:
    """A SHADOWED finding per audited rule that loses every URL for some method (not already a collision)."""
    by_route: dict[int, list[Verdict]] = {}
    for verdict in found:
        if not verdict.reached and (verdict.route.index, verdict.method) not in explained:
            by_route.setdefault(verdict.route.index, []).append(verdict)
    findings: list[AuditFinding] = []
    for lost in by_route.values():
        route = lost[0].route
        if not context.is_audited(route):
            continue
        winners = {w.index: w for v in lost for w in v.winners}
        winner = next(iter(winners.values()), None)
        proof = lost[0].proof
        if proof is Proof.SAMPLES and len(winners) == 1 and winner is not None and converters_cover(winner, route):
            proof = Proof.CONVERTERS
        findings.append(
            AuditFinding(
                code=Code.SHADOWED,
                route=route,
                methods=tuple(v.method for v in lost),
                other=winner,
                names=tuple(w.endpoint for w in winners.values())
                + tuple(o.value for v in lost for o in v.other_outcomes),
                evidence=lost[0].urls,
                proof=proof,
            )
        )
    return findings
