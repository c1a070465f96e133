"""Why a rule does or does not take a request: one rule at a time, compared piece by piece.

Werkzeug has already answered (:mod:`.dispatch`); this module explains the answer in the manner of
Symfony's ``router:match``. Each rule near the path gets a :class:`RuleVerdict`: how close it comes
(a :class:`Level` and a score, to rank the rules) and the first :class:`~.problems.Problem` that
keeps it from taking the request.
"""

from __future__ import annotations

import enum
import typing as t
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from werkzeug.routing import BaseConverter, ValidationError

from .problems import Kind, Problem, Refusal, Verdict
from .request import SimulatedRequest
from .shapes import Piece, RuleShape, RuleShapes, compiled

#: Two static segments this similar (rapidfuzz ratio) are taken for a typo of each other.
_TYPO_SIMILARITY = 75.0


class Level(enum.IntEnum):
    """How close a rule comes to a request, best last (they sort)."""

    OTHER = 0
    #: As many segments as the path; one of them differs.
    SAME_SHAPE = 1
    #: The path fits; the method, the host or a trailing slash does not (or the app's converter raises).
    ALMOST = 2
    #: The rule takes this path, method and host.
    FITS = 3


@dataclass(frozen=True, slots=True)
class RuleVerdict:
    """One rule against one request: how close (level, score) and the first problem, if any."""

    position: int
    level: Level
    score: int
    #: A static segment of the rule equals (or nearly equals, a typo) the path's: worth showing.
    anchored: bool
    #: ``None`` when the rule takes the request.
    problem: Problem | None
    verdict: Verdict


def verdict_of(shapes: RuleShapes, position: int, request: SimulatedRequest) -> RuleVerdict:
    """How close one rule comes to the request, and the first problem that keeps it from taking it."""
    shape = shapes.shapes[position]
    level, points, verdict = _path_verdict(shape, request)
    problem = points.first
    if level == Level.FITS:
        route = shape.route
        level, verdict = Level.ALMOST, Verdict.HOST
        problem = _domain_problem(shape, request)
        if problem is None and route.websocket:
            problem = Problem(Kind.WEBSOCKET)
        if problem is None and not route.allows(request.method):
            verdict = Verdict.METHOD
            problem = Problem(Kind.METHOD, text=request.method, allowed=route.visible_methods or ())
        if problem is None:
            level, verdict = Level.FITS, Verdict.MATCH
    return RuleVerdict(position, level, points.score, points.anchored or level >= Level.ALMOST, problem, verdict)


def nearby_positions(shapes: RuleShapes, request: SimulatedRequest, extra: t.Iterable[int]) -> list[int]:
    """Rules worth explaining: same static segments, variable-only rules of the same length, fuzzy."""
    segments = request.segments
    counts: Counter[int] = Counter()
    for i, segment in enumerate(segments[:64]):
        hits = shapes.statics.get((i, segment))
        if hits:
            counts.update(hits)
    found = dict.fromkeys(p for p, _ in counts.most_common(30))
    for key in (len(segments), -1):
        found.update(dict.fromkeys(shapes.dynamic.get(key, ())[:30]))
    if shapes.skeletons:
        for _, _, at in process.extract(request.path, shapes.skeletons, scorer=fuzz.ratio, limit=12):
            found.setdefault(shapes.pool[at])
    found.update(dict.fromkeys(extra))
    return list(found)


def ranked_verdicts(shapes: RuleShapes, request: SimulatedRequest, positions: t.Iterable[int]) -> list[RuleVerdict]:
    """The verdicts of these rules, closest first (then the rule text most like the path, then map order)."""
    verdicts = [verdict_of(shapes, p, request) for p in positions]
    rules = shapes.shapes
    similarity = {v.position: fuzz.ratio(request.path, rules[v.position].route.rule) for v in verdicts}
    verdicts.sort(key=lambda v: (-v.level, -v.score, -similarity[v.position], v.position))
    return verdicts


# --------------------------------------------------------------------------- the path, piece by piece


def _refusal(converter: BaseConverter, value: str) -> tuple[Refusal, t.Any]:
    """Why ``to_python`` refused a value its regex accepted (number limits, mostly), and the limit."""
    fixed = getattr(converter, "fixed_digits", 0)
    if fixed and len(value) != fixed:
        return Refusal.DIGITS, fixed
    minimum, maximum = getattr(converter, "min", None), getattr(converter, "max", None)
    if minimum is not None or maximum is not None:
        try:
            number = float(value)
        except ValueError:
            return Refusal.NOT_A_NUMBER, None
        if minimum is not None and number < minimum:
            return Refusal.BELOW, minimum
        if maximum is not None and number > maximum:
            return Refusal.ABOVE, maximum
    return Refusal.REFUSED, None


#: A mismatch found cheaply: (kind, the text, the variable, what ``to_python`` raised). Turned
#: into a :class:`Problem` only for the first of a rule: a rule is ranked on its count of mismatches.
_Mismatch = tuple[Kind, str, str, Exception | None]


def _mismatch(shape: RuleShape, pieces: t.Sequence[Piece], text: str) -> _Mismatch | None:
    """Whether ``text`` (one segment, or the rest of the path for a ``path`` tail) fits the pieces."""
    if all(not is_variable for is_variable, _ in pieces):
        expected = "".join(name for _, name in pieces)
        if text == expected:
            return None
        if not expected:
            return Kind.TOO_LONG, text, "", None
        return (Kind.STATIC_DIFFERS if text else Kind.EMPTY_STATIC), text, "", None
    pattern, names = shape.pattern(pieces)
    found = compiled(pattern).fullmatch(text)
    if found is None:
        if len(pieces) == 1:
            return (Kind.NOT_ACCEPTED if text else Kind.EMPTY_VARIABLE), text, pieces[0][1], None
        return Kind.DOES_NOT_FIT, text, "", None
    for position, name in enumerate(names):
        converter = shape.converters.get(name)
        if converter is None:
            continue
        value = found.group(f"__v{position}")
        try:
            converter.to_python(value)
        except ValidationError as error:
            return Kind.REJECTED, value, name, error
        except Exception as error:  # a custom converter may raise anything; the app would fail too
            return Kind.RAISED, value, name, error
    return None


