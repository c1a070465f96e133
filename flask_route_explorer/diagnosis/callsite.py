"""The failing ``url_for`` call: where it is (Python line or template line) and its text.

A traceback says *that* url_for failed; to rewrite the call we need the caller's frame (its
variables fill in missing values) and the call's text (to change only what is wrong). Both come
from walking outward from Flask's own ``url_for`` frame, so it works while the error is being
handled (inside ``url_build_error_handlers``, where the traceback starts at ``url_for``) and later
(on the error page, where Jinja has rewritten the template frames).
"""

from __future__ import annotations

import ast
import functools
import itertools
import linecache
import os
import re
import typing as t
from collections import ChainMap
from dataclasses import dataclass
from types import CodeType, FrameType, TracebackType

import flask.helpers
from flask import Flask

from .. import _compat
from ..endpoints import write_call
from .model import CallSite

#: Code objects of the functions a failing call goes through; the caller is just outside them.
URL_FOR_CODES = frozenset({Flask.url_for.__code__, flask.helpers.url_for.__code__})
#: Modules between the caller and ``Flask.url_for`` (Flask's helper, Jinja's call machinery,
#: a recording wrapper of ours): never the call site.
_PLUMBING_MODULES = ("flask.", "jinja2.", "werkzeug.", "flask_route_explorer")
#: The recorder wraps ``app.url_for``: its frame sits between a user's call and Flask's.
_RECORDER_MODULE = "flask_route_explorer.recorder"
#: Lines shown around the call on the error page.
CONTEXT_LINES = 5
#: A call spread over more lines than this is not rewritten.
_MAX_CALL_LINES = 12

_CALL_START_RE = re.compile(r"(?<![\w.])((?:[A-Za-z_][\w]*\.)*url_for)\s*\(")
#: Any callee: ``link(`` for ``from flask import url_for as link``, found by position rather than name.
_CALLEE_RE = re.compile(r"((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)\s*\(")
_IDENTIFIER_RE = re.compile(r"[A-Za-z_]\w*$")


@dataclass(frozen=True, slots=True)
class ParsedCall:
    """One ``url_for(...)`` call as written: its text split into arguments (expressions kept as text)."""

    #: Start and end offsets of the call in the searched text.
    start: int
    end: int
    #: The callee as written: ``url_for``, ``flask.url_for``, ``app.url_for``.
    func: str
    #: The first positional argument as written (``'users.profile'``, ``request.endpoint``).
    endpoint_expr: str | None
    #: The endpoint when it is a string literal, else ``None``.
    endpoint_literal: str | None
    #: ``(name, expression)`` for each keyword argument, in order.
    keywords: tuple[tuple[str, str], ...]
    #: ``**mapping`` expressions, in order.
    star_kwargs: tuple[str, ...]
    #: Positional arguments after the endpoint (``url_for('x', value)``: a TypeError), when asked for.
    positionals: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return self.render(self.endpoint_expr or "", self.keywords, self.star_kwargs)

    def quote(self) -> str:
        """The quote character the endpoint was written with (templates inside ``href="..."`` need it kept)."""
        expr = (self.endpoint_expr or "").lstrip("rbuRBU")
        return '"' if expr.startswith('"') else "'"

    def render(
        self, endpoint_expr: str, keywords: t.Iterable[tuple[str, str]], star_kwargs: t.Iterable[str] = ()
    ) -> str:
        """The call text for other arguments, in the same style (the callee as the caller named it)."""
        if not endpoint_expr:  # ``url_for(**arguments)``: no endpoint argument to write first
            return write_call("", list(keywords), list(star_kwargs), function=self.func).replace("(, ", "(", 1)
        return write_call(endpoint_expr, list(keywords), list(star_kwargs), function=self.func)


def _outside_strings(text: str, start: int = 0) -> t.Iterator[tuple[int, str, int]]:
    """Each character outside string literals, with the bracket depth once it is read."""
    depth = 0
    quote: str | None = None
    i = start
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 2
                continue
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        else:
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
            yield i, char, depth
        i += 1


def _matching_paren(text: str, open_index: int) -> int | None:
    """Index just after the bracket closing ``text[open_index]``, skipping strings."""
    for i, char, depth in _outside_strings(text, open_index):
        if depth == 0 and char in ")]}":
            return i + 1
    return None


def _split_arguments(inner: str) -> list[str]:
    """Split an argument list at its top-level commas."""
    parts: list[str] = []
    start = 0
    for i, char, depth in _outside_strings(inner):
        if char == "," and depth == 0:
            parts.append(inner[start:i].strip())
            start = i + 1
    parts.append(inner[start:].strip())
    return [p for p in parts if p]


