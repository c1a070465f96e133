"""The explorer's pages, served in front of the host app, as Werkzeug's debugger is.

:class:`ExplorerMiddleware` wraps ``app.wsgi_app``: a request under the explorer's prefix never
reaches the host app, so none of its ``before_request`` hooks, CSRF checks, login walls, error
handlers or session interface runs for it, and the app's URL map gets no rule of ours. The pages
themselves are a tiny Flask app of our own (:func:`pages_app`) whose views read the host app's
routes through :func:`..rendering.explorer_app`. Every request is gated by :func:`..access.refusal` first.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint, Flask, abort, current_app, request, send_from_directory
from werkzeug.wrappers import Response

from .._resources import STATIC_DIR
from ..access import BLUEPRINT_NAME, HOST_KEY, is_enabled, refusal, security_headers
from ..querystring import escaped_query_string
from ..rendering import explorer_app
from . import explorer, testers

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class ExplorerMiddleware:
    """Answers the explorer's prefix itself and hands every other request to the app, untouched."""

    def __init__(self, host: Flask, wrapped: WSGIApplication) -> None:
        self.host = host
        self.wrapped = wrapped
        self.pages = pages_app(host)

    def owns(self, path: str) -> bool:
        """Whether ``path`` is one of the explorer's (the prefix itself, with or without the slash)."""
        prefix = self.host.config["ROUTE_EXPLORER_URL_PREFIX"]
        return path == prefix or path.startswith(prefix + "/")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> t.Iterable[bytes]:
        if not self.owns(environ.get("PATH_INFO", "")) or not is_enabled(self.host, environ):
            return self.wrapped(environ, start_response)
        return self.pages(escaped_query(environ), start_response)


def escaped_query(environ: WSGIEnvironment) -> WSGIEnvironment:
    """The explorer's request with its query string escaped (:func:`escaped_query_string`)."""
    query = environ.get("QUERY_STRING", "")
    if query.isascii():
        return environ
    escaped = escaped_query_string(query.encode("latin-1", errors="replace"))
    return t.cast("WSGIEnvironment", {**environ, "QUERY_STRING": escaped})


def pages_app(host: Flask) -> Flask:
    """The Flask app that renders the explorer's pages for ``host`` (one per host app)."""
    pages = Flask(__name__, static_folder=None)
    pages.config.update(
        ROUTE_EXPLORER_URL_PREFIX=host.config["ROUTE_EXPLORER_URL_PREFIX"],
        # The explorer's JSON and pages are its own: the host's settings do not reach them.
        SERVER_NAME=None,
        # Under test, an error in a page reaches the test, as the host app's would.
        TESTING=host.testing,
    )
    pages.extensions[HOST_KEY] = host
    bp = Blueprint(BLUEPRINT_NAME, __name__)
    bp.add_url_rule("/static/<path:filename>", "static", _send_static)
    explorer.register(bp)
    testers.register(bp)
    pages.register_blueprint(bp, url_prefix=host.config["ROUTE_EXPLORER_URL_PREFIX"])
    pages.before_request(_guard)
    pages.after_request(_security_headers)
    return pages


def _send_static(filename: str) -> Response:
    """The explorer's CSS, JavaScript and vendored htmx."""
    return send_from_directory(STATIC_DIR, filename, max_age=current_app.get_send_file_max_age(filename))


def _guard() -> None:
    """Every explorer response checks the host, the client and the enabling rules first."""
    if refusal(explorer_app(), request) is not None:
        abort(404)


def _security_headers(response: Response) -> Response:
    return security_headers(response, streamed=True)
