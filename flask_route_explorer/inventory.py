"""The route inventory: an immutable model of the app's URL map that every face reads.

Built lazily on first use, cached on the app, and rebuilt when a rule is added later. In debug
mode the reloader starts a new process on every save, so the first ``/_routes/`` of a process is
the page a developer waits for most. It orders and counts every rule but shows 100: the build
keeps what it sorts and filters by as plain columns (:class:`RuleColumns`), and makes a
:class:`~.route.Route` (and its variables, its view) the first time something asks for it.
"""

from __future__ import annotations

import functools
import threading
import typing as t
from dataclasses import dataclass, field
from types import MappingProxyType

from werkzeug.routing import Rule

from . import _compat
from .route import AUTOMATIC_METHODS, Argument, Route
from .sources import ViewSources

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "AUTOMATIC_METHODS",
    "INTERNAL_ENDPOINT_PREFIXES",
    "Argument",
    "Inventory",
    "Route",
    "Routes",
    "RuleColumns",
    "build_inventory",
    "get_inventory",
    "is_internal_endpoint",
]

#: Endpoint prefixes of tools, hidden in the explorer unless asked for.
INTERNAL_ENDPOINT_PREFIXES = ("route_explorer.", "_debug_toolbar.", "debugtoolbar.")


@dataclass(frozen=True)
class RuleColumns:
    """What every page sorts, filters and counts by, per rule in map order, as plain values.

    Why columns of strings rather than a :class:`Route` per rule: the first page after a restart
    needs these for every rule but shows 100 routes, and tuples of plain values are objects the
    garbage collector soon stops tracking. A route object per rule (with its ``__dict__``) made a
    big app's next full collection (0.5 s at 10,000 rules) land on that page.
    """

    rules: tuple[Rule, ...]
    endpoints: tuple[str, ...]
    #: The blueprint each rule belongs to (``None`` for the app's own).
    blueprints: tuple[str | None, ...]
    internal: tuple[bool, ...]
    #: Sorted methods (rules share a handful of tuples); ``None`` for a rule without methods.
    methods: tuple[tuple[str, ...] | None, ...]


class Routes(t.Sequence[Route]):
    """Every rule's :class:`Route`, in map order, each made the first time something asks for it."""

    __slots__ = ("_columns", "_lock", "_made", "_views")

    def __init__(self, columns: RuleColumns, views: ViewSources) -> None:
        self._columns = columns
        self._views = views
        self._made: list[Route | None] = [None] * len(columns.rules)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._made)

    @t.overload
    def __getitem__(self, position: int) -> Route: ...

    @t.overload
    def __getitem__(self, position: slice) -> tuple[Route, ...]: ...

    def __getitem__(self, position: int | slice) -> Route | tuple[Route, ...]:
        if isinstance(position, slice):
            return tuple(self[p] for p in range(*position.indices(len(self._made))))
        route = self._made[position]
        if route is None:
            with self._lock:  # one object per rule, also when two threads ask at once
                route = self._made[position]
                if route is None:
                    route = self._made[position] = self._make(position % len(self._made))
        return route

    def __iter__(self) -> t.Iterator[Route]:
        for position in range(len(self._made)):
            yield self[position]

    def __repr__(self) -> str:
        return f"<{len(self._made)} routes>"

    def _make(self, index: int) -> Route:
        """Why it does not call ``Route(...)``: a frozen dataclass's ``__init__`` sets each field
        through ``object.__setattr__``; giving the new instance its ``__dict__`` in one step makes
        the same object, still frozen afterwards, in a third of the time (``iter(routes)`` makes
        every route, and the audit, the diagnosis and the JSON of every route iterate)."""
        columns = self._columns
        rule = columns.rules[index]
        route = object.__new__(Route)
        object.__setattr__(
            route,
            "__dict__",
            {
                "rule": rule.rule,
                "endpoint": columns.endpoints[index],
                "methods": columns.methods[index],
                "blueprint": columns.blueprints[index],
                "index": index,
                "internal": columns.internal[index],
                "werkzeug_rule": rule,
                "views": self._views,
            },
        )
        return route


_Derived = t.TypeVar("_Derived")


