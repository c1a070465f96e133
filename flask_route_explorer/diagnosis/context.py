"""Where a diagnosis runs: the app, its inventory, and the request a build happens in.

A corrected call is verified by building it for real, as the app would inside a request. These
helpers decide which request context that build uses, let the checker hold one open for many
questions (:func:`batch`), and mark our own builds so the app's url_for hooks leave them alone.
"""

from __future__ import annotations

import contextlib
import typing as t
from contextvars import ContextVar
from dataclasses import dataclass

from flask.ctx import RequestContext
from flask.sessions import SecureCookieSession
from flask.testing import EnvironBuilder

from .. import _compat
from ..inventory import Inventory, get_inventory

if t.TYPE_CHECKING:
    from flask import Flask

#: True while the engine builds a corrected call to verify it; our own url_for hooks stay out.
_verifying: ContextVar[bool] = ContextVar("route_explorer_verifying", default=False)


def is_verifying() -> bool:
    """Whether the current ``url_for`` is the engine checking a fix (hooks must not diagnose it)."""
    return _verifying.get()


@dataclass(frozen=True)
class _Batch:
    """What :func:`batch` holds open: the app and its inventory."""

    app: Flask
    inventory: Inventory


_batch: ContextVar[_Batch | None] = ContextVar("route_explorer_batch", default=None)


@contextlib.contextmanager
def batch(app: Flask) -> t.Iterator[None]:
    """Ask many questions about an app whose rules do not change meanwhile (the checker).

    Alone, every call checks that the cached inventory is current, which is O(endpoints), and
    builds inside a request context of its own. Inside a batch the inventory is read once and one
    request context serves every build; a build only reads that context, so no answer changes.
    Rules added inside the batch are not seen until it ends.
    """
    app = real_app(app)
    with request_context(app):
        token = _batch.set(_Batch(app, get_inventory(app)))
        try:
            yield
        finally:
            _batch.reset(token)


def real_app(app: Flask) -> Flask:
    """Faces may pass ``current_app``: ``type()`` of the proxy is not the app's class."""
    return t.cast("Flask", _compat.unproxied(app))


def current_inventory(app: Flask) -> Inventory:
    """The batch's inventory, or the cached one after checking it is current."""
    current = _batch.get()
    if current is not None and current.app is real_app(app):
        return current.inventory
    return get_inventory(app)


def request_context(app: Flask) -> t.ContextManager[t.Any]:
    """Where a build runs: the active request of this app itself, else a request context of our own.

    A nested ``app.test_request_context()`` would share the running request's app context and
    ``g``, and popping it runs the app's ``teardown_request`` hooks in the middle of that request
    (closing the view's database connection, say). A build only reads the request, so the active
    one serves as it is. Elsewhere our own app context keeps the caller's ``g`` (a CLI command's,
    a shell's) out of reach of the hooks our context runs when it ends.
    """
    app = real_app(app)
    active = _compat.active_request_context()
    if active is not None and _compat.unproxied(getattr(active, "app", None)) is app:
        return contextlib.nullcontext()
    return _own_request_context(app)


@contextlib.contextmanager
def _own_request_context(app: Flask) -> t.Iterator[None]:
    """A pretended ``GET /`` request of our own, given an empty session.

    ``test_request_context`` would ask the app's session interface to open a session (a database
    or Redis round trip in many apps) for every fix the engine verifies; a build never reads it.
    """
    builder = EnvironBuilder(app, "/")
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    with app.app_context(), RequestContext(app, environ, session=SecureCookieSession()):
        yield


def build(
    app: Flask,
    endpoint: str,
    values: t.Mapping[str, t.Any],
    options: t.Mapping[str, t.Any],
) -> str:
    """Build for real, as the app would inside a request; bypasses wrappers of ``app.url_for``.

    ``options`` are url_for's own keyword arguments (``_method``, ``_external``...). The build is
    marked as ours (:func:`is_verifying`) so that the app's hooks do not diagnose it.
    """
    app = real_app(app)
    token = _verifying.set(True)
    try:
        with request_context(app):
            return type(app).url_for(app, endpoint, **options, **values)
    finally:
        _verifying.reset(token)


def injected(app: Flask, endpoint: str, values: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The values with what the app's ``url_defaults`` hooks add for ``endpoint`` (``lang_code``...)."""
    result = dict(values)
    if not _compat.has_url_defaults_hooks(app):
        return result
    with contextlib.suppress(Exception), request_context(app):
        app.inject_url_defaults(endpoint, result)
    return result
