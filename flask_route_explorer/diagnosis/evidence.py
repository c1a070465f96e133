"""What speaks for a candidate, and how sure that makes the engine: calibrated, not a hard cut-off.

A candidate is found by one cause (:class:`~.model.Cause`); its :class:`~.model.Evidence` adds
the signals every face can show (name and path similarity, same view, same blueprint, arguments
that fit, the only one of its shape), and :func:`calibrated` turns them into a
:class:`~.model.Confidence`, or drops the candidate when the evidence speaks against it:

- a "typo" whose written name has a whole word the endpoint lacks names a more specific page
  that does not exist (``reset_password_request`` is not ``reset_password``);
- a "typo" that replaces a word by an unrelated one is alike only by the words they share: a
  guess at best, and nothing when the endpoint needs values the call does not pass;
- a "typo" that only changes a word's ending (``task``/``tasks``, ``uploaded``/``upload``) while
  the call's values fit none of the endpoint's variables names another page (a list, not an item);
- the same name under another blueprint, when the blueprint the call named is registered and
  mirrors that one (``src.assets_read`` beside ``admin.assets_read``): the call meant its own
  blueprint's page, which does not exist.
"""

from __future__ import annotations

import dataclasses
import enum
import typing as t
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from .context import injected
from .fit import fit_route
from .index import Index, prefix, short, words
from .model import UNKNOWN, Cause, Confidence, Evidence

if t.TYPE_CHECKING:
    from flask import Flask

    from ..inventory import Route

#: Causes that find the same view under another name: sure, whatever the spelling.
SAME_VIEW_CAUSES = frozenset(
    {
        Cause.RELATIVE_NAME,
        Cause.BLUEPRINT_VARIABLE,
        Cause.MISSING_PREFIX,
        Cause.NESTED_PREFIX,
        Cause.VIEW_NAME,
        Cause.WRAPPED_FUNCTION,
        Cause.VIEW_OBJECT,
        Cause.CLASS_METHOD,
    }
)
#: Causes that name the page by a fact, not a resemblance: their fix is offered as sure.
SURE_CAUSES = SAME_VIEW_CAUSES - {Cause.CLASS_METHOD} | {
    Cause.URL_PATH,
    Cause.STATIC_FILE,
    Cause.OTHER_PREFIX,
    Cause.SPELLED_DIFFERENTLY,
}
#: Endings that make another word of the same stem: a different page more often than a slip.
INFLECTIONS = ("s", "es", "ed", "d", "ing", "er")
#: Two blueprints sharing this many view names are parallel sections (``src`` and ``admin``).
MIRROR_SHARED_NAMES = 2


@dataclass(frozen=True, slots=True)
class Candidate:
    """An endpoint the caller may have meant, the diagnosis kind it stands for, and why."""

    endpoint: str
    score: float
    cause: Cause
    #: The diagnosis kind this candidate explains (``missing_blueprint_prefix``, ``unknown_endpoint``...).
    kind: str
    #: For a URL path: the values the path matched with.
    values: t.Mapping[str, t.Any] | None = None
    #: For a typo: the rapidfuzz similarity (0-100) of the names.
    similarity: float | None = None
    #: The name the evidence is about: the blueprint's variable, the view's function or class name.
    name: str | None = None
    #: For ``VIEW_NAME``: ``"class"`` or ``"function"``.
    name_kind: str | None = None
    #: What the call wrote (a relative name without its dot, a URL path).
    written: str | None = None
    #: How sure the engine is (set by :func:`calibrated`); a guess gets no fix.
    confidence: Confidence = Confidence.LIKELY
    evidence: Evidence = field(default_factory=Evidence)


class Relation(enum.Enum):
    """How a written name differs from an endpoint's, word by word."""

    SAME_WORDS = "same_words"
    #: A slip inside a word (``psot``, ``enbale``, ``profil``).
    CHARACTER = "character"
    #: Another ending of the same word (``tasks``, ``uploaded``).
    INFLECTION = "inflection"
    #: The written name has a word the endpoint lacks, and no other difference.
    EXTRA_WORD = "extra_word"
    #: The endpoint has a word the written name lacks (``system_health`` for ``system_health_page``).
    MISSING_WORD = "missing_word"
    OTHER = "other"


