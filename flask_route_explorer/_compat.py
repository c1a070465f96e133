"""Every touch of a private Werkzeug or Flask attribute lives here, each with a fallback.

Werkzeug and Flask do not promise these names; when one disappears the fallback keeps the
explorer working with a little less detail instead of crashing the host app.
"""

from __future__ import annotations

import functools
import re
import typing as t

from werkzeug.local import LocalProxy
from werkzeug.routing import BaseConverter, Map, Rule, parse_converter_args

# The same grammar Werkzeug uses for one ``<converter(args):variable>`` part of a rule.
VARIABLE_RE = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<arguments>.*?)\))?:)?"
    r"(?P<variable>[a-zA-Z_][a-zA-Z0-9_]*)>"
)


class RuleVariable(t.NamedTuple):
    """One variable as written in a rule string."""

    name: str
    converter: str
    args: tuple[t.Any, ...]
    kwargs: dict[str, t.Any]


#: Where :func:`count_added_rules` keeps its count, in the map's instance dict.
_ADDED_RULES_KEY = "_route_explorer_rules"


def rules_version(url_map: Map) -> tuple[int, int]:
    """A fingerprint that changes whenever a rule is added to the map: (rules, endpoints).

    Every face asks it before answering (``get_inventory``): with :func:`count_added_rules` it
    costs nothing; without, it adds up the length of every endpoint's rule list, which at 10,000
    rules took longer than most diagnoses (bench_diagnosis).
    """
    by_endpoint = getattr(url_map, "_rules_by_endpoint", None)
    if isinstance(by_endpoint, dict):
        counted = url_map.__dict__.get(_ADDED_RULES_KEY)
        if counted is not None:
            return (counted[0], len(by_endpoint))
        # Werkzeug 3.1's ``_rules`` is a property that copies every rule: 10 ms per call at 10,000 rules.
        return (sum(map(len, by_endpoint.values())), len(by_endpoint))
    rules = getattr(url_map, "_rules", None)
    if isinstance(rules, list):
        return (len(rules), id(rules[-1]) if rules else 0)
    all_rules = list(url_map.iter_rules())
    return (len(all_rules), id(all_rules[-1]) if all_rules else 0)


def count_added_rules(url_map: Map) -> None:
    """Keep a number that grows with every rule added to this map, so :func:`rules_version` need not count.

    ``Map.add`` is wrapped on this map instance only (as the recorder wraps ``url_for`` on the app),
    and only when the explorer is mounted or the app is in testing mode. The number starts at the rules already there and grows
    by one per ``add`` (which may add several rules: it only has to change). Fallback: nothing kept
    (a map without ``_rules_by_endpoint``), and :func:`rules_version` adds the rules up.
    """
    by_endpoint = getattr(url_map, "_rules_by_endpoint", None)
    if not isinstance(by_endpoint, dict) or _ADDED_RULES_KEY in url_map.__dict__:
        return
    counted = [sum(map(len, by_endpoint.values()))]
    add = url_map.add

    @functools.wraps(add)
    def counting_add(rulefactory: t.Any) -> None:
        try:
            add(rulefactory)
        finally:  # also when it failed half-way: some rules may be in
            counted[0] += 1

    url_map.__dict__[_ADDED_RULES_KEY] = counted
    url_map.add = counting_add  # type: ignore[method-assign]


def rule_variables(rule: Rule) -> list[RuleVariable]:
    """The variables of a rule in the order they appear (host or subdomain part first)."""
    text = f"{rule.host or rule.subdomain or ''}|{rule.rule}"
    if "<" not in text:
        return []
    found: list[RuleVariable] = []
    for match in VARIABLE_RE.finditer(text):
        converter, raw, variable = match.group("converter", "arguments", "variable")
        args, kwargs = _converter_arguments(raw) if raw else ((), ())
        found.append(RuleVariable(variable, converter or "default", args, dict(kwargs)))
    return found


