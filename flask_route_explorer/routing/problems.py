"""Why a rule does not take a request, as data; and the one place that writes it as English.

The matcher decides on :class:`Problem` (its ``kind``, never its text): "the app's converter
raised" is ``Kind.RAISED``, whatever the sentence around it. :func:`sentence` writes the reason the
faces show, from the problem's fields, at the edge.
"""

from __future__ import annotations

import enum
import typing as t
from dataclasses import dataclass


class Verdict(enum.Enum):
    """The kind of answer one rule gives a request, as the faces style it (its value is the CSS name)."""

    MATCH = "match"
    METHOD = "method"
    #: The host or subdomain differs, or the rule is a WebSocket rule.
    HOST = "host"
    REDIRECT = "redirect"
    PATH = "path"
    #: The app's own code raises (a converter, a ``redirect_to`` callable): the app answers 500.
    ERROR = "error"


class Kind(enum.Enum):
    """What is wrong between one rule and one request."""

    # A segment (or, with ``rest_of_path``, the rest of the path a ``path`` variable takes).
    STATIC_DIFFERS = enum.auto()
    EMPTY_STATIC = enum.auto()
    EMPTY_VARIABLE = enum.auto()
    NOT_ACCEPTED = enum.auto()  # the converter's regex refuses the text
    DOES_NOT_FIT = enum.auto()  # a segment of several pieces (``<id>.json``) does not fit
    REJECTED = enum.auto()  # the regex accepts it, ``to_python`` refuses it (see ``refusal``)
    RAISED = enum.auto()  # ``to_python`` raised something else: the app itself fails
    # The path as a whole.
    TOO_LONG = enum.auto()
    TOO_SHORT = enum.auto()
    SLASH_REDIRECT = enum.auto()  # the rule ends with a slash the path lacks: Werkzeug redirects
    NO_SLASH = enum.auto()  # the path ends with a slash the rule lacks (strict slashes)
    # The rest of the request.
    HOST_DIFFERS = enum.auto()
    SUBDOMAIN_DIFFERS = enum.auto()
    OUTSIDE_SERVER_NAME = enum.auto()
    WEBSOCKET = enum.auto()
    METHOD = enum.auto()
    # A rule that takes the path, set against the whole answer.
    COMES_SECOND = enum.auto()  # another rule matches first
    REDIRECT_TO = enum.auto()
    DEFAULTS = enum.auto()  # the values are another rule's defaults: Werkzeug redirects there
    MERGED_SLASHES = enum.auto()
    REDIRECTS = enum.auto()
    CALLABLE_RAISED = enum.auto()  # the rule matched, then its ``redirect_to`` callable raised


class Refusal(enum.Enum):
    """Why a converter's ``to_python`` refused a value its regex accepted."""

    DIGITS = enum.auto()  # ``limit``: the fixed number of digits
    NOT_A_NUMBER = enum.auto()
    BELOW = enum.auto()  # ``limit``: the minimum
    ABOVE = enum.auto()  # ``limit``: the maximum
    REFUSED = enum.auto()


@dataclass(slots=True)
class Problem:
    """Why one rule does not take one request: a kind, plus the fields its sentence needs.

    Treated as a value (``dataclasses.replace`` makes variants), but not frozen: the matcher makes
    one for every rule near a path, dozens per keystroke, and a frozen dataclass's ``__init__``
    costs four times as much (the match tester's answer was 10% slower).
    """

    kind: Kind
    #: What the request has: a segment or the rest of the path, a host, a method.
    text: str = ""
    #: What the rule has there: static text, pieces as written (``<int:id>``), a domain, the rest of the rule.
    expected: str = ""
    #: The variable, and its converter as written (``int(min=1)``).
    variable: str = ""
    converter: str = ""
    refusal: Refusal | None = None
    limit: t.Any = None
    #: The ``repr`` of what the app's code raised.
    error: str = ""
    #: Where the request is sent (a redirect's target, as shown), or the path that would match.
    target: str = ""
    #: Another rule: the one that comes first, or the one whose defaults the values are.
    other_rule: str = ""
    #: The methods the rule allows.
    allowed: tuple[str, ...] = ()
    #: ``text`` is the rest of the path (taken by a ``path``-like variable), not one segment.
    rest_of_path: bool = False
    #: The whole answer is the app's 500, because of this problem.
    app_answers_500: bool = False