def relation(written: str, target: str) -> Relation:
    """How ``written`` differs from ``target``, comparing their words."""
    mine, theirs = words(written), words(target)
    extra = [w for w in mine if w not in theirs]
    lacking = [w for w in theirs if w not in mine]
    if not extra and not lacking:
        return Relation.SAME_WORDS
    if extra and not lacking:
        return Relation.EXTRA_WORD
    if lacking and not extra:
        return Relation.MISSING_WORD
    if len(extra) == len(lacking) == 1:
        one, other = sorted((extra[0], lacking[0]), key=len)
        if other.startswith(one) and other[len(one) :] in INFLECTIONS:
            return Relation.INFLECTION
        return Relation.CHARACTER if fuzz.ratio(one, other) >= 60 else Relation.OTHER
    return Relation.CHARACTER if fuzz.ratio("".join(mine), "".join(theirs)) >= 80 else Relation.OTHER


def arguments_fit(routes: t.Sequence[Route], values: t.Collection[str], method: str | None) -> bool | None:
    """Whether some rule of the endpoint takes the call's values: every variable it needs is
    passed (a close name counts), and the call passes at least one of its variables when it
    passes any. ``None`` when the call passes nothing and a rule needs nothing."""
    if not values and any(not r.required_arguments for r in routes):
        return None
    for route in routes:
        fit = fit_route(route, dict.fromkeys(values, UNKNOWN), method)
        renamed = set(fit.renames)
        if fit.still_missing or not fit.method_ok:
            continue
        if not values or any(v in route.argument_names or v in renamed for v in values):
            return True
    return False


def _mirrors(index: Index, first: str, second: str) -> bool:
    """Whether two blueprints hold views of the same names (parallel sections of one app)."""
    by_blueprint = index.by_blueprint
    mine = {short(e) for e in by_blueprint.get(first, ())} - {"static", "index"}
    theirs = {short(e) for e in by_blueprint.get(second, ())}
    return len(mine & theirs) >= MIRROR_SHARED_NAMES


def calibrated(
    app: Flask,
    index: Index,
    candidate: Candidate,
    *,
    endpoint: str,
    values: t.Collection[str],
    method: str | None,
    blueprint: str | None,
) -> Candidate | None:
    """The candidate with its evidence and confidence, or ``None`` when the evidence speaks against it.

    ``endpoint`` is the name the call asked for (a relative name resolved), ``blueprint`` the
    request's.
    """
    target = candidate.endpoint
    routes = index.inventory.routes_for(target)
    # The values the app's url_defaults hooks add (a ``lang_code``) count as passed.
    passed = list(injected(app, target, dict.fromkeys(values, UNKNOWN))) if routes else list(values)
    fits = arguments_fit(routes, passed, method) if routes else None
    written_prefix = prefix(endpoint)
    evidence = Evidence(
        name_similarity=round(candidate.similarity / 100, 2) if candidate.similarity is not None else None,
        path_similarity=1.0 if candidate.cause in (Cause.URL_PATH, Cause.URL_PIECE, Cause.STATIC_FILE) else None,
        same_view=candidate.cause in SAME_VIEW_CAUSES,
        same_blueprint=bool(prefix(target)) and prefix(target) in (written_prefix, blueprint),
        arguments_fit=fits,
        only_of_shape=candidate.evidence.only_of_shape,
    )
    confidence = Confidence.SURE if candidate.cause in SURE_CAUSES else candidate.confidence
    if candidate.cause is Cause.TYPO:
        linked = relation(short(endpoint), short(target))
        if linked is Relation.EXTRA_WORD or (linked is Relation.INFLECTION and fits is False and values):
            return None
        if linked is Relation.OTHER:  # a word replaced by another: alike by the words they share only
            if fits is False:
                return None
            confidence = Confidence.GUESS
        if fits is False and any(set(r.required_arguments) - set(passed) for r in routes):
            confidence = Confidence.GUESS
    if candidate.cause is Cause.OTHER_PREFIX and written_prefix in index.by_blueprint:
        if _mirrors(index, written_prefix, prefix(target)):
            return None
    return dataclasses.replace(candidate, confidence=confidence, evidence=evidence)
