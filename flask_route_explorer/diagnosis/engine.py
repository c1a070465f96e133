"""Why a ``url_for`` call failed: the kind of mistake, the near misses and the corrected call.

The entry points take a failure (:func:`diagnose`, :func:`explain`) or a call that was not run
(:func:`diagnose_call`), gather the facts of the call, dispatch on what went wrong, and return
one :class:`~.model.Diagnosis` that carries everything a face shows.
"""

from __future__ import annotations

import dataclasses
import logging
import typing as t

from werkzeug.routing import BuildError

from . import callsite, sentences
from .candidates import ProcessBlueprint, find_candidates, unregistered_blueprint
from .context import build, current_inventory, real_app
from .evidence import Candidate
from .facts import CallFacts, error_endpoint, error_message, facts_from_arguments, facts_from_error, parse_call
from .fit import Fit, best_fit, sampled
from .fix import Fix, fixed_source, make_fix
from .index import get_index
from .model import CallSite, Cause, Confidence, Diagnosis, Suggestion
from .regression import FailedRequest, failed_request, regression_test
from .structure import without_values

if t.TYPE_CHECKING:
    from flask import Flask

    from ..inventory import Inventory, Route

log = logging.getLogger("flask_route_explorer")

#: Suggestions shown for a method the endpoint does not allow.
_METHOD_SUGGESTIONS = 5


# --- Public entry points -------------------------------------------------------------------


def diagnose(error: BaseException, app: Flask | None = None) -> Diagnosis:
    """Diagnose an exception raised by ``url_for``; never raises (kind ``other`` when unsure).

    A failure of the engine itself is logged at WARNING: the answer is then only Werkzeug's message.
    """
    try:
        return explain(error, app)
    except Exception as failure:
        log.warning("flask-route-explorer could not diagnose %r", error, exc_info=True)
        message = error_message(error)
        incomplete = (sentences.engine_failed(failure),)
        return Diagnosis("other", error_endpoint(error), message, message=message, incomplete=incomplete)


def explain(error: BaseException, app: Flask | None = None) -> Diagnosis:
    """:func:`diagnose`, but a failure of the engine itself raises instead of answering ``other``.

    For faces that have a better fallback than a thin answer: the error page then steps aside so
    the original exception reaches the debugger.
    """
    if app is None:
        from flask import current_app

        app = current_app
    app = real_app(app)
    facts = facts_from_error(error)
    facts.inventory = current_inventory(app)
    return _finished(app, _diagnosed(app, error, facts), error, failed_request())


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

    ``values`` may hold :data:`~.model.UNKNOWN` for a value that is passed but not known statically.
    ``blueprint`` is the blueprint a relative ``.name`` resolves against (``None``: outside any).
    """
    facts = facts_from_arguments(
        endpoint,
        values,
        method=method,
        blueprint=blueprint,
        external=external,
        scheme=scheme,
        site=call,
        inventory=current_inventory(app),
    )
    failure = _build_failure(app, facts)
    if failure is None:
        return None
    try:
        return _finished(app, _explain_failure(app, failure, facts), failure, None)
    except Exception as error:
        log.warning("flask-route-explorer could not diagnose %s", endpoint, exc_info=True)
        message = error_message(failure)
        incomplete = (sentences.engine_failed(error),)
        return Diagnosis("other", endpoint, message, call=call, message=message, incomplete=incomplete)


def _finished(app: Flask, diagnosis: Diagnosis, error: BaseException, request: FailedRequest | None) -> Diagnosis:
    """The diagnosis with what its faces show besides it: the error's message, the fixed line,
    the regression test (which requests the failing page again when ``request`` says which)."""
    return dataclasses.replace(
        diagnosis,
        message=error_message(error),
        fixed_line=fixed_source(diagnosis),
        regression_test=regression_test(app, diagnosis, request),
    )


def _build_failure(app: Flask, facts: CallFacts) -> Exception | None:
    """What building the call raises, or ``None`` when it builds."""
    values = sampled(_inventory(app, facts), facts.endpoint, facts.values)
    try:
        build(app, facts.endpoint, values, facts.options())
    except Exception as error:
        return error
    return None


def _explain_failure(app: Flask, failure: Exception, facts: CallFacts) -> Diagnosis:
    facts.parsed = parse_call(facts)  # only a failure reads the call's text
    return _diagnosed(app, failure, facts)


def _diagnosed(app: Flask, error: BaseException, facts: CallFacts) -> Diagnosis:
    """The diagnosis of the failure, with the values the call passed (the testers prefill them)."""
    return dataclasses.replace(_diagnose_failure(app, error, facts), values=dict(facts.values))


def _inventory(app: Flask, facts: CallFacts) -> Inventory:
    if facts.inventory is None:
        facts.inventory = current_inventory(app)
    return facts.inventory


# --- Dispatch ------------------------------------------------------------------------------


def _diagnose_failure(app: Flask, error: BaseException, facts: CallFacts) -> Diagnosis:
    """The kind of failure, from the exception's class and the frames it went through."""
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


