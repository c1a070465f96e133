"""Rules of different endpoints that fight over the same URLs, and the deliberate twins among them.

Reads the groups and verdicts of :mod:`.shadowing`: two rules can only collide if they share a
shape, so the pairs compared are those inside one group (a handful), never all pairs of the map.
"""

from __future__ import annotations

import inspect
import itertools
import types
import typing as t

from .. import _compat
from ..inventory import Route
from .context import AuditContext, overlapping_methods
from .findings import AuditFinding, Code, TwinReason
from .shadowing import Layout, Verdict, converter_identity


def twin_reasons(context: AuditContext, twin: Route, first: Route) -> tuple[TwinReason, ...]:
    """Why ``twin`` on ``first``'s pattern is deliberate; empty when nothing says so."""
    reasons: list[TwinReason] = []
    if twin.alias or first.alias:
        reasons.append(TwinReason.ALIAS)
    if twin.redirect_to is not None or first.redirect_to is not None:
        reasons.append(TwinReason.REDIRECT)
    twin_view, first_view = context.view_of(twin), context.view_of(first)
    if twin_view is None:
        reasons.append(TwinReason.NO_VIEW)
    elif twin_view is first_view:
        reasons.append(TwinReason.SAME_VIEW)
    elif first_view is not None and same_code(twin_view, first_view):
        reasons.append(TwinReason.SAME_CODE)
    return tuple(reasons)


def same_code(a: t.Callable[..., t.Any], b: t.Callable[..., t.Any]) -> bool:
    """Two view functions whose code is the same but for their names, docstrings and line numbers
    (a copy kept on purpose, such as CTFd's ``themes_beta``)."""
    inner_a, inner_b = _unwrapped(a), _unwrapped(b)
    code_a, code_b = getattr(inner_a, "__code__", None), getattr(inner_b, "__code__", None)
    if not isinstance(code_a, types.CodeType) or not isinstance(code_b, types.CodeType):
        return False
    return _fingerprint(code_a, inner_a.__doc__) == _fingerprint(code_b, inner_b.__doc__)


def _unwrapped(func: t.Callable[..., t.Any]) -> t.Any:
    try:
        return inspect.unwrap(func, stop=inspect.ismethod)
    except ValueError:  # a __wrapped__ cycle
        return func


def _fingerprint(code: types.CodeType, doc: str | None) -> tuple[t.Any, ...]:
    """What a code object does: its bytecode, names and constants (nested code objects alike)."""
    consts = tuple(
        _fingerprint(c, None) if isinstance(c, types.CodeType) else c
        for c in code.co_consts
        if not (doc is not None and isinstance(c, str) and c == doc)
    )
    return (code.co_code, code.co_names, code.co_varnames, code.co_freevars, consts)


def collision_findings(
    context: AuditContext,
    groups: t.Iterable[t.Sequence[tuple[Route, Layout]]],
    verdicts: t.Mapping[tuple[int, str], Verdict],
    explained: set[tuple[int, str]],
) -> list[AuditFinding]:
    """COLLIDING, SLASH_TWINS, CONVERTER_OVERLAP and ALIAS findings; adds every (rule, method) a
    finding explains to ``explained``, so the rule is not reported as shadowed as well."""
    findings: list[AuditFinding] = []
    for group in groups:
        for first, second in itertools.combinations(sorted(group, key=lambda m: m[0].index), 2):
            (a, layout_a), (b, layout_b) = first, second
            methods = overlapping_methods(a, b)
            if a.endpoint == b.endpoint or not methods:
                continue
            if layout_a.pattern == layout_b.pattern:
                found = _same_pattern(context, a, b, methods, verdicts, explained)
            elif _without_slash(layout_a) == _without_slash(layout_b):
                found = _slash_twins(context, a, b, methods)
            else:
                found = _converter_overlap(a, b, layout_a, layout_b, methods, verdicts)
            findings.extend(f for f in found if context.is_audited(f.route))
    return findings


def _without_slash(layout: Layout) -> tuple[t.Hashable, ...]:
    return layout.pattern[:-1] if layout.trailing_slash else layout.pattern


def _same_pattern(
    context: AuditContext,
    a: Route,
    b: Route,
    methods: tuple[str, ...],
    verdicts: t.Mapping[tuple[int, str], Verdict],
    explained: set[tuple[int, str]],
) -> list[AuditFinding]:
    """One rule of the two serves every URL of the pattern; the other is never dispatched there."""
    lost: dict[tuple[int, int], list[str]] = {}
    for method in methods:
        loser, winner = (a, b) if _lost(verdicts, a, method) and not _lost(verdicts, b, method) else (b, a)
        lost.setdefault((loser.index, winner.index), []).append(method)
        explained.add((loser.index, method))
    routes = {a.index: a, b.index: b}
    findings = []
    for (loser_at, winner_at), lost_methods in lost.items():
        loser, winner = routes[loser_at], routes[winner_at]
        reasons = twin_reasons(context, loser, winner)
        findings.append(
            AuditFinding(
                code=Code.ALIAS if reasons else Code.COLLIDING,
                route=loser,
                methods=tuple(lost_methods),
                other=winner,
                reasons=reasons,
                fix=None if reasons else f"build_only=True on {loser.rule} if it exists only for url_for",
            )
        )
    return findings


def _lost(verdicts: t.Mapping[tuple[int, str], Verdict], route: Route, method: str) -> bool:
    verdict = verdicts.get((route.index, method))
    return verdict is not None and not verdict.reached


def _slash_twins(context: AuditContext, a: Route, b: Route, methods: tuple[str, ...]) -> list[AuditFinding]:
    reasons = twin_reasons(context, b, a)
    return [
        AuditFinding(
            code=Code.ALIAS if reasons else Code.SLASH_TWINS, route=b, methods=methods, other=a, reasons=reasons
        )
    ]


def _converter_overlap(
    a: Route,
    b: Route,
    layout_a: Layout,
    layout_b: Layout,
    methods: tuple[str, ...],
    verdicts: t.Mapping[tuple[int, str], Verdict],
) -> list[AuditFinding]:
    """Same pieces but converters of equal weight, and Werkzeug gave some of one rule's URLs to the other."""
    if len(layout_a.pattern) != len(layout_b.pattern):
        return []
    differing = [(x, y) for x, y in zip(layout_a.pattern, layout_b.pattern) if x != y]
    if not all(isinstance(x, tuple) and isinstance(y, tuple) and x[2] == y[2] for x, y in differing):
        return []  # a static difference, or converters whose weights already order them
    for route, rival in ((b, a), (a, b)):
        for method in methods:
            verdict = verdicts.get((route.index, method))
            if verdict is not None and verdict.reached and any(w.index == rival.index for w in verdict.winners):
                names = tuple(arg.name for arg, ours, theirs in _variables(route, rival) if ours != theirs)
                return [
                    AuditFinding(
                        code=Code.CONVERTER_OVERLAP,
                        route=route,
                        methods=methods,
                        other=rival,
                        names=names,
                        evidence=verdict.urls,
                    )
                ]
    return []


def _variables(route: Route, rival: Route) -> list[tuple[t.Any, t.Hashable, t.Hashable]]:
    """Each variable of ``route`` with its converter identity and the rival's at the same place."""
    mine = _compat.rule_converters(route.werkzeug_rule)
    theirs = list(_compat.rule_converters(rival.werkzeug_rule).values())
    return [
        (argument, converter_identity(mine[argument.name]), converter_identity(theirs[i]) if i < len(theirs) else None)
        for i, argument in enumerate(route.arguments)
        if argument.name in mine
    ]
