"""The corrected call: the failing call's text with only what is wrong changed, verified by building it.

A fix keeps the caller's own expressions (``user.id`` stays ``user.id``), fills a missing value
from a variable visible at the call when one fits, and otherwise writes a placeholder (``USER_ID``)
that the explanation asks to replace. Every fix is built for real before it is offered; a fix
that does not build is not offered at all.
"""

from __future__ import annotations

import dataclasses
import logging
import typing as t
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from werkzeug.routing import AnyConverter

from ..endpoints import literal, write_call
from ..inventory import Route
from . import callsite
from .context import build
from .facts import CallFacts
from .fit import Fit, accepts, converter, sample
from .index import get_index
from .model import UNKNOWN, Diagnosis
from .visible import MISSING, VisibleValues

if t.TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger("flask_route_explorer")

#: A rejected value is replaced by one of an ``any(...)`` converter's items at least this similar (0-100).
ANY_ITEM_SIMILARITY = 60


@dataclass(frozen=True)
class Fix:
    """A corrected call verified by building it, with what exactly was built (empty: no safe fix)."""

    text: str | None = None
    url: str | None = None
    placeholders: tuple[str, ...] = ()
    endpoint: str | None = None
    #: url_for's keyword arguments for the build: values, then the options that were set.
    arguments: t.Mapping[str, t.Any] = field(default_factory=dict)
    renames: t.Mapping[str, str] = field(default_factory=dict)
    #: What could not be read at the call site while writing it (see :class:`~.visible.VisibleValues`).
    incomplete: tuple[str, ...] = ()

    def onto(self, diagnosis: Diagnosis) -> Diagnosis:
        """``diagnosis`` with this fix filled in."""
        return dataclasses.replace(
            diagnosis,
            fix=self.text,
            fix_url=self.url,
            fix_endpoint=self.endpoint,
            fix_values=self.arguments,
            renames=self.renames,
            placeholders=self.placeholders,
            incomplete=self.incomplete,
        )


@dataclass
class _Draft:
    """The corrected call while it is being written: its text pieces and the values it will build with."""

    keywords: list[tuple[str, str]]
    stars: list[str]
    #: The values the build gets, name by name (the text's expressions may not be evaluable here).
    runtime: dict[str, t.Any]
    placeholders: list[str]
    quote: str
    template: bool
    #: What the caller sees, read with care: the reads that raised are reported with the fix.
    visible: VisibleValues

    def replace(self, name: str, expression: str) -> None:
        """Write ``expression`` for the keyword ``name`` where the call already passes it."""
        self.keywords = [(k, expression if k == name else e) for k, e in self.keywords]

    def insert(self, name: str, expression: str, route: Route) -> None:
        """Add the keyword where a developer would: among the rule's variables in the rule's
        order, before query arguments and url_for's own options (``_external=True``)."""
        order = list(route.argument_names)
        later = order[order.index(name) + 1 :] if name in order else []
        position = next(
            (i for i, (k, _) in enumerate(self.keywords) if k not in order or k in later),
            len(self.keywords),
        )
        self.keywords.insert(position, (name, expression))

    def placeholder(self, name: str, route: Route, *, written: bool) -> None:
        """``NAME`` in the text (replacing the written expression, or added), a sample value in the build."""
        text = name.upper()
        if written:
            self.replace(name, text)
        else:
            self.insert(name, text, route)
        self.placeholders.append(text)
        self.runtime[name] = sample(route, name)


def make_fix(
    app: Flask,
    facts: CallFacts,
    target: str,
    fit: Fit,
    *,
    matched: t.Mapping[str, t.Any] | None = None,
    method: str | None = None,
    external: bool | None = None,
) -> Fix:
    """The corrected call to ``target`` as code, verified by building it.

    ``matched`` holds the values a URL path matched with (the call named a path); ``method`` and
    ``external`` override the call's own options when they are what is wrong.
    """
    draft = _draft(facts, fit)
    if draft is None:  # passed through **mapping: no edit of this call's text changes it
        return Fix(renames=fit.renames)
    if matched is not None:
        _take_matched(draft, matched, fit.route)
    for old, new in fit.renames.items():
        draft.keywords = [(new if k == old else k, e) for k, e in draft.keywords]
        draft.runtime[new] = draft.runtime.pop(old)
    _fill_missing(draft, facts, target, fit)
    _repair_invalid(draft, facts, target, fit)
    for name, value in draft.runtime.items():  # values the caller did not write (static analysis) still build
        if value is UNKNOWN:
            draft.runtime[name] = sample(fit.route, name)
    options = _override_options(draft, facts, method, external)
    incomplete = tuple(draft.visible.failures)
    try:
        url = build(app, target, draft.runtime, options)
    except Exception:
        log.debug("flask-route-explorer: the fix for %s does not build", target, exc_info=True)
        return Fix(placeholders=tuple(draft.placeholders), renames=fit.renames, incomplete=incomplete)
    text = _written(app, draft, facts, target)
    if text is None:
        return Fix(renames=fit.renames, incomplete=incomplete)
    arguments = {**draft.runtime, **{k: v for k, v in options.items() if v is not None and v is not False}}
    return Fix(text, url, tuple(draft.placeholders), target, arguments, fit.renames, incomplete)


