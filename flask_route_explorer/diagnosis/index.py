"""Lookup tables over one inventory, built once, so that a diagnosis at 10,000 rules stays in milliseconds.

:class:`Index` holds what every diagnosis of a wrong name reads (endpoints by short name, views by
their other names). :class:`Shapes` holds what only a name with no textual match needs (URL
pieces, words, the root page, class views' handlers, static folders); it is built on first use.
"""

from __future__ import annotations

import functools
import re
import typing as t
from dataclasses import dataclass, field

from ..inventory import Inventory, Route, get_inventory
from .model import Cause

if t.TYPE_CHECKING:
    from flask import Blueprint, Flask

#: Extensions a page's URL is often written with although the rule has none (``about.html``).
PAGE_EXTENSIONS = (".html", ".htm", ".php", ".asp", ".aspx", ".jsp")
_WORD_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def normalise(name: str) -> str:
    """Compare names without case, ``_`` and ``-``: ``UserProfile`` and ``user_profile`` meet."""
    return re.sub(r"[_\-]", "", name.lower())


def short(endpoint: str) -> str:
    """The endpoint without its blueprint: ``profile`` for ``users.profile``."""
    return endpoint.rpartition(".")[2]


def prefix(endpoint: str) -> str:
    """The endpoint's blueprint part: ``users`` for ``users.profile``, ``""`` for an app endpoint."""
    return endpoint.rpartition(".")[0]


@functools.lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """The words of a name or path, lower case: ``editMenuItem`` and ``/edit-menu/item`` give
    ``edit, menu, item``. Cached: the same segments and names recur across thousands of rules."""
    return tuple(w.lower() for w in _WORD_RE.findall(text))


def _inner_function_names(view: t.Any, depth: int = 2) -> list[str]:
    """Names of functions a decorator without ``functools.wraps`` hides in its closure."""
    names: list[str] = []
    for cell in getattr(view, "__closure__", None) or ():
        try:
            content = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if callable(content) and isinstance(getattr(content, "__name__", None), str) and hasattr(content, "__code__"):
            names.append(content.__name__)
            if depth > 1:
                names += _inner_function_names(content, depth - 1)
    return names


def static_parts(rule: str) -> list[str]:
    """The static segments of a rule, in order (``/posts/<int:id>/edit``: ``posts``, ``edit``)."""
    return [part for part in rule.split("/") if part and "<" not in part]


@dataclass
class Shapes:
    """What the rules look like, for names that match no endpoint's spelling."""

    #: A static piece of a rule (a segment, or the whole static path, lower case) -> endpoints.
    by_piece: dict[str, list[str]] = field(default_factory=dict)
    #: The whole static path of a rule without variables (``about``, ``blog/feed.xml``) -> endpoints.
    by_path: dict[str, list[str]] = field(default_factory=dict)
    #: A word of an endpoint's name, view names, static segments or variables -> endpoints.
    by_word: dict[str, set[str]] = field(default_factory=dict)
    #: Endpoints serving ``/``.
    roots: list[str] = field(default_factory=list)
    #: Blueprint -> its endpoints at the blueprint's shortest rule without variables (its main page).
    blueprint_roots: dict[str, list[str]] = field(default_factory=dict)
    #: Static endpoint (``static``, ``admin.static``) -> its URL path before the file name.
    statics: dict[str, str] = field(default_factory=dict)
    #: Class view endpoint -> the HTTP methods its class handles, lower case (``get``, ``post``).
    handlers: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Endpoint -> the words of its names: its leaf, its blueprint, its view's names.
    named_words: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Endpoint -> the words of its rules: their static segments and variables.
    rule_words: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Every word of ``named_words`` and ``rule_words``, sorted: the words that begin with a
    #: written word lie together (see :func:`~.structure.alike`).
    vocabulary: list[str] = field(default_factory=list)


def _shapes(endpoints: t.Sequence[str], inventory: Inventory) -> Shapes:
    shapes = Shapes()
    shortest: dict[str, tuple[int, list[str]]] = {}
    for endpoint in endpoints:
        routes = inventory.routes_for(endpoint)
        blueprint = prefix(endpoint)
        names = {*words(short(endpoint)), *(w for n in routes[0].view.names for w in words(n))}
        ruled: set[str] = set()
        if routes[0].view.handlers:
            shapes.handlers[endpoint] = frozenset(m.lower() for m, _ in routes[0].view.handlers)
        for route in routes:
            _add_route(shapes, endpoint, route, ruled)
            if short(endpoint) == "static" and "<path:filename>" in route.rule:
                shapes.statics.setdefault(endpoint, route.rule.partition("<")[0])
            elif not route.arguments and route.allows("GET") and blueprint:
                depth = len(static_parts(route.rule))
                best = shortest.get(blueprint)
                if best is None or depth < best[0]:
                    shortest[blueprint] = (depth, [endpoint])
                elif depth == best[0] and endpoint not in best[1]:
                    best[1].append(endpoint)
        for word in names | ruled:
            shapes.by_word.setdefault(word, set()).add(endpoint)
        shapes.named_words[endpoint] = frozenset(names.union(words(blueprint)))
        shapes.rule_words[endpoint] = frozenset(ruled)
    shapes.blueprint_roots = {blueprint: found for blueprint, (_, found) in shortest.items()}
    shapes.vocabulary = sorted(set().union(*shapes.named_words.values(), *shapes.rule_words.values()))
    return shapes


