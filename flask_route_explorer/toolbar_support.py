"""Let Flask-DebugToolbar work on an HTML page of ours that keeps a strict CSP, without importing it.

The toolbar appends its markup to buffered ``text/html`` responses. That markup holds one inline
``<script>`` and ``style="..."`` attributes, which a CSP of ``script-src 'self'; style-src 'self'``
blocks: the toolbar then breaks with every panel spilled open over the page. Rather than drop the
CSP, :func:`allow_debug_toolbar` allows exactly those pieces by hash, read from the toolbar's own
templates (so a toolbar update keeps working). The enriched error page uses it, since it is
served at the app's own URL where the developer expects the toolbar and our panel. (The explorer's
own pages are streamed instead, which the toolbar skips: see ``web/__init__.py``.)

The toolbar's internals (where it keeps the request's toolbar, its templates) are read through
``_compat``; when the toolbar is not installed or not active for this request, nothing happens.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import typing as t

from werkzeug.wrappers import Response

from . import _compat

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
