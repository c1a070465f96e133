"""The record of which rule and method each request matched, and its JSON form.

A record is keyed by ``(rule, endpoint)``: the same factory makes a new app per test, and their
rules are the same rules for the person reading the report. Records from several apps, processes
(pytest-xdist workers) or runs merge by adding counts.
"""

from __future__ import annotations

import json
import os
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

from ..inventory import AUTOMATIC_METHODS
from ..inventory import is_internal_endpoint as is_tool_endpoint

#: The value of the ``format`` key of a coverage document, so a loader can refuse other JSON.
FORMAT = "flask-route-explorer.route-coverage"
VERSION = 1
#: The rule-method of a rule that accepts any method (``methods=None``).
ANY_METHOD = "ANY"

RuleKey = tuple[str, str]


def is_internal_endpoint(endpoint: str) -> bool:
    """Rules a test suite does not own: static files (the app's and blueprints'), the tools' rules."""
    return endpoint == "static" or endpoint.endswith(".static") or is_tool_endpoint(endpoint)


def counted_methods(methods: t.Collection[str] | None) -> tuple[str, ...]:
    """The rule-methods a rule is measured on: its methods without the automatic HEAD and OPTIONS.

    A rule for any method counts once, as ``ANY``; a rule with only HEAD or OPTIONS keeps them.
    """
    if methods is None:
        return (ANY_METHOD,)
    shown = sorted(m for m in methods if m not in AUTOMATIC_METHODS)
    return tuple(shown) if shown else tuple(sorted(methods))


def counted_method(requested: str, methods: tuple[str, ...]) -> str | None:
    """The rule-method a request with ``requested`` counts for, or ``None`` (an automatic OPTIONS).

    HEAD counts for GET, since Werkzeug adds HEAD to every GET rule and a HEAD request runs the GET view.
    """
    if methods == (ANY_METHOD,):
        return ANY_METHOD
    if requested in methods:
        return requested
    if requested == "HEAD" and "GET" in methods:
        return "GET"
    return None


@dataclass
class RuleRecord:
    """One rule the tests' apps had, and how many requests matched each of its rule-methods."""

    rule: str
    endpoint: str
    #: Flask's blueprint of the endpoint (everything before the last dot), ``None`` for the app's own.
    blueprint: str | None
    methods: tuple[str, ...]
    internal: bool
    hits: dict[str, int] = field(default_factory=dict)

    @property
    def key(self) -> RuleKey:
        return (self.rule, self.endpoint)

    @property
    def missed_methods(self) -> tuple[str, ...]:
        """The rule-methods no request matched."""
        return tuple(m for m in self.methods if not self.hits.get(m, 0))

    @property
    def requested(self) -> bool:
        return len(self.missed_methods) < len(self.methods)

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "rule": self.rule,
            "endpoint": self.endpoint,
            "blueprint": self.blueprint,
            "methods": list(self.methods),
            "internal": self.internal,
            "hits": {m: self.hits.get(m, 0) for m in self.methods},
        }

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any]) -> RuleRecord:
        return cls(
            rule=str(data["rule"]),
            endpoint=str(data["endpoint"]),
            blueprint=None if data.get("blueprint") is None else str(data["blueprint"]),
            methods=tuple(str(m) for m in data["methods"]),
            internal=bool(data.get("internal", False)),
            hits={str(m): int(n) for m, n in dict(data.get("hits") or {}).items()},
        )


@dataclass
class CoverageData:
    """Every rule seen and its hits; the one thing recorded, merged, saved and loaded."""

    rules: dict[RuleKey, RuleRecord] = field(default_factory=dict)

    def add_rule(self, record: RuleRecord) -> RuleRecord:
        """Add a rule unless it is known; the known record (which keeps its hits) is returned."""
        return self.rules.setdefault(record.key, record)

    def merge(self, other: CoverageData) -> None:
        """Add another record's rules and counts to this one (workers, earlier runs)."""
        for key, record in other.rules.items():
            mine = self.rules.get(key)
            if mine is None:
                self.rules[key] = RuleRecord.from_dict(record.to_dict())
                continue
            for method, count in record.hits.items():
                mine.hits[method] = mine.hits.get(method, 0) + count

    def hits_for(self, rule: str, method: str, endpoint: str | None = None) -> int:
        """How many requests the tests made to ``rule`` with ``method`` (HEAD counts for GET).

        ``endpoint`` picks one of several rules with the same text; without it their counts add up.
        """
        total = 0
        for record in self.rules.values():
            if record.rule == rule and (endpoint is None or record.endpoint == endpoint):
                counted = counted_method(method.upper(), record.methods)
                total += record.hits.get(counted, 0) if counted else 0
        return total

    def hits_for_route(self, rule: str, endpoint: str, methods: t.Iterable[str] | None) -> int:
        """All the requests the tests made to one rule of the map, over the methods it accepts."""
        return sum(self.hits_for(rule, method, endpoint) for method in (methods or ("GET",)) if method != "HEAD")

    def to_dict(self) -> dict[str, t.Any]:
        records = sorted(self.rules.values(), key=lambda r: (r.blueprint or "", r.rule, r.endpoint))
        return {"format": FORMAT, "version": VERSION, "rules": [r.to_dict() for r in records]}

    @classmethod
    def from_dict(cls, data: t.Mapping[str, t.Any]) -> CoverageData:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a route coverage document (its 'format' is not {FORMAT!r})")
        if data.get("version") != VERSION:
            raise ValueError(f"route coverage version {data.get('version')!r} is not supported (expected {VERSION})")
        coverage = cls()
        for item in data.get("rules") or ():
            coverage.add_rule(RuleRecord.from_dict(item))
        return coverage


def load(path: str | os.PathLike[str]) -> CoverageData:
    """Read a coverage document written by :func:`save` (or the plugin's ``json:`` report).

    Raises :class:`OSError` when it cannot be read and :class:`ValueError` when it is not one.
    """
    with open(path, encoding="utf-8") as f:
        return CoverageData.from_dict(json.load(f))


def save(data: t.Mapping[str, t.Any], path: str | os.PathLike[str]) -> None:
    """Write a coverage document (``CoverageData.to_dict()``, possibly with a summary) as JSON."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


#: Where the explorer looks for the last report when ``ROUTE_EXPLORER_COVERAGE_FILE`` is not set.
DEFAULT_REPORT_NAME = "route-coverage.json"


def report_candidates(setting: str | os.PathLike[str] | None, root_path: str) -> list[Path]:
    """The files a coverage report may be in: the setting, else the default name in the working
    directory and in the project folder (the app package's parent)."""
    if setting:
        return [Path(setting)]
    return [Path.cwd() / DEFAULT_REPORT_NAME, Path(root_path).parent / DEFAULT_REPORT_NAME]


_loaded: dict[Path, tuple[tuple[int, int], CoverageData]] = {}


def last_report(setting: str | os.PathLike[str] | None, root_path: str) -> tuple[Path, CoverageData] | None:
    """The newest readable coverage report, re-read only when the file changed; ``None`` when none is found."""
    for path in report_candidates(setting, root_path):
        try:
            stat = path.stat()
        except OSError:
            continue
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = _loaded.get(path)
        if cached is not None and cached[0] == stamp:
            return path, cached[1]
        try:
            data = load(path)
        except (OSError, ValueError):
            continue
        _loaded[path] = (stamp, data)
        return path, data
    return None
