"""The figures of a coverage record: rules and rule-methods requested, and the rules never requested."""

from __future__ import annotations

import math
import typing as t
from dataclasses import dataclass

from .data import CoverageData, RuleRecord


@dataclass(frozen=True)
class Figures:
    """How much of the URL map the tests requested."""

    rules: int
    rules_hit: int
    rule_methods: int
    rule_methods_hit: int

    @property
    def percent(self) -> float:
        """Rules requested, in percent of all rules; 0 when no rule was seen at all."""
        return 100.0 * self.rules_hit / self.rules if self.rules else 0.0

    @property
    def shown_percent(self) -> int:
        """The percentage as printed: rounded, but never 100 unless every rule was requested and never
        0 unless none was (the way coverage.py shows it)."""
        value = self.percent
        if 0 < value < 1:
            return 1
        if 99 < value < 100:
            return 99
        return math.floor(value + 0.5)

    def under(self, threshold: float) -> bool:
        """Whether the printed percentage is below ``threshold`` (also when no rule was seen)."""
        return self.rules == 0 or self.shown_percent < threshold

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "percent": round(self.percent, 2),
            "rules": self.rules,
            "rules_hit": self.rules_hit,
            "rule_methods": self.rule_methods,
            "rule_methods_hit": self.rule_methods_hit,
        }


def counted_records(data: CoverageData, include_internal: bool = False) -> list[RuleRecord]:
    """The records the figures are made of, in report order (blueprint, rule, endpoint)."""
    return sorted(
        (r for r in data.rules.values() if include_internal or not r.internal),
        key=lambda r: (r.blueprint or "", r.rule, r.endpoint),
    )


def figures(data: CoverageData, include_internal: bool = False) -> Figures:
    records = counted_records(data, include_internal)
    return Figures(
        rules=len(records),
        rules_hit=sum(1 for r in records if r.requested),
        rule_methods=sum(len(r.methods) for r in records),
        rule_methods_hit=sum(1 for r in records for m in r.methods if r.hits.get(m, 0)),
    )


def uncovered_by_blueprint(data: CoverageData, include_internal: bool = False) -> dict[str | None, list[RuleRecord]]:
    """The rules never requested, grouped by blueprint; the app's own rules (``None``) come first."""
    groups: dict[str | None, list[RuleRecord]] = {}
    for record in counted_records(data, include_internal):
        if not record.requested:
            groups.setdefault(record.blueprint, []).append(record)
    return groups


def report_dict(data: CoverageData, include_internal: bool = False) -> dict[str, t.Any]:
    """The JSON report: the record itself (loadable with :func:`~.data.load`) plus its summary."""
    document = data.to_dict()
    document["summary"] = figures(data, include_internal).to_dict()
    document["summary"]["internal_included"] = include_internal
    document["uncovered"] = {
        blueprint or "": [r.endpoint for r in records]
        for blueprint, records in uncovered_by_blueprint(data, include_internal).items()
    }
    return document
