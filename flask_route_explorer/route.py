"""One route of the app's URL map: :class:`Route`, its :class:`Argument` s, and their JSON.

A route copies only what every page sorts and filters by; the rest is read from the Werkzeug rule
when asked for (see :class:`Route`). The inventory (:mod:`.inventory`) makes one per rule, on
first use.
"""

from __future__ import annotations

import functools
import inspect
import typing as t
from dataclasses import dataclass, field
from types import MappingProxyType

from werkzeug.routing import Rule

from . import _compat
from .endpoints import jsonable
from .sources import ViewSource, ViewSources, json_string, json_text

#: Methods Werkzeug and Flask add on their own; messages and badges leave them out by default.
AUTOMATIC_METHODS = frozenset({"HEAD", "OPTIONS"})


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
    instance's ``__dict__``, which a frozen dataclass allows). The inventory makes a route the
    first time something asks for it: the first page after a restart makes the hundred it shows.
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


#: Shared by every route without defaults and every argument without converter arguments (most).
_EMPTY: t.Mapping[str, t.Any] = MappingProxyType({})


def _read_only(mapping: dict[str, t.Any]) -> t.Mapping[str, t.Any]:
    return MappingProxyType(mapping) if mapping else _EMPTY


def _callable_name(func: t.Callable[..., t.Any]) -> str:
    module = getattr(func, "__module__", "") or ""
    name = getattr(func, "__qualname__", None) or repr(func)
    return f"{module}.{name}" if module else name
