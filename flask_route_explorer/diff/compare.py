"""Comparing two URL maps: which changes break clients and callers, which are risky, which only add.

Two kinds of facts are checked. URL facts (a request that matched now gets 404, 405, a redirect or
another endpoint) come from matching sample requests of every old rule against the new map. Caller
facts (``url_for`` with an old endpoint or variable name; a narrower converter) come from pairing
each old rule with its new self: same endpoint (or its new name) and same shape.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

from .changes import Change, ChangeCode, Severity
from .matching import (
    Outcome,
    RebuiltMap,
    Result,
    Sample,
    accepted_values,
    accepts,
    candidates,
    converter,
    match,
    rebuild_map,
    samples,
)
from .model import RouteSpec, Variable


@dataclass
class DiffReport:
    """Every change, the renames found, and what could not be compared exactly."""

    changes: list[Change]
    #: Old endpoint -> new endpoint, for endpoints whose rules now live under another name.
    renames: dict[str, str]
    #: Custom converters the JSON cannot rebuild: matched as one segment, compared by their text.
    stand_ins: set[str] = field(default_factory=set)
    #: Rules Werkzeug refused to rebuild, with its reason ("old" or "new", rule, reason).
    refused: list[tuple[str, str, str]] = field(default_factory=list)

    def of(self, severity: Severity) -> list[Change]:
        return [c for c in self.changes if c.severity is severity]

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "changes": [c.to_dict() for c in self.changes],
            "counts": {s.value: len(self.of(s)) for s in Severity},
            "renames": dict(self.renames),
            "custom_converters": sorted(self.stand_ins),
            "refused": [{"side": side, "rule": rule, "reason": reason} for side, rule, reason in self.refused],
        }


def find_renames(old: t.Sequence[RouteSpec], new: t.Sequence[RouteSpec]) -> dict[str, str]:
    """Endpoints gone from the new map whose every rule (by shape) is served by one other endpoint.

    When several endpoints serve those shapes, one that did not exist before is preferred.
    """
    old_endpoints = {r.endpoint for r in old}
    new_endpoints = {r.endpoint for r in new}
    by_shape: dict[str, set[str]] = {}
    for route in new:
        by_shape.setdefault(route.shape, set()).add(route.endpoint)
    renames: dict[str, str] = {}
    for endpoint in dict.fromkeys(r.endpoint for r in old):
        if endpoint in new_endpoints:
            continue
        shapes = {r.shape for r in old if r.endpoint == endpoint}
        common = set.intersection(*(by_shape.get(shape, set()) for shape in shapes))
        fresh = common - old_endpoints
        chosen = fresh if fresh else common
        if len(chosen) == 1:
            renames[endpoint] = next(iter(chosen))
    return renames


def pair_routes(
    old: t.Sequence[RouteSpec], new: t.Sequence[RouteSpec], renames: t.Mapping[str, str]
) -> dict[int, RouteSpec]:
    """Each old route's new self, by position in ``old``: same endpoint (after renames) and shape,
    the same rule text first."""
    by_key: dict[tuple[str, str], list[RouteSpec]] = {}
    for route in new:
        by_key.setdefault((route.endpoint, route.shape), []).append(route)
    pairs: dict[int, RouteSpec] = {}
    for position, route in enumerate(old):
        found = by_key.get((renames.get(route.endpoint, route.endpoint), route.shape))
        if found:
            chosen = next((r for r in found if r.rule == route.rule), found[0])
            found.remove(chosen)
            pairs[position] = chosen
    return pairs


def compare(old: t.Sequence[RouteSpec], new: t.Sequence[RouteSpec]) -> DiffReport:
    """Every change from ``old`` to ``new``, breaking first."""
    old_map, new_map = rebuild_map(old), rebuild_map(new)
    renames = find_renames(old, new)
    pairs = pair_routes(old, new, renames)
    report = DiffReport([], renames, old_map.stand_ins | new_map.stand_ins)
    report.refused = [("old", r.rule, why) for r, why in old_map.refused] + [
        ("new", r.rule, why) for r, why in new_map.refused
    ]
    report.changes += endpoint_changes(old, new, renames)
    for position, route in enumerate(old):
        pair = pairs.get(position)
        rule_changes = pair_changes(route, pair, old_map, new_map) if pair is not None else []
        report.changes += rule_changes
        report.changes += url_changes(route, old_map, new_map, renames, {c.code for c in rule_changes})
    paired = {id(r) for r in pairs.values()}
    report.changes += [
        Change(ChangeCode.RULE_ADDED, r.endpoint, r.rule, f"new rule {r.label}") for r in new if id(r) not in paired
    ]
    order = list(Severity)
    report.changes.sort(key=lambda c: (order.index(c.severity), c.endpoint, c.rule, c.code.value))
    return report


def endpoint_changes(
    old: t.Sequence[RouteSpec], new: t.Sequence[RouteSpec], renames: t.Mapping[str, str]
) -> list[Change]:
    """An endpoint gone: renamed when its rules live on under one other name, else removed."""
    new_endpoints = {r.endpoint for r in new}
    changes: list[Change] = []
    for endpoint, first in {r.endpoint: r for r in reversed(old)}.items():
        if endpoint in new_endpoints:
            continue
        target = renames.get(endpoint)
        if target is not None:
            message = f"endpoint {endpoint!r} is now {target!r}: url_for({endpoint!r}) fails"
            changes.append(Change(ChangeCode.ENDPOINT_RENAMED, endpoint, first.rule, message, new_endpoint=target))
        else:
            message = f"endpoint {endpoint!r} is gone: url_for({endpoint!r}) fails"
            changes.append(Change(ChangeCode.ENDPOINT_REMOVED, endpoint, first.rule, message))
    return changes


def pair_changes(old: RouteSpec, new: RouteSpec, old_map: RebuiltMap, new_map: RebuiltMap) -> list[Change]:
    """What changed in one rule that kept its endpoint (or its new name) and shape."""
    changes: list[Change] = []
    for before, after in zip(old.variables, new.variables):
        if before.name != after.name:
            message = (
                f"{old.label}: variable {before.name!r} is now {after.name!r}; url_for(..., {before.name}=...) fails"
            )
            changes.append(Change(ChangeCode.VARIABLE_RENAMED, old.endpoint, old.rule, message, variable=before.name))
        change = converter_change(old, before, after, old_map, new_map)
        if change is not None:
            changes.append(change)
    before_methods, after_methods = old.visible_methods, new.visible_methods
    if before_methods is not None and after_methods is not None:
        changes += [
            Change(ChangeCode.METHOD_ADDED, new.endpoint, new.rule, f"{new.label} now accepts {m}", method=m)
            for m in sorted(after_methods - before_methods)
        ]
    if new.redirect_to and not old.redirect_to:
        message = f"{old.label} now redirects to {new.redirect_to}"
        changes.append(Change(ChangeCode.REDIRECT_ADDED, old.endpoint, old.rule, message))
    if new.strict_slashes != old.strict_slashes:
        message = f"{old.label}: strict_slashes {old.strict_slashes} -> {new.strict_slashes}"
        changes.append(Change(ChangeCode.STRICT_SLASHES_CHANGED, old.endpoint, old.rule, message))
    return changes


def _written(variable: Variable) -> str:
    arguments = [repr(a) for a in variable.args] + [f"{k}={v!r}" for k, v in variable.kwargs]
    name = "string" if variable.converter == "default" else variable.converter
    return name + (f"({', '.join(arguments)})" if arguments else "")


def converter_change(
    route: RouteSpec, before: Variable, after: Variable, old_map: RebuiltMap, new_map: RebuiltMap
) -> Change | None:
    """Narrowed, widened or (for a custom converter) changed; ``None`` when it accepts the same values."""
    if _written(before) == _written(after):
        return None
    text = f"{route.label}: <{_written(before)}:{before.name}> -> <{_written(after)}:{after.name}>"
    if before.converter in old_map.stand_ins or after.converter in new_map.stand_ins:
        return Change(ChangeCode.CONVERTER_CHANGED, route.endpoint, route.rule, text, variable=before.name)
    pool = candidates(before) + candidates(after)
    new_converter = converter(new_map.map, after)
    old_converter = converter(old_map.map, before)
    lost = [v for v in accepted_values(old_map.map, before, pool) if not accepts(new_converter, v)]
    if lost:
        message = f"{text} narrows the converter: {lost[0]!r} no longer matches"
        return Change(
            ChangeCode.CONVERTER_NARROWED, route.endpoint, route.rule, message, variable=before.name, example=lost[0]
        )
    gained = [v for v in accepted_values(new_map.map, after, pool) if not accepts(old_converter, v)]
    if gained:
        message = f"{text} widens the converter: {gained[0]!r} matches now"
        return Change(ChangeCode.CONVERTER_WIDENED, route.endpoint, route.rule, message, variable=before.name)
    return None


def url_changes(
    route: RouteSpec,
    old_map: RebuiltMap,
    new_map: RebuiltMap,
    renames: t.Mapping[str, str],
    explained: set[ChangeCode],
) -> list[Change]:
    """Sample requests of an old rule, matched by the new map; one change per kind (and method).

    ``explained`` holds the codes the rule's pair already reported: a 404 due to a narrowed
    converter, or a redirect due to ``redirect_to`` or ``strict_slashes``, is not reported twice.
    """
    found: dict[tuple[ChangeCode, str | None], Change] = {}
    expected = renames.get(route.endpoint, route.endpoint)
    for sample in samples(route, old_map.map):
        before = match(old_map.map, sample, route.websocket)
        if before.outcome is Outcome.MATCHED and (
            before.rule is None or before.rule.rule != route.rule or before.rule.endpoint != route.endpoint
        ):
            continue  # another old rule handled this request: it speaks for that rule
        if before.outcome in (Outcome.NOT_FOUND, Outcome.METHOD_NOT_ALLOWED):
            continue
        after = match(new_map.map, sample, route.websocket)
        change = _url_change(route, sample, before.outcome, after.outcome, after_endpoint(after), expected, explained)
        if change is not None:
            found.setdefault((change.code, change.method), change)
    return list(found.values())


def after_endpoint(result: Result) -> str | None:
    return None if result.rule is None else str(result.rule.endpoint)


def _url_change(
    route: RouteSpec,
    sample: Sample,
    before: Outcome,
    after: Outcome,
    endpoint: str | None,
    expected: str,
    explained: set[ChangeCode],
) -> Change | None:
    request = f"{sample.method} {sample.url}"
    if after is Outcome.NOT_FOUND:
        if ChangeCode.CONVERTER_NARROWED in explained:
            return None
        message = f"{request} now gets 404 (it matched {route.label})"
        return Change(ChangeCode.URL_NOT_FOUND, route.endpoint, route.rule, message, example=request)
    if after is Outcome.METHOD_NOT_ALLOWED:
        message = f"{request} now gets 405 (it matched {route.label})"
        return Change(
            ChangeCode.METHOD_REMOVED, route.endpoint, route.rule, message, method=sample.method, example=request
        )
    if after is Outcome.REDIRECTED and before is not Outcome.REDIRECTED:
        if explained & {ChangeCode.REDIRECT_ADDED, ChangeCode.STRICT_SLASHES_CHANGED}:
            return None
        message = f"{request} now redirects (it matched {route.label})"
        return Change(ChangeCode.URL_REDIRECTS, route.endpoint, route.rule, message, example=request)
    if after is Outcome.MATCHED and endpoint != expected:
        message = f"{request} is now handled by {endpoint!r} (it matched {route.label})"
        return Change(
            ChangeCode.URL_REASSIGNED, route.endpoint, route.rule, message, new_endpoint=endpoint, example=request
        )
    return None
