"""Which endpoints a wrong endpoint name probably meant, ranked by cause before by spelling.

Fuzzy matching alone guesses; most wrong endpoints have a precise cause (a missing blueprint
prefix, a view function's name, a blueprint's variable instead of its name, a relative name that
resolved elsewhere, a URL path). Those candidates come first with high scores; rapidfuzz then
catches typos, with a cut-off so that a name close to nothing gets no suggestion at all.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import typing as t
from dataclasses import dataclass

from flask import Blueprint
from rapidfuzz import fuzz, process

from .. import _compat
from ..dispatch import endpoint_for_path
from ..inventory import Inventory, Route, get_inventory
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


@dataclass(frozen=True, slots=True)
class ProcessBlueprint:
    """A ``Blueprint`` object found in a loaded module, and the global name it is bound to."""

    module: str
    variable: str
    blueprint: Blueprint


def _normalise(name: str) -> str:
    """Compare names without case, ``_`` and ``-``: ``UserProfile`` and ``user_profile`` meet."""
    return re.sub(r"[_\-]", "", name.lower())


def _short(endpoint: str) -> str:
    return endpoint.rpartition(".")[2]


def _prefix(endpoint: str) -> str:
    return endpoint.rpartition(".")[0]


def _inner_function_names(view: t.Any, depth: int = 2) -> list[str]:
    """Names of functions a decorator without ``functools.wraps`` hides in its closure."""
    names: list[str] = []
    for cell in getattr(view, "__closure__", None) or ():
        try:
            content = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if callable(content) and isinstance(getattr(content, "__name__", None), str) and hasattr(content, "__code__"):
            names.append(content.__name__)
            if depth > 1:
                names += _inner_function_names(content, depth - 1)
    return names


class Index:
    """Lookup tables over one inventory, built once: a diagnosis at 10,000 rules stays in milliseconds."""

    def __init__(self, app: Flask, inventory: Inventory) -> None:
        self.inventory = inventory
        self.endpoints: list[str] = [e for e in inventory.by_endpoint if not inventory.by_endpoint[e][0].internal]
        self.by_short: dict[str, list[str]] = {}
        self.by_normalised_short: dict[str, list[str]] = {}
        #: Other names of a view (function, class, wrapped function) -> ``(endpoint, cause, "class"/"function")``.
        self.by_view_name: dict[str, list[tuple[str, Cause, str]]] = {}
        for endpoint in self.endpoints:
            short = _short(endpoint)
            self.by_short.setdefault(short, []).append(endpoint)
            self.by_normalised_short.setdefault(_normalise(short), []).append(endpoint)
            for name, cause, name_kind in self._view_names(app, endpoint):
                if name != short:
                    self.by_view_name.setdefault(name, []).append((endpoint, cause, name_kind))
        self.shorts: list[str] = list(self.by_normalised_short)
        self.blueprints: dict[int, list[str]] = {}
        for name, blueprint in app.blueprints.items():
            self.blueprints.setdefault(id(blueprint), []).append(name)

    def _view_names(self, app: Flask, endpoint: str) -> list[tuple[str, Cause, str]]:
        source = self.inventory.by_endpoint[endpoint][0].view
        found: list[tuple[str, Cause, str]] = []
        view_class = getattr(app.view_functions.get(endpoint), "view_class", None)
        for name in source.names:
            is_class = view_class is not None and name == view_class.__name__
            found.append((name, Cause.VIEW_NAME, "class" if is_class else "function"))
        for name in _inner_function_names(app.view_functions.get(endpoint)):
            if name not in source.names:
                found.append((name, Cause.WRAPPED_FUNCTION, "function"))
        return found

    def registered_names(self, blueprint: Blueprint) -> list[str]:
        """The dotted names a blueprint object is registered under (several when nested twice)."""
        return self.blueprints.get(id(blueprint), [])


def get_index(app: Flask, inventory: Inventory | None = None) -> Index:
    """The lookup tables for the app's current inventory (rebuilt when the inventory is)."""
    current = inventory or get_inventory(app)
    return current.derived(Index, lambda: Index(app, current))


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


def unregistered_blueprint(app: Flask, endpoint: str) -> ProcessBlueprint | None:
    """The blueprint an endpoint's prefix names when it exists in the process but not on the app."""
    prefix = _prefix(endpoint)
    if not prefix or prefix in app.blueprints:
        return None
    registered = {id(bp) for bp in app.blueprints.values()}
    if any(bp.name in (prefix, prefix.rpartition(".")[2]) for bp in app.blueprints.values()):
        # A blueprint of that name is registered (nested under another): a prefix problem, not this.
        return None
    first = prefix.split(".")[0]
    for found in process_blueprints():
        if id(found.blueprint) not in registered and found.blueprint.name in (prefix, first):
            return found
    return None


