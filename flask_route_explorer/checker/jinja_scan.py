"""Jinja templates: their ``url_for`` calls and the templates they extend, include or import.

The template is parsed by the app's own Jinja environment (its delimiters, its extensions), with a
parser subclass that notes the calls as it builds them. Jinja nodes have line numbers but no
columns, so the call's column and the tag around it come from the text.
"""

from __future__ import annotations

import bisect
import re
import typing as t

from jinja2 import Environment, nodes
from jinja2.parser import Parser

from ..diagnosis import UNKNOWN, callsite
from .calls import FoundCall, split_keywords
from .files import SourceFile

#: The nodes by which one template names another.
Reference = nodes.Extends | nodes.Include | nodes.Import | nodes.FromImport

#: A template holds none of these words: it has no call to check and no template to pass its blueprints to.
_TEMPLATE_WORDS = ("url_for", "extends", "include", "import")
_URL_FOR_OPENING = re.compile(r"\burl_for\s*\(")
_ENDPOINT_LITERAL_START = re.compile(r"url_for\s*\(\s*(['\"])")


def might_matter(text: str) -> bool:
    """Whether a template can hold a call or pass its blueprints on; the others are not parsed."""
    return any(word in text for word in _TEMPLATE_WORDS)


class UrlForParser(Parser):
    """Jinja's own parser, noting ``url_for`` calls and template references as it builds them.

    ``Environment.parse`` is this parser's ``parse()`` (plus traceback rewriting); walking the
    finished tree again to find the calls cost a tenth of the parse on big trees.
    """

    def __init__(self, environment: Environment, source: str, name: str | None, filename: str | None) -> None:
        super().__init__(environment, source, name, filename)
        #: ``url_for`` calls in source order (an outer call before the calls in its arguments).
        self.url_for_calls: list[nodes.Call] = []
        #: ``extends``, ``include``, ``import`` and ``from`` nodes.
        self.references: list[Reference] = []

    @classmethod
    def scan(
        cls, environment: Environment, source: str, name: str | None, filename: str | None
    ) -> tuple[list[nodes.Call], list[Reference]]:
        """The template's url_for calls and references (the tree itself is not needed).

        Raises Jinja's ``TemplateSyntaxError`` for a template that does not parse.
        """
        parser = cls(environment, source, name, filename)
        parser.parse()
        return parser.url_for_calls, parser.references

    def parse_call(self, node: nodes.Expr) -> nodes.Call:
        """Jinja's call parsing; a ``url_for`` call is noted in the place it starts, before its nested calls."""
        if not (isinstance(node, nodes.Name) and node.name == "url_for"):
            return super().parse_call(node)
        slot = len(self.url_for_calls)
        self.url_for_calls.append(t.cast(nodes.Call, None))  # keeps the place before nested calls
        call = super().parse_call(node)
        self.url_for_calls[slot] = call
        return call

    def parse_extends(self) -> nodes.Extends:
        """Jinja's ``extends`` parsing, noting the reference."""
        node = super().parse_extends()
        self.references.append(node)
        return node

    def parse_include(self) -> nodes.Include:
        """Jinja's ``include`` parsing, noting the reference."""
        node = super().parse_include()
        self.references.append(node)
        return node

    def parse_import(self) -> nodes.Import:
        """Jinja's ``import`` parsing, noting the reference."""
        node = super().parse_import()
        self.references.append(node)
        return node

    def parse_from(self) -> nodes.FromImport:
        """Jinja's ``from`` parsing, noting the reference."""
        node = super().parse_from()
        self.references.append(node)
        return node


def referenced_names(references: t.Iterable[Reference]) -> set[str]:
    """The literal template names the references name (a computed name cannot be followed)."""
    names: set[str] = set()
    for reference in references:
        template = reference.template
        if isinstance(template, nodes.Const) and isinstance(template.value, str):
            names.add(template.value)
        elif isinstance(template, (nodes.List, nodes.Tuple)):
            names.update(i.value for i in template.items if isinstance(i, nodes.Const) and isinstance(i.value, str))
    return names


