"""A call that builds, but with a misspelt variable that Flask sends as a query argument (RE012).

An endpoint with a variable-free rule beside one with variables (``/users/ban`` and
``/users/<int:user_id>/ban``) builds ``url_for('ban', id=5)`` as ``/users/ban?id=5``: no error, and
not the URL meant. Flask cannot tell a misspelt variable from a real query argument; a name is
taken for a misspelling only when no rule of the endpoint has it and it looks like a variable
another rule needs (the engine's own measure of a rename, :func:`..diagnosis.fit.fit_route`), so
``url_for('search', q='x')`` beside ``/search/<int:page>`` stays silent.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from ..diagnosis import join_names
from ..diagnosis.context import injected
from ..diagnosis.fit import fit_route

if t.TYPE_CHECKING:
    from flask import Flask

    from ..inventory import Route


@dataclass(frozen=True, slots=True)
class QueryStray:
    """Names passed that no rule has, and the rule whose variables they look like."""

    endpoint: str
    #: Passed name -> the variable of ``route`` it looks like.
    renames: t.Mapping[str, str]
    route: Route

    def message(self) -> str:
        """The finding's text (``It passes id, which no rule of 'ban' has, ...``)."""
        given = join_names(list(self.renames))
        needed = join_names(list(self.renames.values()))
        which = "has" if len(self.renames) == 1 else "have"
        return (
            f"It passes {given}, which no rule of {self.endpoint!r} {which}, while its rule {self.route.rule} "
            f"needs {needed}: did you mean {needed}? As written, Flask builds another rule of {self.endpoint!r} "
            f"and sends {given} as a query argument."
        )


def query_stray(
    app: Flask, routes: t.Sequence[Route], values: t.Mapping[str, t.Any], method: str | None
) -> QueryStray | None:
    """The likely misspelt variables of a call that builds, or ``None``.

    Only values no rule of the endpoint knows (as a variable or a default) count; values the
    app's ``url_defaults`` hooks add are counted in, as Flask would.
    """
    if len(routes) < 2:
        return None
    known = {name for route in routes for name in (*route.argument_names, *route.defaults)}
    if all(name in known for name in values):
        return None
    present = injected(app, routes[0].endpoint, values)
    for route in routes:
        fit = fit_route(route, present, method)
        renames = {given: needed for given, needed in fit.renames.items() if given not in known}
        if renames and fit.method_ok:
            return QueryStray(routes[0].endpoint, renames, route)
    return None