@dataclass(frozen=True)
class Inventory:
    """Every route of one app, plus the indexes the faces ask for most.

    Anything computed from an inventory (search keys, rule shapes, candidate tables) is kept by
    :meth:`derived`, so it lives exactly as long as the inventory it was computed from.
    """

    routes: Routes
    #: The routes' sorting and filtering fields as plain values (see :class:`RuleColumns`).
    columns: RuleColumns = field(repr=False)
    blueprints: tuple[str, ...]
    has_subdomains: bool
    has_hosts: bool
    _derived: dict[t.Hashable, t.Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _derived_lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.routes)

    def __iter__(self) -> t.Iterator[Route]:
        return iter(self.routes)

    @property
    def endpoints(self) -> tuple[str, ...]:
        """Every endpoint with a rule, in map order."""
        return tuple(self._positions_by_endpoint)

    def routes_for(self, endpoint: str) -> tuple[Route, ...]:
        return tuple(self.routes[p] for p in self._positions_by_endpoint.get(endpoint, ()))

    @functools.cached_property
    def by_endpoint(self) -> t.Mapping[str, tuple[Route, ...]]:
        """Every endpoint's routes, in map order (makes every route: the diagnosis and the checker read them all)."""
        return MappingProxyType(
            {
                endpoint: tuple(self.routes[p] for p in positions)
                for endpoint, positions in self._positions_by_endpoint.items()
            }
        )

    @functools.cached_property
    def _positions_by_endpoint(self) -> dict[str, tuple[int, ...]]:
        found: dict[str, list[int]] = {}
        for position, endpoint in enumerate(self.columns.endpoints):
            found.setdefault(endpoint, []).append(position)
        return {endpoint: tuple(positions) for endpoint, positions in found.items()}

    def user_routes(self) -> tuple[Route, ...]:
        """Routes of the app itself, without the tools' own."""
        return tuple(r for r in self.routes if not r.internal)

    def route_for(self, rule: Rule) -> Route | None:
        """The route of one of the app's Werkzeug rules (``request.url_rule``), if it is in the map."""
        by_rule = self.derived("inventory.by_rule", lambda: {id(r.werkzeug_rule): r for r in self.routes})
        route = by_rule.get(id(rule))
        return route if route is not None and route.werkzeug_rule is rule else None

    def arguments_of(self, endpoint: str) -> dict[str, Argument]:
        """Every variable of the endpoint's rules, by name (the first rule that has it wins)."""
        found: dict[str, Argument] = {}
        for route in self.routes_for(endpoint):
            for argument in route.arguments:
                found.setdefault(argument.name, argument)
        return found

    def derived_if_made(self, key: t.Hashable) -> t.Any | None:
        """What :meth:`derived` keeps under ``key``, or ``None`` when nothing has asked for it yet.

        For a face that shows a costly value when it is there and asks for it later otherwise.
        """
        return self._derived.get(key)

    def derived(self, key: t.Hashable, build: t.Callable[[], _Derived]) -> _Derived:
        """The value ``build()`` computed once for this inventory under ``key``.

        The one cache of derived indexes: it goes away with the inventory, so a rule added later
        (a new inventory) is never answered from stale keys. Built under a lock, so two threads of
        the development server do not build the same index twice; the lock is reentrant, since one
        derived value (the map's audit) is built from others (``route_for``).
        """
        try:
            return t.cast(_Derived, self._derived[key])
        except KeyError:
            pass
        with self._derived_lock:
            if key not in self._derived:
                self._derived[key] = build()
            return t.cast(_Derived, self._derived[key])


def _blueprint_of(endpoint: str, blueprint_names: t.Collection[str]) -> str | None:
    """The longest registered blueprint name the endpoint is prefixed by (nested names are dotted)."""
    prefix = endpoint
    while "." in prefix:
        prefix = prefix.rpartition(".")[0]
        if prefix in blueprint_names:
            return prefix
    return None


def is_internal_endpoint(endpoint: str) -> bool:
    """An endpoint of a development tool (the explorer's, the debug toolbar's): hidden unless asked for."""
    return endpoint.startswith(INTERNAL_ENDPOINT_PREFIXES)


def build_inventory(app: Flask) -> Inventory:
    """Read ``app.url_map`` into an :class:`Inventory` (uncached; prefer :func:`get_inventory`)."""
    rules = tuple(app.url_map.iter_rules())
    columns = _columns(rules, frozenset(app.blueprints))
    return Inventory(
        routes=Routes(columns, ViewSources(app.view_functions)),
        columns=columns,
        blueprints=tuple(app.blueprints),
        has_subdomains=any(rule.subdomain for rule in rules),
        has_hosts=any(rule.host for rule in rules),
    )


def _columns(rules: tuple[Rule, ...], blueprint_names: frozenset[str]) -> RuleColumns:
    """Each rule's endpoint, blueprint, "internal" flag and methods, for the first page after a restart.

    Rules share a handful of method sets and endpoint prefixes, so each is worked out once.
    """
    methods: dict[frozenset[str], tuple[str, ...]] = {}
    #: Blueprint and "internal" per endpoint prefix (the part before the last dot): both follow from it.
    prefixes: dict[str, tuple[str | None, bool]] = {}
    endpoints: list[str] = []
    blueprints: list[str | None] = []
    internal: list[bool] = []
    rule_methods: list[tuple[str, ...] | None] = []
    for rule in rules:
        endpoint = str(rule.endpoint)
        shared_methods: tuple[str, ...] | None = None
        if rule.methods is not None:
            key = frozenset(rule.methods)
            shared_methods = methods.get(key)
            if shared_methods is None:
                shared_methods = methods[key] = tuple(sorted(key))
        prefix = endpoint.rpartition(".")[0]
        try:
            blueprint, is_internal = prefixes[prefix]
        except KeyError:
            blueprint, is_internal = prefixes[prefix] = (
                _blueprint_of(endpoint, blueprint_names),
                is_internal_endpoint(endpoint),
            )
        endpoints.append(endpoint)
        blueprints.append(blueprint)
        internal.append(is_internal)
        rule_methods.append(shared_methods)
    return RuleColumns(rules, tuple(endpoints), tuple(blueprints), tuple(internal), tuple(rule_methods))


_cache_lock = threading.Lock()
_CACHE_KEY = "route_explorer.inventory"


def get_inventory(app: Flask) -> Inventory:
    """The app's inventory, built on first use and rebuilt when rules or views change."""
    version = (_compat.rules_version(app.url_map), len(app.view_functions), len(app.blueprints))
    cached = app.extensions.get(_CACHE_KEY)
    if cached is not None and cached[0] == version:
        return t.cast(Inventory, cached[1])
    with _cache_lock:
        cached = app.extensions.get(_CACHE_KEY)
        if cached is not None and cached[0] == version:
            return t.cast(Inventory, cached[1])
        inventory = build_inventory(app)
        app.extensions[_CACHE_KEY] = (version, inventory)
        return inventory