def _call_positions(text: str, starts: list[int], env: Environment) -> dict[int, list[tuple[int, int]]]:
    """Line -> ``(offset of url_for(, end of its tag)`` inside Jinja tags, in order.

    Jinja nodes have no column; the tag's end gives the call's source lines as written.
    """
    opening = "|".join(re.escape(s) for s in (env.variable_start_string, env.block_start_string))
    closing = "|".join(re.escape(s) for s in (env.variable_end_string, env.block_end_string))
    tags = re.compile(rf"(?:{opening}).*?(?:{closing})", re.S)
    found: dict[int, list[tuple[int, int]]] = {}
    for tag in tags.finditer(text):
        for call in _URL_FOR_OPENING.finditer(text, tag.start(), tag.end()):
            found.setdefault(bisect.bisect_right(starts, call.start()), []).append((call.start(), tag.end()))
    return found


def _opening_literal_span(text: str, offset: int, endpoint: str) -> tuple[int, int] | None:
    """Offsets of the endpoint inside the string literal that opens the call, if it is one."""
    match = _ENDPOINT_LITERAL_START.match(text, offset)
    if match is None:
        return None
    start = match.end()
    end = start + len(endpoint)
    if text[start:end] != endpoint or text[end : end + 1] != match.group(1):
        return None
    return (start, end)


def _tag_lines(source: SourceFile, call_start: int, tag_end: int) -> tuple[str, tuple[int, int] | None]:
    """A template call's source for the engine: the whole lines of its tag, and where the call is in them.

    The lines, as the error page passes them, let the fix keep the tag around the call as written
    (``{% set x = ... %}``, a filter). The call's place is only needed, and only worked out, when
    the lines hold another ``url_for`` the engine could take for it.
    """
    first = source.line_of(call_start)
    last = source.line_of(max(call_start, tag_end - 1))
    start = source.line_starts[first - 1]
    stop = source.line_starts[last] if last < len(source.line_starts) else len(source.text)
    lines = source.text[start:stop].rstrip("\r\n")
    if lines.count("url_for") < 2:
        return lines, None
    at = call_start - start
    return lines, next(((c.start, c.end) for c in callsite.find_calls(lines) if c.start == at), None)


def template_calls(source: SourceFile, calls: list[nodes.Call], env: Environment) -> list[FoundCall]:
    """The parsed calls of a template, each matched with its place in the text.

    The n-th ``url_for`` node of a line is the n-th ``url_for(`` inside a tag on that line: the
    parser notes calls in source order, outer before nested, as the text has them.
    """
    found: list[FoundCall] = []
    per_line: dict[int, int] = {}
    positions: dict[int, list[tuple[int, int]]] | None = None
    for node in calls:
        line = node.node.lineno
        if positions is None:
            positions = _call_positions(source.text, source.line_starts, env)
        nth = per_line.get(line, 0)
        per_line[line] = nth + 1
        on_line = positions.get(line, [])
        found.append(_template_call(source, node, on_line[nth] if nth < len(on_line) else None))
    return found


def _template_call(source: SourceFile, node: nodes.Call, position: tuple[int, int] | None) -> FoundCall:
    """The call; ``position`` is where ``url_for(`` starts and its tag ends, when found in the text."""
    line = node.node.lineno
    offset = position[0] if position is not None else None
    endpoint_node: nodes.Expr | None = node.args[0] if node.args else None
    keywords: list[tuple[str, t.Any]] = []
    for keyword in node.kwargs:
        if keyword.key == "endpoint" and endpoint_node is None:
            endpoint_node = keyword.value
        else:
            keywords.append((keyword.key, keyword.value.value if isinstance(keyword.value, nodes.Const) else UNKNOWN))
    values, options = split_keywords(keywords)
    endpoint = None
    span = None
    if isinstance(endpoint_node, nodes.Const) and isinstance(endpoint_node.value, str):
        endpoint = endpoint_node.value
        if offset is not None and node.args:
            span = _opening_literal_span(source.text, offset, endpoint)
    # Only an ignore comment needs the call's last line (walking the call's nodes costs).
    last_line = max((n.lineno for n in node.find_all(nodes.Node)), default=line) if source.ignores else line
    text, site_span = _tag_lines(source, *position) if position is not None else (source.line_text(line), None)
    return FoundCall(
        path=source.path,
        line=line,
        column=offset - source.line_starts[line - 1] + 1 if offset is not None else 1,
        last_line=max(last_line, line),
        template=True,
        source=text,
        site_span=site_span,
        endpoint=endpoint,
        values=values,
        star_kwargs=node.dyn_args is not None or node.dyn_kwargs is not None,
        method=options.get("_method"),
        external=options.get("_external"),
        scheme=options.get("_scheme"),
        span=span,
    )
