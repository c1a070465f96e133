"""Let Flask-DebugToolbar work on an HTML page of ours that keeps a strict CSP, without importing it.

The toolbar appends its markup to buffered ``text/html`` responses. That markup holds one inline
``<script>`` and ``style="..."`` attributes, which a CSP of ``script-src 'self'; style-src 'self'``
blocks: the toolbar then breaks with every panel spilled open over the page. Rather than drop the
CSP, :func:`allow_debug_toolbar` allows exactly those pieces by hash, read from the toolbar's own
templates (so a toolbar update keeps working). The enriched error page uses it, since it is
served at the app's own URL where the developer expects the toolbar and our panel. (The explorer's
own pages are streamed instead, which the toolbar skips: see ``web/__init__.py``.)

The toolbar's extension object is found in ``g.debug_toolbar`` (set by its ``before_request``);
when it is absent the toolbar is not installed or not active, and nothing happens.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import typing as t

from flask import g, request
from werkzeug.wrappers import Response

if t.TYPE_CHECKING:
    from jinja2 import Environment

_INLINE_SCRIPT_RE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_STYLE_ATTRIBUTE_RE = re.compile(r"""\sstyle=(["'])(.*?)\1""", re.S | re.I)
_HANDLER_ATTRIBUTE_RE = re.compile(r"""\son[a-z]+=(["'])(.*?)\1""", re.S | re.I)
#: Templates whose markup ends up in the page: the toolbar itself and its panels.
_PAGE_TEMPLATES_RE = re.compile(r"^(base\.html|panels/[^/]+\.html)$")


def allow_debug_toolbar(response: Response) -> Response:
    """Widen the response's CSP just enough for the toolbar's markup, if the toolbar will inject it."""
    extension = g.get("debug_toolbar")
    policy = response.headers.get("Content-Security-Policy")
    if extension is None or not policy or response.mimetype != "text/html" or not response.is_sequence:
        return response
    toolbar = _toolbar_for_this_request(extension)
    if toolbar is None:  # the toolbar watches this app but not this request (DEBUG_TB_HOSTS, its own views)
        return response
    static_path = str(getattr(toolbar, "template_context", {}).get("static_path", ""))
    scripts, styles = _allowances(extension.jinja_env, static_path)
    response.headers["Content-Security-Policy"] = _widen(policy, scripts, styles)
    return response


def _toolbar_for_this_request(extension: t.Any) -> t.Any:
    toolbars = getattr(extension, "debug_toolbars_var", None)
    if toolbars is None:
        return None
    return toolbars.get({}).get(request._get_current_object())  # type: ignore[attr-defined]


@functools.lru_cache(maxsize=8)
def _allowances(env: Environment, static_path: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """CSP sources for the toolbar's inline script(s), event handlers and style attributes."""
    scripts: set[str] = set()
    handlers: set[str] = set()
    styles: set[str] = set()
    loader = env.loader
    names = [n for n in (loader.list_templates() if loader is not None else []) if _PAGE_TEMPLATES_RE.match(n)]
    for name in names:
        source, _, _ = loader.get_source(env, name)  # type: ignore[union-attr]
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
