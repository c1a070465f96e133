"""The diagnosis as a PEP 678 note on every failing ``url_for``.

Most url_for errors are met in a pytest run or a CLI traceback, not on the error page: a note
(``error.add_note``) prints the headline and the fix right under the traceback there.
"""

from __future__ import annotations

import logging
import typing as t

from .diagnosis import diagnose, is_verifying
from .diagnosis.report import note_text

if t.TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger("flask_route_explorer")

#: Marks an exception that already carries our note.
_MARK = "__route_explorer_noted__"
#: Marks our url_build_error handler, so that installing twice adds it once.
_HANDLER_MARK = "__route_explorer__"


def annotate(error: BaseException, app: Flask) -> None:
    """Add the diagnosis of a url_for failure to ``error`` as a note, once; never raises."""
    try:
        if is_verifying() or getattr(error, _MARK, False):
            return
        setattr(error, _MARK, True)
        add_note = getattr(error, "add_note", None)  # PEP 678: Python 3.11 and later
        if add_note is None:
            return
        diagnosis = diagnose(error, app)
        if diagnosis.kind == "other":
            return  # Werkzeug's own message says all we know
        add_note(note_text(diagnosis))
    except Exception:
        log.debug("flask-route-explorer could not annotate %r", error, exc_info=True)


#: What Flask's ``url_build_error_handlers`` hold. Flask annotates the result as ``str``, but it
#: calls each handler and goes on to the next while one returns ``None`` (``Flask.handle_url_build_error``).
_UrlBuildErrorHandler = t.Callable[[Exception, str, dict[str, t.Any]], str]


def _handler_for(app: Flask) -> _UrlBuildErrorHandler:
    def add_route_explorer_note(error: Exception, endpoint: str, values: dict[str, t.Any]) -> None:
        """Enrich, never answer: returning ``None`` lets the BuildError reach the caller."""
        annotate(error, app)
        return None

    setattr(add_route_explorer_note, _HANDLER_MARK, True)
    # Returning None is the documented "not handled" answer; Flask's annotation leaves it out.
    return t.cast(_UrlBuildErrorHandler, add_route_explorer_note)


def install(app: Flask) -> None:
    """Register the ``url_build_error_handler`` that adds the diagnosis as a note (idempotent)."""
    if any(getattr(h, _HANDLER_MARK, False) for h in app.url_build_error_handlers):
        return
    app.url_build_error_handlers.append(_handler_for(app))
