"""Every sentence a diagnosis says, written here from structured data and never read back.

The engine decides (a kind, a :class:`~.model.Cause`, a :class:`~.fit.Fit`); this module only words
the decision. No code parses these sentences: a decision that needs a fact reads the fact.
"""

from __future__ import annotations

import typing as t

from werkzeug.routing import AnyConverter

from .candidates import ProcessBlueprint
from .evidence import Candidate
from .facts import CallFacts
from .fit import Fit, converter
from .model import Cause

if t.TYPE_CHECKING:
    from ..inventory import Route
    from .arguments import Moved

#: The reason beside the endpoint the call named itself (its values or method are what is wrong).
NAMED_REASON = "the endpoint you named"


def join_names(names: t.Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    listed = list(names)
    if len(listed) < 2:
        return "".join(listed)
    return ", ".join(listed[:-1]) + " and " + listed[-1]


def _them(count: int) -> str:
    return "it" if count == 1 else "them"


def _blueprint_label(endpoint: str) -> str:
    prefix = endpoint.rpartition(".")[0]
    return f"blueprint '{prefix}'" if prefix else "the app (no blueprint)"


# --- suggestion reasons ---------------------------------------------------------------------------


def reason_text(candidate: Candidate) -> str:
    """The few words every face shows beside a candidate."""
    cause, target = candidate.cause, candidate.endpoint
    if cause is Cause.URL_PATH:
        return f"'{candidate.written}' is routed to it"
    if cause is Cause.RELATIVE_NAME:
        return f"'{candidate.written}' is in {_blueprint_label(target)}"
    if cause is Cause.BLUEPRINT_VARIABLE:
        return f"'{candidate.name}' is the variable; the blueprint is named '{target.rpartition('.')[0]}'"
    if cause is Cause.NESTED_PREFIX:
        return f"same view in nested {_blueprint_label(target)}"
    if cause is Cause.MISSING_PREFIX:
        return f"same view in {_blueprint_label(target)}"
    if cause is Cause.OTHER_PREFIX:
        return f"same name in {_blueprint_label(target)}"
    if cause is Cause.VIEW_NAME:
        return f"view {candidate.name_kind} '{candidate.name}' is registered as '{target}'"
    if cause is Cause.WRAPPED_FUNCTION:
        return f"function '{candidate.name}' wrapped without functools.wraps is registered as '{target}'"
    if cause is Cause.SPELLED_DIFFERENTLY:
        return f"same name written differently in {_blueprint_label(target)}"
    if cause is Cause.TYPO:
        return f"typo ({round(candidate.similarity or 0)}%)"
    if cause is Cause.URL_PIECE:
        return f"'{candidate.written}' is in its URL"
    if cause is Cause.STATIC_FILE:
        return f"'{candidate.written}' is a static file's path"
    if cause is Cause.CONVENTIONAL_NAME:
        return f"'{candidate.written}' conventionally names this page"
    if cause is Cause.CLASS_METHOD:
        return f"its class view handles {candidate.name}"
    if cause is Cause.VIEW_OBJECT:
        return "the view you passed, by its endpoint's name"
    if cause is Cause.STRUCTURE:
        return "its blueprint, values and words fit the call"
    if cause is Cause.WITHOUT_VALUES:
        return "the same page without the missing values"
    return NAMED_REASON


def same_url_reason(method: str) -> str:
    """Beside another endpoint on the same URL that allows the call's method."""
    return f"same URL, allows {method}"


def allows_reason(allowed: t.Sequence[str]) -> str:
    """Beside the named endpoint, when its method is what is wrong."""
    return f"allows {', '.join(allowed)}"


# --- a wrong endpoint -----------------------------------------------------------------------------


def no_endpoint(facts: CallFacts) -> str:
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


def nothing_similar(facts: CallFacts) -> str:
    """An unknown endpoint with no candidate at all."""
    return (
        f"{no_endpoint(facts)}, and no endpoint has a similar name. "
        "Check the explorer's route list for the name you want."
    )


def endpoint_sentence(kind: str, facts: CallFacts, top: Candidate) -> str:
    """Why the named endpoint is wrong, and which one the call probably meant (``top``)."""
    shown, target = facts.shown, top.endpoint
    blueprint = target.rpartition(".")[0]
    where = f"in blueprint '{blueprint}' as '{target}'" if blueprint else f"as '{target}'"
    if kind == "url_not_endpoint":
        values = ", ".join(f"{k}={v!r}" for k, v in (top.values or {}).items())
        return (
            f"'{shown}' is a URL path, not an endpoint: url_for takes the endpoint's name. "
            f"That path is handled by '{target}'" + (f" with {values}." if values else ".")
        )
    special = _cause_sentence(facts, top)
    if special is not None:
        return special
    if kind == "relative_endpoint":
        return f"{_relative_resolution(facts)}. '{shown[1:]}' is registered {where}."
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
    similarity = top.similarity if top.similarity is not None else top.score * 100  # a sure cause: its score
    return f"{no_endpoint(facts)}. The closest name is '{target}' ({round(similarity)}% similar)."


def _cause_sentence(facts: CallFacts, top: Candidate) -> str | None:
    """The sentence of a cause that is not about the name's spelling; ``None`` for the others."""
    shown, target, cause = facts.shown, top.endpoint, top.cause
    if cause is Cause.STATIC_FILE:
        filename = (top.values or {}).get("filename")
        return (
            f"'{shown}' is a static file's path, not an endpoint: static files are built with "
            f"url_for('{target}', filename='{filename}')."
        )
    if cause is Cause.URL_PIECE:
        return f"'{shown}' is a piece of a URL, not an endpoint: url_for takes the endpoint's name. That URL is served by '{target}'."
    if cause is Cause.CONVENTIONAL_NAME:
        return f"{no_endpoint(facts)}. The page '{top.written}' conventionally names is served by '{target}'."
    if cause is Cause.CLASS_METHOD:
        return f"There is no endpoint '{shown}': endpoints name class views, not their methods. '{target}' is the class view that handles {top.name}."
    if cause is Cause.VIEW_OBJECT:
        return f"url_for takes the endpoint's name as a string, not the view object: pass '{target}'."
    if cause is Cause.STRUCTURE:
        return f"{no_endpoint(facts)}, and no endpoint has a similar name; '{target}' fits the call's blueprint, values and words."
    return None


def guess_sentence(facts: CallFacts, top: Candidate) -> str:
    """An unknown endpoint whose best candidate is only a guess: no fix is offered."""
    return (
        f"{no_endpoint(facts)}. No endpoint clearly matches; a guess: '{top.endpoint}'. "
        "Check it in the explorer's route list before using it."
    )


def moved_values(moved: t.Sequence[Moved]) -> str:
    """The values were passed the wrong way (positionally, or wrapped in ``kwargs=``)."""
    names = join_names(m.name for m in moved)
    wrappers = sorted({m.wrapper for m in moved if m.wrapper is not None})
    if wrappers:
        where = join_names(f"{w}=" for w in wrappers)
        return (
            f"url_for takes the URL's values as keyword arguments: {names} went inside {where}, "
            f"which url_for puts in the query string as one value. Pass {names} as keywords."
        )
    return (
        f"url_for takes the URL's values as keyword arguments only, so a value after the endpoint "
        f"is refused. Pass {names} as {'a keyword' if len(moved) == 1 else 'keywords'}."
    )


def moved_sentence(moved: t.Sequence[Moved]) -> str:
    """Said after another explanation when values were also passed the wrong way."""
    return f" {moved_values(moved)}" if moved else ""


def without_values(sibling: Candidate, fit: Fit) -> str:
    """A sibling endpoint serves the same page without the missing values."""
    return f" '{sibling.endpoint}' ({fit.route.rule}) serves that page without them."


def no_link_method(allowed: t.Sequence[str], fits_rule: bool) -> str:
    """A GET call to an endpoint that does not allow GET: no link or redirect can use it."""
    sentence = (
        f" A link or a redirect can only GET, so no fix changes _method to {join_names(allowed)}; "
        "a GET URL needs a GET view."
    )
    if not fits_rule:
        sentence += " The call's values do not fit this rule either: the page it means is not in this app."
    return sentence


def _relative_resolution(facts: CallFacts) -> str:
    shown = facts.shown
    if facts.endpoint.startswith("."):
        return f"'{shown}' is relative, but there is no request blueprint here to resolve it against"
    if facts.blueprint:
        return f"'{shown}' resolved to '{facts.endpoint}' because the request is handled by blueprint '{facts.blueprint}', and there is no such endpoint"
    return f"'{shown}' resolved to '{facts.endpoint}' because the request is not handled by a blueprint, and there is no such endpoint"


def values_sentence(fit: Fit, placeholders: t.Sequence[str], from_url: bool) -> str:
    """What else the suggested endpoint needs; nothing for a URL path (its values come from the path)."""
    if from_url:
        return ""
    parts = []
    if fit.renames:
        plural = "s" if len(fit.renames) > 1 else ""
        parts.append(
            f" It names the variable{plural} {join_names(fit.renames.values())}, not {join_names(fit.renames)}."
        )
    if fit.still_missing:
        parts.append(f" It also needs {join_names(fit.still_missing)}.")
    return "".join(parts) + placeholder_sentence(placeholders)


def unregistered(facts: CallFacts, found: ProcessBlueprint) -> str:
    """The endpoint's blueprint exists in the process but is not registered on the app."""
    return (
        f"Blueprint '{found.blueprint.name}' ({found.variable} in {found.module}) is defined but never registered "
        f"on this app, so '{facts.endpoint}' does not exist. Call app.register_blueprint({found.variable})."
    )


# --- the right endpoint, wrong values or method ---------------------------------------------------


def placeholder_sentence(placeholders: t.Sequence[str]) -> str:
    """How to finish a fix that still holds placeholders (``USER_ID``); nothing without any."""
    if not placeholders:
        return ""
    return f" In the fix, replace {join_names(placeholders)} with the real value{'s' if len(placeholders) > 1 else ''}."


def none_values(facts: CallFacts, fit: Fit) -> str:
    """Values passed as ``None``, naming the expressions that are ``None`` here when the text says."""
    names = fit.none_values
    expressions = [(n, facts.expression(n)) for n in names]
    shown = join_names([e for n, e in expressions if e and e not in (n, "None", "none")])
    return (
        f"{', '.join(names)} {'was' if len(names) == 1 else 'were'} passed as None, and Werkzeug drops "
        f"None values, so '{facts.endpoint}' ({fit.route.rule}) is missing {_them(len(names))}."
        + (f" {shown} is None here." if shown else "")
    )


def wrong_names(endpoint: str, fit: Fit) -> str:
    renamed = ", ".join(f"{old} to {new}" for old, new in fit.renames.items())
    return (
        f"'{endpoint}' has no variable {join_names(fit.renames)}: its rule {fit.route.rule} needs "
        f"{join_names(fit.missing)}. Rename {renamed}."
    )


def missing_values(endpoint: str, fit: Fit) -> str:
    return (
        f"'{endpoint}' needs {join_names(fit.missing)} for its rule {fit.route.rule}, "
        f"and the call does not pass {_them(len(fit.missing))}."
    )


def invalid_values(fit: Fit, values: t.Mapping[str, t.Any]) -> str:
    """One sentence per value the rule's converter rejects."""
    return " ".join(_invalid_value(fit.route, name, values[name]) for name in fit.invalid)


def _invalid_value(route: Route, name: str, value: t.Any) -> str:
    found = converter(route, name)
    if isinstance(found, AnyConverter):
        items = ", ".join(repr(i) for i in sorted(found.items))
        return f"{value!r} is not a valid {name} for {route.rule}: it must be one of {items}."
    argument = next((a for a in route.arguments if a.name == name), None)
    kind = argument.converter if argument else "its"
    return f"{value!r} is not a valid {name} for {route.rule}: the {kind} converter rejects it."


def method_not_allowed(endpoint: str, rule: str, method: str, allowed: t.Sequence[str], sibling: str | None) -> str:
    """The endpoint does not allow the method; ``sibling`` is another endpoint on the URL that does."""
    sentence = f"'{endpoint}' ({rule}) allows only {', '.join(allowed)}, not {method}."
    if sibling is not None:
        sentence += f" '{sibling}' handles {method} on the same URL."
    return sentence


# --- errors that are not BuildErrors --------------------------------------------------------------


def no_request_context(still_failing: str | None) -> str:
    """url_for outside a request without SERVER_NAME; ``still_failing``: what a request would not fix."""
    sentence = (
        "url_for was called outside a request, and without SERVER_NAME Flask cannot build the URL. "
        "Build it inside app.test_request_context(), or set SERVER_NAME (and PREFERRED_URL_SCHEME)."
    )
    if still_failing is not None:
        sentence += f" The call would still fail in a request: {still_failing}"
    return sentence


def scheme_without_external(scheme: str | None) -> str:
    return (
        f"_scheme={scheme!r} only works with _external=True: Flask refuses to put a scheme on a relative URL. "
        "Pass _external=True, or drop _scheme."
    )


def url_defaults_hook(
    hook: str, where: str, error: BaseException, message: str, endpoint: str, hidden: str | None
) -> str:
    """A ``url_defaults`` hook raised; ``hidden`` explains the url_for error it hid, when there is one."""
    sentence = (
        f"The url_defaults hook '{hook}' ({where}) raised {type(error).__name__}({message!r}) "
        f"while building '{endpoint}', which hides the real url_for error."
    )
    return sentence + f" {hidden}" if hidden is not None else sentence


def hook_also_raised(hook: str, where: str, error: BaseException, message: str) -> str:
    """The secondary fact beside an unknown endpoint's diagnosis: the app's hook raised on it first."""
    return (
        f"The url_defaults hook '{hook}' ({where}) also raised {type(error).__name__}({message!r}) "
        "on this call, before url_for could report the unknown endpoint."
    )


def engine_failed(error: BaseException) -> str:
    """What is missing when the engine itself failed: only the error's own message is left."""
    return f"the diagnosis raised {type(error).__name__}: {error} (only the error's own message is shown)"
