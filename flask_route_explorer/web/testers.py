"""The live testers: build a URL (``{prefix}/build``) and match a path (``{prefix}/match``), plus JSON.

Thin: read the query string, ask :mod:`flask_route_explorer.routing`, render its answer. Both pages
are plain GET forms (they work without JavaScript); with htmx every keystroke swaps in the answer.
The state lives in the query string only, so every tester view is a link a developer can share.
"""

from __future__ import annotations

import json
import typing as t
from dataclasses import dataclass

from flask import Blueprint, current_app, request
from htmx_flask.requests import HtmxHeaders
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from .. import routing
from ..inventory import AUTOMATIC_METHODS, Argument, Inventory, Route, get_inventory
from ..rendering import display_path, explorer_app, render
from ..search import search, summarize
from .forms import flag

#: Query parameters of the build tester that are not URL values.
BUILD_PARAMETERS = ("endpoint", "_method", "_external", "_scheme", "_anchor", "_blueprint", "_query", "_fields_for")
#: How many endpoints the picker suggests.
SUGGESTIONS = 8
#: The methods the path tester always offers; the app's other methods follow.
COMMON_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def register(bp: Blueprint) -> None:
    """Add the testers' views to the blueprint."""
    bp.add_url_rule("/build", "build", build_page)
    bp.add_url_rule("/match", "match", match_page)
    bp.add_url_rule("/api/build", "api_build", api_build)
    bp.add_url_rule("/api/match", "api_match", api_match)


@dataclass(frozen=True, slots=True)
class BuildForm:
    """The build tester's query string: the endpoint, its values and the special arguments."""

    endpoint: str
    values: dict[str, str]
    extra: dict[str, str]
    method: str
    external: bool
    scheme: str
    anchor: str
    blueprint: str
    #: The extra query arguments as typed, one ``name=value`` per line.
    query_text: str
    #: The endpoint whose fields the page shows now (htmx swaps the fields when it changes).
    fields_for: str | None
    #: Lines of the extra query text that are not ``name=value``.
    ignored_lines: tuple[str, ...] = ()

    @classmethod
    def from_args(
        cls, args: MultiDict[str, str], variables: t.Callable[[str, str], t.Collection[str]], *, live: bool
    ) -> BuildForm:
        """Read the form; ``variables(endpoint, blueprint)`` names the endpoint's URL variables.

        On a full page load (a prefill link) any other parameter is an extra query argument; a form
        sent ``live`` by htmx carries those in its ``_query`` text instead, so the inputs left from the
        previously picked endpoint are dropped.
        """
        endpoint = args.get("endpoint", "").strip()
        blueprint = args.get("_blueprint", "").strip()
        fields_for = args.get("_fields_for")
        names = variables(endpoint, blueprint)
        values: dict[str, str] = {}
        loose: dict[str, str] = {}
        for name in args:
            if name in BUILD_PARAMETERS:
                continue
            value = args.get(name, "")
            if name in names:
                if value != "":
                    values[name] = value
            elif not live:
                loose[name] = value
        extra, ignored = _parse_query_text(args.get("_query", ""))
        for name, value in loose.items():
            extra.setdefault(name, value)
        query_text = "\n".join(f"{name}={value}" for name, value in extra.items())
        return cls(
            endpoint=endpoint,
            values=values,
            extra=extra,
            method=args.get("_method", "").strip().upper(),
            external=flag(args.get("_external")),
            scheme=args.get("_scheme", "").strip(),
            anchor=args.get("_anchor", ""),
            blueprint=blueprint,
            query_text=query_text if not ignored else args.get("_query", ""),
            fields_for=fields_for,
            ignored_lines=ignored,
        )