def _diagnose_build(app: Flask, facts: CallFacts) -> Diagnosis | None:
    """Why the endpoint and values do not build; ``None`` when they would."""
    inventory = _inventory(app, facts)
    routes = inventory.routes_for(facts.endpoint)
    if routes and not facts.view_object:
        facts.place_positionals(best_fit(app, routes, facts.values, facts.method).route)
        return _diagnose_values(app, facts, routes)
    return _diagnose_endpoint(app, facts, inventory)


# --- A wrong endpoint ----------------------------------------------------------------------


def _diagnose_endpoint(app: Flask, facts: CallFacts, inventory: Inventory) -> Diagnosis:
    """The endpoint does not exist: the candidates it probably meant, and a fix to the best one.

    A best candidate that is only a guess is listed, with no fix: faces show it as "a guess".
    """
    candidates = find_candidates(
        app,
        facts.endpoint,
        written=facts.written,
        values={k: v for k, v in facts.values.items() if v is not None},
        method=facts.method,
        inventory=inventory,
        blueprint=facts.blueprint,
        view_object=facts.view_object,
    )
    path_named = bool(candidates) and candidates[0].cause in (Cause.URL_PATH, Cause.STATIC_FILE)
    unregistered = None if path_named else unregistered_blueprint(app, facts.endpoint, inventory)
    if not candidates:
        if unregistered is not None:
            return _unregistered(facts, unregistered, ())
        return Diagnosis("unknown_endpoint", facts.shown, sentences.nothing_similar(facts), call=facts.site)
    top = candidates[0]
    routes = inventory.routes_for(top.endpoint)
    if routes:
        facts.place_positionals(routes[0])
    suggestions = tuple(_suggestion(app, c, facts) for c in candidates)
    if unregistered is not None:
        return _unregistered(facts, unregistered, suggestions)
    kind = top.kind
    if facts.written and facts.written.startswith(".") and kind not in ("relative_endpoint", "unknown_endpoint"):
        kind = "relative_endpoint"
    if top.confidence is Confidence.GUESS:
        explanation = sentences.guess_sentence(facts, top)
        return Diagnosis(kind, facts.shown, explanation, suggestions, call=facts.site)
    fit = best_fit(app, routes, {**facts.values, **(top.values or {})}, facts.method)
    fix = make_fix(app, facts, top.endpoint, fit, matched=top.values)
    explanation = (
        sentences.endpoint_sentence(kind, facts, top)
        + sentences.values_sentence(fit, fix.placeholders, top.values is not None)
        + sentences.moved_sentence(facts.moved)
    )
    return _fixed(kind, facts, explanation, suggestions, fit, fix)


def _fixed(
    kind: str, facts: CallFacts, explanation: str, suggestions: tuple[Suggestion, ...], fit: Fit, fix: Fix
) -> Diagnosis:
    """A diagnosis whose fix follows ``fit``: what it fills in, what it renames."""
    diagnosis = Diagnosis(
        kind,
        facts.shown,
        explanation,
        suggestions,
        missing=tuple(fit.still_missing),
        unexpected=tuple(fit.renames),
        call=facts.site,
    )
    return fix.onto(diagnosis)


def _suggestion(app: Flask, candidate: Candidate, facts: CallFacts) -> Suggestion:
    """The candidate with the rule the call would build (an endpoint can have several rules)."""
    routes = _inventory(app, facts).routes_for(candidate.endpoint)
    values = {**facts.values, **(candidate.values or {})}
    rule = best_fit(app, routes, values, facts.method).route.rule if routes else ""
    return Suggestion(
        candidate.endpoint,
        rule,
        candidate.score,
        sentences.reason_text(candidate),
        candidate.cause,
        candidate.confidence,
        candidate.evidence,
    )