@functools.lru_cache(maxsize=1024)
def _converter_arguments(raw: str) -> tuple[tuple[t.Any, ...], tuple[tuple[str, t.Any], ...]]:
    """``parse_converter_args``, once per distinct text: big apps repeat ``int(min=1)`` thousands of times."""
    try:
        args, kwargs = parse_converter_args(raw)
    except Exception:  # a custom converter may take arguments Werkzeug cannot parse back
        return (raw,), ()
    return tuple(args), tuple(kwargs.items())


def rule_converters(rule: Rule) -> dict[str, BaseConverter]:
    """The converter instance bound to each variable of a compiled rule."""
    converters = getattr(rule, "_converters", None)
    if isinstance(converters, dict) and converters:
        return dict(converters)
    url_map = getattr(rule, "map", None)
    if url_map is None:
        return {}
    result: dict[str, BaseConverter] = {}
    for variable in rule_variables(rule):
        converter_class = url_map.converters.get(variable.converter)
        if converter_class is None:
            continue
        try:
            result[variable.name] = converter_class(url_map, *variable.args, **variable.kwargs)
        except Exception:
            continue
    return result


if t.TYPE_CHECKING:
    from flask import Flask
    from jinja2 import Environment


def created_jinja_env(app: Flask) -> Environment | None:
    """The app's Jinja environment if it already exists, without creating it.

    ``Flask.jinja_env`` is a cached property stored in the instance ``__dict__``; creating it early
    would freeze ``app.jinja_options`` before the app is done setting them. Fallback: ``None``.
    """
    from jinja2 import Environment

    env = vars(app).get("jinja_env")
    return env if isinstance(env, Environment) else None


def rule_trace(rule: Rule) -> list[tuple[bool, str]]:
    """The rule as ``(is_variable, text)`` pieces: host or subdomain, ``"|"``, then the path.

    Slashes are pieces of their own; the testers compare a path against a rule piece by piece.
    """
    trace = getattr(rule, "_trace", None)
    if isinstance(trace, list) and trace:
        first = trace[0]
        if type(first) is tuple and len(first) == 2 and type(first[0]) is bool and type(first[1]) is str:
            return list(trace)  # Werkzeug's own (bool, str) pieces: shared, not rebuilt one by one
        return [(bool(is_variable), str(text)) for is_variable, text in trace]
    pieces: list[tuple[bool, str]] = []
    for part in (rule.host or rule.subdomain or "", "|", rule.rule):
        if part == "|":
            pieces.append((False, "|"))
            continue
        position = 0
        for match in VARIABLE_RE.finditer(part):
            pieces.extend((False, s) for s in re.split(r"(/)", part[position : match.start()]) if s)
            pieces.append((True, match.group("variable")))
            position = match.end()
        pieces.extend((False, s) for s in re.split(r"(/)", part[position:]) if s)
    return pieces


def _request_globals_reader() -> t.Callable[[], t.Any]:
    """Read ``g`` of the active request straight from Flask's context variables.

    The public ``g`` proxy costs about 1 µs per lookup, too much on the ``url_for`` hot path.
    Fallback: ``has_request_context()`` and the proxy.
    """
    try:
        from flask.globals import _cv_app, _cv_request
    except ImportError:
        from flask import g, has_request_context

        return lambda: g._get_current_object() if has_request_context() else None

    def read() -> t.Any:
        return None if _cv_request.get(None) is None else _cv_app.get().g

    return read


#: ``request_globals()``: the current request's ``g`` object, or ``None`` outside a request.
request_globals = _request_globals_reader()


def active_request_context() -> t.Any:
    """The request context on top of Flask's stack, or ``None``; lets a batch check it still is.

    Fallback: ``None`` (the caller then opens a fresh context, as without a batch).
    """
    try:
        from flask.globals import _cv_request
    except ImportError:
        return None
    return _cv_request.get(None)


# --- Frames of a failing url_for, Jinja's template frames, Flask-DebugToolbar -------------------
# The diagnosis reads the failing call from the frames it went through, and the error page lets
# Flask-DebugToolbar inject itself; both rely on names those libraries do not document.


