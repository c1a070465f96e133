"""The route inventory: an immutable model of the app's URL map that every face reads.

Built lazily on first use, cached on the app, and rebuilt when a rule is added later. In debug
mode the reloader starts a new process on every save, so the first ``/_routes/`` of a process is
the page a developer waits for most: building a route reads only what Werkzeug's rule already
holds, and the parts that cost more (a route's variables, the view behind its endpoint) are made
the first time something asks for them. A page shows 100 rows of thousands.
"""

from __future__ import annotations

import functools
import inspect
import threading
import typing as t
from dataclasses import dataclass, field
from types import MappingProxyType

from werkzeug.routing import Rule

from . import _compat
from .endpoints import jsonable
from .sources import ViewSource, ViewSources, json_string, json_text

if t.TYPE_CHECKING:
    from flask import Flask

#: Methods Werkzeug and Flask add on their own; messages and badges leave them out by default.
AUTOMATIC_METHODS = frozenset({"HEAD", "OPTIONS"})
#: Endpoint prefixes of tools, hidden in the explorer unless asked for.
INTERNAL_ENDPOINT_PREFIXES = ("route_explorer.", "_debug_toolbar.", "debugtoolbar.")


@dataclass(frozen=True, slots=True)
class Argument:
    """One URL variable: its name, converter (by registered name) and converter arguments."""

    name: str
    converter: str
    args: t.Mapping[str, t.Any]
    required: bool = True

    def to_dict(self) -> dict[str, t.Any]:
        return {"name": self.name, "converter": self.converter, "args": jsonable(dict(self.args))}

    def to_json(self) -> str:
        """``json.dumps(self.to_dict())``, written directly."""
        return (
            f'{{"name": {json_string(self.name)}, "converter": {json_string(self.converter)}, '
            f'"args": {_mapping_json(self.args)}}}'
        )


