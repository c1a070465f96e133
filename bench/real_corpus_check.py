"""Check ``bench/real_corpus.json``: every case's app, failing call and accepted fix, against real Flask.

``python -m bench.real_corpus_check`` (from the repository root) rebuilds each case's app from its
``app`` section (one ``add_url_rule`` per rule, with the full rule and the dotted endpoint as the
url_map has them; a ``MethodView`` subclass where ``view_class`` is given), then, in a request for
``request_endpoint`` (so relative names resolve against ``request_blueprint``), checks that

(a) the call as written really fails,
(b) the accepted fix builds and gives ``meant_url`` (not for hopeless cases),
(c) ``meant`` is an endpoint of the app.

Python calls are evaluated with ``eval``, template calls with the app's Jinja environment (strict
undefined names); the variables are the case's ``names``, objects standing for JSON objects (and
``{"()": value}`` for a method returning ``value``, ``{"{}": {...}}`` for a plain dict). A
``login_view = '...'`` line (Flask-Login's setting) is checked as ``url_for`` of that string, which is
what Flask-Login does with it. One line per failing case, then ``N cases, N valid``.
"""

from __future__ import annotations

import json
import re
import sys
import typing as t
from pathlib import Path
from types import SimpleNamespace

import flask
from flask import Flask, request, url_for
from flask.views import MethodView
from jinja2 import StrictUndefined, UndefinedError

CORPUS = Path(__file__).with_name("real_corpus.json")

CATEGORIES = {
    "missing_blueprint_prefix",
    "wrong_blueprint_prefix",
    "typo",
    "url_as_endpoint",
    "conventional_name",
    "static_file_as_endpoint",
    "class_view",
    "view_name_not_endpoint",
    "args_wrong_way",
    "weak_name_strong_structure",
    "missing_values",
    "wrong_value_name",
    "invalid_value",
    "method",
    "relative_endpoint",
    "hopeless",
}
FIELDS = ("id", "source", "category", "note", "app", "call", "meant", "meant_url", "accepted_fix")
#: A value of the right shape for each converter, for requesting a URL of ``request_endpoint``.
SAMPLE = {
    "IntegerConverter": 1,
    "FloatConverter": 1.5,
    "PathConverter": "a/b",
    "UUIDConverter": "12345678-1234-5678-1234-567812345678",
}
LOGIN_VIEW = re.compile(r"""login_view\s*=\s*(['"])(?P<endpoint>.+?)\1""")
CALL_START = re.compile(r"\burl_for\(")


class CaseError(Exception):
    """The case itself is wrong (not the call it records)."""


def namespace(value: t.Any) -> t.Any:
    """JSON objects become objects with those attributes (what a template or a view sees).

    ``{"()": v}`` stands for a method called without arguments that returns ``v`` (``user.username()``);
    ``{"{}": {...}}`` stands for a plain dict (``**values``).
    """
    if isinstance(value, dict) and set(value) == {"()"}:
        result = namespace(value["()"])
        return lambda: result
    if isinstance(value, dict) and set(value) == {"{}"}:
        return dict(value["{}"])
    if isinstance(value, dict):
        return SimpleNamespace(**{k: namespace(v) for k, v in value.items()})
    if isinstance(value, list):
        return [namespace(v) for v in value]
    return value


def build_app(case_id: str, spec: dict[str, t.Any]) -> Flask:
    app = Flask(f"real_corpus_{case_id.replace('-', '_')}", static_folder="static" if spec.get("static") else None)
    app.jinja_options = {**app.jinja_options, "undefined": StrictUndefined}
    views: dict[str, t.Callable[..., t.Any]] = {}  # one view per endpoint, however many rules it has
    for rule in spec["rules"]:
        endpoint = rule["endpoint"]
        if endpoint == "static" and spec.get("static"):
            continue
        methods = rule.get("methods")
        if endpoint in views:
            view = views[endpoint]
        elif rule.get("view_class"):
            handlers = {name: (lambda self, **kwargs: "") for name in rule["class_methods"]}
            cls = type(rule["view_class"], (MethodView,), handlers)
            view = views[endpoint] = cls.as_view(endpoint.rpartition(".")[2])
        else:

            def view(**kwargs: t.Any) -> str:
                return ""

            view.__name__ = rule.get("view") or endpoint.rpartition(".")[2]
            views[endpoint] = view
        app.add_url_rule(
            rule["rule"], endpoint=endpoint, view_func=view, methods=methods, defaults=rule.get("defaults") or None
        )
    expected = {(r["rule"], r["endpoint"]) for r in spec["rules"]}
    if spec.get("static"):
        expected.add(("/static/<path:filename>", "static"))
    actual = {(r.rule, r.endpoint) for r in app.url_map.iter_rules()}
    if actual != expected:
        raise CaseError(f"url_map differs from the rules: {sorted(actual ^ expected)}")
    for name in spec.get("blueprints") or {}:
        if not any(e.startswith(f"{name}.") for _, e in expected):
            raise CaseError(f"blueprint {name!r} has no rule")
    return app