def _problem(
    shape: RuleShape, pieces: t.Sequence[Piece], mismatch: _Mismatch, *, rest_of_path: bool = False
) -> Problem:
    """The problem a mismatch of these pieces is, with what its sentence needs."""
    kind, text, name, error = mismatch
    label = shape.label(name) if name else ""
    if kind is Kind.TOO_LONG:
        return Problem(kind, text=text, rest_of_path=rest_of_path)
    if kind in (Kind.STATIC_DIFFERS, Kind.EMPTY_STATIC):
        return Problem(kind, text=text, expected="".join(piece for _, piece in pieces), rest_of_path=rest_of_path)
    if kind in (Kind.EMPTY_VARIABLE, Kind.DOES_NOT_FIT):
        return Problem(kind, text=text, expected=shape.written(pieces), rest_of_path=rest_of_path)
    if kind is Kind.REJECTED:
        refusal, limit = _refusal(shape.converters[name], text)
        return Problem(
            kind,
            text=text,
            variable=name,
            converter=label,
            refusal=refusal,
            limit=limit,
            rest_of_path=rest_of_path,
        )
    error_text = repr(error) if kind is Kind.RAISED else ""
    return Problem(kind, text=text, variable=name, converter=label, error=error_text, rest_of_path=rest_of_path)


class _PathScore:
    """Points of a rule against a path: 2 per segment that fits, 1 per typo or rejected variable."""

    def __init__(self) -> None:
        self.score = 0
        self.anchored = False
        self.first: Problem | None = None
        self.mismatches = 0

    def add(self, shape: RuleShape, pieces: t.Sequence[Piece], text: str, *, rest_of_path: bool = False) -> None:
        """Score one segment (or the ``path`` tail); the first mismatch becomes the rule's problem."""
        mismatch = _mismatch(shape, pieces, text)
        static = all(not is_variable for is_variable, _ in pieces)
        expected = "".join(name for _, name in pieces) if static else ""
        if mismatch is None:
            self.score += 2
            self.anchored = self.anchored or bool(expected)
            return
        self.mismatches += 1
        if self.first is None:
            self.first = _problem(shape, pieces, mismatch, rest_of_path=rest_of_path)
        if not static:
            self.score += 1
        elif expected and text and fuzz.ratio(expected, text) >= _TYPO_SIMILARITY:
            self.score += 1
            self.anchored = True

    def note(self, problem: Problem) -> None:
        """The first problem, unless a segment already had one."""
        if self.first is None:
            self.first = problem


def _path_verdict(shape: RuleShape, request: SimulatedRequest) -> tuple[Level, _PathScore, Verdict]:
    """(level, points, verdict) of the path part alone; ``points.first`` is the first problem."""
    segments = request.segments
    rule_segments = shape.segments
    limit = shape.tail if shape.tail is not None else len(rule_segments)
    points = _PathScore()
    for i in range(limit):
        if i >= len(segments):
            if points.first is None and i == len(rule_segments) - 1 and rule_segments[i] == ():
                if shape.route.strict_slashes:
                    points.note(Problem(Kind.SLASH_REDIRECT, target=f"{request.path}/"))
                    return Level.ALMOST, points, Verdict.REDIRECT
                return Level.FITS, points, Verdict.MATCH
            points.note(_too_short(shape, i))
            return Level.OTHER, points, Verdict.PATH
        points.add(shape, rule_segments[i], segments[i])
    if shape.tail is None:
        extra = segments[len(rule_segments) :]
        if extra == [""] and points.first is None:
            if not shape.route.strict_slashes:
                return Level.FITS, points, Verdict.MATCH
            points.note(Problem(Kind.NO_SLASH, target=request.path.rstrip("/") or "/"))
            return Level.SAME_SHAPE, points, Verdict.PATH
        if extra:
            points.note(Problem(Kind.TOO_LONG, text="/" + "/".join(extra)))
            return Level.OTHER, points, Verdict.PATH
    elif len(segments) <= shape.tail:
        points.note(_too_short(shape, shape.tail))
        return Level.OTHER, points, Verdict.PATH
    else:
        points.add(shape, shape.tail_pieces(), "/".join(segments[shape.tail :]), rest_of_path=True)
    if points.first is None:
        return Level.FITS, points, Verdict.MATCH
    if points.mismatches == 1 and points.first.kind is Kind.RAISED:
        # Everything else fits: Werkzeug reaches this converter, and it raises.
        return Level.ALMOST, points, Verdict.ERROR
    return Level.SAME_SHAPE, points, Verdict.PATH


def _too_short(shape: RuleShape, segment: int) -> Problem:
    rest = "/" + "/".join(shape.written(s) for s in shape.segments[segment:])
    return Problem(Kind.TOO_SHORT, expected=rest)


def _domain_problem(shape: RuleShape, request: SimulatedRequest) -> Problem | None:
    if request.outside_server_name is not None:
        return Problem(Kind.OUTSIDE_SERVER_NAME, text=request.host, expected=request.outside_server_name)
    pattern, _ = shape.pattern(shape.domain)
    if compiled(pattern).fullmatch(request.domain):
        return None
    kind = Kind.HOST_DIFFERS if request.host_matching else Kind.SUBDOMAIN_DIFFERS
    return Problem(kind, text=request.domain, expected=shape.written(shape.domain))
