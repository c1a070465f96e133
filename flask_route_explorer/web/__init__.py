"""The explorer's blueprint: access rules and security headers; the pages live in submodules."""

from __future__ import annotations

import ipaddress
import typing as t

from flask import Blueprint, Flask, abort, current_app, request
from werkzeug.wrappers import Response

from .._resources import STATIC_DIR
from ..extension import is_enabled
from ..toolbar_support import allow_debug_toolbar
from . import explorer, testers

BLUEPRINT_NAME = "route_explorer"

#: No inline script anywhere; htmx is served from our own static folder.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def create_blueprint(app: Flask) -> Blueprint:
    """A fresh blueprint per app, so two apps in one process never share state."""
    bp = Blueprint(BLUEPRINT_NAME, __name__, static_folder=str(STATIC_DIR), static_url_path="/static")
    bp.before_request(_guard)
    bp.after_request(_security_headers)
    explorer.register(bp)
    testers.register(bp)
    return bp


def client_allowed(remote_addr: str | None, allowed: t.Iterable[str]) -> bool:
    """Whether a client address is in the allowed list (IPv4-mapped IPv6 counts as IPv4)."""
    if not remote_addr:
        return False
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    candidates = {str(address), str(mapped)} if mapped else {str(address)}
    for entry in allowed:
        try:
            if "/" in entry:
                if any(ipaddress.ip_address(c) in ipaddress.ip_network(entry, strict=False) for c in candidates):
                    return True
            elif ipaddress.ip_address(entry) in {ipaddress.ip_address(c) for c in candidates}:
                return True
        except ValueError:
            continue
    return False


def _guard() -> None:
    """Defence in depth: every explorer response re-checks debug mode and the client address."""
    app = current_app
    if not is_enabled(app):
        abort(404)
    if not client_allowed(request.remote_addr, app.config["ROUTE_EXPLORER_ALLOWED_IPS"]):
        abort(404)


def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    if response.mimetype == "text/html" and response.is_sequence:
        if request.blueprint == BLUEPRINT_NAME:
            # Flask-DebugToolbar rewrites only buffered HTML: streamed, our pages and htmx fragments stay clean.
            response.response = iter(response.response)
        else:  # the error page, at the app's own URL, where the toolbar and its Routes panel belong
            allow_debug_toolbar(response)
    return response
