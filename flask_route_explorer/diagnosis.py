"""Why a ``url_for`` call failed, and the corrected call that builds.

CONTRACT (shared by the error page, the testers, the toolbar panel and the checker):
the dataclasses and function signatures below are fixed; the engine fills them in.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
import typing as t
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from werkzeug.local import LocalProxy
from werkzeug.routing import AnyConverter, BaseConverter, BuildError
from werkzeug.routing.converters import FloatConverter, NumberConverter, PathConverter, UUIDConverter

from .candidates import Candidate, Cause, find_candidates, unregistered_blueprint
from .endpoints import resolve_endpoint, url_values

if t.TYPE_CHECKING:
    from flask import Flask

#: Every diagnosis kind, in the order the README documents them.
KINDS: tuple[str, ...] = (
    "missing_blueprint_prefix",
    "wrong_blueprint_prefix",
    "unknown_endpoint",
    "relative_endpoint",
    "view_name_not_endpoint",
    "url_not_endpoint",
    "missing_parameters",
    "none_parameter",
    "wrong_parameter_name",
    "method_not_allowed",
    "invalid_value",
    "blueprint_not_registered",
    "no_request_context",
    "scheme_without_external",
    "url_defaults_hook",
    "other",
)


class _Unknown:
    """A value the caller passes but whose content is not known (static analysis)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


#: Stands for a value that is passed but cannot be known before the code runs.
UNKNOWN: t.Any = _Unknown()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A near-miss endpoint, with why it is a candidate."""

    endpoint: str
    rule: str
    score: float
    reason: str
    #: The evidence, as data: what a decision (may ``--fix`` write it?) reads instead of ``reason``.
    cause: Cause = Cause.NAMED

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "endpoint": self.endpoint,
            "rule": self.rule,
            "score": self.score,
            "reason": self.reason,
            "cause": self.cause.value,
        }


@dataclass(frozen=True, slots=True)
class CallSite:
    """The failing ``url_for`` call: a Python line or a template line."""

    file: str | None
    line: int | None
    source: str | None
    template: bool
    #: Names visible at the call (locals, template context), for filling in the fix. Not serialised.
    names: t.Mapping[str, t.Any] = field(default_factory=dict, repr=False, compare=False)
    #: Source lines around the call: ``((lineno, text), ...)``, for the error page. Not serialised.
    context: tuple[tuple[int, str], ...] = field(default=(), repr=False, compare=False)
    #: Where the call itself is in ``source`` (start, end), when the compiler's positions say so.
    #: Not serialised.
    span: tuple[int, int] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, t.Any]:
        return {"file": self.file, "line": self.line, "source": self.source, "template": self.template}


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """The whole answer: what went wrong, what is close, and a corrected call verified to build."""

    kind: str
    endpoint: str | None
    explanation: str
    suggestions: tuple[Suggestion, ...] = ()
    missing: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()
    fix: str | None = None
    fix_url: str | None = None
    call: CallSite | None = None
    #: The values the failing call passed, for prefilling the build tester. Not serialised.
    values: t.Mapping[str, t.Any] = field(default_factory=dict, repr=False, compare=False)
    #: Variables the call misnamed, mapped to the names the rule has (``{"id": "user_id"}``). Not serialised.
    renames: t.Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    #: The endpoint and url_for keyword arguments (options included) the fix was built with. Not serialised.
    fix_endpoint: str | None = field(default=None, repr=False, compare=False)
    fix_values: t.Mapping[str, t.Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def headline(self) -> str:
        """The first sentence of the explanation, for one-line faces (notes, panel, CLI)."""
        first, _, _ = self.explanation.partition(". ")
        return first.rstrip(".") + "."

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "kind": self.kind,
            "endpoint": self.endpoint,
            "explanation": self.explanation,
            "suggestions": [s.to_dict() for s in self.suggestions],
            "missing": list(self.missing),
            "unexpected": list(self.unexpected),
            "fix": self.fix,
            "fix_url": self.fix_url,
            "call": self.call.to_dict() if self.call else None,
        }


# ---------------------------------------------------------------------------------------------
# The engine. Imported below the contract because ``callsite`` builds ``CallSite`` objects.

from . import _compat, callsite  # noqa: E402
from .inventory import Inventory, Route, get_inventory  # noqa: E402

log = logging.getLogger("flask_route_explorer")

#: True while the engine builds a corrected call to verify it; our own url_for hooks stay out.
_verifying: ContextVar[bool] = ContextVar("route_explorer_verifying", default=False)
_SAMPLE_UUID = uuid.UUID("12345678-1234-5678-1234-567812345678")
_MISSING = object()


def is_verifying() -> bool:
    """Whether the current ``url_for`` is the engine checking a fix (hooks must not diagnose it)."""
    return _verifying.get()


@dataclass(frozen=True)
class _Batch:
    """What :func:`batch` holds open: the app and its inventory."""

    app: Flask
    inventory: Inventory


_batch: ContextVar[_Batch | None] = ContextVar("route_explorer_batch", default=None)


@contextlib.contextmanager
def batch(app: Flask) -> t.Iterator[None]:
    """Ask many questions about an app whose rules do not change meanwhile (the checker).

    Alone, every call checks that the cached inventory is current, which is O(endpoints), and
    builds inside a request context of its own. Inside a batch the inventory is read once and one
    request context serves every build; a build only reads that context, so no answer changes.
    Rules added inside the batch are not seen until it ends.
    """
    app = _real_app(app)
    with _request_context(app):
        token = _batch.set(_Batch(app, get_inventory(app)))
        try:
            yield
        finally:
            _batch.reset(token)


def _real_app(app: Flask) -> Flask:
    """Faces may pass ``current_app``: ``type()`` of the proxy is not the app's class."""
    return app._get_current_object() if isinstance(app, LocalProxy) else app  # type: ignore[attr-defined]


