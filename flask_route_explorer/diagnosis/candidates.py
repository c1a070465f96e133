"""Which endpoints a wrong endpoint name probably meant, ranked by cause before by spelling.

Fuzzy matching alone guesses; most wrong endpoints have a precise cause (a missing blueprint
prefix, a view function's name, a blueprint's variable instead of its name, a relative name that
resolved elsewhere, a URL path). Those candidates come first with high scores; rapidfuzz then
catches typos, with a cut-off so that a name close to nothing gets no suggestion at all.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import sys
import typing as t
from dataclasses import dataclass

from flask import Blueprint
from rapidfuzz import fuzz, process

from .. import _compat
from ..dispatch import endpoint_for_path
from ..inventory import Inventory, Route
from . import structure
from .evidence import Candidate as Candidate
from .evidence import calibrated
from .index import Index as Index
from .index import get_index as get_index
from .index import normalise
from .index import prefix as prefix_of
from .index import short as short_of
from .model import Cause

if t.TYPE_CHECKING:
    from flask import Flask

#: At most this many candidates are returned.
LIMIT = 5
#: rapidfuzz ``ratio`` (0-100) below which a name is not a typo of another.
FULL_CUTOFF = 80.0
SHORT_CUTOFF = 80.0
#: Fuzzy scores are scaled below every deterministic cause.
FUZZY_WEIGHT = 0.85


@dataclass(frozen=True, slots=True)
class ProcessBlueprint:
    """A ``Blueprint`` object found in a loaded module, and the global name it is bound to."""

    module: str
    variable: str
    blueprint: Blueprint


_blueprints_cache: tuple[int, tuple[ProcessBlueprint, ...]] = (-1, ())


def process_blueprints() -> tuple[ProcessBlueprint, ...]:
    """Every ``Blueprint`` bound to a module global in the running process.

    Blueprints are created at import time, so the scan is redone only when modules were loaded.
    """
    global _blueprints_cache
    if _blueprints_cache[0] == len(sys.modules):
        return _blueprints_cache[1]
    found: list[ProcessBlueprint] = []
    for module_name, module in list(sys.modules.items()):
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        for variable, value in list(namespace.items()):
            if isinstance(value, _compat.BLUEPRINT_CLASS):
                found.append(ProcessBlueprint(module_name, variable, t.cast(Blueprint, value)))
    _blueprints_cache = (len(sys.modules), tuple(found))
    return _blueprints_cache[1]


def unregistered_blueprint(app: Flask, endpoint: str, inventory: Inventory | None = None) -> ProcessBlueprint | None:
    """The blueprint an endpoint's prefix names when it exists in the process but not on the app."""
    prefix = prefix_of(endpoint)
    if not prefix or prefix in app.blueprints:
        return None
    index = get_index(app, inventory)
    if prefix in index.blueprint_own_names or prefix.rpartition(".")[2] in index.blueprint_own_names:
        # A blueprint of that name is registered (nested under another): a prefix problem, not this.
        return None
    first = prefix.split(".")[0]
    for found in process_blueprints():
        if not index.registered_names(found.blueprint) and found.blueprint.name in (prefix, first):
            return found
    return None


#: The most :func:`_fit_bonus` gives (its three weights together).
FIT_BONUS = 0.015 + 0.005 + 0.01


def _fit_bonus(routes: t.Sequence[Route], values: t.Collection[str], method: str | None) -> float:
    """A small bonus (at most :data:`FIT_BONUS`) for a candidate whose arguments and methods fit the call."""
    if not routes:
        return 0.0
    best = 0.0
    for route in routes:
        arguments = set(route.argument_names)
        given = set(values)
        covered = (
            1.0
            if not route.required_arguments
            else len(given & set(route.required_arguments)) / len(route.required_arguments)
        )
        extra = 1.0 if given <= arguments else 0.0
        allowed = 1.0 if method is None or route.allows(method) else 0.0
        best = max(best, 0.015 * covered + 0.005 * extra + 0.01 * allowed)
    return best