def _draft(facts: CallFacts, fit: Fit) -> _Draft | None:
    """The call as written (its text when read, else its values as literals); ``None`` when it cannot be edited."""
    parsed = facts.parsed
    quote = parsed.quote() if parsed is not None else "'"
    runtime = {k: v for k, v in facts.values.items() if v is not None}
    if parsed is not None:
        visible = VisibleValues(facts.names, facts.template)
        draft = _Draft(list(parsed.keywords), list(parsed.star_kwargs), runtime, [], quote, facts.template, visible)
        _write_moved(draft, facts, fit.route)
        written = {name for name, _ in draft.keywords}
        if any(name not in written for name in (*fit.renames, *fit.invalid)):
            return None
        return draft
    keywords = [(k, k.upper() if v is UNKNOWN else literal(v, quote)) for k, v in facts.values.items()]
    # ``_external=False`` is what a request does anyway (and the testers pass it): not worth writing.
    options = {
        "_method": facts.method,
        "_scheme": facts.scheme,
        "_anchor": facts.anchor,
        "_external": facts.external or None,
    }
    keywords += [(k, literal(v, quote)) for k, v in options.items() if v is not None]
    placeholders = [k.upper() for k, v in facts.values.items() if v is UNKNOWN]
    visible = VisibleValues(facts.names, facts.template)
    return _Draft(keywords, [], runtime, placeholders, quote, facts.template, visible)


def _write_moved(draft: _Draft, facts: CallFacts, route: Route) -> None:
    """Values passed the wrong way become keywords: a positional value named after its variable,
    a ``kwargs={...}`` display split into its keywords (else passed on as ``**kwargs_value``)."""
    for wrapper in dict.fromkeys(m.wrapper for m in facts.moved if m.wrapper is not None):
        inner = [m for m in facts.moved if m.wrapper == wrapper]
        position = next((i for i, (k, _) in enumerate(draft.keywords) if k == wrapper), len(draft.keywords))
        expression = dict(draft.keywords).get(wrapper)
        draft.keywords = [kw for kw in draft.keywords if kw[0] != wrapper]
        if all(m.expression is not None for m in inner):
            draft.keywords[position:position] = [(m.name, t.cast(str, m.expression)) for m in inner]
        elif expression is not None:
            draft.stars.append(expression)
    for moved in facts.moved:
        if moved.wrapper is None:
            expression = moved.expression or literal(moved.value, draft.quote, template=draft.template)
            draft.insert(moved.name, expression, route)


def _take_matched(draft: _Draft, matched: t.Mapping[str, t.Any], route: Route) -> None:
    """A URL path named instead of an endpoint: the values come from matching it (a value the rule
    gets from its defaults is not written: the endpoint builds it without)."""
    given = {k: v for k, v in matched.items() if not (k in route.defaults and route.defaults[k] == v)}
    written = [kw for kw in draft.keywords if kw[0] not in matched]
    draft.keywords = [(k, literal(v, draft.quote)) for k, v in given.items()] + written
    draft.runtime.update(given)


def _fill_missing(draft: _Draft, facts: CallFacts, target: str, fit: Fit) -> None:
    """Pass what the rule needs: ``**request.view_args`` for ``url_for(request.endpoint)``, a visible
    variable (``user.id`` for ``user_id``), else a placeholder."""
    missing = [m for m in fit.still_missing if m not in draft.runtime]
    parsed = facts.parsed
    dynamic = parsed is not None and parsed.endpoint_literal is None
    view_args = draft.visible.view_args() if missing and dynamic and target == facts.endpoint else None
    if view_args is not None and set(missing) <= set(view_args):
        draft.stars.append("request.view_args")
        draft.runtime.update({k: v for k, v in view_args.items() if k not in draft.runtime})
        return
    for name in missing:
        filled = draft.visible.value_for(name, target)
        if filled is None:
            draft.placeholder(name, fit.route, written=False)
        else:
            draft.insert(name, filled[0], fit.route)
            draft.runtime[name] = filled[1]


def _repair_invalid(draft: _Draft, facts: CallFacts, target: str, fit: Fit) -> None:
    """Replace each rejected value: by one derived from it (``user`` -> ``user.id``, a close ``any``
    item), else by a visible variable the converter accepts, else by a placeholder."""
    for name in fit.invalid:
        expression = dict(draft.keywords).get(name, "")
        repaired = _repaired(draft, fit.route, name, expression)
        if repaired is None:
            filled = draft.visible.value_for(name, target)
            if filled is not None and accepts(fit.route, name, filled[1]):
                repaired = filled
        if repaired is None:
            draft.placeholder(name, fit.route, written=True)
        else:
            draft.replace(name, repaired[0])
            draft.runtime[name] = repaired[1]