def _open_batch(app: Flask) -> _Batch | None:
    current = _batch.get()
    return current if current is not None and current.app is _real_app(app) else None


def _current_inventory(app: Flask) -> Inventory:
    """The batch's inventory, or the cached one after checking it is current."""
    current = _open_batch(app)
    return current.inventory if current is not None else get_inventory(app)


def _request_context(app: Flask) -> t.ContextManager[t.Any]:
    """Where a build runs: the active request of this app itself, else a request context of our own.

    A nested ``app.test_request_context()`` would share the running request's app context and
    ``g``, and popping it runs the app's ``teardown_request`` hooks in the middle of that request
    (closing the view's database connection, say). A build only reads the request, so the active
    one serves as it is. Elsewhere our own app context keeps the caller's ``g`` (a CLI command's,
    a shell's) out of reach of the hooks our context runs when it ends.
    """
    app = _real_app(app)
    active = _compat.active_request_context()
    if active is not None and getattr(active, "app", None) is app:
        return contextlib.nullcontext()
    return _own_request_context(app)


@contextlib.contextmanager
def _own_request_context(app: Flask) -> t.Iterator[None]:
    with app.app_context(), app.test_request_context():
        yield


@dataclass
class _Call:
    """Everything known about one url_for call, from a traceback or from the checker."""

    endpoint: str
    written: str | None
    values: dict[str, t.Any]
    method: str | None = None
    external: bool | None = None
    scheme: str | None = None
    anchor: str | None = None
    blueprint: str | None = None
    site: CallSite | None = None
    parsed: callsite.ParsedCall | None = None
    #: Read once per diagnosis: checking that the cached inventory is current costs O(rules).
    inventory: Inventory | None = None

    @property
    def shown(self) -> str:
        """The endpoint as the caller wrote it."""
        return self.written or self.endpoint

    @property
    def present(self) -> list[str]:
        return [k for k, v in self.values.items() if v is not None]

    @property
    def names(self) -> t.Mapping[str, t.Any]:
        return self.site.names if self.site is not None else {}


@dataclass
class _Fit:
    """How a call's values fit one endpoint's best rule."""

    route: Route
    method_ok: bool
    missing: list[str]
    none_values: list[str]
    renames: dict[str, str]
    invalid: list[str]
    conflicts: list[str]
    unexpected: list[str]

    @property
    def builds(self) -> bool:
        return self.method_ok and not (self.missing or self.invalid or self.conflicts)


# --- Public entry points -------------------------------------------------------------------


def diagnose(error: BaseException, app: Flask | None = None) -> Diagnosis:
    """Diagnose an exception raised by ``url_for``; never raises (kind ``other`` when unsure).

    A failure of the engine itself is logged at WARNING: the answer is then only Werkzeug's message.
    """
    try:
        return explain(error, app)
    except Exception:
        log.warning("flask-route-explorer could not diagnose %r", error, exc_info=True)
        return Diagnosis("other", _error_endpoint(error), error_message(error))


def explain(error: BaseException, app: Flask | None = None) -> Diagnosis:
    """:func:`diagnose`, but a failure of the engine itself raises instead of answering ``other``.

    For faces that have a better fallback than a thin answer: the error page then steps aside so
    the original exception reaches the debugger.
    """
    if app is None:
        from flask import current_app

        app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
    facts = _call_from_error(error)
    facts.inventory = _current_inventory(app)
    return _diagnose_error(app, error, facts)


def diagnose_call(
    app: Flask,
    endpoint: str,
    values: t.Mapping[str, t.Any],
    *,
    method: str | None = None,
    blueprint: str | None = None,
    external: bool | None = None,
    scheme: str | None = None,
    call: CallSite | None = None,
) -> Diagnosis | None:
    """Diagnose a call without running it (checker, testers): ``None`` when it would build.

    ``values`` may hold :data:`UNKNOWN` for a value that is passed but not known statically.
    ``blueprint`` is the blueprint a relative ``.name`` resolves against (``None``: outside any).
    """
    facts = _call_facts(app, endpoint, values, method, blueprint, external, scheme, call)
    failure = _build_failure(app, facts)
    if failure is None:
        return None
    try:
        return _explain_failure(app, failure, facts)
    except Exception:
        log.warning("flask-route-explorer could not diagnose %s", endpoint, exc_info=True)
        return Diagnosis("other", endpoint, error_message(failure), call=call)


def _call_facts(
    app: Flask,
    endpoint: str,
    values: t.Mapping[str, t.Any],
    method: str | None,
    blueprint: str | None,
    external: bool | None,
    scheme: str | None,
    call: CallSite | None,
) -> _Call:
    return _Call(
        endpoint=resolve_endpoint(endpoint, blueprint),
        written=endpoint,
        values=url_values(values),
        method=method,
        external=external,
        scheme=scheme,
        blueprint=blueprint,
        site=call,
        inventory=_current_inventory(app),
    )


def _build_failure(app: Flask, facts: _Call) -> Exception | None:
    """What building the call raises, or ``None`` when it builds."""
    try:
        _build(
            app,
            facts.endpoint,
            _sampled(_inventory(app, facts), facts.endpoint, facts.values),
            facts.method,
            facts.external,
            facts.scheme,
            None,
        )
    except Exception as error:
        return error
    return None


def _explain_failure(app: Flask, failure: Exception, facts: _Call) -> Diagnosis:
    facts.parsed = _parse(facts)  # only a failure reads the call's text
    return _diagnose_error(app, failure, facts)


