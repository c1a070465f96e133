"""The explorer's own Jinja environment, shared by every HTML face.

Pages, the error page and the toolbar panel render here, never in the host app's environment:
the app's context processors, globals and loader settings can neither break nor be changed by us.
"""

from __future__ import annotations

import functools
import os
import re
import typing as t
from urllib.parse import urlencode

from flask import current_app, has_request_context, request
from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup, escape

from . import _compat
from ._compat import VARIABLE_RE
from ._resources import TEMPLATES_DIR
from .access import HOST_KEY
from .diagnosis import report
from .editor import editor_url
from .inventory import Route

if t.TYPE_CHECKING:
    from flask import Flask

#: The order method badges are shown in; other methods follow alphabetically.
COMMON_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def explorer_app() -> Flask:
    """The app whose routes are shown: the host app, also when the explorer's own pages app renders."""
    app = _compat.unproxied(current_app)
    return t.cast("Flask", app.extensions.get(HOST_KEY, app))


def page_url(path: str, query: t.Mapping[str, t.Any] | None = None) -> str:
    """A link to one of the explorer's pages, from its pages or from the app's (error page, panel).

    The pages live in front of the app, not in its URL map, so links are the prefix plus a path.
    """
    prefix = explorer_app().config["ROUTE_EXPLORER_URL_PREFIX"]
    root = request.script_root if has_request_context() else ""
    shown = {k: v for k, v in (query or {}).items() if v not in (None, "", [], ())}
    return f"{root}{prefix}{path}" + ("?" + urlencode(shown, doseq=True, safe="!$'()*,/:;?@") if shown else "")


def source_link(file: str | None, line: int | None, shown: str | None = None, css: str = "loc") -> Markup:
    """Where some code is, as every face writes it: a short ``file:line``, the whole path in its title.

    It opens the file at the line in the developer's editor when ``ROUTE_EXPLORER_EDITOR`` names
    one, and is plain text otherwise. ``shown`` replaces the short path (a handler's name, a
    template's name). Written in Python: the routes table shows one or more per row.
    """
    if not file:
        return Markup(f'<span class="{css}">{escape(shown)}</span>') if shown else Markup("")
    app = explorer_app()
    where = escape(f"{file}:{line}" if line else file)
    if shown is None:
        shown = (display_path(file, app.root_path) or file) + (f":{line}" if line else "")
    config = app.config
    link = editor_url(file, line, config.get("ROUTE_EXPLORER_EDITOR"), config.get("ROUTE_EXPLORER_EDITOR_PATH_MAP"))
    if link is None:
        return Markup(f'<span class="{css}" title="{where}">{escape(shown)}</span>')
    return Markup(f'<a class="{css}" href="{escape(link)}" title="Open {where} in your editor">{escape(shown)}</a>')


def _static(filename: str) -> str:
    return page_url(f"/static/{filename}")


@functools.cache
def environment() -> Environment:
    """One environment per process; autoescaping is on for every template."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(plain_text=plain_text, highlight=highlight, rule_html=rule_html, method_badges=method_badges)
    env.globals.update(
        page_url=page_url,
        source_link=source_link,
        static=_static,
        explorer_link=explorer_link,
        build_link=build_link,
        match_link=match_link,
        # One wording for a fix in every face: verified, a template with sample values, a guess.
        fix_label=report.fix_label,
        built_label=report.built_label,
        sample_values=report.sample_values,
        guess_text=report.guess_text,
    )
    return env


def _bytecode_cache() -> BytecodeCache | None:
    """Compiled templates kept across restarts (the reloader restarts on every save).

    Compiling the explorer's templates is most of a first page's time at 1,400 rules. Jinja keeps
    them in a private folder of the user's temporary directory, checked by the template's source.
    """
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # no usable temporary folder: compile on each start, as before
        return None


def render(template: str, **context: t.Any) -> str:
    """Render one of the explorer's templates (names start with ``route_explorer/``)."""
    return environment().get_template(template).render(**context)


def explorer_link(endpoint: str) -> str:
    """The explorer filtered to one endpoint (every face links a route here)."""
    return page_url("/", {"q": endpoint})


def build_link(endpoint: str, values: t.Mapping[str, t.Any] | None = None) -> str:
    """The URL-build tester, prefilled with an endpoint and values."""
    return page_url("/build", {"endpoint": endpoint, **{k: v for k, v in (values or {}).items() if v is not None}})


def match_link(path: str, method: str | None = None) -> str:
    """The path tester, prefilled."""
    return page_url("/match", {"path": path, "method": method})


# --- Presentation helpers every face uses ---------------------------------------------------


@functools.lru_cache(maxsize=16384)
def display_path(file: str | None, root: str | None) -> str | None:
    """A short form of a source path for tables: relative to the app's folder, or from the package on.

    The full path stays in links and titles; this is only what a row shows.
    """
    if not file:
        return None
    marker = f"{os.sep}site-packages{os.sep}"
    if root and not _relative(file, root).startswith(".."):
        return _relative(file, root)
    if marker in file:
        return file.split(marker, 1)[1]
    if root:
        # Beside the app's package: the project folder (tests/, other packages of the project).
        relative = _relative(file, os.path.dirname(os.path.abspath(root)))
        if not relative.startswith(".."):
            return relative
    return file