def _string_literal(expr: str) -> str | None:
    try:
        value = ast.literal_eval(expr)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def _parse_at(text: str, match: re.Match[str], positionals: bool = False) -> ParsedCall | None:
    """The call whose callee ``match`` found; ``None`` when it is not a url_for call we understand.

    More positional arguments than url_for takes are kept only with ``positionals`` (the
    diagnosis of that TypeError); elsewhere such a call is not one of ours.
    """
    open_index = match.end() - 1
    end = _matching_paren(text, open_index)
    if end is None:
        return None
    endpoint_expr: str | None = None
    keywords: list[tuple[str, str]] = []
    stars: list[str] = []
    extra: list[str] = []
    for part in _split_arguments(text[open_index + 1 : end - 1]):
        if part.startswith("**"):
            stars.append(part[2:].strip())
            continue
        name, eq, expr = part.partition("=")
        if eq and _IDENTIFIER_RE.match(name.strip()) and not expr.startswith("="):
            keywords.append((name.strip(), expr.strip()))
        elif endpoint_expr is None:
            endpoint_expr = part
        elif positionals and not keywords:
            extra.append(part)
        else:
            return None  # more positional arguments than url_for takes: not a call we understand
    return ParsedCall(
        start=match.start(),
        end=end,
        func=match.group(1),
        endpoint_expr=endpoint_expr,
        endpoint_literal=_string_literal(endpoint_expr) if endpoint_expr else None,
        keywords=tuple(keywords),
        star_kwargs=tuple(stars),
        positionals=tuple(extra),
    )


def find_calls(text: str) -> list[ParsedCall]:
    """Every ``url_for(...)`` call in ``text`` that can be read."""
    calls = []
    for match in _CALL_START_RE.finditer(text):
        parsed = _parse_at(text, match)
        if parsed is not None:
            calls.append(parsed)
    return calls


def find_call(
    text: str | None, endpoints: t.Collection[str] = (), keywords: t.Collection[str] | None = None
) -> ParsedCall | None:
    """The call in ``text`` that most likely failed: the one whose endpoint literal is one of ``endpoints``.

    With several calls on a line, the endpoint decides; then the keyword names; then the first call.
    """
    if not text:
        return None
    calls = find_calls(text)
    if not calls:
        return None
    if endpoints:
        same = [c for c in calls if c.endpoint_literal in endpoints]
        if same:
            calls = same
        elif len(calls) > 1:
            dynamic = [c for c in calls if c.endpoint_literal is None]
            calls = dynamic or calls
    if keywords is not None and len(calls) > 1:
        wanted = set(keywords)
        calls = sorted(calls, key=lambda c: -len(wanted & {name for name, _ in c.keywords}))
    return calls[0]


@functools.lru_cache(maxsize=256)
def call_at(text: str, span: tuple[int, int], positionals: bool = False) -> ParsedCall | None:
    """The call that spans exactly ``text[span[0]:span[1]]``, whatever its callee is named.

    Cached: a diagnosis reads its call three times (to find the call site, to parse its
    arguments, to write the fixed line), and the parsed call is immutable.
    """
    match = _CALLEE_RE.match(text, span[0])
    parsed = _parse_at(text, match, positionals) if match is not None else None
    return parsed if parsed is not None and parsed.end == span[1] else None


def template_wrapper(source: str, call: ParsedCall) -> tuple[int, int]:
    """The span of the ``{{ ... }}`` or ``{% ... %}`` tag around a call in a template line.

    The call alone is returned when it is not inside a tag on this line.
    """
    opening = max(source.rfind("{{", 0, call.start), source.rfind("{%", 0, call.start))
    if opening < 0:
        return call.start, call.end
    closer = "}}" if source.startswith("{{", opening) else "%}"
    closing = source.find(closer, call.end)
    between = source.find("}}" if closer == "}}" else "%}", opening + 2, call.start)
    if closing < 0 or between >= 0:
        return call.start, call.end
    closing += 2
    # Keep whitespace-control markers ({{- -}}) with the tag.
    return opening, closing


def rewrite_call(source: str, call: ParsedCall, new_text: str, template: bool) -> tuple[str, str]:
    """``(fixed_source, fix)``: ``source`` with the call replaced, and the replaced piece itself.

    For a template, the piece is the whole tag the call sits in (``{{ url_for(...) }}``), with the
    call replaced: that is what a developer pastes.
    """
    fixed = source[: call.start] + new_text + source[call.end :]
    if not template:
        return fixed, new_text
    start, end = template_wrapper(source, call)
    if (start, end) == (call.start, call.end):
        return fixed, "{{ " + new_text + " }}"
    delta = len(new_text) - (call.end - call.start)
    return fixed, fixed[start : end + delta]


