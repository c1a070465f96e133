"""A realistic demo app for flask-route-explorer.

Run it with ``flask --app demo_app:create_app run --debug`` or ``python -m demo_app``.
Two pages are broken on purpose: ``/dashboard`` (template) and ``/broken-redirect`` (Python).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from flask_route_explorer import RouteExplorer

from . import admin, api, users, views
from .converters import SlugConverter

# Flask-DebugToolbar 0.16's default panels (``DebugToolbarExtension._default_config``), with its
# Route List replaced by ours: DEBUG_TB_PANELS replaces the default list rather than extending it.
DEBUG_TB_PANELS = (
    "flask_debugtoolbar.panels.versions.VersionDebugPanel",
    "flask_debugtoolbar.panels.timer.TimerDebugPanel",
    "flask_debugtoolbar.panels.headers.HeaderDebugPanel",
    "flask_debugtoolbar.panels.request_vars.RequestVarsDebugPanel",
    "flask_debugtoolbar.panels.config_vars.ConfigVarsDebugPanel",
    "flask_debugtoolbar.panels.template.TemplateDebugPanel",
    "flask_debugtoolbar.panels.sqlalchemy.SQLAlchemyDebugPanel",
    "flask_debugtoolbar.panels.logger.LoggingPanel",
    "flask_debugtoolbar.panels.profiler.ProfilerDebugPanel",
    "flask_debugtoolbar.panels.g.GDebugPanel",
    "flask_route_explorer.toolbar.RouteExplorerPanel",
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(SECRET_KEY="demo")
    if config:
        app.config.update(config)

    app.url_map.converters["slug"] = SlugConverter
    views.register(app)
    app.register_blueprint(users.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)

    RouteExplorer(app)
    _init_debug_toolbar(app)
    return app


def _init_debug_toolbar(app: Flask) -> None:
    """Add Flask-DebugToolbar with the explorer panel, only when the toolbar itself would activate."""
    if not app.config.get("DEBUG_TB_ENABLED", app.debug):
        return
    try:
        from flask_debugtoolbar import DebugToolbarExtension
    except ImportError:
        return
    app.config.setdefault("DEBUG_TB_INTERCEPT_REDIRECTS", False)
    app.config.setdefault("DEBUG_TB_PANELS", DEBUG_TB_PANELS)
    DebugToolbarExtension(app)