def _relative(file: str, base: str) -> str:
    try:
        return os.path.relpath(file, base)
    except ValueError:  # another drive on Windows
        return file


def shown_methods(route: Route, include_automatic: bool) -> tuple[str, ...] | None:
    """A route's method badges in the usual reading order (GET, POST, PUT, PATCH, DELETE, others)."""
    methods = route.methods if include_automatic else route.visible_methods
    return None if methods is None else _reading_order(methods)


_METHOD_ORDER = {m: i for i, m in enumerate((*COMMON_METHODS, "HEAD", "OPTIONS"))}


@functools.lru_cache(maxsize=256)
def _reading_order(methods: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(methods, key=lambda m: (_METHOD_ORDER.get(m, len(_METHOD_ORDER)), m)))


class RuleSegment(t.NamedTuple):
    """A piece of a rule string: literal text, or a variable with its converter as written."""

    text: str
    #: ``None`` for literal text; ``""`` for a bare ``<name>``; else e.g. ``"int(min=1)"``.
    converter: str | None


@functools.lru_cache(maxsize=16384)
def rule_segments(rule: str) -> tuple[RuleSegment, ...]:
    """Split a rule for highlighting, keeping each converter and its arguments exactly as written."""
    segments: list[RuleSegment] = []
    position = 0
    for match in VARIABLE_RE.finditer(rule):
        if match.start() > position:
            segments.append(RuleSegment(rule[position : match.start()], None))
        converter = match.group("converter") or ""
        if converter and match.group("arguments") is not None:
            converter += f"({match.group('arguments')})"
        segments.append(RuleSegment(match.group("variable"), converter))
        position = match.end()
    if position < len(rule):
        segments.append(RuleSegment(rule[position:], None))
    return tuple(segments)


@functools.lru_cache(maxsize=16384)
def rule_html(rule: str) -> Markup:
    """A rule as every page shows it: variables and converters marked, a break allowed after each slash.

    A filter rather than a template macro: the routes table shows one per row, and a Jinja macro
    call costs more than the markup it writes. ``<wbr>`` is ignored when the text is copied.
    """
    parts: list[str] = []
    for segment in rule_segments(rule):
        if segment.converter is None:
            parts.append("/<wbr>".join(str(escape(piece)) for piece in segment.text.split("/")))
        else:
            converter = f'<span class="conv">{escape(segment.converter)}:</span>' if segment.converter else ""
            parts.append(f'<span class="var">&lt;{converter}{escape(segment.text)}&gt;</span>')
    return Markup(f'<span class="rule">{"".join(parts)}</span>')


_ANY_METHOD = Markup('<span class="badge m-ANY" title="This rule accepts any method">ANY</span>')


def method_badges(methods: t.Sequence[str] | None) -> Markup:
    """One badge per method, in the order given (see :func:`shown_methods`); ``None`` is any method."""
    return _ANY_METHOD if methods is None else _badges(tuple(methods))


@functools.lru_cache(maxsize=256)
def _badges(methods: tuple[str, ...]) -> Markup:
    return Markup("".join(f'<span class="badge m-{escape(m)}">{escape(m)}</span>' for m in methods))


#: reStructuredText and Markdown inline markup, as docstrings write it: ``:role:`text```, ````code````,
#: ``**strong**``, ``*em*``, ``_em_``, ``[text](url)``, ``<url>``.
_MARKUP: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r":[a-z]+(?::[a-z]+)?:`~?([^`]+)`"), r"\1"),
    (re.compile(r"`{1,2}([^`]+)`{1,2}_?"), r"\1"),
    (re.compile(r"\*\*([^*]+)\*\*"), r"\1"),
    (re.compile(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])__?([^_\s][^_]*)__?(?![\w_])"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
)

#: A character each pattern of ``_MARKUP`` needs, in the same order.
_MARKUP_SIGNS = ("`", "`", "**", "*", "_", "](")


def plain_text(text: str | None) -> str:
    """A docstring line without its reStructuredText or Markdown markup (a table cell shows no markup)."""
    if not text:
        return ""
    for (pattern, replacement), sign in zip(_MARKUP, _MARKUP_SIGNS):
        if sign in text:  # most lines have no markup: skip the patterns that cannot match
            text = pattern.sub(replacement, text)
    return text


def highlight(text: str | None, query: str | None) -> Markup:
    """``text`` escaped, with each word of the search query marked where it occurs (any case)."""
    shown = str(text or "")
    if not query:
        return escape(shown)
    words = sorted({w for w in re.split(r"[\s/.<>:]+", query.lower()) if len(w) >= 2}, key=len, reverse=True)
    if not words:
        return escape(shown)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    parts: list[str] = []
    position = 0
    for found in pattern.finditer(shown):
        parts += [str(escape(shown[position : found.start()])), f"<mark>{escape(found.group(0))}</mark>"]
        position = found.end()
    parts.append(str(escape(shown[position:])))
    return Markup("".join(parts))
