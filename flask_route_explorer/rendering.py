"""The explorer's own Jinja environment, shared by every HTML face.

Pages, the error page and the toolbar panel render here, never in the host app's environment:
the app's context processors, globals and loader settings can neither break nor be changed by us.
"""

from __future__ import annotations

import functools
import typing as t
from urllib.parse import urlencode

from flask import current_app, url_for
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ._resources import TEMPLATES_DIR
from .editor import editor_url


def _editor_link(file: str | None, line: int | None) -> str | None:
    config = current_app.config
    return editor_url(file, line, config.get("ROUTE_EXPLORER_EDITOR"), config.get("ROUTE_EXPLORER_EDITOR_PATH_MAP"))


def _static(filename: str) -> str:
    return url_for("route_explorer.static", filename=filename)


@functools.cache
def environment() -> Environment:
    """One environment per process; autoescaping is on for every template."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        url_for=url_for,
        editor_link=_editor_link,
        static=_static,
        explorer_link=explorer_link,
        build_link=build_link,
        match_link=match_link,
    )
    return env


def render(template: str, **context: t.Any) -> str:
    """Render one of the explorer's templates (names start with ``route_explorer/``)."""
    return environment().get_template(template).render(**context)


def explorer_link(endpoint: str) -> str:
    """The explorer filtered to one endpoint (every face links a route here)."""
    return url_for("route_explorer.index", q=endpoint)


def build_link(endpoint: str, values: t.Mapping[str, t.Any] | None = None) -> str:
    """The URL-build tester, prefilled with an endpoint and values."""
    # ``endpoint`` is url_for's own first parameter, so the query string is written by hand.
    query = {"endpoint": endpoint, **{k: v for k, v in (values or {}).items() if v is not None}}
    return url_for("route_explorer.build") + "?" + urlencode(query, doseq=True)


def match_link(path: str, method: str | None = None) -> str:
    """The path tester, prefilled."""
    return url_for("route_explorer.match", path=path, **({"method": method} if method else {}))