def _unregistered(facts: CallFacts, found: ProcessBlueprint, suggestions: tuple[Suggestion, ...]) -> Diagnosis:
    explanation = sentences.unregistered(facts, found)
    return Diagnosis("blueprint_not_registered", facts.shown, explanation, suggestions=suggestions, call=facts.site)


# --- The right endpoint, wrong values or method ---------------------------------------------


def _diagnose_values(app: Flask, facts: CallFacts, routes: t.Sequence[Route]) -> Diagnosis | None:
    """The endpoint exists: which value or the method keeps the call from building."""
    fit = best_fit(app, routes, facts.values, facts.method)
    endpoint = facts.endpoint
    same = Suggestion(endpoint, fit.route.rule, 1.0, sentences.NAMED_REASON)
    if fit.builds:
        if not facts.moved:
            return None
        fix = make_fix(app, facts, endpoint, fit)
        explanation = sentences.moved_values(facts.moved) + sentences.placeholder_sentence(fix.placeholders)
        return _fixed("values_not_keywords", facts, explanation, (same,), fit, fix)
    if not fit.method_ok:
        return _method_not_allowed(app, facts, routes, fit)
    if fit.none_values:
        explanation = sentences.none_values(facts, fit)
        return Diagnosis(
            "none_parameter", facts.shown, explanation, (same,), missing=tuple(fit.none_values), call=facts.site
        )
    if fit.renames:
        kind, explanation = "wrong_parameter_name", sentences.wrong_names(endpoint, fit)
    elif fit.missing:
        sibling = _without_values(app, facts, fit)
        if sibling is not None:
            return sibling
        kind, explanation = "missing_parameters", sentences.missing_values(endpoint, fit)
    elif fit.invalid:
        kind, explanation = "invalid_value", sentences.invalid_values(fit, facts.values)
    else:
        return None
    fix = make_fix(app, facts, endpoint, fit)
    explanation += sentences.placeholder_sentence(fix.placeholders) + sentences.moved_sentence(facts.moved)
    return _fixed(kind, facts, explanation, (same,), fit, fix)


def _without_values(app: Flask, facts: CallFacts, fit: Fit) -> Diagnosis | None:
    """The call lacks values that nothing at the call site holds, and a sibling endpoint serves
    the same page without them (``page_dashboard_default`` at ``/dashboard``): that is the fix."""
    if make_fix(app, facts, facts.endpoint, fit).placeholders == ():
        return None
    index = get_index(app, _inventory(app, facts))
    sibling = without_values(index, facts.endpoint, fit.route)
    if sibling is None:
        return None
    routes = _inventory(app, facts).routes_for(sibling.endpoint)
    sibling_fit = best_fit(app, routes, facts.values, facts.method)
    fix = make_fix(app, facts, sibling.endpoint, sibling_fit)
    if fix.text is None or fix.placeholders:
        return None
    named = Suggestion(facts.endpoint, fit.route.rule, 0.8, sentences.NAMED_REASON)
    explanation = sentences.missing_values(facts.endpoint, fit) + sentences.without_values(sibling, sibling_fit)
    suggestions = (_suggestion(app, sibling, facts), named)
    return _fixed("missing_parameters", facts, explanation, suggestions, fit, fix)


def _method_not_allowed(app: Flask, facts: CallFacts, routes: t.Sequence[Route], fit: Fit) -> Diagnosis:
    """Another endpoint on the same URL that allows the method, else GET when the endpoint allows it.

    ``_method`` is never changed to a method a link or a redirect cannot use: for a GET call to a
    POST-only endpoint the diagnosis says so and offers no fix; and when the call's values do not
    fit the rule either (``id`` for a collection), it names no endpoint at all.
    """
    method = (facts.method or "").upper()
    allowed = sorted({m for r in routes for m in (r.visible_methods or ())})
    inventory = _inventory(app, facts)
    siblings = [
        r
        for r in get_index(app, inventory).by_rule.get(fit.route.rule, ())
        if r.endpoint != facts.endpoint and r.allows(method)
    ]
    suggestions = [
        Suggestion(r.endpoint, r.rule, 0.97, sentences.same_url_reason(method), Cause.SAME_URL) for r in siblings
    ]
    fits_rule = all(name in fit.route.argument_names for name in facts.present)
    if siblings or "GET" in allowed or fits_rule:
        suggestions.append(Suggestion(facts.endpoint, fit.route.rule, 0.9, sentences.allows_reason(allowed)))
    sibling = siblings[0].endpoint if siblings else None
    if sibling is not None:
        fix = make_fix(app, facts, sibling, best_fit(app, inventory.routes_for(sibling), facts.values, method))
    elif "GET" in allowed:
        fix = make_fix(app, facts, facts.endpoint, fit, method="GET")
    else:
        fix = Fix()
    explanation = sentences.method_not_allowed(facts.endpoint, fit.route.rule, method, allowed, sibling)
    if sibling is None and "GET" not in allowed:
        explanation += sentences.no_link_method(allowed, fits_rule)
    diagnosis = Diagnosis(
        "method_not_allowed",
        facts.shown,
        explanation + sentences.placeholder_sentence(fix.placeholders),
        tuple(suggestions[:_METHOD_SUGGESTIONS]),
        call=facts.site,
    )
    return fix.onto(diagnosis)


