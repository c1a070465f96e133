"""The explorer's blueprint: who may see it (see :mod:`..access`), its static files; the pages live in submodules."""

from __future__ import annotations

import typing as t

from flask import Blueprint, Flask, abort, current_app, has_request_context, request, send_from_directory
from werkzeug.wrappers import Response

from .._resources import STATIC_DIR
from ..access import BLUEPRINT_NAME, refusal, security_headers
from . import explorer, testers

#: The URL variable that carries the host in an app with ``host_matching=True``.
HOST_VARIABLE = "_route_explorer_host"


class ExplorerBlueprint(Blueprint):
    """A blueprint whose every rule accepts any host when the app matches on hosts.

    With ``host_matching=True`` a rule without a host pattern matches no request at all; the
    explorer must answer on whatever host the developer uses, so each rule gets a host variable
    that a preprocessor drops from the view arguments and ``url_defaults`` fills back in.
    """

    def __init__(self, host_matching: bool) -> None:
        super().__init__(BLUEPRINT_NAME, __name__)
        self.host_pattern = f"<{HOST_VARIABLE}>" if host_matching else None
        if self.host_pattern:
            self.url_value_preprocessor(_drop_host)
            self.url_defaults(_add_host)

    def add_url_rule(
        self, rule: str, endpoint: str | None = None, view_func: t.Callable[..., t.Any] | None = None, **options: t.Any
    ) -> None:
        if self.host_pattern:
            options.setdefault("host", self.host_pattern)
        super().add_url_rule(rule, endpoint, view_func, **options)


def create_blueprint(app: Flask) -> Blueprint:
    """A fresh blueprint per app, so two apps in one process never share state."""
    bp = ExplorerBlueprint(host_matching=app.url_map.host_matching)
    bp.add_url_rule("/static/<path:filename>", "static", _send_static)
    bp.before_request(_guard)
    bp.after_request(_security_headers)
    explorer.register(bp)
    testers.register(bp)
    return bp


def _send_static(filename: str) -> Response:
    """The explorer's CSS, JavaScript and vendored htmx (``Blueprint.static_folder`` has no host)."""
    return send_from_directory(STATIC_DIR, filename, max_age=current_app.get_send_file_max_age(filename))


def _drop_host(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
    if values:
        values.pop(HOST_VARIABLE, None)


def _add_host(endpoint: str, values: dict[str, t.Any]) -> None:
    if has_request_context():
        values.setdefault(HOST_VARIABLE, request.host)


def _guard() -> None:
    """Defence in depth: every explorer response re-checks debug mode and the client address."""
    if refusal(current_app, request) is not None:
        abort(404)


def _security_headers(response: Response) -> Response:
    return security_headers(response, streamed=True)
