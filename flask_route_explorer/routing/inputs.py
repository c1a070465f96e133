"""What the testers accept: the caps on their input, and the refusal of input they cannot answer.

The testers answer every keystroke of a form and every call of the API, so input is checked before
any work: a refusal is a sentence for the person who typed it, and nothing is built or matched.
"""

from __future__ import annotations

import re
import typing as t
from urllib.parse import unquote

from ..endpoints import OPTIONS

if t.TYPE_CHECKING:
    from flask import Flask

#: Input caps: far above any real URL, low enough that no input can make a tester slow.
MAX_PATH = 2000
MAX_VALUE = 1000
MAX_VALUES = 50
MAX_NAME = 200

_METHOD_RE = re.compile(r"[A-Z][A-Z0-9_-]{0,19}")
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,19}")
_HOST_RE = re.compile(r"[A-Za-z0-9._\-:\[\]]{1,255}")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
#: ``http://``, ``https://``...: a full URL rather than a path.
ABSOLUTE_URL_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


class BuildOptions(t.NamedTuple):
    """url_for's own options of a build, and the blueprint whose request it pretends to be in."""

    method: str | None
    external: bool
    scheme: str | None
    anchor: str | None
    blueprint: str | None


def blank(value: str | None) -> str | None:
    """A form field stripped, ``None`` when nothing is left."""
    value = value.strip() if isinstance(value, str) else value
    return value or None


def match_input_problem(path: str, method: str, host: str | None) -> str | None:
    """Why the path tester refuses this input, or ``None`` when it can answer."""
    if not path:
        return "Enter a path to match, such as /users/7."
    if len(path) > MAX_PATH:
        return f"The path is {len(path):,} characters long; the tester accepts at most {MAX_PATH:,}."
    if _CONTROL_RE.search(path):
        return "The path contains control characters; a browser would never send them."
    try:
        unquote(path, errors="strict")
    except UnicodeDecodeError:
        return "The path has percent-escapes that are not valid UTF-8 (such as %FF); Flask would read them as U+FFFD."
    if not _METHOD_RE.fullmatch(method):
        return f"{method[:40]!r} is not an HTTP method."
    if host is not None and not _HOST_RE.fullmatch(host):
        return "The host may hold only letters, digits, dots, hyphens and a port."
    return None


def build_input_problem(
    app: Flask,
    endpoint: str,
    values: t.Mapping[str, t.Any],
    extra: t.Mapping[str, t.Any],
    options: BuildOptions,
) -> str | None:
    """Why the build tester refuses this input, or ``None`` when it can answer."""
    if not endpoint:
        return "Choose an endpoint to build a URL for."
    if len(endpoint) > MAX_NAME:
        return f"The endpoint name is {len(endpoint):,} characters long; the tester accepts at most {MAX_NAME}."
    if _CONTROL_RE.search(endpoint):
        return "The endpoint name contains control characters."
    return _values_problem(values, extra) or _options_problem(app, options)


def _values_problem(values: t.Mapping[str, t.Any], extra: t.Mapping[str, t.Any]) -> str | None:
    if len(values) + len(extra) > MAX_VALUES:
        return f"{len(values) + len(extra)} values given; the tester accepts at most {MAX_VALUES}."
    for name, value in (*values.items(), *extra.items()):
        if not isinstance(name, str) or not name:
            return "A value has no name."
        if len(name) > MAX_NAME or _CONTROL_RE.search(name):
            return f"The value name {name[:40]!r}… is not a usable argument name."
        if name in OPTIONS:
            return f"{name} is one of url_for's own arguments: use its field, not a value."
        if name == "endpoint":
            return "'endpoint' cannot be a value: it is url_for's first parameter."
        if isinstance(value, str) and len(value) > MAX_VALUE:
            return f"The value of {name!r} is {len(value):,} characters long; the tester accepts at most {MAX_VALUE:,}."
    clash = next((name for name in extra if name in values), None)
    if clash is not None:
        return f"{clash!r} is given both as a URL variable and as an extra query argument."
    return None


def _options_problem(app: Flask, options: BuildOptions) -> str | None:
    method, scheme, anchor, blueprint = options.method, options.scheme, options.anchor, options.blueprint
    if method is not None and not _METHOD_RE.fullmatch(method):
        return f"{method[:40]!r} is not an HTTP method."
    if scheme is not None and not _SCHEME_RE.fullmatch(scheme):
        return f"{scheme[:40]!r} is not a URL scheme (such as https)."
    if anchor is not None and len(anchor) > MAX_VALUE:
        return f"The anchor is {len(anchor):,} characters long; the tester accepts at most {MAX_VALUE:,}."
    if blueprint is not None and blueprint not in app.blueprints:
        known = ", ".join(sorted(app.blueprints)) or "none"
        return f"No blueprint named {blueprint[:60]!r} is registered (registered: {known})."
    return None