def frames_of(tb: TracebackType | None) -> list[tuple[FrameType, int]]:
    """``(frame, line)`` of each traceback entry, outermost first."""
    frames = []
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def url_for_frame(error: BaseException) -> FrameType | None:
    """Flask's ``url_for`` frame for this error (its locals hold the endpoint and values), or ``None``."""
    helper: FrameType | None = None
    for frame, _ in frames_of(error.__traceback__):
        if frame.f_code is Flask.url_for.__code__:
            return frame
        if frame.f_code is flask.helpers.url_for.__code__ and helper is None:
            helper = frame
    return helper


def helper_frame(frame: FrameType | None) -> FrameType | None:
    """``flask.url_for``'s frame just outside ``Flask.url_for``: it still holds the endpoint as written."""
    back = frame.f_back if frame is not None else None
    while back is not None and _is_plumbing(back):
        if back.f_code is flask.helpers.url_for.__code__:
            return back
        back = back.f_back
    return None


def hook_frame(error: BaseException) -> tuple[FrameType, int] | None:
    """The ``url_defaults`` hook frame the error was raised in (``(frame, line)``), or ``None``."""
    frames = frames_of(error.__traceback__)
    for position, (frame, _) in enumerate(frames):
        if _compat.runs_url_defaults_hooks(frame) and position + 1 < len(frames):
            return frames[position + 1]
    return None


def _is_plumbing(frame: FrameType) -> bool:
    if _compat.frame_template(frame.f_globals) is not None:
        return False
    module = frame.f_globals.get("__name__") or ""
    return module == "flask" or module.startswith(_PLUMBING_MODULES)


def _caller(frame: FrameType) -> FrameType | None:
    """The first frame outside url_for and its plumbing.

    ``None`` when the explorer itself made the call (a tester build, a fix check): the frames
    further out are the explorer's caller (a view, a CLI command), not a ``url_for`` a user wrote.
    """
    back = frame.f_back
    while back is not None and _is_plumbing(back):
        module = back.f_globals.get("__name__") or ""
        if module.startswith("flask_route_explorer") and module != _RECORDER_MODULE:
            return None
        back = back.f_back
    return back


def _template_source(template: t.Any) -> str | None:
    filename = getattr(template, "filename", None)
    if filename and os.path.isfile(filename):
        try:
            with open(filename, encoding="utf-8") as f:
                return f.read()
        except (OSError, UnicodeDecodeError):
            pass
    loader = getattr(getattr(template, "environment", None), "loader", None)
    name = getattr(template, "name", None)
    if loader is not None and name:
        try:
            return str(loader.get_source(template.environment, name)[0])
        except Exception:
            return None
    return None


def _source_lines(code: CodeType, template: t.Any, module_globals: dict[str, t.Any] | None = None) -> list[str]:
    """The template's lines for template code, else the code's file (found through its module's loader too)."""
    if template is not None:
        text = _template_source(template)
        return text.splitlines() if text is not None else []
    filename = code.co_filename
    linecache.checkcache(filename)
    return [line.rstrip("\n") for line in linecache.getlines(filename, module_globals)]


def _call_text(lines: list[str], line: int) -> str | None:
    """The source from ``line`` on, until the url_for call on it is closed (multi-line calls)."""
    if not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    for extra in range(line, min(len(lines), line + _MAX_CALL_LINES)):
        match = _CALL_START_RE.search(text)
        if match is None or _matching_paren(text, match.end() - 1) is not None:
            break
        text += "\n" + lines[extra]
    return text


