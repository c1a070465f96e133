"""Build a URL and match a path exactly as the app would, and explain the answer.

The testers' core: the pages, the JSON API and the CLI all call :func:`build` and :func:`match`.
Werkzeug and Flask decide (``app.url_for`` builds, ``MapAdapter.match`` dispatches); this package
never re-implements their priority. It only explains, rule by rule, why the rules near a path did
not take it, in the manner of Symfony's ``router:match``.

One concept per module:

- :mod:`.inputs`: what the testers accept (caps, refusals).
- :mod:`.shapes`: each rule cut into segments, cached per inventory (:class:`RuleShapes`).
- :mod:`.request`: the request the path tester pretends, dispatched by the one matcher,
  :mod:`flask_route_explorer.dispatch` (outside this package: the diagnosis uses it too, and
  this package uses the diagnosis).
- :mod:`.problems`: why a rule does not take a request, as data (:class:`Problem`), and its sentence.
- :mod:`.verdicts`: each rule near a path judged against the request.
- :mod:`.match`: the path tester. :mod:`.build`: the build tester and its round trip.
"""

from __future__ import annotations

from ..endpoints import resolve_endpoint
from .build import BuildResult, RoundTrip, browser_path, build, call_source, typed_value
from .inputs import MAX_NAME, MAX_PATH, MAX_VALUE, MAX_VALUES
from .match import NEAR_LIMIT, STATUS_TEXTS, MatchResult, NearRule, handler_for, match
from .problems import Kind, Problem, Verdict, sentence
from .shapes import converter_label

__all__ = [
    "MAX_NAME",
    "MAX_PATH",
    "MAX_VALUE",
    "MAX_VALUES",
    "NEAR_LIMIT",
    "STATUS_TEXTS",
    "BuildResult",
    "Kind",
    "MatchResult",
    "NearRule",
    "Problem",
    "RoundTrip",
    "Verdict",
    "browser_path",
    "build",
    "call_source",
    "converter_label",
    "handler_for",
    "match",
    "resolve_endpoint",
    "sentence",
    "typed_value",
]
