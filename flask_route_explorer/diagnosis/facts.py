"""What the failing call was: its endpoint, values and options, where it was written, and its text.

A call comes from a traceback (Flask's ``url_for`` frame holds its arguments) or from the checker
and the testers, which pass them. Either way the engine works on one :class:`CallFacts`.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

from werkzeug.routing import BuildError

from .. import _compat
from ..endpoints import OPTIONS, resolve_endpoint, url_values
from . import arguments, callsite
from .model import UNKNOWN, CallSite

if t.TYPE_CHECKING:
    from ..inventory import Inventory, Route


@dataclass
class CallFacts:
    """Everything known about one url_for call, from a traceback or from the checker."""

    #: The endpoint url_for looked up (a relative ``.name`` resolved).
    endpoint: str
    #: The endpoint as the caller wrote it, when known.
    written: str | None
    #: The URL values, without url_for's own options.
    values: dict[str, t.Any]
    method: str | None = None
    external: bool | None = None
    scheme: str | None = None
    anchor: str | None = None
    #: The blueprint of the request a relative name resolves against.
    blueprint: str | None = None
    site: CallSite | None = None
    parsed: callsite.ParsedCall | None = None
    #: Read once per diagnosis: checking that the cached inventory is current costs O(rules).
    inventory: Inventory | None = None
    #: Values passed after the endpoint (``(expression, value)``): Python refused the call.
    positionals: list[tuple[str, t.Any]] = field(default_factory=list)
    #: Values passed the wrong way, once named (unwrapped from ``kwargs=``, or placed positionals).
    moved: list[arguments.Moved] = field(default_factory=list)
    #: The endpoint was a view object (``TestView.add``), not a string: its name stands for it.
    view_object: bool = False

    @property
    def shown(self) -> str:
        """The endpoint as the caller wrote it."""
        return self.written or self.endpoint

    @property
    def present(self) -> list[str]:
        """The names of the values that are not ``None`` (url_for drops ``None``)."""
        return [k for k, v in self.values.items() if v is not None]

    @property
    def names(self) -> t.Mapping[str, t.Any]:
        """The variables visible at the call, to fill in a value the call lacks."""
        return self.site.names if self.site is not None else {}

    @property
    def template(self) -> bool:
        """Whether the call is written in a template (Jinja syntax in the fix)."""
        return self.site is not None and self.site.template

    def options(self) -> dict[str, t.Any]:
        """url_for's own keyword arguments for a build of this call (unset ones are ``None``)."""
        return {"_method": self.method, "_external": self.external, "_scheme": self.scheme, "_anchor": self.anchor}

    def expression(self, name: str) -> str | None:
        """The expression the call's text passes for ``name`` (``user.id``), when the text was read."""
        moved = next((m.expression for m in self.moved if m.name == name), None)
        if moved is not None:
            return moved
        return dict(self.parsed.keywords).get(name) if self.parsed is not None else None

    def place_positionals(self, route: Route) -> None:
        """Name the positional values after ``route``'s variables (once): they become values."""
        if not self.positionals or any(m.wrapper is None for m in self.moved):
            return
        placed = arguments.place(self.positionals, route, self.present)
        self.moved += placed
        for moved in placed:
            self.values.setdefault(moved.name, moved.value)

    def unwrap(self) -> None:
        """Values wrapped in one keyword (``kwargs={...}``) become the call's own values."""
        expressions = dict(self.parsed.keywords) if self.parsed is not None else {}
        found = arguments.unwrap(self.values, expressions)
        for wrapper in {m.wrapper for m in found}:
            self.values.pop(t.cast(str, wrapper), None)
        for moved in found:
            self.values.setdefault(moved.name, moved.value)
        self.moved += found


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


def error_line(error: BaseException) -> str:
    """``BuildError: <first line of its message>``: an error in one line, without Werkzeug's guess."""
    first = error_message(error).strip().splitlines()
    return f"{type(error).__name__}: {first[0]}" if first else type(error).__name__


def error_endpoint(error: BaseException) -> str | None:
    """The endpoint an error names (a ``BuildError``'s), if any."""
    endpoint = getattr(error, "endpoint", None)
    return str(endpoint) if endpoint is not None else None