def _char_offset(line: str, byte_offset: int) -> int:
    """Code positions count UTF-8 bytes; strings count characters."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _located_call(
    lines: list[str], code: t.Any, lasti: int, positionals: bool = False
) -> tuple[int, str, tuple[int, int]] | None:
    """``(first line, source lines, span of the call in them)`` of the call the instruction at ``lasti`` makes.

    The compiler's positions (Python 3.11+) mark the whole call expression, so the call is found
    whatever the callee is named (``link(...)`` after ``from flask import url_for as link``) and
    however many lines it spans. ``None`` when positions are unknown or do not mark a call.
    """
    positions = getattr(code, "co_positions", None)
    if positions is None or lasti < 0:
        return None
    # One position per 2-byte code unit, caches included, so the index is the offset halved.
    found = next(itertools.islice(positions(), lasti // 2, None), None)
    if found is None or None in found:
        return None
    first, last, start_col, end_col = found
    if not 0 < first <= last <= len(lines) or last - first >= _MAX_CALL_LINES:
        return None
    block = lines[first - 1 : last]
    start = _char_offset(block[0], start_col)
    end = sum(len(line) + 1 for line in block[:-1]) + _char_offset(block[-1], end_col)
    source = "\n".join(block)
    if call_at(source, (start, end), positionals) is None:
        return None
    return first, source, (start, end)


def call_site(url_for: FrameType | None, tb: TracebackType | None = None) -> CallSite | None:
    """The call site of the url_for whose frame is given; ``None`` when no user frame called it.

    ``tb`` is the error's traceback: a frame that caught the error and went on running has moved
    past the call, and only the traceback still knows the failing line and instruction.
    """
    if url_for is None:
        return None
    frame = _caller(url_for)
    if frame is None:
        return None
    return _site(frame, tb)


def positional_call_site(error: BaseException) -> CallSite | None:
    """The call site of a url_for call that never ran: Python refused its arguments (a TypeError for
    ``url_for('show', item_id)``), so the innermost frame of the traceback is the caller itself.

    ``None`` unless that frame's failing instruction is a call with positional values after the
    endpoint, written in Python (a template's call goes through Jinja, which reports it otherwise).
    """
    if not isinstance(error, TypeError):
        return None
    entries = list(_entries(error.__traceback__))
    if not entries:
        return None
    frame = entries[-1][0]
    if _compat.frame_template(frame.f_globals) is not None or _is_plumbing(frame):
        return None
    site = _site(frame, error.__traceback__, positionals=True)
    if site is None or site.span is None or not site.source:
        return None
    parsed = call_at(site.source, site.span, positionals=True)
    return site if parsed is not None and parsed.positionals and parsed.func.endswith("url_for") else None


def _site(frame: FrameType, tb: TracebackType | None, positionals: bool = False) -> CallSite | None:
    """The call site of the call ``frame`` makes, as the traceback recorded it."""
    lineno, lasti = next(
        ((line, last) for f, line, last in _entries(tb) if f is frame), (frame.f_lineno, frame.f_lasti)
    )
    template = _compat.frame_template(frame.f_globals)
    names: t.Mapping[str, t.Any] = (
        _compat.template_variables(frame) if template is not None else ChainMap(dict(frame.f_locals), frame.f_globals)
    )
    return _code_site(frame.f_code, lasti, lineno, template, names, frame.f_globals, positionals)


def recorded_call_site(code: CodeType, lasti: int, code_line: int | None, template: t.Any) -> CallSite | None:
    """The call site of a recorded call whose frame is gone (a failure the app caught and let go).

    The recorder keeps the caller's code, instruction offset and template; the names visible at the
    call went with the frame, so the site has none (a fix then uses the values the call passed).
    """
    return _code_site(code, lasti, code_line, template, {}) if code_line is not None else None


def _code_site(
    code: CodeType,
    lasti: int,
    code_line: int,
    template: t.Any,
    names: t.Mapping[str, t.Any],
    module_globals: dict[str, t.Any] | None = None,
    positionals: bool = False,
) -> CallSite:
    """The call at instruction ``lasti`` of ``code`` (on ``code_line`` of its Python, or of the template's)."""
    line = code_line
    if template is not None:
        try:
            line = int(template.get_corresponding_lineno(code_line))
        except Exception:
            line = code_line
        filename = getattr(template, "filename", None)
        file = filename if filename and os.path.isfile(filename) else (template.name or filename)
    else:
        file = code.co_filename
    lines = _source_lines(code, template, module_globals)
    located = _located_call(lines, code, lasti, positionals) if template is None else None
    source: str | None
    span: tuple[int, int] | None
    if located is not None:
        line, source, span = located
    else:
        source, span = _call_text(lines, line), None
    low, high = max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES)
    return CallSite(
        file=file,
        line=line,
        source=source,
        template=template is not None,
        names=names,
        context=tuple((n, lines[n - 1]) for n in range(low, high + 1)),
        span=span,
    )


def _entries(tb: TracebackType | None) -> t.Iterator[tuple[FrameType, int, int]]:
    """``(frame, line, instruction offset)`` of each traceback entry, outermost first."""
    while tb is not None:
        yield tb.tb_frame, tb.tb_lineno, tb.tb_lasti
        tb = tb.tb_next
