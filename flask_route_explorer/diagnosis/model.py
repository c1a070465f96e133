"""The contract every face reads: a failing call's diagnosis, its suggestions and its call site.

The error page, the testers, the toolbar panel, the notes and the checker all read these types;
the engine (:mod:`.engine`) fills them in. Nothing here computes a diagnosis.
"""

from __future__ import annotations

import enum
import typing as t
from dataclasses import dataclass, field

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
    "values_not_keywords",
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


class Cause(enum.Enum):
    """Why an endpoint is a candidate: the evidence, as data that decisions read (never a sentence)."""

    #: The endpoint the call named itself (its values or method are what is wrong).
    NAMED = "named"
    #: Another endpoint on the same URL allows the call's method.
    SAME_URL = "same_url"
    #: A relative name (``.edit``) that exists in another blueprint.
    RELATIVE_NAME = "relative_name"
    #: The blueprint's Python variable written for its name (``users_bp.profile``).
    BLUEPRINT_VARIABLE = "blueprint_variable"
    #: The same view in a blueprint, the prefix left out (``profile`` for ``users.profile``).
    MISSING_PREFIX = "missing_prefix"
    #: The same view in a nested blueprint (``admin.users`` for ``site.admin.users``).
    NESTED_PREFIX = "nested_prefix"
    #: The same short name under another blueprint's prefix.
    OTHER_PREFIX = "other_prefix"
    #: The view function's or class's own name, registered under another endpoint.
    VIEW_NAME = "view_name"
    #: A function a decorator without ``functools.wraps`` hides, registered under the wrapper's name.
    WRAPPED_FUNCTION = "wrapped_function"
    #: The same short name written in another case or with other separators.
    SPELLED_DIFFERENTLY = "spelled_differently"
    #: The call names a URL path that this endpoint handles.
    URL_PATH = "url_path"
    #: A similar spelling (``similarity`` says how similar).
    TYPO = "typo"
    #: A piece of a URL (``'pricing'``, ``'feed.xml'``, ``'about.html'``) that is a static part of this rule.
    URL_PIECE = "url_piece"
    #: A static file's path written as the endpoint (``'css/main.css'``): ``static`` with ``filename``.
    STATIC_FILE = "static_file"
    #: A conventional name (``index``, ``home``, ``login``) for the page this endpoint serves (``/``, the login view).
    CONVENTIONAL_NAME = "conventional_name"
    #: A class view's method or attribute (``orders.post``, ``UserAPI.as_view``) for the class's endpoint.
    CLASS_METHOD = "class_method"
    #: The view object itself passed instead of its endpoint's name (``url_for(TestView.add)``).
    VIEW_OBJECT = "view_object"
    #: No name matches; the call's structure (its values, the blueprint, the words of the name) does.
    STRUCTURE = "structure"
    #: The named endpoint needs values the call lacks; this endpoint serves the same page without them.
    WITHOUT_VALUES = "without_values"


class Confidence(enum.Enum):
    """How sure the engine is of a suggestion, from its evidence (see :class:`Evidence`).

    ``SURE`` and ``LIKELY`` suggestions get a fix verified by building it. A ``GUESS`` is listed
    only: faces show it as "a guess: ...", and the diagnosis carries no ``fix`` for it.
    """

    SURE = "sure"
    LIKELY = "likely"
    GUESS = "guess"