def view_object_name(endpoint: t.Any) -> str | None:
    """The name a view object passed as the endpoint goes by (``TestView.add``, ``UserAPI``)."""
    if isinstance(endpoint, str) or endpoint is None:
        return None
    name = getattr(endpoint, "__qualname__", None) or getattr(endpoint, "__name__", None)
    return name.rpartition("<locals>.")[2] if isinstance(name, str) and name else None


def facts_from_error(error: BaseException) -> CallFacts:
    """The endpoint, values and options of the failing call, read from Flask's url_for frame."""
    frame = callsite.url_for_frame(error)
    site = callsite.call_site(frame, error.__traceback__)
    called = _compat.url_for_arguments(frame) if frame is not None else None
    positional_site = callsite.positional_call_site(error) if frame is None else None
    if called is not None:
        helper = callsite.helper_frame(frame)
        named_object = view_object_name(_compat.url_for_endpoint_object(frame))
        facts = CallFacts(
            endpoint=named_object or called.endpoint,
            written=_compat.url_for_helper_endpoint(helper) if helper is not None else None,
            values=url_values(called.values),
            method=called.method,
            external=called.external,
            scheme=called.scheme,
            anchor=called.anchor,
            blueprint=called.blueprint,
            site=site,
            view_object=named_object is not None,
        )
    elif positional_site is not None:
        return _facts_from_text(positional_site)
    elif isinstance(error, BuildError):
        facts = CallFacts(str(error.endpoint), None, dict(error.values or {}), method=error.method, site=site)
    else:
        facts = CallFacts(str(getattr(error, "endpoint", "") or ""), None, {}, site=site)
    facts.parsed = parse_call(facts)
    if facts.parsed is not None and facts.parsed.endpoint_literal is not None:
        literal = facts.parsed.endpoint_literal
        if resolve_endpoint(literal, facts.blueprint) == facts.endpoint or literal == facts.endpoint:
            facts.written = literal
    facts.unwrap()
    return facts


def _facts_from_text(site: CallSite) -> CallFacts:
    """The facts of a call Python refused (``url_for('show', item_id)``): read from its text, each
    argument evaluated in the caller's names when it is a plain name, attribute or literal."""
    assert site.source is not None and site.span is not None
    parsed = callsite.call_at(site.source, site.span, positionals=True)
    assert parsed is not None
    names = site.names
    endpoint = arguments.evaluate(parsed.endpoint_expr or "", names)
    written = endpoint if isinstance(endpoint, str) else None
    blueprint = _request_blueprint()
    values = {k: arguments.evaluate(e, names) for k, e in parsed.keywords}
    options = {k: values.pop(k) for k in list(values) if k in OPTIONS}
    facts = CallFacts(
        endpoint=resolve_endpoint(written, blueprint) if written else "",
        written=written,
        values=values,
        method=_option(options, "_method"),
        external=_option(options, "_external"),
        scheme=_option(options, "_scheme"),
        anchor=_option(options, "_anchor"),
        blueprint=blueprint,
        site=site,
        parsed=parsed,
        positionals=[(e, arguments.evaluate(e, names)) for e in parsed.positionals],
    )
    facts.unwrap()
    return facts


def _option(options: t.Mapping[str, t.Any], name: str) -> t.Any:
    value = options.get(name)
    return None if value is UNKNOWN else value


def _request_blueprint() -> str | None:
    """The blueprint of the request being handled, which a relative name resolves against."""
    from flask import has_request_context, request

    return request.blueprint if has_request_context() else None


def facts_from_arguments(
    endpoint: str,
    values: t.Mapping[str, t.Any],
    *,
    method: str | None,
    blueprint: str | None,
    external: bool | None,
    scheme: str | None,
    site: CallSite | None,
    inventory: Inventory,
) -> CallFacts:
    """The facts of a call that was not run: ``endpoint`` as written, resolved against ``blueprint``."""
    return CallFacts(
        endpoint=resolve_endpoint(endpoint, blueprint),
        written=endpoint,
        values=url_values(values),
        method=method,
        external=external,
        scheme=scheme,
        blueprint=blueprint,
        site=site,
        inventory=inventory,
    )


def parse_call(facts: CallFacts) -> callsite.ParsedCall | None:
    """The failing call in its source line: by the compiler's position, else by its endpoint literal."""
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
