"""The vocabulary of a route diff: each change has a code, and the code decides its severity."""

from __future__ import annotations

import enum
import typing as t
from dataclasses import dataclass


class Severity(enum.Enum):
    """How a change affects clients, bookmarks, templates and other projects."""

    BREAKING = "breaking"
    RISKY = "risky"
    ADDITIVE = "additive"


class ChangeCode(enum.Enum):
    """What changed. ``severity`` says how bad it is; faces decide on codes, never on messages."""

    #: A URL the old rule matched now gets 404.
    URL_NOT_FOUND = "url_not_found"
    #: A URL the old rule matched now gets 405 for one of its methods.
    METHOD_REMOVED = "method_removed"
    #: A variable's converter accepts fewer values (int -> uuid, string -> int, any(a,b,c) -> any(a,b)).
    CONVERTER_NARROWED = "converter_narrowed"
    #: A variable has another name: ``url_for(..., old=...)`` no longer builds.
    VARIABLE_RENAMED = "variable_renamed"
    #: An endpoint is gone and its rules are served under another name: ``url_for('old')`` fails.
    ENDPOINT_RENAMED = "endpoint_renamed"
    #: An endpoint is gone entirely.
    ENDPOINT_REMOVED = "endpoint_removed"
    #: A rule now redirects (``redirect_to`` added).
    REDIRECT_ADDED = "redirect_added"
    #: ``strict_slashes`` changed: the URL with or without its trailing slash now redirects or 404s differently.
    STRICT_SLASHES_CHANGED = "strict_slashes_changed"
    #: A URL the old rule matched is now answered with a redirect.
    URL_REDIRECTS = "url_redirects"
    #: A URL the old rule matched is now handled by another endpoint.
    URL_REASSIGNED = "url_reassigned"
    #: A custom converter changed; it cannot be rebuilt from JSON, so only its text was compared.
    CONVERTER_CHANGED = "converter_changed"
    #: A rule that did not exist.
    RULE_ADDED = "rule_added"
    #: A method added to a rule.
    METHOD_ADDED = "method_added"
    #: A variable's converter accepts more values.
    CONVERTER_WIDENED = "converter_widened"

    @property
    def severity(self) -> Severity:
        return _SEVERITY[self]


_SEVERITY = {
    **dict.fromkeys(
        (
            ChangeCode.URL_NOT_FOUND,
            ChangeCode.METHOD_REMOVED,
            ChangeCode.CONVERTER_NARROWED,
            ChangeCode.VARIABLE_RENAMED,
            ChangeCode.ENDPOINT_RENAMED,
            ChangeCode.ENDPOINT_REMOVED,
        ),
        Severity.BREAKING,
    ),
    **dict.fromkeys(
        (
            ChangeCode.REDIRECT_ADDED,
            ChangeCode.STRICT_SLASHES_CHANGED,
            ChangeCode.URL_REDIRECTS,
            ChangeCode.URL_REASSIGNED,
            ChangeCode.CONVERTER_CHANGED,
        ),
        Severity.RISKY,
    ),
    **dict.fromkeys((ChangeCode.RULE_ADDED, ChangeCode.METHOD_ADDED, ChangeCode.CONVERTER_WIDENED), Severity.ADDITIVE),
}


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new URL map."""

    code: ChangeCode
    #: The endpoint concerned (the old one, except for additions).
    endpoint: str
    #: The rule concerned (the old one, except for additions).
    rule: str
    #: A sentence for people; nothing parses it.
    message: str
    #: The method, for method changes.
    method: str | None = None
    #: The variable, for variable and converter changes.
    variable: str | None = None
    #: The endpoint's new name, for renames and reassigned URLs.
    new_endpoint: str | None = None
    #: A request that shows the change (``POST /items``).
    example: str | None = None

    @property
    def severity(self) -> Severity:
        return self.code.severity

    @property
    def key(self) -> tuple[str, ...]:
        """What an accepted-changes file lists: code, endpoint, rule, then the method or variable."""
        detail = self.method or self.variable
        return (self.code.value, self.endpoint, self.rule, *((detail,) if detail else ()))

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "code": self.code.value,
            "severity": self.severity.value,
            "endpoint": self.endpoint,
            "rule": self.rule,
            "method": self.method,
            "variable": self.variable,
            "new_endpoint": self.new_endpoint,
            "example": self.example,
            "message": self.message,
            "key": " ".join(self.key),
        }
