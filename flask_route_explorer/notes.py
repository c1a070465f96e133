"""The diagnosis as a PEP 678 note on every failing ``url_for``, diagnosed when first read.

Most url_for errors are met in a pytest run or a CLI traceback, not on the error page: a note
prints the headline and the fix right under the traceback there.

Many failures are never shown: the app catches them and goes on. Diagnosing each at once cost
10 ms at 10,000 rules against 0.07 ms for the failure itself, so the note is written when
something reads the notes: the traceback module, pytest (``pytest.raises(match=...)`` joins them
as text) and Werkzeug's debugger all iterate ``__notes__``. ``__notes__`` is therefore a list
whose iteration and indexing write our note first; a note object with a lazy ``__str__`` would
not do, since pytest's ``match`` joins the notes with ``str.join``, which needs real strings.
A note read while the request runs is built in that request; read later (pytest printing the
traceback of a failed test), in a request context of its own, as the build tester does.
"""

from __future__ import annotations

import logging
import typing as t

from .diagnosis import Diagnosis, diagnose, is_verifying
from .diagnosis.report import NOTE_PREFIX, note_text

if t.TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger("flask_route_explorer")

#: Marks our url_build_error handler, so that installing twice adds it once.
_HANDLER_MARK = "__route_explorer__"
#: PEP 678: Python 3.11 and later print an exception's notes.
_NOTES_SUPPORTED = hasattr(BaseException, "add_note")


#: Stands for our note until the notes are read; seen only by code that reads the list's raw items.
PENDING = NOTE_PREFIX + "(diagnosed when the notes are read)"


class DiagnosedNotes(list[str]):
    """An exception's ``__notes__`` whose :data:`PENDING` item becomes the diagnosis on first read.

    One is made for every failing ``url_for``, caught ones included, so it is made cheaply: slotted
    (an instance ``__dict__`` doubled what it cost) and filled by :meth:`pending`, since a Python
    ``__init__`` would replace list's own (in C) and cost as much again.
    """

    __slots__ = ("app", "diagnosis", "error")
    error: BaseException | None
    app: Flask
    diagnosis: Diagnosis | None

    @classmethod
    def pending(cls, notes: t.Iterable[str], error: BaseException, app: Flask) -> DiagnosedNotes:
        """The error's notes so far, then ours, to be written when first read."""
        made = cls((*notes, PENDING))
        made.error = error
        made.app = app
        made.diagnosis = None
        return made

    def settle(self, diagnosis: Diagnosis | None = None) -> Diagnosis | None:
        """Write the note (from ``diagnosis`` when the caller has one); never raises."""
        error, self.error = self.error, None  # also keeps a second, nested read from diagnosing again
        if error is None:
            return self.diagnosis
        try:
            self.diagnosis = diagnosis or diagnose(error, self.app)
            text = note_text(self.diagnosis) if self.diagnosis.kind != "other" else None
        except Exception:
            log.debug("flask-route-explorer could not annotate %r", error, exc_info=True)
            text = None
        position = next((i for i, note in enumerate(list.__iter__(self)) if note is PENDING), None)
        if position is None:
            return self.diagnosis
        if text is None:  # Werkzeug's own message says all we know
            del self[position]
        else:
            self[position] = text
        return self.diagnosis

    def __iter__(self) -> t.Iterator[str]:
        self.settle()
        return super().__iter__()

    @t.overload
    def __getitem__(self, index: t.SupportsIndex) -> str: ...
    @t.overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: t.SupportsIndex | slice) -> str | list[str]:
        self.settle()
        return super().__getitem__(index)


def annotate(error: BaseException, app: Flask) -> None:
    """Give a url_for failure our note, diagnosed when first read (see the module); never raises."""
    try:
        if not _NOTES_SUPPORTED or is_verifying():
            return
        notes = getattr(error, "__notes__", ())
        if isinstance(notes, DiagnosedNotes):  # already noted (the handler, then the recorder)
            return
        # setattr: typeshed declares ``__notes__`` from Python 3.11 on, mypy checks for 3.10 as well
        setattr(error, "__notes__", DiagnosedNotes.pending(notes, error, app))  # noqa: B010
    except Exception:
        log.debug("flask-route-explorer could not annotate %r", error, exc_info=True)


def settle(error: BaseException, diagnosis: Diagnosis) -> None:
    """Write ``error``'s pending note from a diagnosis the caller made anyway (the error page)."""
    notes = getattr(error, "__notes__", None)
    if isinstance(notes, DiagnosedNotes):
        notes.settle(diagnosis)


def diagnosis_of(error: BaseException, app: Flask) -> Diagnosis:
    """The diagnosis of a failure: the one its note was written from, or a new one (the note's too)."""
    notes = getattr(error, "__notes__", None)
    diagnosis = notes.settle() if isinstance(notes, DiagnosedNotes) else None
    return diagnosis if diagnosis is not None else diagnose(error, app)


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
