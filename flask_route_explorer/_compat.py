"""Every touch of a private Werkzeug or Flask attribute lives here, each with a fallback.

Werkzeug and Flask do not promise these names; when one disappears the fallback keeps the
explorer working with a little less detail instead of crashing the host app.
"""

from __future__ import annotations

import re
import typing as t

from werkzeug.routing import BaseConverter, Map, Rule, parse_converter_args

# The same grammar Werkzeug uses for one ``<converter(args):variable>`` part of a rule.
_VARIABLE_RE = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<arguments>.*?)\))?:)?"
    r"(?P<variable>[a-zA-Z_][a-zA-Z0-9_]*)>"
)


class RuleVariable(t.NamedTuple):
    """One variable as written in a rule string."""

    name: str
    converter: str
    args: tuple[t.Any, ...]
    kwargs: dict[str, t.Any]


def rules_in_order(url_map: Map) -> list[Rule]:
    """The map's rules in the order they were added (``iter_rules`` groups them by endpoint)."""
    rules = getattr(url_map, "_rules", None)
    if isinstance(rules, list):
        return list(rules)
    return list(url_map.iter_rules())


def rules_version(url_map: Map) -> tuple[int, int]:
    """A cheap fingerprint that changes whenever a rule is added to the map."""
    rules = getattr(url_map, "_rules", None)
    if isinstance(rules, list):
        return (len(rules), id(rules[-1]) if rules else 0)
    all_rules = list(url_map.iter_rules())
    return (len(all_rules), id(all_rules[-1]) if all_rules else 0)


def rule_variables(rule: Rule) -> list[RuleVariable]:
    """The variables of a rule in the order they appear (host or subdomain part first)."""
    text = f"{rule.host or rule.subdomain or ''}|{rule.rule}"
    found: list[RuleVariable] = []
    for match in _VARIABLE_RE.finditer(text):
        raw = match.group("arguments")
        try:
            args, kwargs = parse_converter_args(raw) if raw else ((), {})
        except Exception:  # a custom converter may take arguments Werkzeug cannot parse back
            args, kwargs = (raw,), {}
        found.append(
            RuleVariable(match.group("variable"), match.group("converter") or "default", args, kwargs)
        )
    return found


def rule_converters(rule: Rule) -> dict[str, BaseConverter]:
    """The converter instance bound to each variable of a compiled rule."""
    converters = getattr(rule, "_converters", None)
    if isinstance(converters, dict) and converters:
        return dict(converters)
    url_map = getattr(rule, "map", None)
    if url_map is None:
        return {}
    result: dict[str, BaseConverter] = {}
    for variable in rule_variables(rule):
        converter_class = url_map.converters.get(variable.converter)
        if converter_class is None:
            continue
        try:
            result[variable.name] = converter_class(url_map, *variable.args, **variable.kwargs)
        except Exception:
            continue
    return result