def fixed_source(diagnosis: Diagnosis) -> str | None:
    """The failing source line(s) with the call replaced by the fix, for a before/after diff."""
    call = diagnosis.call
    if diagnosis.fix is None or call is None or not call.source:
        return None
    located = callsite.call_at(call.source, call.span) if call.span is not None else None
    parsed = located or callsite.find_call(call.source, _literals(diagnosis.endpoint))
    if parsed is None:
        return None
    if not call.template:
        return call.source[: parsed.start] + diagnosis.fix + call.source[parsed.end :]
    start, end = callsite.template_wrapper(call.source, parsed)
    if (start, end) == (parsed.start, parsed.end):  # not inside a tag on this line: the fix is "{{ call }}"
        return call.source[:start] + diagnosis.fix.removeprefix("{{ ").removesuffix(" }}") + call.source[end:]
    return call.source[:start] + diagnosis.fix + call.source[end:]


def _inventory(app: Flask, facts: _Call) -> Inventory:
    if facts.inventory is None:
        facts.inventory = _current_inventory(app)
    return facts.inventory


# --- Facts about the call ------------------------------------------------------------------


def error_message(error: BaseException) -> str:
    """The exception's message; for a ``BuildError``, Werkzeug's without its "Did you mean" guess.

    That guess runs difflib over every rule (0.3 to 0.6 s at 10,000 rules) and the diagnosis has
    better ones. Werkzeug computes it from the adapter the error carries: the same error without
    one gives the rest of Werkzeug's own wording.
    """
    try:
        if isinstance(error, BuildError):
            return str(BuildError(error.endpoint, error.values, error.method))
        return str(error) or type(error).__name__
    except Exception:  # a user's exception whose __str__ fails
        return type(error).__name__


def _error_endpoint(error: BaseException) -> str | None:
    endpoint = getattr(error, "endpoint", None)
    return str(endpoint) if endpoint is not None else None


def _literals(endpoint: str | None) -> list[str]:
    return [endpoint] if endpoint else []


def _parse(facts: _Call) -> callsite.ParsedCall | None:
    if facts.site is None or not facts.site.source:
        return None
    if facts.site.span is not None:
        located = callsite.call_at(facts.site.source, facts.site.span)
        if located is not None:
            return located
    wanted = [e for e in (facts.written, facts.endpoint) if e]
    if facts.blueprint and facts.endpoint.startswith(facts.blueprint + "."):
        wanted.append(facts.endpoint[len(facts.blueprint) :])
    return callsite.find_call(facts.site.source, wanted, facts.values)


def _call_from_error(error: BaseException) -> _Call:
    """The endpoint, values and options of the failing call, read from Flask's url_for frame."""
    frame = callsite.url_for_frame(error)
    site = callsite.call_site(frame, error.__traceback__)
    arguments = _compat.url_for_arguments(frame) if frame is not None else None
    if arguments is not None:
        helper = callsite.helper_frame(frame)
        facts = _Call(
            endpoint=arguments.endpoint,
            written=_compat.url_for_helper_endpoint(helper) if helper is not None else None,
            values=url_values(arguments.values),
            method=arguments.method,
            external=arguments.external,
            scheme=arguments.scheme,
            anchor=arguments.anchor,
            blueprint=arguments.blueprint,
            site=site,
        )
    elif isinstance(error, BuildError):
        facts = _Call(str(error.endpoint), None, dict(error.values or {}), method=error.method, site=site)
    else:
        facts = _Call(str(getattr(error, "endpoint", "") or ""), None, {}, site=site)
    facts.parsed = _parse(facts)
    if facts.parsed is not None and facts.parsed.endpoint_literal is not None:
        literal = facts.parsed.endpoint_literal
        if resolve_endpoint(literal, facts.blueprint) == facts.endpoint or literal == facts.endpoint:
            facts.written = literal
    return facts


# --- Dispatch ------------------------------------------------------------------------------


def _diagnose_error(app: Flask, error: BaseException, facts: _Call) -> Diagnosis:
    return dataclasses.replace(_diagnose_failure(app, error, facts), values=dict(facts.values))


def _diagnose_failure(app: Flask, error: BaseException, facts: _Call) -> Diagnosis:
    # Not str() of a BuildError: its message runs Werkzeug's difflib over every rule (~0.3 s at 10,000).
    message = str(error) if isinstance(error, (RuntimeError, ValueError)) else ""
    if isinstance(error, RuntimeError) and "SERVER_NAME" in message:
        return _no_request_context(app, facts)
    if isinstance(error, ValueError) and "_scheme" in message:
        return _scheme_without_external(app, facts)
    hook = callsite.hook_frame(error)
    if hook is not None and not isinstance(error, BuildError):
        return _url_defaults_hook(app, facts, error, hook)
    if isinstance(error, (BuildError, ValueError, TypeError)) and facts.endpoint:
        found = _diagnose_build(app, facts)
        if found is not None:
            return found
    return Diagnosis("other", facts.shown or None, error_message(error), call=facts.site)