class UrlForArguments(t.NamedTuple):
    """What ``Flask.url_for`` was asked to build, as its frame holds it."""

    endpoint: str
    values: dict[str, t.Any]
    method: str | None
    external: bool | None
    scheme: str | None
    anchor: str | None
    #: The request's blueprint, which a relative ``.name`` resolved against.
    blueprint: str | None


def url_for_arguments(frame: t.Any) -> UrlForArguments | None:
    """The arguments of the ``Flask.url_for`` call running in ``frame``, from its locals.

    Flask names them ``endpoint``, ``values``, ``_method``...; ``blueprint_name`` is a local it
    reads from the request. Fallback: ``None`` (the caller uses what the exception carries).
    """
    local = frame.f_locals
    if "values" not in local or "endpoint" not in local:
        return None
    return UrlForArguments(
        str(local["endpoint"]),
        dict(local["values"] or {}),
        local.get("_method"),
        local.get("_external"),
        local.get("_scheme"),
        local.get("_anchor"),
        local.get("blueprint_name"),
    )


def url_for_helper_endpoint(frame: t.Any) -> str | None:
    """The endpoint as written, from ``flask.url_for``'s frame (``Flask.url_for`` resolved it already).

    Fallback: ``None``.
    """
    endpoint = frame.f_locals.get("endpoint")
    return endpoint if isinstance(endpoint, str) else None


def _inject_url_defaults_code() -> t.Any:
    """Flask 3 defines ``inject_url_defaults`` on ``flask.sansio.app.App``; Flask 2 on ``Flask``."""
    try:
        from flask.sansio.app import App
    except ImportError:  # Flask < 3.0
        from flask import Flask as App
    return getattr(App.inject_url_defaults, "__code__", None)


_INJECT_URL_DEFAULTS_CODE = _inject_url_defaults_code()


def runs_url_defaults_hooks(frame: t.Any) -> bool:
    """Whether ``frame`` is Flask's ``inject_url_defaults``, which calls the hooks directly.

    Fallback: ``False`` (a hook's failure is then diagnosed as the url_for failure it hides).
    """
    return _INJECT_URL_DEFAULTS_CODE is not None and frame.f_code is _INJECT_URL_DEFAULTS_CODE


def frame_template(frame_globals: t.Mapping[str, t.Any]) -> t.Any:
    """The Jinja ``Template`` whose compiled code runs with these globals, or ``None``.

    Jinja puts it in the module globals of its generated code as ``__jinja_template__``.
    Fallback: ``None`` (the call is then shown at its Python line).
    """
    return frame_globals.get("__jinja_template__")


def template_variables(frame: t.Any) -> t.Mapping[str, t.Any]:
    """The template variables visible in a frame of Jinja's generated code.

    Fallback: ``{}`` (fixes then fall back to placeholders).
    """
    try:
        from jinja2.debug import get_template_locals

        return get_template_locals(frame.f_locals)
    except Exception:
        return {}


def debug_toolbar_for_request() -> tuple[t.Any, t.Any] | None:
    """Flask-DebugToolbar's extension and the toolbar of the current request, if it has one.

    The toolbar keeps its extension in ``g.debug_toolbar`` and each request's toolbar in its
    ``debug_toolbars_var`` context variable, keyed by request. Fallback: ``None``.
    """
    from flask import g, request

    extension = g.get("debug_toolbar")
    toolbars = getattr(extension, "debug_toolbars_var", None)
    if toolbars is None:
        return None
    try:
        toolbar = toolbars.get({}).get(request._get_current_object())  # type: ignore[attr-defined]
    except Exception:
        return None
    return (extension, toolbar) if toolbar is not None else None


def debug_toolbar_static_path(toolbar: t.Any) -> str:
    """Where the toolbar serves its static files, as its templates receive it. Fallback: ``""``."""
    return str(getattr(toolbar, "template_context", {}).get("static_path", ""))


#: The toolbar's templates whose markup ends up in a page: the toolbar itself and its panels.
_DEBUG_TOOLBAR_PAGE_TEMPLATES = re.compile(r"^(base\.html|panels/[^/]+\.html)$")