# --- Errors that are not BuildErrors ------------------------------------------------------


def _no_request_context(app: Flask, facts: CallFacts) -> Diagnosis:
    """No request and no SERVER_NAME; built in a request, would the call still fail, and why?"""
    inner_facts = facts_from_arguments(
        facts.shown,
        facts.values,
        method=facts.method,
        blueprint=None,
        external=facts.external,
        scheme=facts.scheme,
        site=facts.site,
        inventory=_inventory(app, facts),
    )
    failure = _build_failure(app, inner_facts)
    inner = _explain_failure(app, failure, inner_facts) if failure is not None else None
    if inner is None:
        explanation = sentences.no_request_context(None)
        return Diagnosis("no_request_context", facts.shown, explanation, call=facts.site)
    explanation = sentences.no_request_context(inner.headline)
    return dataclasses.replace(
        inner, kind="no_request_context", endpoint=facts.shown, explanation=explanation, call=facts.site
    )


def _scheme_without_external(app: Flask, facts: CallFacts) -> Diagnosis:
    """``_scheme`` without ``_external=True``: the fix adds ``_external=True``."""
    routes = _inventory(app, facts).routes_for(facts.endpoint)
    explanation = sentences.scheme_without_external(facts.scheme)
    if not routes:
        return Diagnosis("scheme_without_external", facts.shown, explanation, call=facts.site)
    fit = best_fit(app, routes, facts.values, facts.method)
    fix = make_fix(app, facts, facts.endpoint, fit, external=True)
    suggestions = (Suggestion(facts.endpoint, fit.route.rule, 1.0, sentences.NAMED_REASON),)
    return fix.onto(Diagnosis("scheme_without_external", facts.shown, explanation, suggestions, call=facts.site))


def _url_defaults_hook(app: Flask, facts: CallFacts, error: BaseException, hook: tuple[t.Any, int]) -> Diagnosis:
    """A ``url_defaults`` hook raised: for an unknown endpoint, the call's own diagnosis; else name the hook.

    Many apps' hooks ask the URL map about the endpoint (``is_endpoint_expecting``) and raise for
    one it does not know: for a typo the hook's failure is a symptom. The call is then diagnosed as
    if the hook had stepped aside (same kind, same fix as without the hook), and the hook's
    exception is kept as a secondary fact (:attr:`~.model.Diagnosis.hook_error`). For an endpoint
    that exists, the hook itself may be what is wrong: the diagnosis is about the hook.
    """
    frame, line = hook
    where = f"{frame.f_code.co_filename}:{line}"
    hook_name = frame.f_code.co_name
    inner = None
    try:
        inner = _diagnose_build(app, facts)
    except Exception:
        log.debug("flask-route-explorer: no diagnosis behind the url_defaults hook", exc_info=True)
    if inner is not None and not _inventory(app, facts).routes_for(facts.endpoint):
        secondary = sentences.hook_also_raised(hook_name, where, error, error_message(error))
        return dataclasses.replace(inner, explanation=f"{inner.explanation} {secondary}", hook_error=secondary)
    explanation = sentences.url_defaults_hook(
        hook_name,
        where,
        error,
        error_message(error),
        facts.endpoint,
        inner.explanation if inner is not None else None,
    )
    if inner is None:
        return Diagnosis("url_defaults_hook", facts.shown, explanation, call=facts.site)
    return dataclasses.replace(
        inner, kind="url_defaults_hook", endpoint=facts.shown, explanation=explanation, call=facts.site
    )
