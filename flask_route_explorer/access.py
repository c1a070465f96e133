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
#: Where the explorer's pages app keeps the host app (``pages.extensions[HOST_KEY]``).
HOST_KEY = "route_explorer.host"

#: No inline script anywhere; htmx is served from our own static folder.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class ConfigError(ValueError):
    """A ``ROUTE_EXPLORER_*`` setting the explorer cannot use: raised when the app is set up."""


_Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Host names a local browser uses; a leading dot also allows the name's subdomains. Any other
#: ``Host`` header is a page on the internet that resolved its own name to 127.0.0.1 (DNS
#: rebinding): Werkzeug's debugger refuses it too.
LOCAL_HOSTS: tuple[str, ...] = (".localhost", "127.0.0.1", "::1")
#: Set in ``app.extensions`` once the explorer is mounted on the app.
MOUNTED_KEY = "route_explorer.mounted"

#: Headers a relay (reverse proxy, tunnel) adds; a browser on this machine never sends them.
FORWARDING_HEADERS: tuple[str, ...] = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def is_enabled(app: Flask, environ: t.Mapping[str, t.Any] | None = None) -> bool:
    """Whether the explorer may answer now: re-checked on every one of its requests.

    Left to itself (``ROUTE_EXPLORER_ENABLED = None``) it follows Werkzeug's debugger: on only in
    debug mode under the development server. A ``DEBUG = True`` left in the config of an app
    served by gunicorn or waitress does not turn it on; their ``SERVER_SOFTWARE`` says who serves.
    """
    setting = app.config.get("ROUTE_EXPLORER_ENABLED")
    if setting is not None:
        return bool(setting)
    return bool(app.debug) and (environ is None or development_server(environ))


def is_mounted(app: Flask) -> bool:
    """Whether the explorer's pages, error page and recorder are installed on ``app``."""
    return bool(app.extensions.get(MOUNTED_KEY))


def development_server(environ: t.Mapping[str, t.Any]) -> bool:
    """Whether the request came through Werkzeug's development server (or a test client, which names none)."""
    software = environ.get("SERVER_SOFTWARE")
    return not software or str(software).startswith("Werkzeug/")


def validate_config(config: t.Mapping[str, t.Any]) -> None:
    """Refuse, with a message that says how to fix it, a setting that would fail at request time."""
    enabled = config.get("ROUTE_EXPLORER_ENABLED")
    if enabled not in (None, True, False):
        raise ConfigError(f"ROUTE_EXPLORER_ENABLED must be None, True or False, not {enabled!r}.")
    allowed_networks(config.get("ROUTE_EXPLORER_ALLOWED_IPS"))
    trusted_hosts(config.get("ROUTE_EXPLORER_TRUSTED_HOSTS"))
    prefix = config.get("ROUTE_EXPLORER_URL_PREFIX")
    if not isinstance(prefix, str) or not prefix.startswith("/") or prefix == "/" or prefix.endswith("/"):
        raise ConfigError(
            f"ROUTE_EXPLORER_URL_PREFIX must be a path such as '/_routes' (a leading slash, none at the end), not {prefix!r}."
        )


def _entries(name: str, value: t.Any) -> tuple[t.Any, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise ConfigError(
            f"{name} must be a list or tuple, such as ('127.0.0.1', '::1'), not {type(value).__name__} {value!r}."
        )
    return tuple(value)


@functools.lru_cache(maxsize=32)
def _networks(entries: tuple[t.Any, ...]) -> tuple[_Network, ...]:
    networks: list[_Network] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry if not isinstance(entry, str) else entry.strip(), strict=False))
        except (ValueError, TypeError):
            raise ConfigError(
                f"ROUTE_EXPLORER_ALLOWED_IPS: {entry!r} is not an IP address or network (such as '10.0.0.0/8')."
            ) from None
    return tuple(networks)


def allowed_networks(value: t.Any) -> tuple[_Network, ...]:
    """``ROUTE_EXPLORER_ALLOWED_IPS`` as networks: strings, ``ip_address`` or ``ip_network`` objects."""
    return _networks(_entries("ROUTE_EXPLORER_ALLOWED_IPS", value))


def trusted_hosts(value: t.Any) -> tuple[str, ...]:
    """The local host names plus ``ROUTE_EXPLORER_TRUSTED_HOSTS`` (lower-case, no port)."""
    extra = () if value is None else _entries("ROUTE_EXPLORER_TRUSTED_HOSTS", value)
    if any(not isinstance(host, str) or not host.strip(".") for host in extra):
        raise ConfigError(f"ROUTE_EXPLORER_TRUSTED_HOSTS must hold host names, such as 'dev.example.test': {extra!r}.")
    return LOCAL_HOSTS + tuple(h.lower() for h in extra)


def client_allowed(remote_addr: str | None, allowed: t.Any) -> bool:
    """Whether a client address is in the allowed list (IPv4-mapped IPv6 counts as IPv4)."""
    if not remote_addr:
        return False
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    addresses = (address, mapped) if mapped is not None else (address,)
    return any(a in network for network in allowed_networks(allowed) for a in addresses if a.version == network.version)


def host_name(host_header: str) -> str:
    """The name in a ``Host`` header, without its port and brackets, lower-case."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def host_trusted(host_header: str | None, trusted: t.Iterable[str]) -> bool:
    """Whether the ``Host`` header names this machine (or a host the developer trusts)."""
    if not host_header:
        return False
    name = host_name(host_header)
    return any(name == entry.lstrip(".") or (entry.startswith(".") and name.endswith(entry)) for entry in trusted)


def refusal(app: Flask, request: Request) -> str | None:
    """Why this request may not see the explorer's answers, or ``None`` when it may.

    Checked on every request of every face that shows routes or source: the enabling rules, the
    ``Host`` header, relay headers and the client's address, in that order.
    """
    config = app.config
    if not is_enabled(app, request.environ):
        return (
            "Route Explorer is not enabled for this app: it runs only in debug mode under the development "
            "server (ROUTE_EXPLORER_ENABLED = None), or when ROUTE_EXPLORER_ENABLED is True."
        )
    try:
        trusted = trusted_hosts(config.get("ROUTE_EXPLORER_TRUSTED_HOSTS"))
        server_name = config.get("SERVER_NAME")
        if server_name:  # the app's own name (and its subdomains): not a page that rebound its DNS
            trusted += ("." + host_name(str(server_name)),)
        if not host_trusted(request.host, trusted):
            return f"Route Explorer answers only for local host names (or ROUTE_EXPLORER_TRUSTED_HOSTS), not {request.host!r}."
        if not config.get("ROUTE_EXPLORER_ALLOW_FORWARDED") and any(h in request.headers for h in FORWARDING_HEADERS):
            return "Route Explorer refuses relayed requests (X-Forwarded-For, Forwarded, X-Real-IP): see ROUTE_EXPLORER_ALLOW_FORWARDED."
        if not client_allowed(request.remote_addr, config.get("ROUTE_EXPLORER_ALLOWED_IPS")):
            return (
                f"Route Explorer answers only clients in ROUTE_EXPLORER_ALLOWED_IPS; this one is {request.remote_addr}."
            )
    except ConfigError as error:
        return str(error)
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
            response.response = iter(t.cast("t.Iterable[bytes]", response.response))
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