def _add_route(shapes: Shapes, endpoint: str, route: Route, ruled: set[str]) -> None:
    parts = static_parts(route.rule)
    if route.rule == "/" and endpoint not in shapes.roots:
        shapes.roots.append(endpoint)
    for part in {p.lower() for p in parts}:
        shapes.by_piece.setdefault(part, []).append(endpoint)
    if not route.arguments and parts:
        path = "/".join(parts).lower()
        shapes.by_path.setdefault(path, []).append(endpoint)
    ruled.update(w for p in parts for w in words(p))
    ruled.update(w for a in route.argument_names for w in words(a))


def packed(names: t.Iterable[str]) -> list[str]:
    """Fresh copies of ``names``, made one after the other so that they lie together in memory.

    A fuzzy search reads every name of the list. The endpoint names themselves were made while the
    app was set up, scattered over its heap: at 10,000 endpoints reading them missed the CPU cache
    so often that one search took 4-5 ms between other work, against under 1 ms for copies made in
    a row (which Python's allocator places side by side).
    """
    return [name.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass") for name in names]


class Index:
    """Lookup tables over one inventory, built once: a diagnosis at 10,000 rules stays in milliseconds."""

    def __init__(self, app: Flask, inventory: Inventory) -> None:
        self.inventory = inventory
        #: The app's own endpoints (not the tools'), in the inventory's order.
        self.endpoints: list[str] = [e for e in inventory.by_endpoint if not inventory.by_endpoint[e][0].internal]
        self.by_short: dict[str, list[str]] = {}
        self.by_normalised_short: dict[str, list[str]] = {}
        #: Blueprint ("" for the app) -> its endpoints.
        self.by_blueprint: dict[str, list[str]] = {}
        #: Other names of a view (function, class, wrapped function) -> ``(endpoint, cause, "class"/"function")``.
        self.by_view_name: dict[str, list[tuple[str, Cause, str]]] = {}
        for endpoint in self.endpoints:
            leaf = short(endpoint)
            self.by_blueprint.setdefault(prefix(endpoint), []).append(endpoint)
            self.by_short.setdefault(leaf, []).append(endpoint)
            self.by_normalised_short.setdefault(normalise(leaf), []).append(endpoint)
            for name, cause, name_kind in self._view_names(app, endpoint):
                if name != leaf:
                    self.by_view_name.setdefault(name, []).append((endpoint, cause, name_kind))
        #: The endpoints shortest first (in the inventory's order among equals), :func:`packed`, with
        #: their lengths and their positions in :attr:`endpoints`: a fuzzy search reads only the
        #: names whose length leaves the similarity it asks for within reach.
        self.by_length_positions: list[int] = sorted(range(len(self.endpoints)), key=lambda i: len(self.endpoints[i]))
        self.by_length: list[str] = packed(self.endpoints[i] for i in self.by_length_positions)
        self.lengths: list[int] = [len(name) for name in self.by_length]
        #: The normalised short names, :func:`packed` for fuzzy search.
        self.shorts: list[str] = packed(self.by_normalised_short)
        #: Rule text (``/users/<int:id>``) -> the app's own routes with it, in the URL map's order.
        self.by_rule: dict[str, list[Route]] = {}
        for route in inventory.routes:
            if not route.internal:
                self.by_rule.setdefault(route.rule, []).append(route)
        self.blueprints: dict[int, list[str]] = {}
        for name, blueprint in app.blueprints.items():
            self.blueprints.setdefault(id(blueprint), []).append(name)
        #: The names the registered blueprints give themselves (``bp.name``; a nested one is
        #: registered under a dotted name).
        self.blueprint_own_names: frozenset[str] = frozenset(blueprint.name for blueprint in app.blueprints.values())
        self._shapes: Shapes | None = None

    def _view_names(self, app: Flask, endpoint: str) -> list[tuple[str, Cause, str]]:
        source = self.inventory.by_endpoint[endpoint][0].view
        found: list[tuple[str, Cause, str]] = []
        view_class = getattr(app.view_functions.get(endpoint), "view_class", None)
        for name in source.names:
            is_class = view_class is not None and name == view_class.__name__
            found.append((name, Cause.VIEW_NAME, "class" if is_class else "function"))
        for name in _inner_function_names(app.view_functions.get(endpoint)):
            if name not in source.names:
                found.append((name, Cause.WRAPPED_FUNCTION, "function"))
        return found

    @property
    def shapes(self) -> Shapes:
        """The rules' shapes, built on first use: most diagnoses never need them."""
        if self._shapes is None:
            self._shapes = _shapes(self.endpoints, self.inventory)
        return self._shapes

    def registered_names(self, blueprint: Blueprint) -> list[str]:
        """The dotted names a blueprint object is registered under (several when nested twice)."""
        return self.blueprints.get(id(blueprint), [])

    def registered_twice(self, name: str) -> bool:
        """Whether the blueprint registered as ``name`` serves under another name too: the same
        object registered twice (``name=``), or another blueprint with exactly its views."""
        if any(name in names and len(names) > 1 for names in self.blueprints.values()):
            return True
        by_blueprint = self.by_blueprint
        leaves = {short(e) for e in by_blueprint.get(name, ())}
        return bool(leaves) and any(
            other != name and {short(e) for e in endpoints} == leaves for other, endpoints in by_blueprint.items()
        )


def get_index(app: Flask, inventory: Inventory | None = None) -> Index:
    """The lookup tables for the app's current inventory (rebuilt when the inventory is)."""
    current = inventory or get_inventory(app)
    return current.derived(Index, lambda: Index(app, current))
