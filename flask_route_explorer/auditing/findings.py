"""The audit's results: finding codes, one finding, the report, and the one place its English lives.

A finding is structured data (a :class:`Code` plus the rule, the other rule and the names involved);
every face (text, JSON, GitHub annotations, the explorer's badges) renders it from these fields, and
:func:`describe` is the only writer of its sentence.
"""

from __future__ import annotations

import enum
import typing as t
from dataclasses import dataclass, field

from ..endpoints import jsonable

if t.TYPE_CHECKING:
    from werkzeug.routing import Rule

    from ..inventory import Route


class Severity(enum.Enum):
    """Errors fail ``flask route-explorer audit`` (exit 1); information never does."""

    ERROR = "error"
    INFO = "info"


class Code(enum.Enum):
    """What a finding is about. The value is the code shown and filtered on (``RA101``...)."""

    #: Werkzeug never picks the rule for some or all of its methods: another rule takes every URL.
    SHADOWED = "RA101"
    #: Two endpoints on the same path pattern with overlapping methods: only the first is ever dispatched.
    COLLIDING = "RA102"
    #: ``/a`` and ``/a/`` (same pattern but the trailing slash) are served by different endpoints.
    SLASH_TWINS = "RA103"
    #: Same pattern but a converter; both converters accept some values and their weights tie, so
    #: the order the rules were added decides who serves them.
    CONVERTER_OVERLAP = "RA104"
    #: A rule variable the view does not accept: a ``TypeError`` on the first request.
    VARIABLE_NOT_ACCEPTED = "RA201"
    #: A required view parameter that no variable or default of the rule supplies.
    PARAMETER_NOT_SUPPLIED = "RA202"
    #: A MethodView rule allows a method the class has no handler for (405 from the view, or worse).
    METHOD_WITHOUT_HANDLER = "RA203"
    #: A ``defaults`` key that names no view parameter.
    DEFAULT_NOT_A_PARAMETER = "RA204"
    #: Information: a deliberate twin (same view, ``alias=True``, ``redirect_to``, no view, or a copy
    #: of the same code) on the pattern of another endpoint; it is never dispatched there.
    ALIAS = "RA301"
    #: Information: a signature problem the view's decorator may hide (it takes ``*args``/``**kwargs``).
    SIGNATURE_UNCERTAIN = "RA302"
    #: Information: no literal ``url_for`` in the project's code or templates names the endpoint.
    UNREFERENCED = "RA401"
    #: Information: a rule whose endpoint has no view function (and that is not build-only).
    NO_VIEW = "RA402"
    #: Information: one view function registered under several endpoints.
    VIEW_UNDER_SEVERAL_ENDPOINTS = "RA403"

    @property
    def severity(self) -> Severity:
        # RA1xx: the URL map, RA2xx: view signatures (errors); RA3xx and RA4xx: information.
        return Severity.ERROR if int(self.value[2:]) < 300 else Severity.INFO

    @property
    def slug(self) -> str:
        """``shadowed``, ``colliding``...: the code's name for JSON and filters."""
        return self.name.lower()

    @property
    def label(self) -> str:
        """A word or two for a badge beside the rule (the whole message goes in its title)."""
        return _LABELS[self]


class TwinReason(enum.Enum):
    """Why a rule that twins another one's pattern is deliberate (an ALIAS, not a COLLIDING error)."""

    ALIAS = "alias=True"
    REDIRECT = "redirect_to"
    NO_VIEW = "no view function"
    SAME_VIEW = "the same view function"
    SAME_CODE = "a copy of the same view code"


class Proof(enum.Enum):
    """How sure a shadowing verdict is."""

    #: Every URL the rule can match was tried (no variables, or only ``any(...)`` ones).
    EXHAUSTIVE = "exhaustive"
    #: Samples were tried, and the winner's converters provably accept every value the rule's do.
    CONVERTERS = "converters"
    #: Only the samples were tried (custom converters whose regexes cannot be compared).
    SAMPLES = "samples"


_LABELS: dict[Code, str] = {
    Code.SHADOWED: "shadowed",
    Code.COLLIDING: "collides",
    Code.SLASH_TWINS: "slash twin",
    Code.CONVERTER_OVERLAP: "overlaps",
    Code.VARIABLE_NOT_ACCEPTED: "view rejects a variable",
    Code.PARAMETER_NOT_SUPPLIED: "view parameter missing",
    Code.METHOD_WITHOUT_HANDLER: "no handler",
    Code.DEFAULT_NOT_A_PARAMETER: "stray default",
    Code.ALIAS: "alias",
    Code.SIGNATURE_UNCERTAIN: "signature?",
    Code.UNREFERENCED: "unreferenced",
    Code.NO_VIEW: "no view",
    Code.VIEW_UNDER_SEVERAL_ENDPOINTS: "shared view",
}


