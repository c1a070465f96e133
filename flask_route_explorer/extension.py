"""``RouteExplorer``: configuration, the enabling rules, and what gets mounted when.

The extension follows Werkzeug's debugger: it exists only when the development server runs the
app in debug mode (or when forced, with a warning). When it is not enabled it adds no URL rule, no
error handler, no hook and no middleware to the app: production pays nothing.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import typing as t

from flask.helpers import get_debug_flag

from . import _compat
from .access import MOUNTED_KEY, is_mounted, validate_config

if t.TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger("flask_route_explorer")

EXTENSION_KEY = "route_explorer"

DEFAULT_CONFIG: dict[str, t.Any] = {
    # None: on exactly when the development server runs the app in debug mode; False: never;
    # True: always (tests, or another server on purpose: a warning is logged).
    "ROUTE_EXPLORER_ENABLED": None,
    "ROUTE_EXPLORER_ALLOWED_IPS": ("127.0.0.1", "::1"),
    # Host names besides localhost, 127.0.0.1 and [::1] that may reach the explorer.
    "ROUTE_EXPLORER_TRUSTED_HOSTS": (),
    # Answer requests relayed by a proxy or tunnel (X-Forwarded-For, Forwarded, X-Real-IP).
    "ROUTE_EXPLORER_ALLOW_FORWARDED": False,
    "ROUTE_EXPLORER_URL_PREFIX": "/_routes",
    # None, "vscode", "pycharm", "sublime", or a template such as "vscode://file/{path}:{line}".
    "ROUTE_EXPLORER_EDITOR": None,
    # Rewrite path prefixes for editor links, e.g. {"/app": "/home/me/project"} inside a container.
    "ROUTE_EXPLORER_EDITOR_PATH_MAP": {},
    # The route-coverage JSON the explorer shows as a "Tests" column (pytest --route-coverage
    # --route-coverage-report=json:PATH). None: route-coverage.json in the working directory or
    # in the folder above the app's package, if there is one.
    "ROUTE_EXPLORER_COVERAGE_FILE": None,
}

#: Modules that only a production WSGI server loads: the app is not under the development server.
PRODUCTION_SERVERS = ("gunicorn", "waitress", "uwsgi", "mod_wsgi", "bjoern", "meinheld")


class RouteExplorer:
    """The Flask extension. ``RouteExplorer(app)`` or ``ext = RouteExplorer(); ext.init_app(app)``."""

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Set config defaults, check them, and mount the explorer if the app runs in debug mode.

        A setting that would fail at request time raises :class:`~.access.ConfigError` here.
        Calling it twice on the same app is harmless: the second call only mounts the explorer if
        the app has been switched to debug mode (or the explorer forced on) since the first.
        """
        for key, value in DEFAULT_CONFIG.items():
            app.config.setdefault(key, value)
        validate_config(app.config)
        if EXTENSION_KEY in app.extensions:
            # A second call after debug was turned on (or the explorer forced on) mounts what the first did not.
            if enabled_at_startup(app) and not is_mounted(app):
                _mount(app)
            return
        app.extensions[EXTENSION_KEY] = self
        if enabled_at_startup(app):
            _mount(app)  # the recorder notes every failure: no url_build_error handler on top
        elif app.testing:
            # Tests meet most BuildErrors: in testing mode the note (only that: no rule, no page)
            # shows the diagnosis under pytest's traceback, whatever ROUTE_EXPLORER_ENABLED says.
            from . import notes

            notes.install(app)
            # Each diagnosis asks whether the map changed: counting its additions answers that at once.
            _compat.count_added_rules(app.url_map)
        elif app.config["ROUTE_EXPLORER_ENABLED"] is None and not _under_flask_cli() and not production_server():
            _mount_when_run_in_debug(app)


def enabled_at_startup(app: Flask) -> bool:
    """Whether to mount while the app is being set up.

    Under the ``flask`` command, ``flask run`` resets ``app.debug`` from ``FLASK_DEBUG`` after the
    factory returns, so that flag, not a ``DEBUG`` set in the factory, decides. Under a production
    server nothing is mounted unless forced.
    """
    setting = app.config.get("ROUTE_EXPLORER_ENABLED")
    if setting is not None:
        return bool(setting)
    if _under_flask_cli():
        return get_debug_flag()
    return bool(app.debug) and not production_server()


def production_server() -> str | None:
    """The production WSGI server this process runs under, if any."""
    return next((name for name in PRODUCTION_SERVERS if name in sys.modules), None)


def _under_flask_cli() -> bool:
    return os.environ.get("FLASK_RUN_FROM_CLI") == "true"


def _mount_when_run_in_debug(app: Flask) -> None:
    """``app.run(debug=True)`` turns debug on only after the factory ran: mount just before serving.

    This wraps the instance's ``run`` only; a production server never calls it, so requests pay
    nothing and nothing is mounted unless the development server starts in debug mode.
    """
    original_run = app.run

    @functools.wraps(original_run)
    def run(
        host: str | None = None, port: int | None = None, debug: bool | None = None, *args: t.Any, **kwargs: t.Any
    ) -> None:
        if debug is None and "FLASK_DEBUG" in os.environ:
            debug = get_debug_flag()
        if debug and EXTENSION_KEY in app.extensions and not is_mounted(app):
            _mount(app)
        return original_run(host, port, debug, *args, **kwargs)

    app.run = run  # type: ignore[method-assign]  # the documented way to hook app.run(debug=True)


def _mount(app: Flask) -> None:
    """Put the explorer's pages in front of the app; add the enriched error page and the recorder."""
    if is_mounted(app):
        return
    server = production_server()
    if app.config.get("ROUTE_EXPLORER_ENABLED") is True and (server or not app.debug):
        log.warning(
            "flask-route-explorer is forced on %s: it shows your routes and source locations to local "
            "clients. Never enable it in production.",
            f"under {server}" if server else "outside debug mode",
        )
    from . import classlines, errorpage, recorder
    from .web import ExplorerMiddleware

    classlines.keep_in(app.instance_path)
    _compat.count_added_rules(app.url_map)
    app.wsgi_app = ExplorerMiddleware(app, app.wsgi_app)  # type: ignore[method-assign]  # the documented middleware hook
    app.extensions[MOUNTED_KEY] = True
    errorpage.install(app)
    recorder.install(app)