def _keep_best(found: dict[str, Candidate], candidate: Candidate) -> None:
    if candidate.endpoint not in found or found[candidate.endpoint].score < candidate.score:
        found[candidate.endpoint] = candidate


def looks_like_url(endpoint: str) -> bool:
    return endpoint.startswith("/") or "://" in endpoint


def find_candidates(
    app: Flask,
    endpoint: str,
    *,
    written: str | None = None,
    values: t.Collection[str] = (),
    method: str | None = None,
    inventory: Inventory | None = None,
    blueprint: str | None = None,
    view_object: bool = False,
) -> list[Candidate]:
    """Ranked candidates (best first, at most :data:`LIMIT`) for an endpoint that does not exist.

    ``endpoint`` is what Werkzeug was asked for; ``written`` what the caller wrote (``.edit``);
    ``values`` the names the call passes (a mapping also gives their values: a ``filename``);
    ``blueprint`` the request's; ``view_object``: the call passed a view object of that name.
    Each candidate carries its evidence and confidence; candidates the evidence speaks against
    are dropped (see :mod:`.evidence`).
    """
    index = get_index(app, inventory)
    found: dict[str, Candidate] = {}
    text = written or endpoint
    given: t.Mapping[str, t.Any] = values if isinstance(values, t.Mapping) else {}
    if view_object and endpoint in index.inventory.by_endpoint:
        _keep_best(found, Candidate(endpoint, 0.99, Cause.VIEW_OBJECT, "view_name_not_endpoint", name=endpoint))
    elif looks_like_url(endpoint):
        matched = endpoint_for_path(app, endpoint, method)
        if matched is not None:
            target, path_values = matched
            _keep_best(
                found, Candidate(target, 0.97, Cause.URL_PATH, "url_not_endpoint", values=path_values, written=endpoint)
            )
        else:
            _add(found, structure.static_file(index, text, given) or structure.url_pieces(index, text))
    elif not text.startswith("."):
        _add(found, structure.static_file(index, text, given))
    if not found:
        _named_alike(index, endpoint, written, found)
        _conventional(app, index, endpoint, found)
        _add(found, structure.class_views(index, endpoint, values, method))
        if not text.startswith(".") and not any(c.cause in SAME_VIEW for c in found.values()):
            _add(found, structure.url_pieces(index, text))
        if not any(c.score >= STRONG for c in found.values()):
            _add(found, structure.by_structure(index, endpoint, values, method, blueprint))
    return _best_first(app, index, found, values, method, endpoint=endpoint, blueprint=blueprint)


#: Causes that find the very view the call meant under another name.
SAME_VIEW = frozenset({Cause.MISSING_PREFIX, Cause.NESTED_PREFIX, Cause.VIEW_NAME, Cause.RELATIVE_NAME})
#: A candidate scoring this much needs no structural search beside it.
STRONG = 0.8


def _named_alike(index: Index, endpoint: str, written: str | None, found: dict[str, Candidate]) -> None:
    """Candidates whose name says it: a relative name elsewhere, the blueprint's variable, the same
    short name, a view's own name, another spelling, a typo."""
    if written and written.startswith("."):
        _relative_names(index, written[1:], found)
    _blueprint_variables(index, endpoint, found)
    _same_short_name(index, endpoint, found)
    _view_name_candidates(index, endpoint, found)
    _spelled_differently(index, endpoint, found)
    _fuzzy(index, endpoint, found)


def _conventional(app: Flask, index: Index, endpoint: str, found: dict[str, Candidate]) -> None:
    """A conventional name (``index``, ``login``): the page it conventionally names ranks first,
    keeping the cause of a candidate that already names the same view (``main.index``)."""
    for candidate in structure.conventional(app, index, endpoint):
        known = found.get(candidate.endpoint)
        if known is not None and known.cause in SAME_VIEW:
            found[candidate.endpoint] = dataclasses.replace(known, score=max(known.score, candidate.score))
        else:
            _keep_best(found, candidate)


