"""A ``url_for`` call as the scanners found it: what is known about it before the code runs.

Both scanners (Python and Jinja) produce a :class:`FoundCall`; the run checks it against the app.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from ..endpoints import OPTIONS

#: A relative endpoint's resolution: the blueprints it is checked against (``None`` = the app itself).
Contexts = frozenset["str | None"]


@dataclass(slots=True)
class FoundCall:
    """One ``url_for`` call as written, before checking.

    Values that are not literals are the diagnosis engine's ``UNKNOWN``; so are the options
    (``_method``, ``_external``, ``_scheme``) when computed.
    """

    path: str
    line: int
    column: int
    last_line: int
    template: bool
    #: The call's text for the engine (the whole lines of a template tag).
    source: str
    #: The endpoint when it is a literal string, else ``None`` (a dynamic call).
    endpoint: str | None
    values: dict[str, t.Any]
    #: Whether the call passes ``*args`` or ``**kwargs``, which may hold any variable.
    star_kwargs: bool
    method: t.Any = None
    external: t.Any = None
    scheme: t.Any = None
    #: Character offsets of the endpoint text (inside its quotes) when it can be rewritten safely.
    span: tuple[int, int] | None = None
    #: Where the call is in ``source``, when ``source`` holds other calls too.
    site_span: tuple[int, int] | None = None
    #: Where a relative endpoint resolves: a frozenset of blueprints, or ``None`` if unknown.
    contexts: Contexts | None = None

    @property
    def relative(self) -> bool:
        """Whether the endpoint is a literal relative name (``'.edit'``), resolved by blueprint."""
        return self.endpoint is not None and self.endpoint.startswith(".")

    @property
    def lines(self) -> range:
        """The lines the call spans, where an ignore comment silences it."""
        return range(self.line, self.last_line + 1)


def split_keywords(keywords: t.Iterable[tuple[str, t.Any]]) -> tuple[dict[str, t.Any], dict[str, t.Any]]:
    """A call's keyword arguments as (URL values, url_for's own options); ``_anchor`` is neither.

    The anchor never decides whether a call builds, so the checker leaves it out.
    """
    values: dict[str, t.Any] = {}
    options: dict[str, t.Any] = {}
    for name, value in keywords:
        if name == "_anchor":
            continue
        (options if name in OPTIONS else values)[name] = value
    return values, options