def request_path(app: Flask, endpoint: str) -> tuple[str, str]:
    """A URL of ``endpoint`` (sample values for its variables) and a method it accepts."""
    rule = next((r for r in app.url_map.iter_rules() if r.endpoint == endpoint), None)
    if rule is None:
        raise CaseError(f"request_endpoint {endpoint!r} is not an endpoint of the app")
    values: dict[str, t.Any] = {}
    for arg, converter in rule._converters.items():
        kind = type(converter).__name__
        if kind == "AnyConverter":
            values[arg] = sorted(converter.items)[0]  # type: ignore[attr-defined]
        else:
            values[arg] = SAMPLE.get(kind, "x")
    with app.test_request_context():
        path = url_for(endpoint, **values)
    methods = sorted((rule.methods or {"GET"}) - {"HEAD", "OPTIONS"})
    return path, "GET" if "GET" in methods else methods[0]


def extract_call(source: str) -> str:
    """The ``url_for(...)`` call in a line, brackets balanced (strings skipped)."""
    match = CALL_START.search(source)
    if match is None:
        login = LOGIN_VIEW.search(source)
        if login is None:
            raise CaseError(f"no url_for call or login_view setting in {source!r}")
        return f"url_for({login.group(0).split('=', 1)[1].strip()})"
    depth, quote, i = 0, "", match.end() - 1
    while i < len(source):
        ch = source[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return "url_for" + source[match.end() - 1 : i + 1]
        i += 1
    raise CaseError(f"unbalanced url_for call in {source!r}")


def evaluate(app: Flask, source: str, template: bool, names: dict[str, t.Any]) -> str:
    call = extract_call(source)
    scope = {k: namespace(v) for k, v in names.items()}
    if template:
        app.update_template_context(scope)  # request, session, g, config, as render_template gives them
        try:
            return app.jinja_env.from_string("{{ " + call + " }}").render(**scope)
        except UndefinedError as e:
            raise CaseError(f"template call {call!r} uses an undefined name: {e}") from None
    try:
        return str(eval(call, {"flask": flask, "url_for": url_for, "request": request}, scope))
    except NameError as e:
        raise CaseError(f"call {call!r} uses an undefined name: {e}") from None


def check(case: dict[str, t.Any]) -> list[str]:
    problems = [f"missing field {f!r}" for f in FIELDS if f not in case]
    if problems:
        return problems
    if case["category"] not in CATEGORIES:
        problems.append(f"unknown category {case['category']!r}")
    if not str(case["source"]).startswith("http"):
        problems.append("source is not an address")
    hopeless = case["category"] == "hopeless"
    if hopeless != (case["meant"] is None):
        problems.append("meant must be null exactly for hopeless cases")
    if hopeless and (case["meant_url"] is not None or case["accepted_fix"] is not None):
        problems.append("a hopeless case has no meant_url or accepted_fix")
    app = build_app(case["id"], case["app"])
    call = case["call"]
    path, method = ("/", "GET")
    if call.get("request_endpoint"):
        path, method = request_path(app, call["request_endpoint"])
    elif call.get("request_blueprint"):
        raise CaseError("request_blueprint needs a request_endpoint")
    with app.test_request_context(path, method=method):
        if call.get("request_endpoint"):
            if request.url_rule is None or request.url_rule.endpoint != call["request_endpoint"]:
                raise CaseError(f"{path} does not route to {call['request_endpoint']!r}")
            if request.blueprint != call.get("request_blueprint"):
                raise CaseError(
                    f"the request's blueprint is {request.blueprint!r}, not {call.get('request_blueprint')!r}"
                )
        names = call.get("names") or {}
        try:
            built = evaluate(app, call["source"], call.get("template", False), names)
        except CaseError:
            raise
        except Exception:  # the point: the call as written fails, whatever the exception
            pass
        else:
            problems.append(f"(a) the failing call builds: {built!r}")
        if not hopeless:
            if case["meant"] not in app.view_functions:
                problems.append(f"(c) meant {case['meant']!r} is not an endpoint")
            try:
                fixed = evaluate(app, case["accepted_fix"], call.get("template", False), names)
            except CaseError:
                raise
            except Exception as e:
                problems.append(f"(b) the accepted fix fails: {type(e).__name__}: {e}")
            else:
                if fixed != case["meant_url"]:
                    problems.append(f"(b) the accepted fix gives {fixed!r}, not {case['meant_url']!r}")
    return problems


def main() -> int:
    cases = json.loads(CORPUS.read_text())
    valid = 0
    seen_ids: set[str] = set()
    seen_sources: set[str] = set()
    for case in cases:
        case_id = case.get("id", "?")
        try:
            problems = check(case)
        except CaseError as e:
            problems = [str(e)]
        except Exception as e:
            problems = [f"checker error: {type(e).__name__}: {e}"]
        if case_id in seen_ids:
            problems.append("duplicate id")
        if case.get("source") in seen_sources:
            problems.append("duplicate source")
        seen_ids.add(case_id)
        seen_sources.add(case.get("source"))
        if problems:
            print(f"{case_id}: {'; '.join(problems)}")
        else:
            valid += 1
    print(f"{len(cases)} cases, {valid} valid")
    return 0 if valid == len(cases) else 1


if __name__ == "__main__":
    sys.exit(main())
