"""Why a ``url_for`` call failed, and the corrected call that builds.

One concept per module:

- :mod:`.model`: the contract every face reads (:class:`Diagnosis`, :class:`Suggestion`,
  :class:`CallSite`, :class:`Cause`, :data:`KINDS`, :data:`UNKNOWN`);
- :mod:`.context`: the app, its inventory and the request a build runs in (:func:`batch`);
- :mod:`.callsite`: the failing call in a traceback, and reading a call's text;
- :mod:`.facts`: what the failing call was (:class:`~.facts.CallFacts`);
- :mod:`.index`: lookup tables over one inventory (names, and the rules' shapes);
- :mod:`.candidates`: the endpoints a wrong name probably meant, with their structured cause;
- :mod:`.structure`: candidates found by the rules' shapes (a URL piece, a static file, a
  conventional name, a class view's method, the blueprint's views by structure);
- :mod:`.evidence`: what speaks for a candidate, and how sure the engine is (:class:`Confidence`);
- :mod:`.arguments`: values passed the wrong way (positionally, or inside ``kwargs=``);
- :mod:`.fit`: a call's values against an endpoint's rules and converters;
- :mod:`.visible`: the values the call site sees, read with care (a read that raises is reported);
- :mod:`.fix`: the corrected call, verified by building it;
- :mod:`.regression`: the pytest test that proves a fix;
- :mod:`.sentences`: every sentence a diagnosis says, from structured data;
- :mod:`.report`: the diagnosis as plain text, and the one wording of a fix for every face;
- :mod:`.engine`: the entry points (:func:`diagnose`, :func:`explain`, :func:`diagnose_call`).
"""

from __future__ import annotations

from ..endpoints import resolve_endpoint
from . import callsite, candidates
from .callsite import find_call, find_calls, recorded_call_site, rewrite_call, template_wrapper
from .candidates import LIMIT, find_candidates, process_blueprints, unregistered_blueprint
from .context import batch, is_verifying
from .engine import diagnose, diagnose_call, explain
from .evidence import Candidate
from .facts import error_line, error_message
from .fix import fixed_source
from .index import Index, get_index
from .model import KINDS, UNKNOWN, CallSite, Cause, Confidence, Diagnosis, Evidence, Suggestion
from .sentences import join_names, reason_text

__all__ = [
    "KINDS",
    "LIMIT",
    "UNKNOWN",
    "CallSite",
    "Candidate",
    "Cause",
    "Confidence",
    "Diagnosis",
    "Evidence",
    "Index",
    "Suggestion",
    "batch",
    "callsite",
    "candidates",
    "diagnose",
    "diagnose_call",
    "error_line",
    "error_message",
    "explain",
    "find_call",
    "find_calls",
    "find_candidates",
    "fixed_source",
    "get_index",
    "is_verifying",
    "join_names",
    "process_blueprints",
    "reason_text",
    "recorded_call_site",
    "resolve_endpoint",
    "rewrite_call",
    "template_wrapper",
    "unregistered_blueprint",
]