def debug_toolbar_page_templates(extension: t.Any) -> tuple[t.Any, list[tuple[str, str]]]:
    """The toolbar's Jinja environment and ``(name, source)`` of its page templates.

    Fallback: the environment (or ``None``) and no templates.
    """
    env = getattr(extension, "jinja_env", None)
    loader: t.Any = getattr(env, "loader", None)
    try:
        names = [n for n in loader.list_templates() if _DEBUG_TOOLBAR_PAGE_TEMPLATES.match(n)]
        return env, [(name, loader.get_source(env, name)[0]) for name in names]
    except Exception:
        return env, []


# --- used by diagnosis/ (and its faces: errorpage) ---------------------------------------------


def unproxied(obj: t.Any) -> t.Any:
    """The object behind a Werkzeug ``LocalProxy`` (``current_app``), or ``obj`` itself.

    ``type()`` of a proxy is not the app's class, and a proxy compared with ``is`` is not the app.
    Fallback: ``obj`` unchanged (a proxy then keeps working wherever attribute access is enough).
    """
    if not isinstance(obj, LocalProxy):
        return obj
    try:
        return obj._get_current_object()
    except Exception:
        return obj


def has_url_defaults_hooks(app: Flask) -> bool:
    """Whether the app or one of its blueprints registered a ``url_defaults`` function.

    Reads ``app.url_default_functions``. Fallback: ``True``, so the hooks are run to find out.
    """
    functions = getattr(app, "url_default_functions", None)
    if not isinstance(functions, t.Mapping):
        return True
    return any(functions.values())


def error_handlers(
    app: Flask, blueprint: str | None, code: int | None
) -> t.Mapping[type[BaseException], t.Callable[[t.Any], t.Any]]:
    """The error handlers registered on ``blueprint`` (``None``: the app) for a status ``code``.

    Reads ``app.error_handler_spec`` without adding entries to its defaultdicts.
    Fallback: no handlers (the error page then explains errors an app handler might have taken).
    """
    spec = getattr(app, "error_handler_spec", None)
    try:
        handlers = spec[blueprint].get(code) if spec is not None and blueprint in spec else None
    except Exception:
        return {}
    return handlers if isinstance(handlers, t.Mapping) else {}


# --- used by auditing/ ------------------------------------------------------------------------


def parse_regex(pattern: str) -> list[tuple[t.Any, t.Any]] | None:
    """The parse tree of a regular expression, from the ``re`` module's own parser.

    The audit derives sample values a custom converter accepts from its ``regex``. The parser is
    ``re._parser`` (``sre_parse`` before Python 3.11). Fallback: ``None`` (no derived samples).
    """
    try:
        from re import _parser  # type: ignore[attr-defined]  # private since Python 3.11, no stubs
    except ImportError:  # pragma: no cover - Python 3.10
        try:
            import sre_parse as _parser
        except ImportError:
            return None
    try:
        return list(_parser.parse(pattern))
    except Exception:
        return None


# --- Flask versions ----------------------------------------------------------------------------


def _blueprint_class() -> type:
    """The class every blueprint is an instance of: ``flask.sansio`` from Flask 3.0, ``flask`` before."""
    try:
        from flask.sansio.blueprints import Blueprint
    except ImportError:  # Flask < 3.0
        from flask import Blueprint
    return Blueprint


#: Every blueprint object, whatever the Flask version, is an instance of this.
BLUEPRINT_CLASS: type = _blueprint_class()


# --- used by diagnosis/ (real-world mistakes: a view object as endpoint, Flask-Login's login view) ---


def url_for_endpoint_object(frame: t.Any) -> t.Any:
    """The endpoint ``Flask.url_for`` was given, as it was (a function or class, not only a string).

    Fallback: ``None``.
    """
    try:
        return frame.f_locals.get("endpoint")
    except Exception:
        return None


def login_view(app: Flask) -> str | None:
    """Flask-Login's ``login_view`` setting (``app.login_manager.login_view``), when it is a string.

    Fallback: ``None`` (no Flask-Login, or its manager is not attached to the app).
    """
    view = getattr(getattr(app, "login_manager", None), "login_view", None)
    return view if isinstance(view, str) and view else None