def _diagnose_build(app: Flask, facts: _Call) -> Diagnosis | None:
    """Why the endpoint and values do not build; ``None`` when they would."""
    inventory = _inventory(app, facts)
    routes = inventory.routes_for(facts.endpoint)
    if routes:
        return _diagnose_values(app, facts, routes)
    candidates = find_candidates(
        app, facts.endpoint, written=facts.written, values=facts.present, method=facts.method, inventory=inventory
    )
    unregistered = (
        None if (candidates and candidates[0].cause is Cause.URL_PATH) else unregistered_blueprint(app, facts.endpoint)
    )
    suggestions = tuple(_suggestion(app, c, facts) for c in candidates)
    if not candidates:
        if unregistered is not None:
            return _unregistered(facts, unregistered, ())
        return Diagnosis(
            "unknown_endpoint",
            facts.shown,
            f"{_no_endpoint(facts)}, and no endpoint has a similar name. Check the explorer's route list for the name you want.",
            call=facts.site,
        )
    top = candidates[0]
    fit = _best_fit(app, inventory.routes_for(top.endpoint), {**facts.values, **(top.values or {})}, facts.method)
    fix = _make_fix(app, facts, top.endpoint, fit, matched=top.values)
    if unregistered is not None:
        return _unregistered(facts, unregistered, suggestions)
    kind = top.kind
    if facts.written and facts.written.startswith(".") and kind != "relative_endpoint" and kind != "unknown_endpoint":
        kind = "relative_endpoint"
    explanation = _endpoint_sentence(kind, facts, top, fit) + _values_sentence(
        fit, fix.placeholders, top.values is not None
    )
    return Diagnosis(
        kind,
        facts.shown,
        explanation,
        suggestions=suggestions,
        missing=tuple(m for m in fit.missing if m not in fit.renames.values()),
        unexpected=tuple(fit.renames),
        call=facts.site,
        **fix.fields(),
    )


def _suggestion(app: Flask, candidate: Candidate, facts: _Call) -> Suggestion:
    """The candidate with the rule the call would build (an endpoint can have several rules)."""
    routes = _inventory(app, facts).routes_for(candidate.endpoint)
    rule = (
        _best_fit(app, routes, {**facts.values, **(candidate.values or {})}, facts.method).route.rule if routes else ""
    )
    return Suggestion(candidate.endpoint, rule, candidate.score, candidate.reason, candidate.cause)


# --- Values against an existing endpoint -----------------------------------------------------


def _converter(route: Route, name: str) -> BaseConverter | None:
    return _compat.rule_converters(route.werkzeug_rule).get(name)


def _accepts(route: Route, name: str, value: t.Any) -> bool:
    if value is UNKNOWN:
        return True
    converter = _converter(route, name)
    if converter is None:
        return True
    try:
        converter.to_url(value)
    except Exception:
        return False
    return True


def _name_similarity(given: str, needed: str) -> float:
    if _normalised(given) == _normalised(needed):
        return 1.0
    if needed.endswith("_" + given) or given.endswith("_" + needed):  # id / user_id
        return 0.9
    return fuzz.ratio(given, needed) / 100