def sentence(problem: Problem | None) -> str:
    """The reason the faces show for a problem (``None``: the rule takes the request)."""
    if problem is None:
        return "matches"
    text = _SENTENCES[problem.kind](problem, "rest of the path" if problem.rest_of_path else "segment")
    return f"{text}: the app answers 500" if problem.app_answers_500 else text


def _refusal(problem: Problem) -> str:
    limit = problem.limit
    return {
        Refusal.DIGITS: f"needs exactly {limit} digits",
        Refusal.NOT_A_NUMBER: "not a number",
        Refusal.BELOW: f"below the minimum {limit}",
        Refusal.ABOVE: f"above the maximum {limit}",
        Refusal.REFUSED: "its to_python() refuses it",
    }[problem.refusal or Refusal.REFUSED]


#: Each kind's sentence, from the problem and the word for its text ("segment" or "rest of the path").
_SENTENCES: dict[Kind, t.Callable[[Problem, str], str]] = {
    Kind.STATIC_DIFFERS: lambda p, unit: f"static part differs: expected {p.expected!r}, got {p.text!r}",
    Kind.EMPTY_STATIC: lambda p, unit: f"empty {unit} where the rule expects {p.expected!r}",
    Kind.EMPTY_VARIABLE: lambda p, unit: f"empty {unit} where the rule expects {p.expected}",
    Kind.NOT_ACCEPTED: lambda p, unit: f"{unit} {p.text!r} is not accepted by {p.converter} for {p.variable}",
    Kind.DOES_NOT_FIT: lambda p, unit: f"{unit} {p.text!r} does not fit {p.expected!r}",
    Kind.REJECTED: lambda p, unit: f"{unit} {p.text!r} is rejected by {p.converter} for {p.variable}: {_refusal(p)}",
    Kind.RAISED: lambda p, unit: f"{p.converter} for {p.variable} raises {p.error} on {p.text!r}",
    Kind.TOO_LONG: lambda p, unit: f"path too long: nothing in the rule for {p.text!r}",
    Kind.TOO_SHORT: lambda p, unit: f"path too short: the rule continues with {p.expected!r}",
    Kind.SLASH_REDIRECT: lambda p, unit: f"trailing slash: redirects to {p.target}",
    Kind.NO_SLASH: lambda p, unit: f"trailing slash: the rule has none ({p.target!r} would match)",
    Kind.HOST_DIFFERS: lambda p, unit: f"host mismatch: the rule wants {p.expected!r}, the request has {p.text!r}",
    Kind.SUBDOMAIN_DIFFERS: lambda p, unit: (
        f"subdomain mismatch: the rule wants {p.expected!r}, the request has {p.text!r}"
    ),
    Kind.OUTSIDE_SERVER_NAME: lambda p, unit: f"host {p.text} is not under SERVER_NAME {p.expected}",
    Kind.WEBSOCKET: lambda p, unit: "WebSocket rule: an HTTP request never matches it",
    Kind.METHOD: lambda p, unit: f"method {p.text} not allowed (allowed: {', '.join(p.allowed)})",
    Kind.COMES_SECOND: lambda p, unit: f"also matches, but {p.other_rule!r} comes first",
    Kind.REDIRECT_TO: lambda p, unit: f"redirect_to: redirects to {p.target}",
    Kind.DEFAULTS: lambda p, unit: (
        f"defaults: the values are the defaults of {p.other_rule!r}; redirects to {p.target}"
    ),
    Kind.MERGED_SLASHES: lambda p, unit: f"repeated slashes: merged, redirects to {p.target}",
    Kind.REDIRECTS: lambda p, unit: f"redirects to {p.target}",
    Kind.CALLABLE_RAISED: lambda p, unit: f"matches, then raised {p.error}",
}
