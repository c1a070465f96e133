"""url_for's vocabulary: its own options, relative endpoint names, and writing a call as code.

Every face that reads, explains or writes a ``url_for`` call uses these, so that "which keyword
arguments are url_for's own", "what does ``.edit`` resolve to" and "how is a call written" each
have one answer.
"""

from __future__ import annotations

import keyword
import math
import typing as t
import uuid

#: url_for's own keyword arguments: everything else it is given is a URL value.
OPTIONS: tuple[str, ...] = ("_anchor", "_method", "_scheme", "_external")
#: The order in which written calls put the options.
_OPTION_ORDER: tuple[str, ...] = ("_method", "_external", "_scheme", "_anchor")


def is_option(name: str) -> bool:
    """Whether ``name`` is one of url_for's own keyword arguments (not a URL value)."""
    return name in OPTIONS


def url_values(arguments: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The keyword arguments of a url_for call without url_for's own options."""
    return {name: value for name, value in arguments.items() if name not in OPTIONS}


def resolve_endpoint(endpoint: str, blueprint: str | None) -> str:
    """What url_for looks up for ``endpoint`` in a request handled by ``blueprint``.

    ``'.edit'`` becomes ``'blog.edit'`` in blueprint ``blog`` and ``'edit'`` outside any blueprint,
    as Flask resolves it; an absolute name is returned unchanged.
    """
    if not endpoint.startswith("."):
        return endpoint
    return f"{blueprint}{endpoint}" if blueprint else endpoint[1:]


def jsonable(value: t.Any) -> t.Any:
    """A value as JSON can carry it: JSON types stay, a UUID or a non-finite float becomes text,
    containers are converted item by item, anything else becomes its ``repr``."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return repr(value)


def literal(value: t.Any, quote: str = "'", *, template: bool = False) -> str:
    """``value`` as a literal in Python (or, with ``template``, in Jinja), strings in ``quote``.

    A value that has no literal (an object) is written as the string of it, which url_for would
    build with anyway.
    """
    if isinstance(value, bool):
        return ("true" if value else "false") if template else repr(value)
    if value is None:
        return "none" if template else "None"
    if isinstance(value, (int, float)):
        return repr(value)
    text = value if isinstance(value, str) else str(value)
    escaped = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return f"{quote}{escaped}{quote}"


def write_call(
    endpoint: str,
    keywords: t.Sequence[tuple[str, str]] = (),
    stars: t.Sequence[str] = (),
    *,
    function: str = "url_for",
) -> str:
    """The one writer of a call's text: ``url_for(ENDPOINT, name=EXPR, ..., **STAR)``.

    ``endpoint`` and the keyword expressions are source text already; names that are not Python
    identifiers cannot be keywords and go into one ``**{...}`` mapping.
    """
    parts = [endpoint]
    starred: list[str] = []
    for name, expression in keywords:
        if name.isidentifier() and not keyword.iskeyword(name):
            parts.append(f"{name}={expression}")
        else:
            starred.append(f"{name!r}: {expression}")
    if starred:
        parts.append("**{" + ", ".join(starred) + "}")
    parts += [f"**{star}" for star in stars]
    return f"{function}({', '.join(parts)})"


def call_for(
    endpoint: str,
    values: t.Mapping[str, t.Any],
    options: t.Mapping[str, t.Any] | None = None,
    *,
    quote: str = "'",
    template: bool = False,
) -> str:
    """The url_for call that passes these runtime values and options, written as literals.

    ``None`` values are left out (url_for drops them), and so is ``_external=False`` (a request
    builds relative URLs anyway).
    """
    keywords = [(name, literal(value, quote, template=template)) for name, value in values.items() if value is not None]
    for name in _OPTION_ORDER:
        value = (options or {}).get(name)
        if value is None or value is False or value == "":
            continue
        keywords.append((name, literal(value, quote, template=template)))
    return write_call(literal(endpoint, quote), keywords)