@dataclass(frozen=True, slots=True)
class Evidence:
    """What speaks for a suggestion, as data: faces and decisions read these, never the reason."""

    #: How similar the written name is to the endpoint (0-1), when a name was compared.
    name_similarity: float | None = None
    #: How well the written text matches the endpoint's URL rule (0-1), when it was compared.
    path_similarity: float | None = None
    #: The same view under another name (its function, its class, its endpoint in a blueprint).
    same_view: bool = False
    #: The endpoint is in the blueprint the call named or ran in.
    same_blueprint: bool = False
    #: The call's values fit the endpoint's rule (``None``: the call passes none and it needs none).
    arguments_fit: bool | None = None
    #: No other endpoint has the shape this evidence describes.
    only_of_shape: bool = False

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "name_similarity": self.name_similarity,
            "path_similarity": self.path_similarity,
            "same_view": self.same_view,
            "same_blueprint": self.same_blueprint,
            "arguments_fit": self.arguments_fit,
            "only_of_shape": self.only_of_shape,
        }


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A near-miss endpoint, with why it is a candidate."""

    endpoint: str
    rule: str
    score: float
    reason: str
    #: The evidence, as data: what a decision (may ``--fix`` write it?) reads instead of ``reason``.
    cause: Cause = Cause.NAMED
    #: How sure the engine is; a ``GUESS`` is shown as "a guess: ...", never as the fix.
    confidence: Confidence = Confidence.SURE
    #: What speaks for it, signal by signal.
    evidence: Evidence = field(default_factory=Evidence)

    @property
    def guess(self) -> bool:
        """Whether faces must present it as a guess (no fix is offered for it)."""
        return self.confidence is Confidence.GUESS

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "endpoint": self.endpoint,
            "rule": self.rule,
            "score": self.score,
            "reason": self.reason,
            "cause": self.cause.value,
            "confidence": self.confidence.value,
            "evidence": self.evidence.to_dict(),
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
    """The whole answer: what went wrong, what is close, and a corrected call built to check it.

    A fix is verified (:attr:`verified`) only when it holds no placeholder; with placeholders it is
    a template. When the best suggestion is only a guess (:attr:`guess`) there is no fix at all.
    """

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
    #: The error's own message, without Werkzeug's costly "Did you mean" guess. Not serialised.
    message: str = field(default="", repr=False, compare=False)
    #: The call's source line(s) with the fix put in, for a before/after diff. Not serialised.
    fixed_line: str | None = field(default=None, repr=False, compare=False)
    #: Placeholders the fix still holds (``USER_ID``, a variable's name in capitals): the fix is a
    #: template to fill in, not the real call, and its ``fix_url`` was built with sample values.
    placeholders: tuple[str, ...] = field(default=(), compare=False)
    #: A ready pytest test that builds the fixed call (and requests the failing page again, when a
    #: request failed): it passes once the fix is in and fails before.
    regression_test: str | None = field(default=None, repr=False, compare=False)
    #: A secondary fact: the app's ``url_defaults`` hook raised on this call (it raises for any
    #: endpoint it does not know), but the diagnosis is about the call's own mistake.
    hook_error: str | None = field(default=None, compare=False)
    #: What could not be computed, one phrase each ("reading user.id raised RuntimeError: detached"):
    #: faces say the answer is partial rather than show it as whole.
    incomplete: tuple[str, ...] = field(default=(), compare=False)

    @property
    def verified(self) -> bool:
        """Whether the fix, exactly as written, was built: it holds no placeholder.

        A fix with placeholders only shows the shape of the call ("template, fill in USER_ID"):
        faces must not call it "verified to build".
        """
        return self.fix is not None and self.fix_url is not None and not self.placeholders

    @property
    def guess(self) -> bool:
        """Whether the best suggestion is only a guess (then there is no fix): "a guess: ..."."""
        return bool(self.suggestions) and self.suggestions[0].guess

    @property
    def headline(self) -> str:
        """The first sentence of the explanation, for one-line faces (notes, panel, CLI)."""
        first, _, _ = self.explanation.partition(". ")
        return first.rstrip(".") + "."

    @property
    def details(self) -> str:
        """The explanation after its :attr:`headline`, for faces that show the headline apart.

        The explanation ends with :attr:`hook_error` when a hook raised too; faces that show the
        hook's failure on its own line get the details without it.
        """
        rest = self.explanation.partition(". ")[2].strip()
        return rest.removesuffix(self.hook_error).strip() if self.hook_error else rest

    @property
    def filled_in(self) -> tuple[str, ...]:
        """The missing variables the fix fills with values from the call site (not placeholders)."""
        return tuple(name for name in self.missing if name.upper() not in self.placeholders)

    def values_for(self, arguments: t.Collection[str]) -> dict[str, t.Any]:
        """The failing call's values for a rule with these ``arguments``: a misnamed value is renamed
        where the rule has the right name (``id`` becomes ``user_id``), and kept where it has not."""
        names = set(arguments)
        renames = {old: new for old, new in self.renames.items() if new in names and old not in names}
        return {renames.get(name, name): value for name, value in self.values.items()}

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
            "placeholders": list(self.placeholders),
            "verified": self.verified,
            "guess": self.guess,
            "regression_test": self.regression_test,
            "hook_error": self.hook_error,
            "incomplete": list(self.incomplete),
        }
