"""The checker's vocabulary: finding codes, and what one run reports (findings, unverifiable calls, skipped files).

Every code the checker emits is in :data:`CODES`, and the one mapping from a diagnosis kind to a
code is :func:`code_for_kind`; the CLI, the JSON output and the README all read these.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field
from pathlib import Path

#: Every finding code with its one-line meaning; the README documents them in this order.
CODES: t.Mapping[str, str] = {
    "RE001": "unknown endpoint",
    "RE002": "relative endpoint that cannot be resolved statically",
    "RE003": "required URL variables not passed",
    "RE004": "URL variable passed as literal None",
    "RE005": "passed name is no URL variable while a required one is missing (misspelling)",
    "RE006": "literal value the variable's converter rejects",
    "RE007": "_method not allowed by the endpoint's rules",
    "RE008": "_scheme given with _external=False",
    "RE009": "endpoint never referenced by a literal url_for call (--unused, information)",
    "RE010": "call fails for another reason (the message says why)",
    "RE011": "an app url_defaults hook raises while building the call, hiding the call's own problem",
    "RE012": "warning: a passed name no rule of the endpoint has, like a variable another of its rules needs "
    "(the call builds a rule without it and sends the name as a query argument)",
    "RE013": "call to an endpoint renamed by --rename OLD=NEW (--fix writes the new name)",
}

#: Codes that are information rather than errors: the CLI exits 0 when only these remain.
INFO_CODES = frozenset({"RE009"})
#: Codes of calls that build, but probably not the URL meant: shown as warnings, and still findings (exit 1).
WARNING_CODES = frozenset({"RE012"})

#: The diagnosis engine's kinds, mapped to the checker's codes.
KIND_CODES: t.Mapping[str, str] = {
    "missing_blueprint_prefix": "RE001",
    "wrong_blueprint_prefix": "RE001",
    "unknown_endpoint": "RE001",
    "view_name_not_endpoint": "RE001",
    "url_not_endpoint": "RE001",
    "blueprint_not_registered": "RE001",
    # A relative endpoint the checker resolved, that names nothing in its blueprint.
    "relative_endpoint": "RE001",
    "missing_parameters": "RE003",
    "none_parameter": "RE004",
    "wrong_parameter_name": "RE005",
    "values_not_keywords": "RE005",
    "invalid_value": "RE006",
    "method_not_allowed": "RE007",
    "scheme_without_external": "RE008",
}

#: The code of an unknown endpoint (also given when a url_defaults hook fails for one).
UNKNOWN_ENDPOINT_CODE = "RE001"
#: The code of a relative endpoint that no enclosing or rendering view resolves.
UNRESOLVED_RELATIVE_CODE = "RE002"
#: The code of a passed name no rule has while a required variable is missing.
MISSPELT_VARIABLE_CODE = "RE005"
#: The code of an endpoint no literal call names (information, with ``--unused``).
UNUSED_CODE = "RE009"
#: The code of a failure the engine has no specific kind for (``other``, and any kind added later).
OTHER_CODE = "RE010"
#: The code of a problem the engine found behind a url_defaults hook that raised.
HOOK_CODE = "RE011"
#: The code of a call that builds with a likely misspelt variable sent as a query argument (a warning).
QUERY_STRAY_CODE = "RE012"
#: The code of a call to an endpoint the run was told is renamed (``--rename OLD=NEW``).
RENAMED_CODE = "RE013"


def code_for_kind(kind: str) -> str:
    """The finding code of a diagnosis kind; a kind without its own code is :data:`OTHER_CODE`, never dropped."""
    return KIND_CODES.get(kind, OTHER_CODE)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one call site. ``to_dict()`` gives exactly the JSON keys of ``--json``."""

    file: str
    line: int
    column: int
    code: str
    kind: str | None
    endpoint: str | None
    message: str
    suggestion: str | None = None
    fix: str | None = None
    #: The endpoint ``--fix`` may write instead of the current one (only for unambiguous fixes).
    replacement: str | None = field(default=None, compare=False, repr=False)
    #: Values the fix could not know, written as capitals (``USER_ID``): the fix is then a template.
    placeholders: tuple[str, ...] = field(default=(), compare=False, repr=False)
    #: The engine's ready pytest test for the fix (``--show-tests`` prints it).
    regression_test: str | None = field(default=None, compare=False, repr=False)
    #: Character offsets of the endpoint text inside the file, for ``--fix``.
    span: tuple[int, int] | None = field(default=None, compare=False, repr=False)
    #: The file's real path (``file`` is the display path).
    path: str | None = field(default=None, compare=False, repr=False)
    #: The content hash of the file as the check read it: ``--fix`` writes only that content.
    digest: str | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, t.Any]:
        """The finding as ``--json`` prints it (the private fields for ``--fix`` stay out)."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "kind": self.kind,
            "endpoint": self.endpoint,
            "message": self.message,
            "suggestion": self.suggestion,
            "fix": self.fix,
        }

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.code} {self.message}"

    def hint(self) -> str | None:
        """The indented line under a finding: the fix, or else the best suggestion."""
        if self.fix:
            return "    fix: " + self.fix.replace("\n", "\n         ")
        if self.suggestion:
            return f"    did you mean {self.suggestion!r}?"
        return None

    def short(self) -> str:
        """``dir/file.py:3:5 RE001 'name' -> suggestion``: a finding in a few words (the arrow for RE001 only)."""
        where = "/".join(Path(self.file).parts[-2:])
        text = f"{where}:{self.line}:{self.column} {self.code} {self.endpoint!r}"
        return text + (f" -> {self.suggestion}" if self.code == UNKNOWN_ENDPOINT_CODE and self.suggestion else "")


class Findings(list[Finding]):
    """A list of :class:`Finding` that reads well when ``assert not check(app)`` fails.

    Without ``-vv`` pytest shows at most 240 characters of a repr, cut in the middle; so the
    repr fits in that: a count, then the first findings in short form. :meth:`report` lists every
    finding with its fix, for ``assert not findings, findings.report()``.
    """

    #: pytest's repr limit without ``-vv`` (``_pytest.assertion.util``): longer reprs lose their middle.
    REPR_LIMIT = 240

    def __repr__(self) -> str:
        if not self:
            return "Findings([])"
        shown: list[str] = []
        for finding in self:
            if shown and len(self._repr_text([*shown, finding.short()])) > self.REPR_LIMIT:
                break
            shown.append(finding.short())
        return self._repr_text(shown)

    def _repr_text(self, shown: list[str]) -> str:
        """The repr listing ``shown`` (the first findings in short form) and how many more there are."""
        rest = len(self) - len(shown)
        more = f"; +{rest} more, findings.report() lists all" if rest else ""
        return f"Findings({len(self)}): " + "; ".join(shown) + more

    def report(self) -> str:
        """Every finding on its own line, with its fix under it."""
        if not self:
            return "no url_for findings"
        lines: list[str] = []
        for finding in self:
            lines.append(str(finding))
            hint = finding.hint()
            if hint:
                lines.append(hint)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


@dataclass(frozen=True, slots=True)
class Unverifiable:
    """A call the checker cannot verify before it runs (a non-literal endpoint, a failing url_defaults hook)."""

    file: str
    line: int
    column: int
    reason: str


@dataclass(frozen=True, slots=True)
class Unparsable:
    """A file that does not parse: skipped, and left alone by ``--fix``."""

    file: str
    error: str


@dataclass
class CheckReport:
    """Everything one check run saw, for the CLI summary."""

    files: int = 0
    calls: int = 0
    findings: Findings = field(default_factory=Findings)
    unverifiable: list[Unverifiable] = field(default_factory=list)
    unparsable: list[Unparsable] = field(default_factory=list)
    #: Template folders of installed packages, not checked (a third-party blueprint's templates).
    installed: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        """Findings that are errors (everything but information such as unused endpoints)."""
        return [f for f in self.findings if f.code not in INFO_CODES]
