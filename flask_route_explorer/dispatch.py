"""The one matcher: a path through Werkzeug's own ``MapAdapter``, following redirects.

Werkzeug decides; this module never re-implements its priority. :func:`follow` asks an adapter
and turns its exceptions into a typed :class:`Dispatch` (status, rule, values, allowed methods, the
redirect chain). Three callers use it: the path tester (:mod:`.routing`, with an adapter made as
Flask makes one for a request), the explorer's path search (:func:`rule_for_path`) and the
diagnosis of ``url_for('/users/7')`` (:func:`endpoint_for_path`).

It sits below both the diagnosis and the testers (it imports only Werkzeug and
:mod:`.endpoints`): the diagnosis matches URL paths with it, and the build tester diagnoses with
the diagnosis, so it cannot live in either package without an import cycle.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, MapAdapter, RequestRedirect, Rule

from .endpoints import jsonable

if t.TYPE_CHECKING:
    from flask import Flask


@dataclass(frozen=True, slots=True)
class Dispatch:
    """Werkzeug's answer for a path and method, after following the redirects it was allowed to."""

    #: The last answer: 200, 404, 405, 400 (a WebSocket rule), 500 (the app's code raised), or 308
    #: when a redirect was met and not followed.
    status: int
    #: The path of the last answer (a redirect's target once one was followed), decoded.
    path: str
    rule: Rule | None = None
    #: The converted values, for a 200.
    values: t.Mapping[str, t.Any] = field(default_factory=dict)
    #: Every method the path accepts, sorted, for a 405.
    allowed: tuple[str, ...] = ()
    #: Each redirect met (``RequestRedirect.new_url``), in order.
    redirects: tuple[str, ...] = ()
    #: What the app's own code raised while matching (a converter, a ``redirect_to`` callable).
    failure: str | None = None

    @property
    def endpoint(self) -> str | None:
        return str(self.rule.endpoint) if self.status == 200 and self.rule is not None else None


def follow(adapter: MapAdapter, path: str, method: str | None, *, redirects: int = 0) -> Dispatch:
    """Match ``path`` with ``adapter``, following up to ``redirects`` redirects with the same method.

    ``method=None`` is the adapter's default method. Never raises: whatever the app's converters or
    ``redirect_to`` callables raise is the answer 500, as the app itself would answer.
    """
    chain: list[str] = []
    while True:
        try:
            rule, values = adapter.match(path, method=method, return_rule=True)
        except RequestRedirect as redirect:
            chain.append(redirect.new_url)
            if len(chain) > redirects:
                return Dispatch(308, path, redirects=tuple(chain))
            path = redirect_path(adapter, redirect.new_url)
            continue
        except MethodNotAllowed as error:
            allowed = tuple(sorted(set(error.valid_methods or ())))
            return Dispatch(405, path, allowed=allowed, redirects=tuple(chain))
        except HTTPException as error:  # NotFound, WebsocketMismatch (400)
            return Dispatch(error.code or 404, path, redirects=tuple(chain))
        except Exception as error:  # a custom converter or a redirect_to callable failed: the app answers 500
            return Dispatch(500, path, redirects=tuple(chain), failure=repr(error))
        return Dispatch(200, path, rule, values, redirects=tuple(chain))


def redirect_path(adapter: MapAdapter, url: str) -> str:
    """The path of a redirect target as ``adapter`` matches it: below the app root, decoded."""
    path = urlsplit(url).path or "/"
    root = adapter.script_name.rstrip("/")
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root) :] or "/"
    return unquote(path)


def bound(url_map: Map, server_name: str) -> MapAdapter | None:
    """An adapter for ``server_name`` outside any request; ``None`` when Werkzeug refuses the name."""
    try:
        return url_map.bind(server_name)
    except Exception:
        return None


def rule_for_path(adapter: MapAdapter, path: str, method: str) -> Rule | None:
    """The rule that handles ``path`` for ``method``; a path that redirects once counts as its target's."""
    answer = follow(adapter, path, method, redirects=1)
    return answer.rule if answer.status == 200 else None


def endpoint_for_path(app: Flask, path: str, method: str | None) -> tuple[str, dict[str, t.Any]] | None:
    """The endpoint and values a URL (or path) is routed to, as the app itself would match it.

    For ``url_for('/users/7')``: an absolute URL is read as its path, query and fragment are left
    out, up to two redirects (slashes) are followed, and a method the path does not take falls back
    to Werkzeug's default method (GET). ``None`` when nothing handles it.
    """
    target = path
    if "://" in target:
        target = "/" + target.split("://", 1)[1].partition("/")[2]
    target = target.partition("?")[0].partition("#")[0]
    if not target.startswith("/"):
        return None
    adapter = bound(app.url_map, app.config.get("SERVER_NAME") or "localhost")
    if adapter is None:
        return None
    answer = follow(adapter, target, method or "GET", redirects=2)
    if answer.status == 405:
        answer = follow(adapter, answer.path, None)
    if answer.endpoint is None:
        return None
    return answer.endpoint, dict(answer.values)


# --------------------------------------------------------------------------- the values a view receives


def type_names(values: t.Mapping[str, t.Any]) -> dict[str, str]:
    """The Python type of each converted value, as the view receives it."""
    return {name: type(value).__name__ for name, value in values.items()}


def json_values(values: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Converted values as JSON (a UUID as text, an object as its ``repr``)."""
    return {str(name): jsonable(value) for name, value in values.items()}
