"""How a call's values fit an endpoint's rules: what is missing, misnamed, rejected or clashing.

An endpoint can have several rules; the diagnosis reasons about the one the call comes closest to
building, with the values the app's ``url_defaults`` hooks would add counted in.
"""

from __future__ import annotations

import contextlib
import functools
import re
import typing as t
import uuid
from dataclasses import dataclass

from rapidfuzz import fuzz
from werkzeug.routing import AnyConverter, BaseConverter
from werkzeug.routing.converters import FloatConverter, NumberConverter, PathConverter, UUIDConverter

from .. import _compat
from ..inventory import Inventory, Route
from .context import injected
from .model import UNKNOWN

if t.TYPE_CHECKING:
    from flask import Flask

#: A misnamed variable is renamed only to a needed name at least this similar (0-1).
RENAME_SIMILARITY = 0.6
_SAMPLE_UUID = uuid.UUID("12345678-1234-5678-1234-567812345678")


@dataclass
class Fit:
    """How a call's values fit one endpoint's rule."""

    route: Route
    method_ok: bool
    #: Required variables the call does not pass (or passes as ``None``).
    missing: list[str]
    #: The missing variables the call passes as ``None``.
    none_values: list[str]
    #: Values the call misnamed, mapped to the variable they stand for (``{"id": "user_id"}``).
    renames: dict[str, str]
    #: Variables whose value the rule's converter rejects.
    invalid: list[str]
    #: Values that clash with the rule's defaults.
    conflicts: list[str]

    @property
    def builds(self) -> bool:
        return self.method_ok and not (self.missing or self.invalid or self.conflicts)

    @property
    def still_missing(self) -> list[str]:
        """The missing variables no rename provides."""
        return [m for m in self.missing if m not in self.renames.values()]


def converter(route: Route, name: str) -> BaseConverter | None:
    """The converter of the rule's variable ``name``."""
    return _compat.rule_converters(route.werkzeug_rule).get(name)


def accepts(route: Route, name: str, value: t.Any) -> bool:
    """Whether the rule's converter for ``name`` can build ``value`` (:data:`UNKNOWN` passes)."""
    if value is UNKNOWN:
        return True
    found = converter(route, name)
    if found is None:
        return True
    try:
        found.to_url(value)
    except Exception:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def _name_similarity(given: str, needed: str) -> float:
    """How alike a value's name and a variable's are (0-1). Cached: an app's variables share a few
    hundred names, and every candidate's rules are fitted to the call's values."""
    if _normalised(given) == _normalised(needed):
        return 1.0
    if needed.endswith("_" + given) or given.endswith("_" + needed):  # id / user_id
        return 0.9
    return fuzz.ratio(given, needed) / 100


def _normalised(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def fit_route(route: Route, values: t.Mapping[str, t.Any], method: str | None) -> Fit:
    """How ``values`` (and ``method``) fit one rule."""
    present = {k for k, v in values.items() if v is not None}
    arguments = set(route.argument_names)
    missing = [a for a in route.required_arguments if a not in present]
    renames: dict[str, str] = {}
    free = [k for k in values if k not in arguments and k in present]  # values the rule has no variable for
    for needed in missing:
        scored = sorted(((_name_similarity(u, needed), u) for u in free), reverse=True)
        if scored and scored[0][0] >= RENAME_SIMILARITY:
            renames[scored[0][1]] = needed
            free.remove(scored[0][1])
    return Fit(
        route=route,
        method_ok=method is None or route.allows(method),
        missing=missing,
        none_values=[a for a in missing if a in values and values[a] is None],
        renames=renames,
        invalid=[a for a in route.argument_names if a in present and not accepts(route, a, values[a])],
        conflicts=[k for k, v in route.defaults.items() if k in present and values[k] != v],
    )


def best_fit(app: Flask, routes: t.Sequence[Route], values: t.Mapping[str, t.Any], method: str | None) -> Fit:
    """The rule of an endpoint that the call comes closest to building (counting url_defaults values)."""
    if routes:
        values = injected(app, routes[0].endpoint, values)
    fits = [fit_route(route, values, method) for route in routes]
    return min(
        fits,
        # On a tie, a value that clashes with a rule's defaults loses to a converter that rejects it:
        # ``/archive/`` (defaults page=1) beside ``/archive/<int:page>`` means the caller aimed at the latter.
        key=lambda f: (
            not f.method_ok,
            len(f.missing) - len(f.renames) + len(f.invalid) + len(f.conflicts),
            len(f.missing),
            len(f.conflicts),
        ),
    )


def sample(route: Route | None, name: str) -> t.Any:
    """A value the argument's converter accepts, to build a fix that still has placeholders."""
    found = converter(route, name) if route is not None else None
    if isinstance(found, AnyConverter):
        return sorted(found.items)[0]
    if isinstance(found, UUIDConverter):
        return _SAMPLE_UUID
    if isinstance(found, FloatConverter):
        return float(found.min) if found.min is not None else 1.0
    if isinstance(found, NumberConverter):
        return found.min if found.min is not None and found.min > 0 else 1
    if isinstance(found, PathConverter):
        return "path/to"
    regex = getattr(found, "regex", None)
    if found is not None and isinstance(regex, str):
        return _sample_for_regex(found, regex)
    return "x"


def _sample_for_regex(found: BaseConverter, regex: str) -> t.Any:
    """A short text a custom converter's regex and ``to_python`` accept (``"x"`` when none is found)."""
    for size in (1, 2, 3, 4, 5, 8, 10, 16, 32):
        for candidate in ("x" * size, "1" * size, "a-" * (size // 2) + "a"):
            with contextlib.suppress(Exception):
                if re.fullmatch(regex, found.to_url(found.to_python(candidate))):
                    return found.to_python(candidate)
    return "x"


def sampled(inventory: Inventory, endpoint: str, values: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The values with :data:`UNKNOWN` replaced by a value the rule's converter accepts."""
    if not any(v is UNKNOWN for v in values.values()):
        return dict(values)
    routes = inventory.routes_for(endpoint)
    result = {}
    for name, value in values.items():
        if value is UNKNOWN:
            route = next((r for r in routes if name in r.argument_names), None)
            value = sample(route, name)
        result[name] = value
    return result
