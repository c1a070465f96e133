"""The two sides of a diff: routes read from ``flask route-explorer list --json`` documents.

Only the JSON is used, never an app, so the old side can come from any revision, any machine, or
a file kept in the repository.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from werkzeug.routing import Rule

from .._compat import VARIABLE_RE, rule_variables
from ..inventory import AUTOMATIC_METHODS


@dataclass(frozen=True)
class Variable:
    """One URL variable as the rule text writes it: ``<int(min=1):user_id>``."""

    name: str
    #: Werkzeug's converter name (``default`` for a bare ``<name>``).
    converter: str
    args: tuple[t.Any, ...]
    kwargs: tuple[tuple[str, t.Any], ...]


@dataclass(frozen=True)
class RouteSpec:
    """One route of a ``list --json`` document, with what the diff compares."""

    rule: str
    endpoint: str
    #: ``None``: any method.
    methods: frozenset[str] | None
    variables: tuple[Variable, ...]
    defaults: t.Mapping[str, t.Any]
    subdomain: str | None
    host: str | None
    strict_slashes: bool
    redirect_to: str | None
    websocket: bool

    @property
    def shape(self) -> str:
        """The rule with every variable reduced to ``<>``: two rules of one shape differ only in their variables."""
        return VARIABLE_RE.sub("<>", f"{self.host or self.subdomain or ''}|{self.rule}")

    @property
    def visible_methods(self) -> frozenset[str] | None:
        """The methods a client uses: without the automatic HEAD and OPTIONS."""
        if self.methods is None:
            return None
        return frozenset(m for m in self.methods if m not in AUTOMATIC_METHODS) or self.methods

    @property
    def label(self) -> str:
        """``/users/<int:user_id> [users.profile]``, for messages."""
        return f"{self.rule} [{self.endpoint}]"


def parse_variables(rule: str, subdomain: str | None, host: str | None) -> tuple[Variable, ...]:
    """The variables of a rule text, parsed the way Werkzeug parses them (host or subdomain first)."""
    return tuple(
        Variable(v.name, v.converter, tuple(v.args), tuple(sorted(v.kwargs.items())))
        for v in rule_variables(Rule(rule, subdomain=subdomain or None, host=host or None))
    )


def route_spec(item: t.Mapping[str, t.Any]) -> RouteSpec:
    """One route from its ``Route.to_dict()`` JSON."""
    rule = str(item["rule"])
    subdomain = item.get("subdomain") or None
    host = item.get("host") or None
    methods = item.get("methods")
    return RouteSpec(
        rule=rule,
        endpoint=str(item["endpoint"]),
        methods=None if methods is None else frozenset(str(m).upper() for m in methods),
        variables=parse_variables(rule, subdomain, host),
        defaults=dict(item.get("defaults") or {}),
        subdomain=subdomain,
        host=host,
        strict_slashes=bool(item.get("strict_slashes", True)),
        redirect_to=item.get("redirect_to") or None,
        websocket=bool(item.get("websocket", False)),
    )


def routes_from_document(document: t.Any) -> tuple[RouteSpec, ...]:
    """The routes of a ``list --json`` document (``{"routes": [...]}``) or of a bare list of routes.

    Raises :class:`ValueError` for anything else.
    """
    items = document.get("routes") if isinstance(document, dict) else document
    if not isinstance(items, list) or not all(isinstance(i, dict) and "rule" in i and "endpoint" in i for i in items):
        raise ValueError("expected the JSON of 'flask route-explorer list --json' (an object with a 'routes' list)")
    return tuple(route_spec(item) for item in items)
