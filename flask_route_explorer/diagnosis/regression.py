"""The regression test that proves a fix: ready pytest text to paste into the app's ``tests/``.

A fix is half the job; the developer also needs the test that fails before it and passes after.
Two tests are written:

- the fixed call, built in the app's request context, must give the URL the engine built
  (it pins the intended URL: it guards the rule, and passes as soon as the call is right);
- when the failure came from a GET request, that page is requested again with the test client
  and must not fail (status below 500): this one fails before the fix and passes after it.

The app comes from its own factory when one is found (``create_app``/``make_app`` in the app's
module, or ``FLASK_APP``), else from the module global that holds it, else from a fixture whose
placeholder (``YOUR_APP_FACTORY``) says what to fill in.
"""

from __future__ import annotations

import os
import re
import sys
import typing as t
from dataclasses import dataclass

from ..endpoints import literal, write_call
from ..querystring import escaped_query_string
from .model import Diagnosis

if t.TYPE_CHECKING:
    from flask import Flask

#: Factory names Flask's own CLI looks for in an app module.
FACTORY_NAMES = ("create_app", "make_app")
#: What the fixture calls when the app's factory is not known.
FACTORY_PLACEHOLDER = "YOUR_APP_FACTORY"


@dataclass(frozen=True, slots=True)
class FailedRequest:
    """The request whose handling raised the failure: it is requested again in the test."""

    method: str
    path: str


def failed_request() -> FailedRequest | None:
    """The routed request being handled now, when there is one (the failure came from a page)."""
    from flask import has_request_context, request

    if not has_request_context() or request.url_rule is None:
        return None
    # The raw query, percent-escaped as a browser sends it: decoding it (``request.full_path``) fails
    # on bytes that are not UTF-8, and the page explaining the failure must not fail on them.
    query = escaped_query_string(request.query_string)
    return FailedRequest(request.method, f"{request.path}?{query}" if query else request.path)


def app_source(app: Flask) -> tuple[str, str] | None:
    """``(import line, expression)`` that give the app in a test: its factory, else its global."""
    target = os.environ.get("FLASK_APP", "")
    module_name, _, attribute = target.partition(":")
    module_name = module_name.removesuffix(".py").replace("/", ".") if module_name else app.import_name
    module = sys.modules.get(module_name)
    if module is None or module_name == "__main__":
        return None
    name = re.match(r"\s*([A-Za-z_]\w*)", attribute)
    wanted = [name.group(1)] if name else []
    for candidate in (*wanted, *FACTORY_NAMES):
        value = getattr(module, candidate, None)
        if callable(value) and not hasattr(value, "url_map"):
            return f"from {module_name} import {candidate}", f"{candidate}()"
    for variable, value in vars(module).items():
        if value is app and variable.isidentifier():
            return f"from {module_name} import {variable}", variable
    return None


def _slug(text: str) -> str:
    return re.sub(r"\W+", "_", text).strip("_").lower() or "page"


def assertion(diagnosis: Diagnosis) -> str | None:
    """``url_for(...) == '/url'``: the fixed call as built (sample values for placeholders), and its URL.

    The heart of the regression test; one-line faces (the note) show it on its own.
    """
    if diagnosis.fix is None or diagnosis.fix_url is None or diagnosis.fix_endpoint is None:
        return None
    keywords = [(name, literal(value)) for name, value in diagnosis.fix_values.items()]
    return f"{write_call(literal(diagnosis.fix_endpoint), keywords)} == {literal(diagnosis.fix_url)}"


def regression_test(app: Flask, diagnosis: Diagnosis, request: FailedRequest | None) -> str | None:
    """The pytest module text for the diagnosis's fix; ``None`` without a fix that builds."""
    built = assertion(diagnosis)
    if built is None or diagnosis.fix_endpoint is None:
        return None
    source = app_source(app)
    if source is not None:
        imports, expression = source
        fixture = f"@pytest.fixture\ndef app():\n    return {expression}\n"
    else:
        imports = ""
        fixture = (
            "@pytest.fixture\ndef app():\n"
            f"    # The app's factory was not found: replace {FACTORY_PLACEHOLDER}() with yours.\n"
            f"    return {FACTORY_PLACEHOLDER}()\n"
        )
    note = ""
    if diagnosis.placeholders:
        note = f"    # Sample values stand for {', '.join(diagnosis.placeholders)}: use the real ones.\n"
    parts = [
        "import pytest\nfrom flask import url_for\n" + (f"\n{imports}\n" if imports else ""),
        fixture,
        f"def test_{_slug(diagnosis.fix_endpoint)}_builds(app):\n"
        f"{note}"
        "    with app.test_request_context():\n"
        f"        assert {built}\n",
    ]
    if request is not None and request.method in ("GET", "HEAD"):
        parts.append(
            f"def test_{_slug(request.path)}_no_longer_fails(app):\n"
            f"    response = app.test_client().get({literal(request.path)})\n"
            "    assert response.status_code < 500\n"
        )
    return "\n\n".join(parts)
