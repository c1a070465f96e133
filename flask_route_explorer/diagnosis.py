"""Why a ``url_for`` call failed, and the corrected call that builds.

CONTRACT (shared by the error page, the testers, the toolbar panel and the checker):
the dataclasses and function signatures below are fixed; the engine fills them in.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

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

    def to_dict(self) -> dict[str, t.Any]:
        return {"endpoint": self.endpoint, "rule": self.rule, "score": self.score, "reason": self.reason}


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


def diagnose(error: BaseException, app: Flask | None = None) -> Diagnosis:
    """Diagnose an exception raised by ``url_for``; never raises (kind ``other`` when unsure)."""
    raise NotImplementedError


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
    raise NotImplementedError