@dataclass(frozen=True, slots=True)
class AuditFinding:
    """One problem of one rule, with the other rule involved (the winner, the twin) when there is one."""

    code: Code
    route: Route = field(repr=False)
    #: The methods concerned (without HEAD and OPTIONS), empty when methods do not matter.
    methods: tuple[str, ...] = ()
    #: The rule that wins, collides or is twinned with this one.
    other: Route | None = field(default=None, repr=False)
    #: Variable, parameter, method or endpoint names the finding is about.
    names: tuple[str, ...] = ()
    #: Sample URLs that were tried (shadowing, converter overlaps).
    evidence: tuple[str, ...] = ()
    #: Why a twin is deliberate (ALIAS findings).
    reasons: tuple[TwinReason, ...] = ()
    proof: Proof | None = None
    #: A safe change, as code, when one exists.
    fix: str | None = None

    @property
    def severity(self) -> Severity:
        return self.code.severity

    @property
    def rule(self) -> str:
        return self.route.rule

    @property
    def endpoint(self) -> str:
        return self.route.endpoint

    @property
    def location(self) -> str | None:
        """The view's ``file:line``, or ``None`` when it has no source."""
        return self.route.view.location

    @property
    def message(self) -> str:
        return describe(self)

    def concerns(self, route: Route) -> bool:
        """Whether this finding is about ``route``, as the rule itself or as the other rule."""
        return self.route.index == route.index or (self.other is not None and self.other.index == route.index)

    def short(self) -> str:
        """``RA101 /a/<uuid:x> (items.show)``: a finding in a few words, for reprs."""
        return f"{self.code.value} {self.rule} ({self.endpoint})"

    def to_dict(self) -> dict[str, t.Any]:
        view = self.route.view
        return {
            "code": self.code.value,
            "kind": self.code.slug,
            "severity": self.severity.value,
            "rule": self.rule,
            "endpoint": self.endpoint,
            "methods": list(self.methods),
            "file": view.file,
            "line": view.line,
            "other": None if self.other is None else {"rule": self.other.rule, "endpoint": self.other.endpoint},
            "names": list(self.names),
            "evidence": jsonable(list(self.evidence)),
            "proof": None if self.proof is None else self.proof.value,
            "reasons": [r.name.lower() for r in self.reasons],
            "message": self.message,
            "fix": self.fix,
        }

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.code.value} {self.message}"


class AuditFindings(list):  # type: ignore[type-arg]  # list[AuditFinding] with a short repr
    """A list of findings that reads well when ``assert not report.errors`` fails in pytest.

    pytest shows at most about 240 characters of a repr without ``-vv``: a count and the first
    findings in short form fit; :meth:`report` gives every finding in full.
    """

    REPR_LIMIT = 240

    def __repr__(self) -> str:
        if not self:
            return "AuditFindings([])"
        shown: list[str] = []
        for finding in self:
            candidate = [*shown, finding.short()]
            if shown and len(self._text(candidate)) > self.REPR_LIMIT:
                break
            shown = candidate
        return self._text(shown)

    def _text(self, shown: list[str]) -> str:
        rest = len(self) - len(shown)
        more = f"; +{rest} more, .report() lists all" if rest else ""
        return f"AuditFindings({len(self)}): " + "; ".join(shown) + more

    def report(self) -> str:
        """Every finding on its own line, with its fix under it."""
        if not self:
            return "no audit findings"
        return "\n".join(str(f) + (f"\n    fix: {f.fix}" if f.fix else "") for f in self)