@dataclass(frozen=True)
class Route:
    """One URL rule as the app sees it.

    Only what every page sorts and filters by is copied when the inventory is built; the rest is
    read from the Werkzeug rule when asked for. :attr:`arguments`, :attr:`defaults` and
    :attr:`redirect_to` are computed on first use and kept (``cached_property`` writes to the
    instance's ``__dict__``, which a frozen dataclass allows). The first page after a restart
    builds a route per rule but shows only a hundred, so what it does not show costs nothing.
    """

    rule: str
    endpoint: str
    methods: tuple[str, ...] | None
    blueprint: str | None
    #: Position in the URL map (Werkzeug keeps rules grouped by endpoint, in the order added).
    index: int
    #: True for the explorer's and Flask-DebugToolbar's own rules.
    internal: bool
    #: The Werkzeug rule itself, for matching and building; not part of the JSON model.
    werkzeug_rule: Rule = field(repr=False, compare=False)
    #: The views of the app, described per endpoint on first use and shared by its routes.
    views: ViewSources = field(repr=False, compare=False)

    @functools.cached_property
    def arguments(self) -> tuple[Argument, ...]:
        """The rule's variables, in the order they appear (host or subdomain part first)."""
        converters = self.werkzeug_rule.map.converters
        return tuple(
            Argument(
                name=variable.name,
                converter="string" if variable.converter == "default" else variable.converter,
                args=_read_only(_named_arguments(converters.get(variable.converter), variable.args, variable.kwargs)),
                required=variable.name not in self.defaults,
            )
            for variable in _compat.rule_variables(self.werkzeug_rule)
        )

    @functools.cached_property
    def defaults(self) -> t.Mapping[str, t.Any]:
        """Values the rule fills in by itself (read-only)."""
        defaults = self.werkzeug_rule.defaults
        return _read_only(dict(defaults)) if defaults else _EMPTY

    @functools.cached_property
    def redirect_to(self) -> str | None:
        """Where the rule redirects: its target rule, or the name of the function that decides."""
        target = self.werkzeug_rule.redirect_to
        return target if target is None or isinstance(target, str) else _callable_name(target)

    @property
    def subdomain(self) -> str | None:
        return self.werkzeug_rule.subdomain or None

    @property
    def host(self) -> str | None:
        return self.werkzeug_rule.host or None

    @property
    def strict_slashes(self) -> bool:
        return bool(self.werkzeug_rule.strict_slashes)

    @property
    def alias(self) -> bool:
        return bool(self.werkzeug_rule.alias)

    @property
    def build_only(self) -> bool:
        return bool(self.werkzeug_rule.build_only)

    @property
    def websocket(self) -> bool:
        return bool(self.werkzeug_rule.websocket)

    @property
    def path_as_written(self) -> bool:
        """No variables, host or subdomain: the rule's own text is a path the matcher can be asked about.

        Read from the rule's text (a page asks it of every row; :attr:`arguments` costs more).
        """
        return "<" not in self.rule and not self.werkzeug_rule.host and not self.werkzeug_rule.subdomain

    @property
    def view(self) -> ViewSource:
        """The code behind the endpoint (described once per endpoint, the first time it is asked for)."""
        return self.views[self.endpoint]

    @property
    def handlers(self) -> tuple[tuple[str, ViewSource], ...]:
        """A ``MethodView``'s handlers of the methods this rule accepts (``()`` for a plain function)."""
        handlers = self.view.handlers
        if not handlers or self.methods is None:
            return handlers
        return tuple(handler for handler in handlers if handler[0] in self.methods)

    @property
    def visible_methods(self) -> tuple[str, ...] | None:
        """Methods without the automatic HEAD and OPTIONS (``None`` means any method)."""
        if self.methods is None:
            return None
        shown = tuple(m for m in self.methods if m not in AUTOMATIC_METHODS)
        return shown or self.methods

    @property
    def argument_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.arguments)

    @property
    def required_arguments(self) -> tuple[str, ...]:
        """Variables a caller must pass: those without a default."""
        return tuple(a.name for a in self.arguments if a.required)

    def allows(self, method: str) -> bool:
        return self.methods is None or method.upper() in self.methods

    def to_dict(self) -> dict[str, t.Any]:
        """The JSON shape of one route in ``/api/routes`` and ``list --json``."""
        return {
            "rule": self.rule,
            "endpoint": self.endpoint,
            "methods": list(self.methods) if self.methods is not None else None,
            "arguments": [a.to_dict() for a in self.arguments],
            "defaults": jsonable(dict(self.defaults)),
            "blueprint": self.blueprint,
            "subdomain": self.subdomain,
            "host": self.host,
            "strict_slashes": self.strict_slashes,
            "redirect_to": self.redirect_to,
            "websocket": self.websocket,
            "view": self.view.to_dict(),
        }

    def to_json(self) -> str:
        """``json.dumps(self.to_dict())``, written directly.

        ``/api/routes`` answers every rule: at 10,000 rules, making and encoding 10,000 dicts took
        most of 200 ms; the same text written field by field takes a fraction of it.
        """
        methods = "null" if self.methods is None else _methods_json(self.methods)
        arguments = ", ".join([argument.to_json() for argument in self.arguments])
        return (
            f'{{"rule": {json_string(self.rule)}, "endpoint": {json_string(self.endpoint)}, "methods": {methods}, '
            f'"arguments": [{arguments}], "defaults": {_mapping_json(self.defaults)}, '
            f'"blueprint": {json_text(self.blueprint)}, "subdomain": {json_text(self.subdomain)}, '
            f'"host": {json_text(self.host)}, "strict_slashes": {"true" if self.strict_slashes else "false"}, '
            f'"redirect_to": {json_text(self.redirect_to)}, "websocket": {"true" if self.websocket else "false"}, '
            f'"view": {self.view.to_json()}}}'
        )


def _mapping_json(mapping: t.Mapping[str, t.Any]) -> str:
    """The JSON of converter arguments or defaults: most rules have none, the rest a few scalars."""
    if not mapping:
        return "{}"
    items = jsonable(dict(mapping)).items()
    return "{" + ", ".join([f"{json_string(key)}: {json_text(value)}" for key, value in items]) + "}"


@functools.lru_cache(maxsize=64)
def _methods_json(methods: tuple[str, ...]) -> str:
    """The JSON of a method set; rules share a handful of them."""
    return json_text(list(methods))


_Derived = t.TypeVar("_Derived")


@dataclass(frozen=True)
class Inventory:
    """Every route of one app, plus the indexes the faces ask for most.

    Anything computed from an inventory (search keys, rule shapes, candidate tables) is kept by
    :meth:`derived`, so it lives exactly as long as the inventory it was computed from.
    """

    routes: tuple[Route, ...]
    by_endpoint: t.Mapping[str, tuple[Route, ...]]
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
        return tuple(self.by_endpoint)

    def routes_for(self, endpoint: str) -> tuple[Route, ...]:
        return self.by_endpoint.get(endpoint, ())

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


