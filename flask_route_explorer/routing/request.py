"""The request the path tester pretends, dispatched as the app would dispatch it.

The adapter is the one Flask creates for such a request (``create_url_adapter``), so
``SERVER_NAME``, ``APPLICATION_ROOT``, subdomain and host matching all count; the path is set as a
WSGI server sets it. Werkzeug then answers through the one matcher (:mod:`..dispatch`).
"""

from __future__ import annotations

import contextlib
import typing as t
import warnings
from dataclasses import dataclass
from urllib.parse import unquote

from flask import Request
from werkzeug.test import EnvironBuilder

from ..dispatch import Dispatch, follow

if t.TYPE_CHECKING:
    from flask import Flask


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