def _repaired(draft: _Draft, route: Route, name: str, expression: str) -> tuple[str, t.Any] | None:
    """``(expression, value)`` derived from a rejected value that the converter accepts.

    An ``any(...)`` converter takes its closest item (``'monthly'`` for ``'montly'``); another takes
    the value's attribute named like the variable's last word (``user.id`` for ``user_id``).
    """
    value = draft.runtime.get(name)
    found = converter(route, name)
    if isinstance(found, AnyConverter) and isinstance(value, str):
        best = process.extractOne(value, sorted(found.items), scorer=fuzz.ratio, score_cutoff=ANY_ITEM_SIMILARITY)
        return (literal(best[0], draft.quote), best[0]) if best is not None else None
    attr = name.rpartition("_")[2] or name
    attribute = draft.visible.attribute(value, attr, expression or name) if value is not None else MISSING
    if attribute is not MISSING and accepts(route, name, attribute):
        return f"{expression}.{attr}", attribute
    return None


def _override_options(draft: _Draft, facts: CallFacts, method: str | None, external: bool | None) -> dict[str, t.Any]:
    """Write the options the fix changes; the options the build uses."""
    if method is not None:
        written = any(k == "_method" for k, _ in draft.keywords)
        draft.replace("_method", literal(method, draft.quote))
        if not written:
            draft.keywords.append(("_method", literal(method, draft.quote)))
    if external is None and facts.scheme is not None and not facts.external:
        external = True  # Flask refuses _scheme on a relative URL: a fix never keeps one without the other
    if external is not None:
        draft.keywords = [kw for kw in draft.keywords if kw[0] != "_external"]
        draft.keywords.append(("_external", literal(True, template=draft.template)))
    return {
        "_method": method or facts.method,
        "_external": external if external is not None else facts.external,
        "_scheme": facts.scheme,
        "_anchor": facts.anchor,
    }


def _written(app: Flask, draft: _Draft, facts: CallFacts, target: str) -> str | None:
    """The fix's text; ``None`` when it is the failing call's own text (the change lies outside it)."""
    parsed = facts.parsed
    keep_expression = (
        parsed is not None
        and parsed.endpoint_literal is None
        and parsed.endpoint_expr is not None
        and target == facts.endpoint
        and not facts.view_object
    )
    endpoint = parsed.endpoint_expr if keep_expression and parsed is not None else None
    endpoint = endpoint or literal(_endpoint_name(app, facts, target), draft.quote)
    if parsed is None:
        text = write_call(endpoint, draft.keywords, draft.stars)
    else:
        text = parsed.render(endpoint, draft.keywords, draft.stars)
        if text == parsed.text:
            return None
    if not draft.template:
        return text
    source = facts.site.source if facts.site is not None else None
    if parsed is not None and source:
        return callsite.rewrite_call(source, parsed, text, template=True)[1]
    return "{{ " + text + " }}"


def _endpoint_name(app: Flask, facts: CallFacts, target: str) -> str:
    """The endpoint as the fix writes it: relative (``.edit``) inside the request's own blueprint
    when the call wrote a relative name (the caller's style), or when the blueprint is registered
    twice (only a relative name serves both registrations); else the full name."""
    blueprint = facts.blueprint
    if not blueprint or target.rpartition(".")[0] != blueprint:
        return target
    if (facts.written or "").startswith(".") or get_index(app, facts.inventory).registered_twice(blueprint):
        return "." + target.rpartition(".")[2]
    return target


# --- the fix in its line -----------------------------------------------------------------------------


def fixed_source(diagnosis: Diagnosis) -> str | None:
    """The failing source line(s) with the call replaced by the fix, for a before/after diff."""
    call = diagnosis.call
    if diagnosis.fix is None or call is None or not call.source:
        return None
    located = callsite.call_at(call.source, call.span) if call.span is not None else None
    parsed = located or callsite.find_call(call.source, [diagnosis.endpoint] if diagnosis.endpoint else [])
    if parsed is None:
        return None
    if not call.template:
        return call.source[: parsed.start] + diagnosis.fix + call.source[parsed.end :]
    start, end = callsite.template_wrapper(call.source, parsed)
    if (start, end) == (parsed.start, parsed.end):  # not inside a tag on this line: the fix is "{{ call }}"
        return call.source[:start] + diagnosis.fix.removeprefix("{{ ").removesuffix(" }}") + call.source[end:]
    return call.source[:start] + diagnosis.fix + call.source[end:]
