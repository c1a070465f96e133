"""The one matcher: a path through Werkzeug's own ``MapAdapter``, following redirects.

Werkzeug decides; this module never re-implements its priority. :func:`follow` asks an adapter
and turns its exceptions into a typed :class:`Dispatch` (status, rule, values, allowed methods, the
redirect chain). Three callers use it: the path tester (:func:`simulate`, with an adapter made as
Flask makes one for a request), the explorer's path search (:func:`rule_for_path`) and the
diagnosis of ``url_for('/users/7')`` (:func:`endpoint_for_path`).
"""

from __future__ import annotations

import contextlib
import typing as t
import warnings
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from flask import Request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, MapAdapter, RequestRedirect, Rule
from werkzeug.test import EnvironBuilder

from ..endpoints import jsonable

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


# --------------------------------------------------------------------------- a request as the app gets it


@dataclass(frozen=True, slots=True)
class SimulatedRequest:
    """The request the path tester pretends: decoded path, method, and the host or subdomain part."""

    path: str
    method: str
    #: The host (host matching) or subdomain the rules' domain parts are compared with.
    domain: str
    host_matching: bool
    #: The host the request is addressed to.
    host: str
    #: ``scheme://host`` plus the app root: redirect targets on it are shown as paths.
    base: str
    #: The ``SERVER_NAME`` the host is not under, when subdomain matching cannot place it (then no
    #: rule can take the request).
    outside_server_name: str | None = None

    @property
    def segments(self) -> list[str]:
        return self.path[1:].split("/")

    def shown(self, url: str) -> str:
        """A redirect target without the scheme and host when they are the request's own."""
        if url.startswith(self.base + "/"):
            return url[len(self.base) :]
        return url


def simulate(
    app: Flask, path: str, method: str, host: str | None = None, scheme: str | None = None
) -> tuple[SimulatedRequest, Dispatch]:
    """Dispatch ``method path`` as the app would, following one redirect to learn its target's rule.

    The adapter is the one Flask creates for such a request (``create_url_adapter``), so
    ``SERVER_NAME``, ``APPLICATION_ROOT``, subdomain and host matching all count.
    """
    scheme = scheme or app.config.get("PREFERRED_URL_SCHEME") or "http"
    server = host or app.config.get("SERVER_NAME") or "localhost"
    root = (app.config.get("APPLICATION_ROOT") or "/").rstrip("/")
    base = f"{scheme}://{server}"
    environ = EnvironBuilder(path="/", base_url=f"{base}{root}/", method=method).get_environ()
    environ.update(_target_environ(path))
    outside = _outside_server_name(app, server, scheme)
    with warnings.catch_warnings() if outside else contextlib.nullcontext():
        if outside:
            # Werkzeug warns on stderr and matches the marker subdomain '<invalid>': the answer
            # says it plainly instead. Filters are swapped only on this rare path.
            warnings.simplefilter("ignore", UserWarning)
        adapter = app.create_url_adapter(Request(environ))
    if adapter is None:  # only without a request; kept for type checkers
        raise RuntimeError("no URL adapter")
    host_matching = app.url_map.host_matching
    request = SimulatedRequest(
        path="/" + (adapter.path_info or "").lstrip("/"),
        method=method,
        domain=(adapter.server_name if host_matching else adapter.subdomain) or "",
        host_matching=host_matching,
        host=server,
        base=base + root,
        outside_server_name=outside,
    )
    return request, follow(adapter, adapter.path_info, method, redirects=1)


def _outside_server_name(app: Flask, host: str, scheme: str) -> str | None:
    """``SERVER_NAME`` when subdomain matching cannot place the host under it, else ``None``.

    The same test as ``Map.bind_to_environ``: the host's dot-separated labels must end with
    ``SERVER_NAME``'s (default ports left out of both).
    """
    server_name = app.config.get("SERVER_NAME")
    if not server_name or app.url_map.host_matching or not app.subdomain_matching:
        return None
    default_port = ":443" if scheme in ("https", "wss") else ":80"

    def labels(name: str) -> list[str]:
        name = name.lower()
        return (name[: -len(default_port)] if name.endswith(default_port) else name).split(".")

    wanted = labels(server_name)
    if labels(host)[-len(wanted) :] == wanted:
        return None
    return str(server_name)


def _target_environ(target: str) -> dict[str, str]:
    """``PATH_INFO`` and ``QUERY_STRING`` as a WSGI server sets them for a request target.

    Not through ``EnvironBuilder(path=...)``: it parses the target as a URL, so ``//users/7`` would
    become the host ``users`` and the path ``/7``. A server takes the target as a path, decodes its
    percent-escapes and passes it on as latin-1 text of the UTF-8 bytes (PEP 3333).
    """
    path, _, query = target.split("#", 1)[0].partition("?")

    def wsgi_text(text: str) -> str:
        return text.encode("utf-8").decode("latin-1")

    return {"PATH_INFO": wsgi_text(unquote(path)), "QUERY_STRING": wsgi_text(query)}


# --------------------------------------------------------------------------- the values a view receives


def type_names(values: t.Mapping[str, t.Any]) -> dict[str, str]:
    """The Python type of each converted value, as the view receives it."""
    return {name: type(value).__name__ for name, value in values.items()}


def json_values(values: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Converted values as JSON (a UUID as text, an object as its ``repr``)."""
    return {str(name): jsonable(value) for name, value in values.items()}
