"""Who may see the explorer, and the headers every page of it is sent with.

Every face that shows routes or source (the pages, the error page, the toolbar panel) asks
:func:`refusal` before answering, and sends :func:`security_headers`. The Flask-DebugToolbar
allowance lives here too: the toolbar appends its markup to buffered ``text/html`` responses, with
one inline ``<script>`` and ``style="..."`` attributes, which a CSP of ``script-src 'self';
style-src 'self'`` blocks (the toolbar then breaks with every panel spilled open over the page).
Rather than drop the CSP, :func:`allow_debug_toolbar` allows exactly those pieces by hash, read from
the toolbar's own templates (so a toolbar update keeps working). The enriched error page uses it,
since it is served at the app's own URL where the developer expects the toolbar and our panel. The
explorer's own pages are streamed instead, which the toolbar skips.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import ipaddress
import re
import typing as t

from werkzeug.wrappers import Response

from . import _compat

if t.TYPE_CHECKING:
    from flask import Flask, Request

#: The explorer's blueprint: its pages, and the prefix of its endpoints.
BLUEPRINT_NAME = "route_explorer"

#: No inline script anywhere; htmx is served from our own static folder.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def is_enabled(app: Flask) -> bool:
    """Whether the explorer may answer now: re-checked on every one of its requests."""
    setting = app.config.get("ROUTE_EXPLORER_ENABLED")
    if setting is None:
        return bool(app.debug)
    return bool(setting)


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


def refusal(app: Flask, request: Request) -> str | None:
    """Why this request may not see the explorer's answers, or ``None`` when it may."""
    if not is_enabled(app):
        return (
            "Route Explorer is not enabled for this app: it runs only in debug mode "
            "(ROUTE_EXPLORER_ENABLED = None), or when ROUTE_EXPLORER_ENABLED is True."
        )
    if not client_allowed(request.remote_addr, app.config["ROUTE_EXPLORER_ALLOWED_IPS"]):
        return f"Route Explorer answers only clients in ROUTE_EXPLORER_ALLOWED_IPS; this one is {request.remote_addr}."
    return None


def security_headers(response: Response, *, streamed: bool) -> Response:
    """The explorer's CSP and hardening headers.

    ``streamed``: an explorer page or fragment, sent as a stream so that Flask-DebugToolbar (which
    rewrites only buffered HTML) leaves it alone. Otherwise (the error page, at the app's own URL,
    where the toolbar and its Routes panel belong) the CSP allows the toolbar's own markup.
    """
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    if response.mimetype == "text/html" and response.is_sequence:
        if streamed:
            response.response = iter(response.response)
        else:
            allow_debug_toolbar(response)
    return response


# --- Flask-DebugToolbar on a page with a strict CSP -------------------------------------------

_INLINE_SCRIPT_RE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_STYLE_ATTRIBUTE_RE = re.compile(r"""\sstyle=(["'])(.*?)\1""", re.S | re.I)
_HANDLER_ATTRIBUTE_RE = re.compile(r"""\son[a-z]+=(["'])(.*?)\1""", re.S | re.I)


def allow_debug_toolbar(response: Response) -> Response:
    """Widen the response's CSP just enough for the toolbar's markup, if the toolbar will inject it."""
    policy = response.headers.get("Content-Security-Policy")
    if not policy or response.mimetype != "text/html" or not response.is_sequence:
        return response
    # None: no toolbar, or it watches this app but not this request (DEBUG_TB_HOSTS, its own views).
    found = _compat.debug_toolbar_for_request()
    if found is None:
        return response
    extension, toolbar = found
    scripts, styles = _allowances(extension, _compat.debug_toolbar_static_path(toolbar))
    response.headers["Content-Security-Policy"] = _widen(policy, scripts, styles)
    return response


@functools.lru_cache(maxsize=8)
def _allowances(extension: t.Any, static_path: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """CSP sources for the toolbar's inline script(s), event handlers and style attributes."""
    scripts: set[str] = set()
    handlers: set[str] = set()
    styles: set[str] = set()
    env, templates = _compat.debug_toolbar_page_templates(extension)
    for name, source in templates:
        if name == "base.html":
            for body in _INLINE_SCRIPT_RE.findall(source):
                scripts.add(env.from_string(body).render(static_path=static_path))
        handlers.update(v for _, v in _HANDLER_ATTRIBUTE_RE.findall(source) if "{" not in v)
        styles.update(v for _, v in _STYLE_ATTRIBUTE_RE.findall(source) if "{" not in v)
    script_sources = tuple(sorted(_hash(s) for s in scripts | handlers))
    if handlers:
        script_sources = ("'unsafe-hashes'", *script_sources)
    style_sources = ("'unsafe-hashes'", *sorted(_hash(s) for s in styles)) if styles else ()
    return script_sources, style_sources


def _hash(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def _widen(policy: str, scripts: t.Sequence[str], styles: t.Sequence[str]) -> str:
    """Add sources to ``script-src`` and ``style-src`` (created from ``default-src`` when absent)."""
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    names = [d.split()[0].lower() for d in directives]
    default = next((d.split()[1:] for d in directives if d.split()[0].lower() == "default-src"), ["'self'"])
    for name, extra in (("script-src", scripts), ("style-src", styles)):
        if not extra:
            continue
        if name in names:
            index = names.index(name)
            directives[index] = " ".join([directives[index], *extra])
        else:
            directives.append(" ".join([name, *default, *extra]))
            names.append(name)
    return "; ".join(directives)
