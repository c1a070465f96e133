"""What every audit check reads: the app, its inventory, the rules audited and the views behind them."""

from __future__ import annotations

import functools
import typing as t
from dataclasses import dataclass

from ..inventory import AUTOMATIC_METHODS, Inventory, Route

if t.TYPE_CHECKING:
    from flask import Flask

#: Methods tried for a rule that accepts any method.
ANY_METHOD = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class AuditContext:
    app: Flask
    inventory: Inventory
    #: The rules findings may be about: the app's own (the tools' own and ``static`` only when asked).
    audited: tuple[Route, ...]
    views: t.Mapping[str, t.Callable[..., t.Any]]

    def view_of(self, route: Route) -> t.Callable[..., t.Any] | None:
        return self.views.get(route.endpoint)

    def is_audited(self, route: Route) -> bool:
        return route.index in self.audited_positions

    @functools.cached_property
    def audited_positions(self) -> frozenset[int]:
        return frozenset(r.index for r in self.audited)


def methods_to_try(route: Route) -> tuple[str, ...]:
    """The methods a rule serves, without the automatic HEAD and OPTIONS (a few common ones for "any")."""
    if route.methods is None:
        return ANY_METHOD
    own = tuple(m for m in route.methods if m not in AUTOMATIC_METHODS)
    return own or route.methods


def overlapping_methods(a: Route, b: Route) -> tuple[str, ...]:
    """Methods both rules serve (without HEAD and OPTIONS)."""
    theirs = set(methods_to_try(b)) if b.methods is not None else None
    return tuple(m for m in methods_to_try(a) if theirs is None or m in theirs)
