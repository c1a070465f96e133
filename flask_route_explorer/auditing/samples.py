"""Sample URLs a rule matches, for asking Werkzeug's matcher who really serves them.

Each converter gets a few values it accepts (its regex matches them in full and ``to_python``
takes them): ``int`` gets 1 and a big number within its limits, ``any`` every item, ``path``
one and several segments, ``uuid`` and ``float`` one value of each shape, a custom converter the
values its regex produces plus common shapes (words, numbers, UUIDs) it happens to accept.
"""

from __future__ import annotations

import functools
import re
import typing as t
import uuid
from urllib.parse import unquote

from werkzeug.routing import BaseConverter
from werkzeug.routing.converters import AnyConverter, FloatConverter, IntegerConverter, PathConverter, UUIDConverter

from .. import _compat

#: At most this many values per variable: enough to tell "every URL" from "some URLs".
MAX_VALUES = 6
#: Shapes tried on converters we know nothing about besides their regex.
_COMMON_SHAPES = (
    "audit",
    "x",
    "1",
    "987654321",
    "1.5",
    "audit-sample",
    "12345678-1234-5678-1234-567812345678",
    "a/b/c",
    "AUDIT",
    "_",
)


class Samples(t.NamedTuple):
    """Values for one variable, as they appear in a URL path, and whether they are all it accepts."""

    values: tuple[str, ...]
    exhaustive: bool


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    """``re``'s own cache holds 512 patterns, and Werkzeug's matcher alone churns through them."""
    return re.compile(pattern)


def accepts(converter: BaseConverter, text: str) -> bool:
    """Whether Werkzeug would hand ``text`` to this converter and the converter keep it."""
    try:
        if _compiled(converter.regex).fullmatch(text) is None:
            return False
        converter.to_python(text)
    except Exception:  # ValidationError, or a custom converter's own failure: not a value it takes
        return False
    return True


def _as_path_text(converter: BaseConverter, value: t.Any) -> str | None:
    try:
        return unquote(converter.to_url(value))
    except Exception:
        return None


def converter_samples(converter: BaseConverter) -> Samples:
    """A few values the converter accepts (see the module's docstring), without duplicates."""
    if isinstance(converter, AnyConverter):
        return Samples(tuple(sorted(str(item) for item in converter.items)), True)
    candidates: list[t.Any]
    if isinstance(converter, IntegerConverter):
        low, high = converter.min, converter.max
        candidates = [low, high, 1, 987654321, 0, -7]
        candidates = [c for c in candidates if c is not None]
    elif isinstance(converter, FloatConverter):
        candidates = [converter.min, converter.max, 1.5, 98765.25, 0.0]
        candidates = [c for c in candidates if c is not None]
    elif isinstance(converter, UUIDConverter):
        candidates = [
            uuid.UUID("12345678-1234-5678-1234-567812345678"),
            uuid.UUID(int=0xF0E1D2C3B4A5968778695A4B3C2D1E0F),
        ]
    elif isinstance(converter, PathConverter):
        candidates = ["a/b/c", "x"]
    else:
        candidates = [*regex_samples(converter.regex), *_COMMON_SHAPES]
    found: dict[str, None] = {}
    for candidate in candidates:
        text = candidate if isinstance(candidate, str) else _as_path_text(converter, candidate)
        if text is not None and text not in found and accepts(converter, text):
            found[text] = None
        if len(found) >= MAX_VALUES:
            break
    return Samples(tuple(found), False)


def regex_samples(pattern: str) -> list[str]:
    """Two strings the regex produces: the shortest choices, then longer ones and other branches."""
    tree = _compat.parse_regex(pattern)
    if tree is None:
        return []
    produced: list[str] = []
    for variant in (0, 1):
        text = _produce(tree, variant)
        if text is not None and text not in produced:
            produced.append(text)
    return produced


def _produce(tree: t.Sequence[tuple[t.Any, t.Any]], variant: int) -> str | None:
    """One string from a parse tree of ``re``'s parser; ``None`` for constructs it cannot produce."""
    out: list[str] = []
    for op, arg in tree:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name in ("NOT_LITERAL", "ANY"):
            out.append("a" if name == "ANY" or arg != ord("a") else "b")
        elif name == "IN":
            char = _in_char(arg)
            if char is None:
                return None
            out.append(char)
        elif name == "BRANCH":
            branches = arg[1]
            part = _produce(branches[min(variant, len(branches) - 1)], variant)
            if part is None:
                return None
            out.append(part)
        elif name == "SUBPATTERN":
            part = _produce(arg[-1], variant)
            if part is None:
                return None
            out.append(part)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = arg
            count = min(low + variant, high) if variant else max(low, 1 if high else 0)
            part = _produce(body, variant)
            if part is None:
                return None
            out.append(part * count)
        elif name == "AT":
            continue
        else:  # back references, look-arounds, unicode categories: give up on this regex
            return None
    return "".join(out)


def _in_char(items: t.Sequence[tuple[t.Any, t.Any]]) -> str | None:
    """A character of a ``[...]`` set."""
    negated = any(str(op) == "NEGATE" for op, _ in items)
    if negated:
        excluded = {chr(arg) for op, arg in items if str(op) == "LITERAL"}
        return next((c for c in "abcx1" if c not in excluded), None)
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return {"CATEGORY_DIGIT": "1", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " "}.get(str(arg), "a")
    return None


def url_rows(pieces: t.Sequence[tuple[bool, str]], samples: t.Mapping[str, Samples]) -> list[str]:
    """The rule's text with its variables filled in, one URL per row of samples.

    Row ``i`` takes each variable's ``i``-th value (cycling): every value of every variable appears
    in some URL, without the product of all combinations.
    """
    rows = max((len(s.values) for s in samples.values()), default=1) or 1
    urls: list[str] = []
    for row in range(rows):
        text = []
        for is_variable, piece in pieces:
            if is_variable:
                values = samples[piece].values
                text.append(values[row % len(values)])
            else:
                text.append(piece)
        urls.append("".join(text))
    return list(dict.fromkeys(urls))


def exhaustive(samples: t.Mapping[str, Samples]) -> bool:
    """Whether the rows of :func:`url_rows` are every URL the rule matches.

    True with no variables, or when every variable is finite (``any``) and at most one of them has
    several values (the rows cycle values; they do not form the product).
    """
    if not all(s.exhaustive for s in samples.values()):
        return False
    return sum(1 for s in samples.values() if len(s.values) > 1) <= 1