def _fit_bonus(routes: t.Sequence[Route], values: t.Collection[str], method: str | None) -> float:
    """A small bonus (at most 0.03) for a candidate whose arguments and methods fit the call."""
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
) -> list[Candidate]:
    """Ranked candidates (best first, at most :data:`LIMIT`) for an endpoint that does not exist.

    ``endpoint`` is what Werkzeug was asked for; ``written`` what the caller wrote (``.edit``).
    """
    index = get_index(app, inventory)
    found: dict[str, Candidate] = {}
    if looks_like_url(endpoint):
        matched = endpoint_for_path(app, endpoint, method)
        if matched is not None:
            target, path_values = matched
            _keep_best(
                found, Candidate(target, 0.97, Cause.URL_PATH, "url_not_endpoint", values=path_values, written=endpoint)
            )
        return _best_first(index, found, values, method)
    if written and written.startswith("."):
        _relative_names(index, written[1:], found)
    _blueprint_variables(index, endpoint, found)
    _same_short_name(index, endpoint, found)
    _view_name_candidates(index, endpoint, found)
    _spelled_differently(index, endpoint, found)
    _fuzzy(index, endpoint, found)
    return _best_first(index, found, values, method)


def _relative_names(index: Index, name: str, found: dict[str, Candidate]) -> None:
    """``.edit`` written where the request's blueprint has none: the ``edit`` of other blueprints."""
    for target in index.by_short.get(_short(name), ()):
        if target.endswith("." + name) or target == name:
            _keep_best(found, Candidate(target, 0.96, Cause.RELATIVE_NAME, "relative_endpoint", written=name))


def _blueprint_variables(index: Index, endpoint: str, found: dict[str, Candidate]) -> None:
    """The blueprint's variable written instead of its name: ``users_bp.profile`` for ``users.profile``."""
    short, prefix = _short(endpoint), _prefix(endpoint)
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
    short, prefix = _short(endpoint), _prefix(endpoint)
    for target in index.by_short.get(short, ()):
        if target == endpoint:
            continue
        if prefix and target.endswith("." + endpoint):
            _keep_best(found, Candidate(target, 0.95, Cause.NESTED_PREFIX, "missing_blueprint_prefix"))
        elif not prefix:
            _keep_best(found, Candidate(target, 0.95, Cause.MISSING_PREFIX, "missing_blueprint_prefix"))
        else:
            similarity = fuzz.ratio(prefix, _prefix(target)) / 100
            _keep_best(found, Candidate(target, 0.9 + 0.04 * similarity, Cause.OTHER_PREFIX, "wrong_blueprint_prefix"))


def _view_name_candidates(index: Index, endpoint: str, found: dict[str, Candidate]) -> None:
    """A view's function or class name written for its endpoint; the same blueprint ranks first."""
    short, prefix = _short(endpoint), _prefix(endpoint)
    for name in dict.fromkeys((endpoint, short)):
        for target, cause, name_kind in index.by_view_name.get(name, ()):
            score = 0.95 if not prefix or _prefix(target) == prefix else 0.92
            _keep_best(found, Candidate(target, score, cause, "view_name_not_endpoint", name=name, name_kind=name_kind))


def _spelled_differently(index: Index, endpoint: str, found: dict[str, Candidate]) -> None:
    """The same short name in another case or with other separators (``userProfile``, ``user-profile``)."""
    short, prefix = _short(endpoint), _prefix(endpoint)
    for target in index.by_normalised_short.get(_normalise(short), ()):
        if target not in found and _short(target) != short:
            _keep_best(found, Candidate(target, 0.9, Cause.SPELLED_DIFFERENTLY, _kind_for(prefix, target)))


def _best_first(
    index: Index, found: dict[str, Candidate], values: t.Collection[str], method: str | None
) -> list[Candidate]:
    """Best first; the arguments and method of the call break ties between equally named candidates.

    Only the leading few get the (slower) fit bonus: a short name like ``edit`` can live in hundreds
    of blueprints of a big app.
    """
    leading = sorted(found.values(), key=lambda c: -c.score)[: LIMIT * 4]
    scored = [
        dataclasses.replace(
            c, score=round(min(1.0, c.score + _fit_bonus(index.inventory.routes_for(c.endpoint), values, method)), 3)
        )
        for c in leading
    ]
    return sorted(scored, key=lambda c: -c.score)[:LIMIT]


def _kind_for(prefix: str, target: str) -> str:
    """The same short name spelt differently is about the prefix when the prefixes differ."""
    if prefix == _prefix(target) or not _prefix(target):
        return "unknown_endpoint"
    return "wrong_blueprint_prefix" if prefix else "missing_blueprint_prefix"


def _fuzzy(index: Index, endpoint: str, found: dict[str, Candidate]) -> None:
    """Typos: the full dotted name, then the short name alone (a typo plus a missing prefix)."""
    scores: dict[str, float] = {}
    for target, score, _ in process.extract(
        endpoint, index.endpoints, scorer=fuzz.ratio, limit=LIMIT * 2, score_cutoff=FULL_CUTOFF
    ):
        scores[target] = score
    short = _normalise(_short(endpoint))
    prefix = _prefix(endpoint)
    if len(short) >= 3:
        for name, score, _ in process.extract(
            short, index.shorts, scorer=fuzz.ratio, limit=LIMIT * 2, score_cutoff=SHORT_CUTOFF
        ):
            for target in index.by_normalised_short[name]:
                penalty = 0.0 if not prefix or _prefix(target) == prefix else 4.0
                scores[target] = max(scores.get(target, 0.0), score - penalty)
    for target, score in scores.items():
        if target in found or target == endpoint:
            continue
        _keep_best(
            found, Candidate(target, FUZZY_WEIGHT * score / 100, Cause.TYPO, "unknown_endpoint", similarity=score)
        )