def _add(found: dict[str, Candidate], candidates: t.Iterable[Candidate]) -> None:
    for candidate in candidates:
        _keep_best(found, candidate)


def _relative_names(index: Index, name: str, found: dict[str, Candidate]) -> None:
    """``.edit`` written where the request's blueprint has none: the ``edit`` of other blueprints."""
    for target in index.by_short.get(short_of(name), ()):
        if target.endswith("." + name) or target == name:
            _keep_best(found, Candidate(target, 0.96, Cause.RELATIVE_NAME, "relative_endpoint", written=name))


def _blueprint_variables(index: Index, endpoint: str, found: dict[str, Candidate]) -> None:
    """The blueprint's variable written instead of its name: ``users_bp.profile`` for ``users.profile``."""
    short, prefix = short_of(endpoint), prefix_of(endpoint)
    if not prefix:
        return
    for found_bp in process_blueprints():
        if found_bp.variable != prefix or found_bp.blueprint.name == prefix:
            continue
        for registered in index.registered_names(found_bp.blueprint):
            target = f"{registered}.{short}"
            if target in index.inventory.by_endpoint:
                _keep_best(
                    found, Candidate(target, 0.96, Cause.BLUEPRINT_VARIABLE, "wrong_blueprint_prefix", name=prefix)
                )


def _same_short_name(index: Index, endpoint: str, found: dict[str, Candidate]) -> None:
    """The same short name in a blueprint: the prefix left out, cut short (nested), or another one."""
    short, prefix = short_of(endpoint), prefix_of(endpoint)
    for target in index.by_short.get(short, ()):
        if target == endpoint:
            continue
        if prefix and target.endswith("." + endpoint):
            _keep_best(found, Candidate(target, 0.95, Cause.NESTED_PREFIX, "missing_blueprint_prefix"))
        elif not prefix:
            _keep_best(found, Candidate(target, 0.95, Cause.MISSING_PREFIX, "missing_blueprint_prefix"))
        else:
            similarity = fuzz.ratio(prefix, prefix_of(target)) / 100
            _keep_best(found, Candidate(target, 0.9 + 0.04 * similarity, Cause.OTHER_PREFIX, "wrong_blueprint_prefix"))


def _view_name_candidates(index: Index, endpoint: str, found: dict[str, Candidate]) -> None:
    """A view's function or class name written for its endpoint; the same blueprint ranks first."""
    short, prefix = short_of(endpoint), prefix_of(endpoint)
    for name in dict.fromkeys((endpoint, short)):
        for target, cause, name_kind in index.by_view_name.get(name, ()):
            score = 0.95 if not prefix or prefix_of(target) == prefix else 0.92
            _keep_best(found, Candidate(target, score, cause, "view_name_not_endpoint", name=name, name_kind=name_kind))


def _spelled_differently(index: Index, endpoint: str, found: dict[str, Candidate]) -> None:
    """The same short name in another case or with other separators (``userProfile``, ``user-profile``)."""
    short, prefix = short_of(endpoint), prefix_of(endpoint)
    for target in index.by_normalised_short.get(normalise(short), ()):
        if target not in found and short_of(target) != short:
            _keep_best(found, Candidate(target, 0.9, Cause.SPELLED_DIFFERENTLY, _kind_for(prefix, target)))


