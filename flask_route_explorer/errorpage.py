"""The enriched page for a failing ``url_for``: a thin face over :func:`diagnosis.diagnose`.

The handler must never change how the app handles errors. It is registered only when the explorer
is mounted, never over a handler the app already has, and every time it runs it first asks which
handler Flask would have chosen without it: if there is one, that handler answers, exactly as it
would have. Only an error that would otherwise reach the debugger (or the bare 500) is explained,
and if explaining fails in any way the original exception goes on to the debugger, untouched.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import sysconfig
import traceback
import typing as t
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from flask import Flask, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from . import _compat, notes, recorder
from .access import refusal, security_headers
from .diagnosis import Diagnosis, explain
from .diagnosis.regression import failed_request
from .diagnosis.report import NOTE_PREFIX, built_label, fix_label, guess_text, kind_label, note_text
from .diagnosis.sentences import join_names
from .inventory import Route, get_inventory
from .querystring import escaped_query_string
from .rendering import display_path, render

log = logging.getLogger("flask_route_explorer")

#: ``?_route_explorer=debugger`` makes the handler step aside, so the Werkzeug debugger shows the error.
STEP_ASIDE_PARAM = "_route_explorer"
STEP_ASIDE_VALUE = "debugger"

#: ``url_for`` failures that are not BuildErrors (converter values, ``_scheme``, no SERVER_NAME,
#: a ``url_defaults`` hook). These classes are far too common to claim: the handler explains one
#: only when the recorder saw this very exception object come out of ``url_for`` in this request.
OTHER_URL_FOR_ERRORS: tuple[type[Exception], ...] = (ValueError, RuntimeError, KeyError, AttributeError)
HANDLED_ERRORS: tuple[type[Exception], ...] = (BuildError, *OTHER_URL_FOR_ERRORS)

#: Frames in these directories are plumbing (stdlib, installed packages, this package): shown dimmed.
_LIBRARY_DIRS = tuple(
    os.path.realpath(path) + os.sep
    for path in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"], os.path.dirname(__file__)}
)


def install(app: Flask) -> None:
    """Register the handler for each url_for failure class the app does not already handle itself."""
    app_handlers = _compat.error_handlers(app, None, None)
    for error_class in HANDLED_ERRORS:
        if error_class not in app_handlers:
            app.register_error_handler(error_class, handle_url_for_error)


def handle_url_for_error(error: Exception) -> t.Any:
    """Explain a failing ``url_for`` (status 500), or behave exactly as Flask would without us."""
    app = t.cast(Flask, _compat.unproxied(current_app))
    other_handler = handler_without_us(app, error)
    if other_handler is not None:
        return app.ensure_sync(other_handler)(error)
    if not _should_explain(app, error):
        return _as_if_unhandled(app, error)
    recorder.keep_failure(error)  # the panel, rendered after this page, reads the same diagnosis
    try:
        return error_response(app, error)
    except Exception:
        log.exception("flask-route-explorer could not explain %s; showing the original error", type(error).__name__)
    # Re-raised outside the ``except`` block so the original keeps its own ``__context__``.
    return _as_if_unhandled(app, error)


def handler_without_us(app: Flask, error: Exception) -> t.Callable[[Exception], t.Any] | None:
    """The handler ``Flask._find_error_handler`` would pick if ours were not registered.

    Same order as Flask: status code first for HTTP errors, then the request's blueprints (innermost
    first) before the app, and along the exception's MRO within each.
    """
    code = getattr(type(error), "code", None) if isinstance(error, HTTPException) else None
    for status in (code, None) if code is not None else (None,):
        for name in (*request.blueprints, None):
            handlers = _compat.error_handlers(app, name, status)
            for error_class in type(error).__mro__:
                handler = handlers.get(error_class)
                if handler is not None and handler is not handle_url_for_error:
                    return handler
    return None


def _as_if_unhandled(app: Flask, error: Exception) -> t.Any:
    """What Flask does when no handler matches: an HTTP error is its own response, the rest propagates."""
    if isinstance(error, HTTPException) and not app.trap_http_exception(error):
        return error
    raise error


def _should_explain(app: Flask, error: Exception) -> bool:
    return (
        refusal(app, request) is None
        and (STEP_ASIDE_PARAM, STEP_ASIDE_VALUE) not in query_arguments()
        and (isinstance(error, BuildError) or recorder.raised_by_url_for(error))
    )


def query_arguments() -> list[tuple[str, str]]:
    """The request's query arguments, also when they hold raw bytes that are not UTF-8.

    ``request.args`` raises on those (a test client or a server other than Werkzeug's passes them
    on raw), and the error page must not fail for a query the app's own view did not even read.
    """

    return parse_qsl(escaped_query_string(request.query_string), keep_blank_values=True)


def wants_json() -> bool:
    """JSON only when the client prefers it to HTML (``Accept: */*`` gets the page)."""
    return request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json"


def error_response(app: Flask, error: Exception) -> Response:
    """The 500 response: the JSON answer or the HTML page, both from one :class:`Diagnosis`.

    The traceback goes to the terminal first, as the debugger writes it when it answers instead,
    so the developer's terminal reads the same with or without us (the diagnosis beneath it).

    :func:`diagnosis.explain` raises when the engine fails, so the original error goes on instead.

    The page gets the explorer pages' own security headers (CSP without inline script), widened by
    hash for Flask-DebugToolbar's markup so the toolbar and its Routes panel work here too.
    """
    diagnosis = explain(error, app)
    notes.settle(error, diagnosis)  # the note is written from this diagnosis, not from a second one
    print_traceback(error, diagnosis)
    if wants_json():
        # The error's own message without Werkzeug's guess (difflib over every rule: 0.5 s at 10,000).
        payload = {"error": type(error).__name__, "message": diagnosis.message, "diagnosis": diagnosis.to_dict()}
        response = Response(json.dumps(payload, indent=2), 500, mimetype="application/json")
    else:
        response = Response(render_page(app, error, diagnosis), 500, mimetype="text/html")
    return security_headers(response, streamed=False)


def print_traceback(error: BaseException, diagnosis: Diagnosis) -> None:
    """Write the traceback where Werkzeug's debugger writes it (the server's error stream).

    Not through ``app.logger``: Flask-DebugToolbar's logging panel puts a collecting handler on the
    root logger, after which the app logger prints nothing to the terminal.
    """
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    if not any(str(note).startswith(NOTE_PREFIX) for note in getattr(error, "__notes__", ())):
        text += note_text(diagnosis) + "\n"  # Python 3.10 has no notes; or the note was not added
    stream = request.environ.get("wsgi.errors") or sys.stderr
    stream.write(text)
    stream.flush()


# --- what the template shows -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Frame:
    """One traceback frame as shown: ``library`` frames (stdlib, site-packages) are dimmed."""

    file: str
    line: int | None
    function: str
    code: str
    library: bool


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A suggestion with the route behind it, for the near-miss table."""

    endpoint: str
    rule: str
    score: float
    reason: str
    route: Route | None
    #: The failing call's values for this endpoint, as the build tester's form takes them.
    tester_values: t.Mapping[str, str]
    #: Only a guess: shown as such, never marked as the best.
    guess: bool = False


def render_page(app: Flask, error: Exception, diagnosis: Diagnosis) -> str:
    """The full HTML document (a real ``</body>``, so Flask-DebugToolbar can still inject itself)."""
    call = diagnosis.call
    return render(
        "route_explorer/error.html",
        app_name=app.name,
        current_page="",
        error_class=type(error).__name__,
        error_module=type(error).__module__,
        message=diagnosis.message,
        diagnosis=diagnosis,
        kind_label=kind_label(diagnosis.kind),
        explanation_rest=diagnosis.details,
        incomplete=diagnosis.incomplete,
        placeholder_names=join_names(diagnosis.placeholders),
        retests_page=retests_page(),
        call=call,
        call_display_file=display_path(call.file, app.root_path) if call else None,
        corrected_line=diagnosis.fixed_line,
        fix_tester_values=tester_values(diagnosis.fix_values),
        near_misses=near_misses(app, diagnosis),
        frames=frames(error),
        markdown=markdown_report(error, diagnosis, app.root_path),
        debugger_url=debugger_url(),
        request_method=request.method,
        step_aside_param=f"{STEP_ASIDE_PARAM}={STEP_ASIDE_VALUE}",
    )


def retests_page() -> bool:
    """Whether the regression test requests this page again (so it fails before the fix): a GET or HEAD."""
    failed = failed_request()
    return failed is not None and failed.method in ("GET", "HEAD")


def near_misses(app: Flask, diagnosis: Diagnosis) -> list[NearMiss]:
    """Each suggestion with its route (the one with the suggested rule, for an endpoint with several)."""
    inventory = get_inventory(app)
    shown: list[NearMiss] = []
    for suggestion in diagnosis.suggestions:
        routes = inventory.routes_for(suggestion.endpoint)
        route = next((r for r in routes if r.rule == suggestion.rule), routes[0] if routes else None)
        values = tester_values(diagnosis.values_for(route.argument_names if route is not None else ()))
        shown.append(
            NearMiss(
                suggestion.endpoint,
                suggestion.rule,
                suggestion.score,
                suggestion.reason,
                route,
                values,
                suggestion.guess,
            )
        )
    return shown


#: Values a form field can hold as text and give back unchanged (a model object cannot).
_TYPABLE = (str, int, float, uuid.UUID)


def tester_values(values: t.Mapping[str, t.Any]) -> dict[str, str]:
    """Values as the build tester's query string takes them; ``None`` and objects are left for the user."""
    return {name: str(value) for name, value in values.items() if isinstance(value, _TYPABLE)}


def frames(error: BaseException) -> list[Frame]:
    """The traceback, innermost last, with Jinja's template frames as Jinja rewrote them."""
    shown: list[Frame] = []
    for summary in traceback.extract_tb(error.__traceback__):
        real = os.path.realpath(summary.filename)
        shown.append(
            Frame(
                file=summary.filename,
                line=summary.lineno,
                function=summary.name,
                code=(summary.line or "").strip(),
                library=real.startswith(_LIBRARY_DIRS),
            )
        )
    return shown


def debugger_url() -> str | None:
    """The same GET request with the step-aside flag, or ``None`` when it cannot be re-run safely."""
    if request.method != "GET":
        return None
    query = [(k, v) for k, v in query_arguments() if k != STEP_ASIDE_PARAM]
    query.append((STEP_ASIDE_PARAM, STEP_ASIDE_VALUE))
    return f"{request.script_root}{request.path}?{urlencode(query)}"


def markdown_report(error: Exception, diagnosis: Diagnosis, root: str | None = None) -> str:
    """Error, call, diagnosis and fix as Markdown, for pasting into an issue or a chat.

    ``root`` is the app's folder: paths are shown relative to it.
    """
    call = diagnosis.call
    language = "jinja" if call and call.template else "python"
    lines = [
        f"**{type(error).__name__}**" + (f": {_inline_code(diagnosis.message)}" if diagnosis.message else ""),
        "",
        f"**Diagnosis** ({diagnosis.kind}): {diagnosis.explanation}",
    ]
    if diagnosis.hook_error:
        lines += ["", f"_Also: {diagnosis.hook_error}_"]
    if diagnosis.incomplete:
        lines += ["", "_Part of this diagnosis could not be computed: " + "; ".join(diagnosis.incomplete) + "._"]
    if call and call.source:
        where = f"{display_path(call.file, root)}:{call.line}" if call.file else "unknown location"
        lines += ["", f"**Call** at {_inline_code(where)}:", *_fenced(call.source.strip(), language)]
    if diagnosis.fix:
        lines += ["", f"**{fix_label(diagnosis)}**:", *_fenced(diagnosis.fix, language)]
        if diagnosis.fix_url and diagnosis.verified:
            lines.append(f"builds {_inline_code(diagnosis.fix_url)}")
        elif diagnosis.fix_url:
            lines.append(f"{built_label(diagnosis)} it builds {_inline_code(diagnosis.fix_url)}")
    elif diagnosis.guess:
        lines += ["", f"No fix. {guess_text(diagnosis)}."]
    else:
        lines += ["", "No safe automatic fix."]
    if diagnosis.suggestions:
        lines += ["", "**Near misses**:"]
        lines += [f"- {_inline_code(s.endpoint)} {_inline_code(s.rule)}: {s.reason}" for s in diagnosis.suggestions]
    return "\n".join(lines) + "\n"


def _fence_for(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _fenced(text: str, language: str) -> list[str]:
    fence = _fence_for(text)
    return [fence + language, text, fence]


def _inline_code(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"
