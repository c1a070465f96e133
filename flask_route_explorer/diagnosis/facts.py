"""What the failing call was: its endpoint, values and options, where it was written, and its text.

A call comes from a traceback (Flask's ``url_for`` frame holds its arguments) or from the checker
and the testers, which pass them. Either way the engine works on one :class:`CallFacts`.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from werkzeug.routing import BuildError

from .. import _compat
from ..endpoints import resolve_endpoint, url_values
from . import callsite
from .model import CallSite

if t.TYPE_CHECKING:
    from ..inventory import Inventory


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
        return dict(self.parsed.keywords).get(name) if self.parsed is not None else None


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


def error_endpoint(error: BaseException) -> str | None:
    """The endpoint an error names (a ``BuildError``'s), if any."""
    endpoint = getattr(error, "endpoint", None)
    return str(endpoint) if endpoint is not None else None


def facts_from_error(error: BaseException) -> CallFacts:
    """The endpoint, values and options of the failing call, read from Flask's url_for frame."""
    frame = callsite.url_for_frame(error)
    site = callsite.call_site(frame, error.__traceback__)
    arguments = _compat.url_for_arguments(frame) if frame is not None else None
    if arguments is not None:
        helper = callsite.helper_frame(frame)
        facts = CallFacts(
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
        facts = CallFacts(str(error.endpoint), None, dict(error.values or {}), method=error.method, site=site)
    else:
        facts = CallFacts(str(getattr(error, "endpoint", "") or ""), None, {}, site=site)
    facts.parsed = parse_call(facts)
    if facts.parsed is not None and facts.parsed.endpoint_literal is not None:
        literal = facts.parsed.endpoint_literal
        if resolve_endpoint(literal, facts.blueprint) == facts.endpoint or literal == facts.endpoint:
            facts.written = literal
    return facts


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
