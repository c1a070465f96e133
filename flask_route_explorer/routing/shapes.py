"""Rule shapes: every rule of the app cut into segments, to compare with a path piece by piece.

Werkzeug matches a path with one compiled state machine and says only "no". To say *why* a rule
does not take a path, each rule is cut into its host part and its path segments, each segment into
static text and variables with their converters. The cut is made once per inventory
(:meth:`Inventory.derived`), with lookups that find the rules near a path without trying them all.
"""

from __future__ import annotations

import functools
import re
import typing as t
from dataclasses import dataclass

from werkzeug.routing import BaseConverter, Rule

from .. import _compat
from ..inventory import Argument, Inventory, Route, get_inventory

if t.TYPE_CHECKING:
    from flask import Flask

#: One piece of a rule: ``(True, name)`` for a variable, ``(False, text)`` for static text.
Piece = tuple[bool, str]

_BAR: Piece = (False, "|")
_SLASH: Piece = (False, "/")
_VARIABLE_TEXT_RE = re.compile(r"<[^>]+>")


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


@functools.lru_cache(maxsize=4096)
def compiled(pattern: str) -> re.Pattern[str]:
    """A regex compiled once: the same rule pieces are compared with many paths."""
    return re.compile(pattern)


@dataclass(frozen=True, slots=True)
class RuleShape:
    """One rule cut into segments, ready to be compared with a path piece by piece."""

    route: Route
    #: The host (host matching) or subdomain part.
    domain: tuple[Piece, ...]
    segments: tuple[tuple[Piece, ...], ...]
    #: Index of the first segment holding a converter that also matches slashes (``path``).
    tail: int | None
    converters: t.Mapping[str, BaseConverter]
    #: Each variable's converter as written (:func:`converter_label`).
    labels: t.Mapping[str, str]

    def label(self, name: str) -> str:
        return self.labels.get(name, "string")

    def written(self, pieces: t.Iterable[Piece]) -> str:
        """Pieces as a rule string: ``<int(min=1):user_id>.json``."""
        return "".join(
            (f"<{name}>" if self.label(name) == "string" else f"<{self.label(name)}:{name}>") if is_variable else name
            for is_variable, name in pieces
        )

    def pattern(self, pieces: t.Iterable[Piece]) -> tuple[str, list[str]]:
        """A regex for pieces (the i-th variable as the group ``__v{i}``) and the variable names in order."""
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

    def tail_pieces(self) -> list[Piece]:
        """The segments from the ``path``-like tail on, joined with their slashes."""
        pieces: list[Piece] = []
        for i, segment in enumerate(self.segments[self.tail or 0 :]):
            if i:
                pieces.append(_SLASH)
            pieces.extend(segment)
        return pieces


def shape_of(route: Route) -> RuleShape:
    """Cut one rule at ``|`` (domain from path) and at each slash."""
    trace = _compat.rule_trace(route.werkzeug_rule)
    try:
        bar = trace.index(_BAR)
    except ValueError:
        bar = 0
    segments: list[list[Piece]] = []
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
    return RuleShape(
        route=route,
        domain=tuple(trace[:bar]),
        segments=tuple(map(tuple, segments)),
        tail=tail,
        converters=converters,
        labels={a.name: converter_label(a) for a in route.arguments} if route.arguments else {},
    )


class RuleShapes:
    """Every rule of an inventory cut into segments, plus lookups that find the rules near a path quickly.

    Positions are the rules' positions in ``inventory.routes`` (``Route.index``).
    """

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.shapes = [shape_of(route) for route in inventory.routes]
        self.by_endpoint: dict[str, list[int]] = {}
        #: (segment position, static text) -> rules with that static segment there.
        self.statics: dict[tuple[int, str], list[int]] = {}
        #: Segment count (-1: any, for rules with a ``path`` tail) -> rules made of variables only.
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
            if not shape.route.internal:
                self._add_lookups(position, shape)

    def _add_lookups(self, position: int, shape: RuleShape) -> None:
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

    def position_of(self, rule: Rule | None) -> int | None:
        """The position of one of the app's Werkzeug rules (``None`` for no rule or another map's)."""
        route = self.inventory.route_for(rule) if rule is not None else None
        return route.index if route is not None else None

    def route(self, position: int) -> Route:
        return self.shapes[position].route

    def routes_of(self, endpoint: str) -> list[Route]:
        return [self.shapes[p].route for p in self.by_endpoint.get(endpoint, ())]


def rule_shapes(app: Flask) -> RuleShapes:
    """The app's rule shapes, rebuilt when the inventory is."""
    inventory = get_inventory(app)
    return inventory.derived(RuleShapes, lambda: RuleShapes(inventory))