def _normalised(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def _fit_route(route: Route, values: t.Mapping[str, t.Any], method: str | None) -> _Fit:
    present = {k for k, v in values.items() if v is not None}
    arguments = set(route.argument_names)
    missing = [a for a in route.required_arguments if a not in present]
    unexpected = [k for k in values if k not in arguments]
    renames: dict[str, str] = {}
    free = [u for u in unexpected if u in present]
    for needed in missing:
        scored = sorted(((_name_similarity(u, needed), u) for u in free), reverse=True)
        if scored and scored[0][0] >= 0.6:
            renames[scored[0][1]] = needed
            free.remove(scored[0][1])
    return _Fit(
        route=route,
        method_ok=method is None or route.allows(method),
        missing=missing,
        none_values=[a for a in missing if a in values and values[a] is None],
        renames=renames,
        invalid=[a for a in route.argument_names if a in present and not _accepts(route, a, values[a])],
        conflicts=[k for k, v in route.defaults.items() if k in present and values[k] != v],
        unexpected=unexpected,
    )


def _injected(app: Flask, endpoint: str, values: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The values with what the app's ``url_defaults`` hooks add for ``endpoint`` (``lang_code``...)."""
    if not any(app.url_default_functions.values()):
        return dict(values)
    result = dict(values)
    with contextlib.suppress(Exception), _request_context(app):
        app.inject_url_defaults(endpoint, result)
    return result


def _best_fit(app: Flask, routes: t.Sequence[Route], values: t.Mapping[str, t.Any], method: str | None) -> _Fit:
    """The rule of an endpoint that the call comes closest to building (counting url_defaults values)."""
    if routes:
        values = _injected(app, routes[0].endpoint, values)
    fits = [_fit_route(route, values, method) for route in routes]
    return min(
        fits,
        # On a tie, a value that clashes with a rule's defaults loses to a converter that rejects it:
        # ``/archive/`` (defaults page=1) beside ``/archive/<int:page>`` means the caller aimed at the latter.
        key=lambda f: (
            not f.method_ok,
            len(f.missing) - len(f.renames) + len(f.invalid) + len(f.conflicts),
            len(f.missing),
            len(f.conflicts),
        ),
    )


def _diagnose_values(app: Flask, facts: _Call, routes: t.Sequence[Route]) -> Diagnosis | None:
    fit = _best_fit(app, routes, facts.values, facts.method)
    if fit.builds:
        return None
    endpoint = facts.endpoint
    rule = fit.route.rule
    same = Suggestion(endpoint, rule, 1.0, "the endpoint you named")
    if not fit.method_ok:
        return _method_not_allowed(app, facts, routes, fit)
    if fit.none_values:
        names = ", ".join(fit.none_values)
        exprs = [_expression(facts, n) for n in fit.none_values]
        shown = _names([e for n, e in zip(fit.none_values, exprs) if e and e not in (n, "None", "none")])
        explanation = (
            f"{names} {'was' if len(fit.none_values) == 1 else 'were'} passed as None, and Werkzeug drops "
            f"None values, so '{endpoint}' ({rule}) is missing {'it' if len(fit.none_values) == 1 else 'them'}."
            + (f" {shown} is None here." if shown else "")
        )
        return Diagnosis(
            "none_parameter", facts.shown, explanation, (same,), missing=tuple(fit.none_values), call=facts.site
        )
    kind = (
        "wrong_parameter_name"
        if fit.renames
        else "missing_parameters"
        if fit.missing
        else "invalid_value"
        if fit.invalid
        else "other"
    )
    fix = _make_fix(app, facts, endpoint, fit)
    if kind == "wrong_parameter_name":
        renamed = ", ".join(f"{old} to {new}" for old, new in fit.renames.items())
        explanation = f"'{endpoint}' has no variable {_names(fit.renames)}: its rule {rule} needs {_names(fit.missing)}. Rename {renamed}."
    elif kind == "missing_parameters":
        explanation = f"'{endpoint}' needs {_names(fit.missing)} for its rule {rule}, and the call does not pass {'it' if len(fit.missing) == 1 else 'them'}."
    elif kind == "invalid_value":
        explanation = " ".join(_invalid_sentence(fit.route, name, facts.values[name]) for name in fit.invalid)
    else:
        return None
    explanation += _placeholder_sentence(fix.placeholders)
    return Diagnosis(
        kind,
        facts.shown,
        explanation,
        (same,),
        missing=tuple(m for m in fit.missing if m not in fit.renames.values()),
        unexpected=tuple(fit.renames),
        call=facts.site,
        **fix.fields(),
    )


def _invalid_sentence(route: Route, name: str, value: t.Any) -> str:
    converter = _converter(route, name)
    argument = next((a for a in route.arguments if a.name == name), None)
    kind = argument.converter if argument else "its"
    if isinstance(converter, AnyConverter):
        items = ", ".join(repr(i) for i in sorted(converter.items))
        return f"{value!r} is not a valid {name} for {route.rule}: it must be one of {items}."
    return f"{value!r} is not a valid {name} for {route.rule}: the {kind} converter rejects it."


def _method_not_allowed(app: Flask, facts: _Call, routes: t.Sequence[Route], fit: _Fit) -> Diagnosis:
    method = (facts.method or "").upper()
    allowed = sorted({m for r in routes for m in (r.visible_methods or ())})
    inventory = _inventory(app, facts)
    siblings = [
        r
        for r in inventory.routes
        if r.rule == fit.route.rule and r.endpoint != facts.endpoint and r.allows(method) and not r.internal
    ]
    suggestions = [Suggestion(r.endpoint, r.rule, 0.97, f"same URL, allows {method}", Cause.SAME_URL) for r in siblings]
    suggestions.append(Suggestion(facts.endpoint, fit.route.rule, 0.9, f"allows {', '.join(allowed)}"))
    explanation = f"'{facts.endpoint}' ({fit.route.rule}) allows only {', '.join(allowed)}, not {method}."
    if siblings:
        target = siblings[0].endpoint
        explanation += f" '{target}' handles {method} on the same URL."
        new_fit = _best_fit(app, inventory.routes_for(target), facts.values, method)
        fix = _make_fix(app, facts, target, new_fit)
    else:
        fix = _make_fix(app, facts, facts.endpoint, fit, method=allowed[0] if allowed else None)
    return Diagnosis(
        "method_not_allowed",
        facts.shown,
        explanation + _placeholder_sentence(fix.placeholders),
        tuple(suggestions[:5]),
        call=facts.site,
        **fix.fields(),
    )


def _names(names: t.Iterable[str]) -> str:
    listed = list(names)
    if len(listed) < 2:
        return "".join(listed)
    return ", ".join(listed[:-1]) + " and " + listed[-1]


def _expression(facts: _Call, name: str) -> str | None:
    if facts.parsed is None:
        return None
    return dict(facts.parsed.keywords).get(name)


def _placeholder_sentence(placeholders: t.Sequence[str]) -> str:
    if not placeholders:
        return ""
    return f" In the fix, replace {_names(placeholders)} with the real value{'s' if len(placeholders) > 1 else ''}."


# --- Sentences about a wrong endpoint -----------------------------------------------------


def _endpoint_sentence(kind: str, facts: _Call, top: Candidate, fit: _Fit) -> str:
    shown, target = facts.shown, top.endpoint
    blueprint = target.rpartition(".")[0]
    where = f"in blueprint '{blueprint}' as '{target}'" if blueprint else f"as '{target}'"
    if kind == "url_not_endpoint":
        values = ", ".join(f"{k}={v!r}" for k, v in (top.values or {}).items())
        return (
            f"'{shown}' is a URL path, not an endpoint: url_for takes the endpoint's name. "
            f"That path is handled by '{target}'" + (f" with {values}." if values else ".")
        )
    if kind == "relative_endpoint":
        if facts.endpoint.startswith("."):
            resolved = f"'{shown}' is relative, but there is no request blueprint here to resolve it against"
        elif facts.blueprint:
            resolved = f"'{shown}' resolved to '{facts.endpoint}' because the request is handled by blueprint '{facts.blueprint}', and there is no such endpoint"
        else:
            resolved = f"'{shown}' resolved to '{facts.endpoint}' because the request is not handled by a blueprint, and there is no such endpoint"
        return f"{resolved}. '{shown[1:]}' is registered {where}."
    if kind == "view_name_not_endpoint":
        if top.cause is Cause.WRAPPED_FUNCTION:
            return f"There is no endpoint '{shown}': function '{top.name}' wrapped without functools.wraps is registered under the endpoint '{target}'."
        return f"There is no endpoint '{shown}': view {top.name_kind} '{top.name}' is registered under the endpoint '{target}'."
    if kind == "missing_blueprint_prefix":
        return f"There is no endpoint '{shown}'. The view '{target.rpartition('.')[2]}' is registered {where}."
    if kind == "wrong_blueprint_prefix":
        if top.cause is Cause.BLUEPRINT_VARIABLE:
            prefix = facts.endpoint.rpartition(".")[0]
            return f"There is no endpoint '{shown}': '{prefix}' is the variable that holds the blueprint, whose name is '{blueprint}'. Use '{target}'."
        return f"There is no endpoint '{shown}'. '{target.rpartition('.')[2]}' is registered {where}."
    return f"{_no_endpoint(facts)}. The closest name is '{target}' ({round(_typo_similarity(top))}% similar)."


def _no_endpoint(facts: _Call) -> str:
    """ "There is no endpoint ...", saying what a relative name resolved to: that is the name that was looked up."""
    shown = facts.shown
    if not shown.startswith(".") or facts.endpoint == shown:
        return f"There is no endpoint '{shown}'"
    where = (
        f"the request is handled by blueprint '{facts.blueprint}'"
        if facts.blueprint
        else "the request is not handled by a blueprint"
    )
    return f"There is no endpoint '{shown}': it resolved to '{facts.endpoint}', since {where}"


def _typo_similarity(candidate: Candidate) -> float:
    """The rapidfuzz similarity a fuzzy candidate was found with (a sure cause counts as its score)."""
    return candidate.similarity if candidate.similarity is not None else candidate.score * 100


def _values_sentence(fit: _Fit, placeholders: t.Sequence[str], from_url: bool) -> str:
    if from_url:
        return ""
    parts = []
    if fit.renames:
        parts.append(
            f" It names the variable{'s' if len(fit.renames) > 1 else ''} {_names(fit.renames.values())}, not {_names(fit.renames)}."
        )
    needed = [m for m in fit.missing if m not in fit.renames.values()]
    if needed:
        parts.append(f" It also needs {_names(needed)}.")
    return "".join(parts) + _placeholder_sentence(placeholders)


def _unregistered(facts: _Call, found: t.Any, suggestions: tuple[Suggestion, ...]) -> Diagnosis:
    name = found.blueprint.name
    return Diagnosis(
        "blueprint_not_registered",
        facts.shown,
        f"Blueprint '{name}' ({found.variable} in {found.module}) is defined but never registered on this app, "
        f"so '{facts.endpoint}' does not exist. Call app.register_blueprint({found.variable}).",
        suggestions=suggestions,
        call=facts.site,
    )


# --- Errors that are not BuildErrors ------------------------------------------------------


def _no_request_context(app: Flask, facts: _Call) -> Diagnosis:
    explanation = (
        "url_for was called outside a request, and without SERVER_NAME Flask cannot build the URL. "
        "Build it inside app.test_request_context(), or set SERVER_NAME (and PREFERRED_URL_SCHEME)."
    )
    inner_facts = _call_facts(
        app, facts.shown, facts.values, facts.method, None, facts.external, facts.scheme, facts.site
    )
    failure = _build_failure(app, inner_facts)
    inner = _explain_failure(app, failure, inner_facts) if failure is not None else None
    if inner is not None:
        explanation += f" The call would still fail in a request: {inner.headline}"
        return dataclasses.replace(
            inner, kind="no_request_context", endpoint=facts.shown, explanation=explanation, call=facts.site
        )
    return Diagnosis("no_request_context", facts.shown, explanation, call=facts.site)


def _scheme_without_external(app: Flask, facts: _Call) -> Diagnosis:
    routes = _inventory(app, facts).routes_for(facts.endpoint)
    explanation = (
        f"_scheme={facts.scheme!r} only works with _external=True: Flask refuses to put a scheme on a relative URL. "
        "Pass _external=True, or drop _scheme."
    )
    fix = _Fix()
    suggestions: tuple[Suggestion, ...] = ()
    if routes:
        fit = _best_fit(app, routes, facts.values, facts.method)
        fix = _make_fix(app, facts, facts.endpoint, fit, external=True)
        suggestions = (Suggestion(facts.endpoint, fit.route.rule, 1.0, "the endpoint you named"),)
    return Diagnosis("scheme_without_external", facts.shown, explanation, suggestions, call=facts.site, **fix.fields())


def _url_defaults_hook(app: Flask, facts: _Call, error: BaseException, hook: tuple[t.Any, int]) -> Diagnosis:
    frame, line = hook
    name = frame.f_code.co_name
    where = f"{frame.f_code.co_filename}:{line}"
    explanation = (
        f"The url_defaults hook '{name}' ({where}) raised {type(error).__name__}({error_message(error)!r}) "
        f"while building '{facts.endpoint}', which hides the real url_for error."
    )
    inner = None
    with contextlib.suppress(Exception):
        inner = _diagnose_build(app, facts)
    if inner is None:
        return Diagnosis("url_defaults_hook", facts.shown, explanation, call=facts.site)
    explanation += f" {inner.explanation}"
    return dataclasses.replace(
        inner, kind="url_defaults_hook", endpoint=facts.shown, explanation=explanation, call=facts.site
    )


# --- The corrected call --------------------------------------------------------------------


def _literal(value: t.Any, quote: str) -> str:
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace(quote, "\\" + quote)
        return f"{quote}{escaped}{quote}"
    if isinstance(value, (int, float, bool)) or value is None:
        return repr(value)
    return repr(str(value)) if quote == "'" else f'"{value}"'


def _lookup(names: t.Mapping[str, t.Any], key: str) -> t.Any:
    """A name the caller sees; proxies outside their context and Jinja's Undefined count as absent."""
    from jinja2 import Undefined

    try:
        value = names[key]
        return _MISSING if isinstance(value, Undefined) else value
    except Exception:
        return _MISSING


def _request_view_args(names: t.Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    """``request.view_args`` as the caller sees it, for ``url_for(request.endpoint, **request.view_args)``."""
    request = _lookup(names, "request")
    try:
        view_args = request.view_args if request is not _MISSING else None
    except Exception:
        return None
    return view_args if isinstance(view_args, dict) else None


def _attribute(obj: t.Any, attr: str) -> t.Any:
    try:
        value = obj[attr] if isinstance(obj, Mapping) else getattr(obj, attr)
    except Exception:
        return _MISSING
    if value is None or callable(value):
        return _MISSING
    return value


def _fill(name: str, facts: _Call, target: str) -> tuple[str, t.Any] | None:
    """An expression the caller can see that holds a value for ``name`` (``user.id`` for ``user_id``)."""
    names = facts.names
    if not names:
        return None
    direct = _lookup(names, name)
    if direct is not _MISSING and direct is not None and not callable(direct):
        return name, direct
    owner, _, attr = name.rpartition("_")
    attempts: list[tuple[str, str]] = []
    if owner:
        attempts.append((owner, attr))
        if owner == "user":
            attempts.append(("current_user", attr))
    short = target.rpartition(".")[2]
    blueprint = target.rpartition(".")[0].rpartition(".")[2]
    for word in (*short.split("_"), blueprint.removesuffix("s")):
        if word:
            attempts.append((word, name))
    template = facts.site is not None and facts.site.template
    for base, attr_name in attempts:
        obj = _lookup(names, base)
        if obj is _MISSING or obj is None:
            continue
        value = _attribute(obj, attr_name)
        if value is not _MISSING:
            expr = f"{base}[{attr_name!r}]" if isinstance(obj, Mapping) and not template else f"{base}.{attr_name}"
            return expr, value
    return None


def _sample(route: Route | None, name: str) -> t.Any:
    """A value the argument's converter accepts, to build a fix that still has placeholders."""
    converter = _converter(route, name) if route is not None else None
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if isinstance(converter, UUIDConverter):
        return _SAMPLE_UUID
    if isinstance(converter, FloatConverter):
        return float(converter.min) if converter.min is not None else 1.0
    if isinstance(converter, NumberConverter):
        return converter.min if converter.min is not None and converter.min > 0 else 1
    if isinstance(converter, PathConverter):
        return "path/to"
    regex = getattr(converter, "regex", None)
    if converter is not None and isinstance(regex, str):
        for size in (1, 2, 3, 4, 5, 8, 10, 16, 32):
            for candidate in ("x" * size, "1" * size, "a-" * (size // 2) + "a"):
                with contextlib.suppress(Exception):
                    if re.fullmatch(regex, converter.to_url(converter.to_python(candidate))):
                        return converter.to_python(candidate)
    return "x"


def _sampled(inventory: Inventory, endpoint: str, values: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The values with :data:`UNKNOWN` replaced by a value the rule's converter accepts."""
    if not any(v is UNKNOWN for v in values.values()):
        return dict(values)
    routes = inventory.routes_for(endpoint)
    result = {}
    for name, value in values.items():
        if value is UNKNOWN:
            route = next((r for r in routes if name in r.argument_names), None)
            value = _sample(route, name)
        result[name] = value
    return result


def _build(
    app: Flask,
    endpoint: str,
    values: t.Mapping[str, t.Any],
    method: str | None,
    external: bool | None,
    scheme: str | None,
    anchor: str | None,
) -> str:
    """Build for real, as the app would inside a request; bypasses wrappers of ``app.url_for``."""
    app = _real_app(app)
    token = _verifying.set(True)
    try:
        with _request_context(app):
            return type(app).url_for(
                app, endpoint, _method=method, _external=external, _scheme=scheme, _anchor=anchor, **values
            )
    finally:
        _verifying.reset(token)


@dataclass(frozen=True)
class _Fix:
    """A corrected call verified by building it, with what exactly was built (empty: no safe fix)."""

    text: str | None = None
    url: str | None = None
    placeholders: tuple[str, ...] = ()
    endpoint: str | None = None
    #: url_for's keyword arguments for the build: values, then the options that were set.
    arguments: t.Mapping[str, t.Any] = field(default_factory=dict)
    renames: t.Mapping[str, str] = field(default_factory=dict)

    def fields(self) -> dict[str, t.Any]:
        """The :class:`Diagnosis` fields this fix fills in."""
        return {
            "fix": self.text,
            "fix_url": self.url,
            "fix_endpoint": self.endpoint,
            "fix_values": self.arguments,
            "renames": self.renames,
        }


def _make_fix(
    app: Flask,
    facts: _Call,
    target: str,
    fit: _Fit,
    *,
    matched: t.Mapping[str, t.Any] | None = None,
    method: str | None = None,
    external: bool | None = None,
) -> _Fix:
    """The corrected call as code, verified by building it."""
    parsed = facts.parsed
    template = facts.site is not None and facts.site.template
    quote = parsed.quote() if parsed is not None else "'"
    if parsed is not None:
        keywords = [(k, e) for k, e in parsed.keywords]
        stars = list(parsed.star_kwargs)
        unwritten = [name for name in (*fit.renames, *fit.invalid) if name not in dict(keywords)]
        if unwritten:  # passed through **mapping: no edit of this call's text changes it
            return _Fix(renames=fit.renames)
    else:
        # ``_external=False`` is what a request does anyway (and the testers pass it): not worth writing.
        options = {
            "_method": facts.method,
            "_scheme": facts.scheme,
            "_anchor": facts.anchor,
            "_external": facts.external or None,
        }
        keywords = [(k, k.upper() if v is UNKNOWN else _literal(v, quote)) for k, v in facts.values.items()]
        keywords += [(k, _literal(v, quote)) for k, v in options.items() if v is not None]
        stars = []
    runtime = {k: v for k, v in facts.values.items() if v is not None}
    placeholders = [k.upper() for k, v in facts.values.items() if v is UNKNOWN and parsed is None]

    if matched is not None:  # a URL path: the values come from matching it
        keywords = [(k, _literal(v, quote)) for k, v in matched.items()] + [
            kw for kw in keywords if kw[0] not in matched
        ]
        runtime.update(matched)
    for old, new in fit.renames.items():
        keywords = [(new if k == old else k, e) for k, e in keywords]
        runtime[new] = runtime.pop(old)
    missing = [m for m in fit.missing if m not in fit.renames.values() and m not in runtime]
    endpoint_expr = parsed.endpoint_expr if parsed is not None else None
    dynamic = parsed is not None and parsed.endpoint_literal is None
    view_args = _request_view_args(facts.names) if missing and dynamic and target == facts.endpoint else None
    if view_args is not None and set(missing) <= set(view_args):
        stars.append("request.view_args")
        runtime.update({k: v for k, v in view_args.items() if k not in runtime})
        missing = []
    for name in missing:
        filled = _fill(name, facts, target)
        if filled is not None:
            keywords.append((name, filled[0]))
            runtime[name] = filled[1]
        else:
            placeholder = name.upper()
            keywords.append((name, placeholder))
            placeholders.append(placeholder)
            runtime[name] = _sample(fit.route, name)
    for name in fit.invalid:
        replacement = _replacement(fit.route, name, runtime.get(name))
        filled = _fill(name, facts, target) if replacement is None else None
        if filled is not None and _accepts(fit.route, name, filled[1]):
            keywords = [(k, filled[0] if k == name else e) for k, e in keywords]
            runtime[name] = filled[1]
        elif replacement is None:
            placeholder = name.upper()
            keywords = [(k, placeholder if k == name else e) for k, e in keywords]
            placeholders.append(placeholder)
            runtime[name] = _sample(fit.route, name)
        else:
            keywords = [(k, _with_attribute(e, replacement[0], quote) if k == name else e) for k, e in keywords]
            runtime[name] = replacement[1]
    for name in list(runtime):  # values the caller did not write (UNKNOWN in static analysis) still build
        if runtime[name] is UNKNOWN:
            runtime[name] = _sample(fit.route, name)
    final_method = method or facts.method
    if method is not None:
        written_method = any(k == "_method" for k, _ in keywords)
        keywords = [(k, _literal(method, quote) if k == "_method" else e) for k, e in keywords]
        keywords += [] if written_method else [("_method", _literal(method, quote))]
    final_external = external if external is not None else facts.external
    if external is not None:
        keywords = [kw for kw in keywords if kw[0] != "_external"] + [("_external", "True" if not template else "true")]
    if not dynamic or target != facts.endpoint or endpoint_expr is None:
        endpoint_expr = _literal(target, quote)
    try:
        url = _build(app, target, runtime, final_method, final_external, facts.scheme, facts.anchor)
    except Exception:
        log.debug("flask-route-explorer: the fix for %s does not build", target, exc_info=True)
        return _Fix(placeholders=tuple(placeholders), renames=fit.renames)
    if parsed is not None:
        text = parsed.render(endpoint_expr, keywords, stars)
        if text == parsed.text:  # what failed cannot be the fix: the change lies outside the call's text
            return _Fix(renames=fit.renames)
    else:
        text = (
            "url_for("
            + ", ".join([endpoint_expr, *(f"{k}={e}" for k, e in keywords), *(f"**{s}" for s in stars)])
            + ")"
        )
    if template:
        source = facts.site.source if facts.site is not None else None
        if parsed is not None and source:
            text = callsite.rewrite_call(source, parsed, text, template=True)[1]
        else:
            text = "{{ " + text + " }}"
    options = {
        "_method": final_method,
        "_external": final_external or None,
        "_scheme": facts.scheme,
        "_anchor": facts.anchor,
    }
    arguments = {**runtime, **{k: v for k, v in options.items() if v is not None}}
    return _Fix(text, url, tuple(placeholders), target, arguments, fit.renames)


def _replacement(route: Route, name: str, value: t.Any) -> tuple[str, t.Any] | None:
    """A value the converter accepts, derived from the rejected one: ``('.id', 7)`` or ``("'monthly'", ...)``.

    The first item is an attribute suffix (starting with ``.``) or a literal that replaces the expression.
    """
    converter = _converter(route, name)
    if isinstance(converter, AnyConverter) and isinstance(value, str):
        best = process.extractOne(value, sorted(converter.items), scorer=fuzz.ratio, score_cutoff=60)
        if best is not None:
            return "=" + best[0], best[0]
        return None
    attr = name.rpartition("_")[2] or name
    found = _attribute(value, attr) if value is not None else _MISSING
    if found is not _MISSING and _accepts(route, name, found):
        return "." + attr, found
    return None


def _with_attribute(expr: str, replacement: str, quote: str) -> str:
    if replacement.startswith("="):
        return _literal(replacement[1:], quote)
    return expr + replacement


__all__ = [
    "KINDS",
    "UNKNOWN",
    "CallSite",
    "Diagnosis",
    "Suggestion",
    "batch",
    "diagnose",
    "diagnose_call",
    "error_message",
    "explain",
    "fixed_source",
    "is_verifying",
    "resolve_endpoint",
]