def _parse_query_text(text: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """``name=value`` lines into a dict; lines without ``=`` are returned to be reported."""
    values: dict[str, str] = {}
    ignored: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            ignored.append(line.strip()[:80])
            continue
        values[name.strip()] = value.strip()
    return values, tuple(ignored)


@dataclass(frozen=True, slots=True)
class Field:
    """One input of the build form, typed by its converter."""

    argument: Argument
    label: str
    #: "number", "select" or "text".
    kind: str
    value: str
    required: bool
    attributes: dict[str, str]
    options: tuple[str, ...] = ()
    hint: str = ""


def _field(argument: Argument, value: str, required: bool, defaults: t.Mapping[str, t.Any]) -> Field:
    """The input that fits the converter: a number with its limits, a select of ``any``'s items..."""
    label = routing.converter_label(argument)
    args = argument.args
    attributes: dict[str, str] = {}
    hint = ""
    kind = "text"
    options: tuple[str, ...] = ()
    if argument.converter in ("int", "float"):
        kind = "number"
        attributes["step"] = "1" if argument.converter == "int" else "any"
        minimum = args.get("min")
        if minimum is None and not args.get("signed"):
            minimum = 0
        if minimum is not None:
            attributes["min"] = str(minimum)
        if args.get("max") is not None:
            attributes["max"] = str(args["max"])
        limits = [
            f"≥ {attributes['min']}" if "min" in attributes else "",
            f"≤ {attributes['max']}" if "max" in attributes else "",
        ]
        hint = " and ".join(x for x in limits if x)
        if args.get("fixed_digits"):
            hint = (hint + "; " if hint else "") + f"written with {args['fixed_digits']} digits"
    elif argument.converter == "any":
        kind = "select"
        items = args.get("items") or []
        options = tuple(str(item) for item in (items if isinstance(items, list) else [items]))
    elif argument.converter == "uuid":
        attributes["placeholder"] = "123e4567-e89b-12d3-a456-426614174000"
        attributes["spellcheck"] = "false"
    elif argument.converter == "path":
        hint = "may contain slashes"
    elif argument.converter == "string":
        length = args.get("length")
        if length is not None:
            attributes["minlength"] = attributes["maxlength"] = str(length)
            hint = f"exactly {length} characters"
        else:
            if args.get("minlength", 1) not in (None, 1):
                attributes["minlength"] = str(args["minlength"])
            if args.get("maxlength") is not None:
                attributes["maxlength"] = str(args["maxlength"])
            hint = "one segment, no slash"
    else:
        hint = f"custom converter {argument.converter}"
    if not required and argument.name in defaults:
        hint = (hint + "; " if hint else "") + f"optional, default {defaults[argument.name]!r}"
    elif not required:
        hint = (hint + "; " if hint else "") + "optional"
    if kind == "number" and value and _not_a_number(value, argument):
        kind = "text"  # keep a value a number input would blank out, so the tester can show why it fails
    return Field(argument, label, kind, value, required, attributes, options, hint)


def _not_a_number(value: str, argument: Argument) -> bool:
    """Whether a value for a number variable does not parse as one (``'abc'``, ``'1.5'`` for an int)."""
    return isinstance(routing.typed_value(value, argument), str)


def _fields(routes: t.Sequence[Route], values: t.Mapping[str, str]) -> tuple[list[Field], tuple[str, ...]]:
    """One field per variable of the endpoint's rules, and the methods the endpoint takes."""
    seen: dict[str, Argument] = {}
    required: dict[str, bool] = {}
    defaults: dict[str, t.Any] = {}
    methods: set[str] = set()
    for route in routes:
        methods.update(route.visible_methods or ())
        defaults.update(route.defaults)
        for argument in route.arguments:
            seen.setdefault(argument.name, argument)
            required[argument.name] = required.get(argument.name, True) and argument.required
    for name in seen:
        # A variable some rule of the endpoint does without (``/blog/`` vs ``/blog/page/<page>``).
        if any(name not in route.argument_names for route in routes):
            required[name] = False
    fields = [_field(a, values.get(a.name, ""), required[a.name], defaults) for a in seen.values()]
    return fields, tuple(m for m in COMMON_METHODS if m in methods) + tuple(sorted(methods - set(COMMON_METHODS)))


def _variables(endpoint: str, blueprint: str) -> set[str]:
    resolved = routing.resolve_endpoint(endpoint, blueprint or None)
    return {a.name for route in get_inventory(explorer_app()).routes_for(resolved) for a in route.arguments}


def _suggestions(inventory: Inventory, text: str) -> tuple[Route, ...]:
    """The picker's list: the explorer's own typo-tolerant search, endpoints only, app rules only."""
    if not text or len(text) > routing.MAX_NAME:
        return ()
    result = search(inventory, text.lstrip("."), per_page=SUGGESTIONS * 3)
    seen: dict[str, Route] = {}
    for hit in result.hits:
        seen.setdefault(hit.route.endpoint, hit.route)
    return tuple(seen.values())[:SUGGESTIONS]


def _build_result(form: BuildForm) -> routing.BuildResult | None:
    if not form.endpoint:
        return None
    return routing.build(
        explorer_app(),
        form.endpoint,
        form.values,
        method=form.method or None,
        external=form.external,
        scheme=form.scheme or None,
        anchor=form.anchor or None,
        blueprint=form.blueprint or None,
        extra_query=form.extra,
        base_url=request.url_root,
    )


def _awaiting_values(result: routing.BuildResult | None, form: BuildForm) -> tuple[str, ...]:
    """The variables still to type: a known endpoint whose only problem is fields left empty.

    An empty required field is a prompt, not an error: the page asks for it instead of failing.
    """
    diagnosis = result.diagnosis if result is not None else None
    if diagnosis is None or diagnosis.kind != "missing_parameters" or not diagnosis.missing:
        return ()
    return diagnosis.missing if not any(form.values.get(name) for name in diagnosis.missing) else ()


def _diagnosed(inventory: Inventory, result: routing.BuildResult | None) -> tuple[Route, ...]:
    """The routes of the diagnosis's suggestions, in its order."""
    if result is None or result.diagnosis is None:
        return ()
    found = (inventory.routes_for(s.endpoint) for s in result.diagnosis.suggestions[:SUGGESTIONS])
    return tuple(routes[0] for routes in found if routes)


def _common_context() -> dict[str, t.Any]:
    return {
        "app_name": explorer_app().name,
        "status_texts": routing.STATUS_TEXTS,
        "short_path": lambda file: display_path(file, explorer_app().root_path),
    }


def _is_fragment_request() -> bool:
    """An htmx request from the form itself (not a boosted link, not a history restore)."""
    htmx = HtmxHeaders(request.headers)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def build_page() -> str:
    """The URL-build tester; htmx requests get the answer (and, when the endpoint changed, its fields)."""
    live = _is_fragment_request()
    form = BuildForm.from_args(request.args, _variables, live=live)
    result = _build_result(form)
    resolved = result.endpoint if result is not None else form.endpoint
    inventory = get_inventory(explorer_app())
    routes = inventory.routes_for(resolved)
    fields, methods = _fields(routes, form.values)
    context = {
        **_common_context(),
        "current_page": "build",
        "form": form,
        "result": result,
        "resolved": resolved,
        "fields": fields,
        "methods": methods,
        "known_endpoint": bool(routes),
        "awaiting_values": _awaiting_values(result, form),
        # One list, under the endpoint field: the diagnosis's (ranked by cause) when it has one, else the search's.
        "suggestions": () if routes else _diagnosed(inventory, result) or _suggestions(inventory, form.endpoint),
        # The app's own blueprints: not the explorer's, not the toolbar's.
        "blueprints": [name for name, _count in summarize(inventory).blueprint_counts],
        "result_values": {**form.values, **form.extra},
    }
    if live:
        context["refresh_fields"] = form.fields_for != resolved
        return render("route_explorer/_build_response.html", **context)
    return render("route_explorer/build.html", **context)


def _match_result() -> tuple[routing.MatchResult | None, str, str, str]:
    path = request.args.get("path", "")
    method = request.args.get("method", "").strip().upper() or "GET"
    host = request.args.get("host", "").strip()
    if not path.strip():
        return None, path, method, host
    return routing.match(explorer_app(), path, method=method, host=host or None), path, method, host


def match_page() -> str:
    """The path tester; htmx requests get only the answer card."""
    result, path, method, host = _match_result()
    inventory = get_inventory(explorer_app())
    used = {m for route in inventory.user_routes() for m in route.methods or ()} - AUTOMATIC_METHODS
    context = {
        **_common_context(),
        "current_page": "match",
        "result": result,
        "path": path,
        "method": method,
        "host": host,
        "method_choices": tuple(COMMON_METHODS) + tuple(sorted(used - set(COMMON_METHODS))),
        "show_host": bool(host) or inventory.has_hosts or inventory.has_subdomains or explorer_app().subdomain_matching,
        "host_placeholder": explorer_app().config.get("SERVER_NAME") or request.host,
    }
    if _is_fragment_request():
        return render("route_explorer/_match_result.html", **context)
    return render("route_explorer/match.html", **context)


def _json(body: dict[str, t.Any], status: int = 200) -> Response:
    # Serialised here, not with the app's JSON provider: the host app's settings must not change our API.
    return current_app.response_class(json.dumps(body, indent=2), status=status, mimetype="application/json")


def api_build() -> Response:
    """``GET /api/build?endpoint=E&<variable>=<value>...&_method&_external&_scheme&_anchor&_blueprint``.

    Every parameter that is not one of those is a value for ``url_for`` (a URL variable, or a query
    argument). The body is ``BuildResult.to_dict()``; refused input answers 400 with an ``error`` key.
    """
    args = request.args
    values = {name: args.get(name, "") for name in args if name not in BUILD_PARAMETERS}
    result = routing.build(
        explorer_app(),
        args.get("endpoint", ""),
        values,
        method=args.get("_method") or None,
        external=flag(args.get("_external")),
        scheme=args.get("_scheme") or None,
        anchor=args.get("_anchor") or None,
        blueprint=args.get("_blueprint") or None,
        base_url=request.url_root,
    )
    return _json(result.to_dict(), 400 if result.error else 200)


def api_match() -> Response:
    """``GET /api/match?path=P&method=M&host=H``: ``MatchResult.to_dict()``; refused input answers 400."""
    args = request.args
    result = routing.match(
        explorer_app(), args.get("path", ""), method=args.get("method") or "GET", host=args.get("host") or None
    )
    return _json(result.to_dict(), 400 if result.error else 200)
