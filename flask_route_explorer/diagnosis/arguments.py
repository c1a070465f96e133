"""Values passed the wrong way: positionally, or wrapped in one keyword (``kwargs={...}``).

``url_for`` takes the endpoint's values as keyword arguments only. A value passed after the
endpoint (``url_for('show', item_id)``) makes Python raise a TypeError before url_for runs; a dict
passed as ``kwargs=``, ``params=`` or ``values=`` (copied from ``redirect()`` or another framework)
is taken as one query argument named ``kwargs``, so the rule's variables are missing. Both are
read back here into the values they stood for, and the fix passes them as keywords named as the
rule's variables.
"""

from __future__ import annotations

import ast
import typing as t
from collections.abc import Mapping
from dataclasses import dataclass

from .model import UNKNOWN

if t.TYPE_CHECKING:
    from ..inventory import Route

#: Keyword names that, holding a mapping, wrap the values rather than naming one.
WRAPPER_NAMES = frozenset(
    {"kwargs", "params", "values", "args", "query", "url_params", "view_args", "arguments", "parameters", "data"}
)


@dataclass(frozen=True, slots=True)
class Moved:
    """One value passed the wrong way, and the keyword it is passed as in the fix."""

    #: The rule variable (or query argument) it stands for.
    name: str
    #: Its expression in the call's text (``request_id``, ``self.slug``); ``None`` when not read.
    expression: str | None
    value: t.Any
    #: Where it was: ``None`` for a positional value, else the wrapping keyword (``kwargs``).
    wrapper: str | None


def evaluate(expression: str, names: t.Mapping[str, t.Any]) -> t.Any:
    """The value of a simple expression the caller sees (literals, names, ``a.b``, ``a['b']``,
    dict/list/tuple displays); :data:`~.model.UNKNOWN` for anything else (never calls code)."""
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        return UNKNOWN
    return _value(node, names)


def _value(node: ast.AST, names: t.Mapping[str, t.Any]) -> t.Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        try:
            return names[node.id]
        except Exception:
            return UNKNOWN
    if isinstance(node, ast.Attribute):
        owner = _value(node.value, names)
        return UNKNOWN if owner is UNKNOWN else getattr(owner, node.attr, UNKNOWN)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        owner = _value(node.value, names)
        try:
            return UNKNOWN if owner is UNKNOWN else owner[node.slice.value]
        except Exception:
            return UNKNOWN
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
        return {t.cast("ast.Constant", k).value: _value(v, names) for k, v in zip(node.keys, node.values)}
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_value(e, names) for e in node.elts)
    return UNKNOWN


def dict_items(expression: str) -> list[tuple[str, str]] | None:
    """``[(key, value expression), ...]`` of a dict display with string keys (``{"slug": self.slug}``,
    ``dict(slug=self.slug)``); ``None`` for any other expression."""
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        return None
    text = expression.strip()
    if isinstance(node, ast.Dict):
        if not all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys):
            return None
        pairs = zip(node.keys, node.values)
        return [(str(t.cast("ast.Constant", k).value), ast.get_source_segment(text, v) or "") for k, v in pairs]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" and not node.args:
        if any(k.arg is None for k in node.keywords):
            return None
        return [(t.cast(str, k.arg), ast.get_source_segment(text, k.value) or "") for k in node.keywords]
    return None


def unwrap(values: t.Mapping[str, t.Any], expressions: t.Mapping[str, str]) -> list[Moved]:
    """The values a keyword like ``kwargs={...}`` wraps: a mapping passed under a wrapper's name.

    ``expressions`` holds each keyword's text, when the call was read, to keep the caller's
    expressions (``self.slug``) in the fix.
    """
    moved: list[Moved] = []
    for keyword, value in values.items():
        if keyword not in WRAPPER_NAMES or not isinstance(value, Mapping):
            continue
        if not all(isinstance(k, str) and k.isidentifier() for k in value):
            continue
        texts = dict(dict_items(expressions[keyword]) or ()) if keyword in expressions else {}
        moved += [Moved(name, texts.get(name), inner, keyword) for name, inner in value.items()]
    return moved


def place(positionals: t.Sequence[tuple[str, t.Any]], route: Route, passed: t.Collection[str]) -> list[Moved]:
    """Name positional values after ``route``'s variables: a mapping gives its own names, a tuple
    or list fills the variables in the rule's order, a single value the variables the call lacks."""
    if len(positionals) == 1 and isinstance(positionals[0][1], Mapping):
        expression, value = positionals[0]
        texts = dict(dict_items(expression) or ())
        return [Moved(str(k), texts.get(str(k)), v, None) for k, v in value.items()]
    if len(positionals) == 1 and isinstance(positionals[0][1], (tuple, list)):
        expression, value = positionals[0]
        try:
            node = ast.parse(expression.strip(), mode="eval").body
            elements = [ast.get_source_segment(expression.strip(), e) for e in getattr(node, "elts", [])]
        except SyntaxError:
            elements = []
        sources: list[str | None] = elements if len(elements) == len(value) else [None] * len(value)
        return [Moved(n, e, v, None) for n, e, v in zip(route.argument_names, sources, value)]
    free = [name for name in route.argument_names if name not in passed]
    return [Moved(name, expression, value, None) for name, (expression, value) in zip(free, positionals)]