def _best_first(
    app: Flask,
    index: Index,
    found: dict[str, Candidate],
    values: t.Collection[str],
    method: str | None,
    *,
    endpoint: str,
    blueprint: str | None,
) -> list[Candidate]:
    """Best first, each with its evidence; the arguments and method of the call break ties
    between equally named candidates.

    Only the leading few get the (slower) fit bonus and evidence: a short name like ``edit`` can
    live in hundreds of blueprints of a big app. They are taken best first, and the rest are left
    once even the full bonus could not lift the next one above the last of :data:`LIMIT` kept
    (on a tie the earlier one ranks first).
    """
    leading = sorted(found.values(), key=lambda c: -c.score)[: LIMIT * 4]
    scored: list[Candidate] = []
    for candidate in leading:
        if len(scored) >= LIMIT:
            last_kept = sorted((c.score for c in scored), reverse=True)[LIMIT - 1]
            if round(min(1.0, candidate.score + FIT_BONUS + 1e-9), 3) <= last_kept:
                break
        assessed = calibrated(
            app, index, candidate, endpoint=endpoint, values=list(values), method=method, blueprint=blueprint
        )
        if assessed is None:
            continue
        bonus = _fit_bonus(index.inventory.routes_for(candidate.endpoint), values, method)
        scored.append(dataclasses.replace(assessed, score=round(min(1.0, assessed.score + bonus), 3)))
    ranked = sorted(scored, key=lambda c: -c.score)[:LIMIT]
    causes = [c.cause for c in ranked]
    return [
        dataclasses.replace(c, evidence=dataclasses.replace(c.evidence, only_of_shape=True))
        if causes.count(c.cause) == 1 and c.cause is not Cause.TYPO
        else c
        for c in ranked
    ]


def _kind_for(prefix: str, target: str) -> str:
    """The same short name spelt differently is about the prefix when the prefixes differ."""
    if prefix == prefix_of(target) or not prefix_of(target):
        return "unknown_endpoint"
    return "wrong_blueprint_prefix" if prefix else "missing_blueprint_prefix"


def _fuzzy(index: Index, endpoint: str, found: dict[str, Candidate]) -> None:
    """Typos: the full dotted name, then the short name alone (a typo plus a missing prefix)."""
    scores = dict(_similar_endpoints(index, endpoint, FULL_CUTOFF, LIMIT * 2))
    short = normalise(short_of(endpoint))
    prefix = prefix_of(endpoint)
    if len(short) >= 3:
        for name, score, _ in process.extract(
            short, index.shorts, scorer=fuzz.ratio, limit=LIMIT * 2, score_cutoff=SHORT_CUTOFF
        ):
            for target in index.by_normalised_short[name]:
                penalty = 0.0 if not prefix or prefix_of(target) == prefix else 4.0
                scores[target] = max(scores.get(target, 0.0), score - penalty)
    for target, score in scores.items():
        if target in found or target == endpoint:
            continue
        _keep_best(
            found, Candidate(target, FUZZY_WEIGHT * score / 100, Cause.TYPO, "unknown_endpoint", similarity=score)
        )


def _similar_endpoints(index: Index, name: str, cutoff: float, limit: int) -> list[tuple[str, float]]:
    """The endpoints at least ``cutoff`` similar to ``name`` (``fuzz.ratio``), best first and in the
    inventory's order among equals, at most ``limit``: ``process.extract`` over every endpoint.

    Only names of a length within reach are read: two names of lengths ``a`` and ``b`` are at most
    ``200 * min(a, b) / (a + b)`` similar. A name without its blueprint reads a few hundred of
    10,000 endpoints; the bounds are widened by one against rounding.
    """
    size = len(name)
    low = math.floor(cutoff * size / (200 - cutoff)) - 1
    high = math.ceil((200 - cutoff) * size / cutoff) + 1
    start, stop = bisect.bisect_left(index.lengths, low), bisect.bisect_right(index.lengths, high)
    found = process.extract(name, index.by_length[start:stop], scorer=fuzz.ratio, limit=None, score_cutoff=cutoff)
    ranked = sorted(found, key=lambda match: (-match[1], index.by_length_positions[start + match[2]]))
    return [(target, score) for target, score, _ in ranked[:limit]]