@functools.cache
def _converter_parameters(converter_class: type | None) -> tuple[inspect.Parameter, ...]:
    """A converter's parameters after ``map``; cached, since thousands of rules share a few classes."""
    try:
        return tuple(inspect.signature(converter_class).parameters.values())[1:]  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ()


def _named_arguments(
    converter_class: type | None, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
) -> dict[str, t.Any]:
    """Name positional converter arguments after the converter's own parameters."""
    if not args:
        return dict(kwargs)
    named: dict[str, t.Any] = {}
    params = _converter_parameters(converter_class)
    for position, value in enumerate(args):
        if position < len(params) and params[position].kind is inspect.Parameter.VAR_POSITIONAL:
            named[params[position].name] = list(args[position:])
            break
        if position < len(params) and params[position].kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            named[params[position].name] = value
        else:
            named.setdefault("args", []).append(value)
    named.update(kwargs)
    return named


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


#: Shared by every route without defaults and every argument without converter arguments (most).
_EMPTY: t.Mapping[str, t.Any] = MappingProxyType({})


def build_inventory(app: Flask) -> Inventory:
    """Read ``app.url_map`` into an :class:`Inventory` (uncached; prefer :func:`get_inventory`)."""
    rules = list(app.url_map.iter_rules())
    routes = _routes(rules, frozenset(app.blueprints), ViewSources(app.view_functions))
    by_endpoint: dict[str, list[Route]] = {}
    for route in routes:
        by_endpoint.setdefault(route.endpoint, []).append(route)
    return Inventory(
        routes=routes,
        by_endpoint=MappingProxyType({k: tuple(v) for k, v in by_endpoint.items()}),
        blueprints=tuple(app.blueprints),
        has_subdomains=any(rule.subdomain for rule in rules),
        has_hosts=any(rule.host for rule in rules),
    )


def _routes(rules: list[Rule], blueprint_names: frozenset[str], views: ViewSources) -> tuple[Route, ...]:
    """A route per rule, built for the first page after a restart, which builds them all.

    Why it does not call ``Route(...)``: a frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__``, which made it most of the build (1,400 rules: 5 of 10 ms). Giving the
    new instance its ``__dict__`` in one step makes the same object, still frozen afterwards. Rules
    share a handful of method sets and endpoint prefixes, so each is worked out once; in a big app
    every object the build keeps alive adds to the next full pass of the garbage collector.
    """
    methods: dict[frozenset[str], tuple[str, ...]] = {}
    #: Blueprint and "internal" per endpoint prefix (the part before the last dot): both follow from it.
    prefixes: dict[str, tuple[str | None, bool]] = {}
    routes: list[Route] = []
    new = object.__new__
    set_attribute = object.__setattr__
    for index, rule in enumerate(rules):
        endpoint = str(rule.endpoint)
        shared_methods: tuple[str, ...] | None = None
        if rule.methods is not None:
            key = frozenset(rule.methods)
            shared_methods = methods.get(key)
            if shared_methods is None:
                shared_methods = methods[key] = tuple(sorted(key))
        prefix = endpoint.rpartition(".")[0]
        try:
            blueprint, internal = prefixes[prefix]
        except KeyError:
            blueprint, internal = prefixes[prefix] = (
                _blueprint_of(endpoint, blueprint_names),
                is_internal_endpoint(endpoint),
            )
        route = new(Route)
        set_attribute(
            route,
            "__dict__",
            {
                "rule": rule.rule,
                "endpoint": endpoint,
                "methods": shared_methods,
                "blueprint": blueprint,
                "index": index,
                "internal": internal,
                "werkzeug_rule": rule,
                "views": views,
            },
        )
        routes.append(route)
    return tuple(routes)


def _read_only(mapping: dict[str, t.Any]) -> t.Mapping[str, t.Any]:
    return MappingProxyType(mapping) if mapping else _EMPTY


def _callable_name(func: t.Callable[..., t.Any]) -> str:
    module = getattr(func, "__module__", "") or ""
    name = getattr(func, "__qualname__", None) or repr(func)
    return f"{module}.{name}" if module else name


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