@dataclass(frozen=True)
class AuditReport:
    """Everything one audit found, sorted by code and rule."""

    findings: tuple[AuditFinding, ...]
    #: Rules and endpoints looked at (the tools' own and ``static`` left out unless asked).
    rules: int
    endpoints: int
    #: Whether unreferenced endpoints were looked for (it reads the project's files).
    references_checked: bool = True
    #: url_for calls whose endpoint is not a literal: an endpoint they build is not seen as referenced.
    dynamic_calls: int = 0

    @property
    def errors(self) -> AuditFindings:
        """Shadowed and colliding rules and signature mismatches: ``assert not audit(app).errors``."""
        return AuditFindings(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def information(self) -> AuditFindings:
        return AuditFindings(f for f in self.findings if f.severity is Severity.INFO)

    def of(self, code: Code) -> AuditFindings:
        return AuditFindings(f for f in self.findings if f.code is code)

    def by_endpoint(self) -> dict[str, tuple[AuditFinding, ...]]:
        """Each endpoint's own findings (as the rule concerned, not as the other rule)."""
        grouped: dict[str, list[AuditFinding]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.endpoint, []).append(finding)
        return {endpoint: tuple(found) for endpoint, found in grouped.items()}

    def for_rule(self, rule: Route | Rule) -> tuple[AuditFinding, ...]:
        """Every finding a row of the explorer shows: about this rule, or naming it as the other rule."""
        position = (
            getattr(rule, "index", None) if hasattr(rule, "werkzeug_rule") else self._index_by_rule().get(id(rule))
        )
        return tuple(
            f for f in self.findings if f.route.index == position or (f.other is not None and f.other.index == position)
        )

    def _index_by_rule(self) -> dict[int, int]:
        """Werkzeug rule identity -> position in the map, for the rules findings mention."""
        found: dict[int, int] = {}
        for finding in self.findings:
            for route in (finding.route, finding.other):
                if route is not None:
                    found[id(route.werkzeug_rule)] = route.index
        return found

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "rules": self.rules,
            "endpoints": self.endpoints,
            "errors": len(self.errors),
            "information": len(self.information),
            "references_checked": self.references_checked,
            "dynamic_calls": self.dynamic_calls,
            "findings": [f.to_dict() for f in self.findings],
        }

    def summary(self) -> str:
        def count(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        text = (
            f"{count(self.rules, 'rule')} of {count(self.endpoints, 'endpoint')} audited: "
            f"{count(len(self.errors), 'error')}, {len(self.information)} information"
        )
        if not self.references_checked:
            text += " (references not checked)"
        elif self.dynamic_calls:
            text += f"; {count(self.dynamic_calls, 'url_for call')} with a non-literal endpoint not followed"
        return text + "."

    def report(self) -> str:
        return AuditFindings(self.findings).report()


# --------------------------------------------------------------------------- the English


def _methods(finding: AuditFinding) -> str:
    return "/".join(finding.methods) if finding.methods else "any method"


def _other(finding: AuditFinding) -> str:
    other = finding.other
    return "?" if other is None else f"{other.rule} ({other.endpoint!r})"


def _names(finding: AuditFinding) -> str:
    return ", ".join(repr(n) for n in finding.names)


def _shadowed(f: AuditFinding) -> str:
    winner = f"{_other(f)} takes" if f.other is not None else "other rules take"
    how = {
        Proof.EXHAUSTIVE: "every URL it can match",
        Proof.CONVERTERS: "every URL it can match (its converters accept all this rule's values)",
        Proof.SAMPLES: f"all {len(f.evidence)} sample URLs",
        None: "its URLs",
    }[f.proof]
    return f"{f.rule} ({f.endpoint!r}) is never reached for {_methods(f)}: {winner} {how}."


_MESSAGES: dict[Code, t.Callable[[AuditFinding], str]] = {
    Code.SHADOWED: _shadowed,
    Code.COLLIDING: lambda f: (
        f"{f.rule} ({f.endpoint!r}) collides with {_other(f)} for {_methods(f)}: "
        f"{f.other.endpoint if f.other else '?'!r} was added first and serves every request, "
        f"{f.endpoint!r} is never dispatched there."
    ),
    Code.SLASH_TWINS: lambda f: (
        f"{f.rule} ({f.endpoint!r}) and {_other(f)} differ only by the trailing slash "
        f"but are served by different endpoints for {_methods(f)}."
    ),
    Code.CONVERTER_OVERLAP: lambda f: (
        f"{f.rule} ({f.endpoint!r}) and {_other(f)} differ only in the converter of {_names(f) or 'a variable'}: "
        "a value both converters accept goes to the rule added first (their weights tie), "
        f"e.g. {', '.join(f.evidence[:2]) or 'some URLs'}."
    ),
    Code.VARIABLE_NOT_ACCEPTED: lambda f: (
        f"{f.rule} ({f.endpoint!r}) passes {_names(f)} to a view that does not accept "
        f"{'it' if len(f.names) == 1 else 'them'}: TypeError on the first request."
    ),
    Code.PARAMETER_NOT_SUPPLIED: lambda f: (
        f"The view of {f.endpoint!r} requires {_names(f)}, which the rule {f.rule} does not supply "
        "(no variable, no default): TypeError on the first request."
    ),
    Code.METHOD_WITHOUT_HANDLER: lambda f: (
        f"{f.rule} ({f.endpoint!r}) allows {_methods(f)}, but the view class has no "
        f"{'/'.join(m.lower() for m in f.methods)} method."
    ),
    Code.DEFAULT_NOT_A_PARAMETER: lambda f: (
        f"{f.rule} ({f.endpoint!r}) has defaults {_names(f)} that name no parameter of the view: "
        "TypeError on the first request."
    ),
    Code.ALIAS: lambda f: (
        f"{f.rule} ({f.endpoint!r}) twins {_other(f)} for {_methods(f)}; it is never dispatched there "
        f"(deliberate: {', '.join(r.value for r in f.reasons)})."
    ),
    Code.SIGNATURE_UNCERTAIN: lambda f: (
        f"{f.rule} ({f.endpoint!r}): the view's own signature does not take {_names(f)}, but its "
        "decorator takes *args/**kwargs and may supply or consume them."
    ),
    Code.UNREFERENCED: lambda f: (
        f"{f.endpoint!r} ({f.rule}) is never named by a literal url_for in the project's code or templates."
    ),
    Code.NO_VIEW: lambda f: (
        f"{f.rule} ({f.endpoint!r}) has no view function: it can build URLs but a request to it fails."
    ),
    Code.VIEW_UNDER_SEVERAL_ENDPOINTS: lambda f: (
        f"The view of {f.endpoint!r} ({f.rule}) is also registered as {_names(f)}."
    ),
}


def describe(finding: AuditFinding) -> str:
    """The one sentence of a finding, in English."""
    return _MESSAGES[finding.code](finding)
