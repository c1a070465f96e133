"""Per-request recording of ``url_for`` calls, for the toolbar panel and the error page.

``flask.url_for`` calls ``current_app.url_for``, so wrapping ``url_for`` on the app *instance*
sees every call (Python and templates) of this app only, and only once the explorer is mounted:
an app without the explorer keeps Flask's own method and pays nothing.

Recording runs on every ``url_for`` of every debug request, so it only keeps references: the
arguments, the result, the elapsed time, and the caller's code object, instruction offset and
template (for template code). Everything costly (line numbers, template lines, reprs, the
diagnosis) is left to whoever reads the calls, typically the toolbar panel, once per request.

A failure is kept by a weak reference, with its class. Holding the exception itself would hold its
traceback's frames and all they refer to until the request ends, for every failure the app catches
and goes on from: at 10,000 rules that made the garbage collector's passes over the app's heap
cost more than the failure itself. The error page keeps the failure it shows (:func:`keep_failure`),
and the panel then reads that same diagnosis; any other failure is diagnosed again from the recorded
call (:func:`diagnosis_of`), whether or not the garbage collector has freed it yet.

The records live in ``g`` inside one :class:`Recording` whose ``repr`` is one short line:
Flask-DebugToolbar's ``flask.g`` panel prints the repr of every value in ``g`` on every page.
"""

from __future__ import annotations

import functools
import os
import reprlib
import sys
import typing as t
import weakref
from dataclasses import dataclass, field
from time import perf_counter
from types import CodeType, FrameType

import flask
import flask.helpers
import jinja2
import jinja2.runtime
from flask import Flask, has_request_context, request
from werkzeug.routing import BuildError

from . import _compat, notes
from .diagnosis import Diagnosis, diagnose_call, error_line, recorded_call_site
from .endpoints import OPTIONS

if t.TYPE_CHECKING:
    from jinja2 import Template

#: Where the calls of the current request are kept: ``g`` is per request context (and thread).
_G_KEY = "_route_explorer_url_for_calls"
#: Set on the wrapper so a second ``install`` on the same app does nothing.
_MARKER = "__route_explorer_recorder__"
#: Successful calls beyond this many in one request are counted but not kept (failures always are).
MAX_RECORDED_CALLS = 5000
#: Frames in these directories are plumbing between the caller and ``Flask.url_for``.
_PLUMBING = tuple(os.path.dirname(path) + os.sep for path in (flask.__file__, jinja2.__file__, __file__) if path)
#: The plumbing frame right above the recorder on the usual paths (``flask.url_for`` in Python,
#: Jinja's ``Context.call`` in templates): known by identity, a string compare fewer per call.
_FLASK_HELPER_CODE = flask.helpers.url_for.__code__
_JINJA_CALL_CODE = jinja2.runtime.Context.call.__code__


@dataclass(frozen=True, slots=True)
class UrlForCall:
    """One ``url_for`` call as the code made it, and what came of it."""

    #: The endpoint as written (``.profile`` stays relative).
    endpoint: str
    #: Every keyword argument as passed, rule values and ``_external``-style options alike.
    arguments: dict[str, t.Any]
    url: str | None
    #: The exception when it is kept for the request (the error page showed it, or its class takes
    #: no weak reference), else ``None``: see the module.
    error: Exception | None
    #: The exception's class, for every failed call (``None`` for a call that built its URL).
    error_type: type[Exception] | None
    #: Seconds spent inside ``url_for`` (including ``url_defaults`` hooks and error handlers).
    duration: float
    #: The calling frame, kept as three references; see :attr:`file` and :attr:`line`.
    caller_code: CodeType | None = field(default=None, repr=False)
    caller_offset: int | None = field(default=None, repr=False)
    #: The Jinja template whose code made the call, else ``None``.
    template: Template | None = field(default=None, repr=False)

    @property
    def failed(self) -> bool:
        return self.error_type is not None

    @property
    def values(self) -> dict[str, t.Any]:
        """The values meant for the rule (what the URL is built from)."""
        return {k: v for k, v in self.arguments.items() if k not in OPTIONS}

    @property
    def options(self) -> dict[str, t.Any]:
        """``_external``, ``_method``, ``_scheme``, ``_anchor`` when given (``flask.url_for`` always passes them)."""
        return {k: v for k, v in self.arguments.items() if k in OPTIONS and v is not None}

    @property
    def template_name(self) -> str | None:
        template = self.template
        return template.name if template is not None else None

    @property
    def file(self) -> str | None:
        """The caller's file (the template's file for template code)."""
        return self.caller_code.co_filename if self.caller_code is not None else None

    @property
    def code_line(self) -> int | None:
        """The caller's line in its Python code (the generated code, for a template)."""
        if self.caller_code is None or self.caller_offset is None:
            return None
        for start, end, line in self.caller_code.co_lines():
            if start <= self.caller_offset < end:
                return line
        return None

    @property
    def line(self) -> int | None:
        """The line a developer would open: the template's own line for template code."""
        code_line = self.code_line
        template = self.template
        if template is not None and code_line is not None:
            try:
                return template.get_corresponding_lineno(code_line)
            except Exception:  # a template compiled without debug info
                return None
        return code_line

    @property
    def location(self) -> str | None:
        """``file.py:12`` or ``template.html:12`` for display."""
        where = self.template_name or self.file
        if where is None:
            return None
        line = self.line
        return f"{where}:{line}" if line else where

    def error_text(self) -> str | None:
        """``BuildError: <first line of its message>`` for a failed call, ``None`` for one that built.

        A ``BuildError`` that was let go is worded again from the call, in Werkzeug's words.
        """
        if self.error_type is None:
            return None
        error = self.error
        if error is None and issubclass(self.error_type, BuildError):
            error = BuildError(self.endpoint, self.values, self.options.get("_method"))
        return error_line(error) if error is not None else self.error_type.__name__

    def call_text(self) -> str:
        """The call as source code, e.g. ``url_for('users.profile', user_id=3)``."""
        parts = [safe_repr(self.endpoint)]
        parts += [f"{name}={safe_repr(value)}" for name, value in self.values.items()]
        parts += [f"{name}={safe_repr(value)}" for name, value in self.options.items()]
        return f"url_for({', '.join(parts)})"

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "endpoint": self.endpoint,
            "values": {name: safe_repr(value) for name, value in self.values.items()},
            "options": {name: safe_repr(value) for name, value in self.options.items()},
            "url": self.url,
            "error": self.error_text() if self.failed else None,
            "file": self.file,
            "template": self.template_name,
            "line": self.line,
            "duration_ms": round(self.duration * 1000, 3),
        }


_repr = reprlib.Repr()
_repr.maxstring = 120
_repr.maxother = 120
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 10


def safe_repr(value: object) -> str:
    """A short ``repr`` that never raises: values come from user code."""
    try:
        return _repr.repr(value)
    except Exception as error:
        return f"<unrepresentable {type(value).__name__}: {type(error).__name__}>"


def install(app: Flask) -> None:
    """Start recording this app's ``url_for`` calls (called only when the explorer is mounted)."""
    if getattr(vars(app).get("url_for"), _MARKER, False):
        return
    original = app.url_for
    recording_url_for = _recording(app, original)
    app.url_for = recording_url_for  # type: ignore[method-assign]
    # ``create_jinja_environment`` copies ``app.url_for`` into the env's globals once. An env made
    # before now holds the old method and its templates would bypass the recorder: swap that one
    # global (only if nobody replaced it on purpose); the environment itself is left alone.
    env = _compat.created_jinja_env(app)
    if env is not None and env.globals.get("url_for") == original:
        env.globals["url_for"] = recording_url_for


#: What is stored per call, in :class:`UrlForCall` field order, except that a failure is held by
#: a reference to call (:func:`_held`), not by the exception (see :func:`_call`).
_Record = tuple[t.Any, ...]
#: Fields per call in :attr:`Recording.fields`, and the position of the held failure among them.
_WIDTH = 9
_HELD = 3


class _Kept:
    """A strong reference that reads like a weak one: for exceptions that take no weak reference."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __call__(self) -> Exception:
        return self.error


def _held(error: Exception) -> t.Callable[[], Exception | None]:
    """A weak reference to ``error``; the built-in exception classes take none, so those are kept."""
    try:
        return weakref.ref(error)
    except TypeError:
        return _Kept(error)


class Recording:
    """The ``url_for`` calls of one request, as stored in ``g``: each call's fields one after another.

    Why one flat list rather than a tuple per call: a page makes hundreds of calls, and each tuple
    kept until the request ends is one more object for the garbage collector to track and walk
    (bench_recorder: about a tenth of the recorder's cost per call).
    """

    __slots__ = ("dropped", "fields")

    def __init__(self) -> None:
        #: :data:`_WIDTH` fields per call (one :data:`_Record` each), in the order the calls were made.
        self.fields: list[t.Any] = []
        #: Successful calls past :data:`MAX_RECORDED_CALLS`, counted but not kept.
        self.dropped = 0

    def __len__(self) -> int:
        return len(self.fields) // _WIDTH

    def __repr__(self) -> str:
        # Printed by the toolbar's g panel on every page: the count only, never the arguments.
        return f"<route-explorer: {len(self)} url_for calls>"

    def records(self) -> list[_Record]:
        fields = self.fields
        return [tuple(fields[start : start + _WIDTH]) for start in range(0, len(fields), _WIDTH)]

    def held(self) -> list[t.Callable[[], Exception | None] | None]:
        """Each call's held failure (``None`` for a call that built), in order."""
        return self.fields[_HELD::_WIDTH]

    def keep(self, position: int, error: Exception) -> None:
        """Hold the failure of the call at ``position`` strongly from now on."""
        self.fields[position * _WIDTH + _HELD] = _Kept(error)


def _recording(app: Flask, original: t.Callable[..., str]) -> t.Callable[..., str]:
    """The instance-level ``url_for``: same signature, same result, same exception object.

    Why this is long: the wrapper is written flat on purpose, since it runs on every ``url_for`` of
    a debug request (see bench_recorder) and each helper call on the way of a URL that builds would
    add to that cost. A failure takes the slower way through :func:`_record_failure`.
    """
    request_globals = _compat.request_globals
    getframe = sys._getframe
    frame_template = _compat.frame_template

    def url_for(endpoint: str, /, **arguments: t.Any) -> str:
        """Why this is long: written flat, see :func:`_recording` (``update_wrapper`` replaces this text)."""
        # Hidden from tracebacks in pytest and in Werkzeug's debugger: the user's call and Flask's
        # url_for are the frames that matter, this wrapper is not.
        __tracebackhide__ = __traceback_hide__ = True
        request_g = request_globals()
        if request_g is None:  # CLI, shell, background job: annotate failures, keep nothing
            try:
                return original(endpoint, **arguments)
            except Exception as error:
                notes.annotate(error, app)
                raise
        start = perf_counter()
        try:
            url = original(endpoint, **arguments)
        except Exception as error:
            _record_failure(app, request_g, endpoint, arguments, error, perf_counter() - start)
            # The failure's traceback keeps this frame: it must not lead to ``g`` (see _record_failure).
            del request_g
            raise
        duration = perf_counter() - start
        recording: Recording | None = request_g.__dict__.get(_G_KEY)
        if recording is None:
            recording = request_g.__dict__[_G_KEY] = Recording()
        fields = recording.fields
        if len(fields) >= MAX_RECORDED_CALLS * _WIDTH:
            recording.dropped += 1
            return url
        # The caller: the first frame above flask.url_for, Jinja's runtime and this package.
        frame: FrameType | None = getframe(1)
        if frame.f_code is _FLASK_HELPER_CODE or frame.f_code is _JINJA_CALL_CODE:  # type: ignore[union-attr]
            frame = frame.f_back  # type: ignore[union-attr]
        while frame is not None and frame.f_code.co_filename.startswith(_PLUMBING):
            frame = frame.f_back
        if frame is None:
            fields += (endpoint, arguments, url, None, None, duration, None, None, None)
        else:
            fields += (
                endpoint,
                arguments,
                url,
                None,
                None,
                duration,
                frame.f_code,
                frame.f_lasti,
                frame_template(frame.f_globals),
            )
        return url

    functools.update_wrapper(url_for, original)
    setattr(url_for, _MARKER, True)
    return url_for


def _record_failure(
    app: Flask, request_g: t.Any, endpoint: str, arguments: dict[str, t.Any], failure: Exception, duration: float
) -> None:
    """Record a failed call (always kept, whatever the limit) and put the lazy note on the exception.

    The failure is held weakly (see the module). Its traceback keeps the wrapper's frame, and this
    one's, until it is gone: nothing here may stay referring to ``g`` once this returns, or ``g``
    and all the app put in it would outlive the request until the garbage collector ran.
    """
    frame: FrameType | None = sys._getframe(2)  # above the wrapper
    if frame is not None and (frame.f_code is _FLASK_HELPER_CODE or frame.f_code is _JINJA_CALL_CODE):
        frame = frame.f_back
    while frame is not None and frame.f_code.co_filename.startswith(_PLUMBING):
        frame = frame.f_back
    held = _held(failure)
    site = (
        (None, None, None) if frame is None else (frame.f_code, frame.f_lasti, _compat.frame_template(frame.f_globals))
    )
    recording: Recording | None = request_g.__dict__.get(_G_KEY)
    if recording is None:
        recording = request_g.__dict__[_G_KEY] = Recording()
    recording.fields += (endpoint, arguments, None, held, type(failure), duration, *site)
    del frame, recording, request_g
    notes.annotate(failure, app)


def _current_recording() -> Recording | None:
    request_g = _compat.request_globals()
    return request_g.__dict__.get(_G_KEY) if request_g is not None else None


def _records() -> list[_Record]:
    recording = _current_recording()
    return recording.records() if recording is not None else []


def calls() -> list[UrlForCall]:
    """The ``url_for`` calls of the current request so far, in order (empty outside a request)."""
    return [_call(record) for record in _records()]


def _call(record: _Record) -> UrlForCall:
    """A record as a :class:`UrlForCall`.

    The exception is there only when kept; a weakly held one reads as ``None`` even while alive,
    so that what the panel shows never depends on when the garbage collector last ran.
    """
    endpoint, arguments, url, held, error_type, duration, code, offset, template = record
    error = held() if isinstance(held, _Kept) else None
    return UrlForCall(endpoint, arguments, url, error, error_type, duration, code, offset, template)


def keep_failure(error: BaseException) -> None:
    """Hold a recorded failure strongly until the request ends: the error page shows it, and the
    toolbar panel, rendered after the page, then reads the same diagnosis instead of making another."""
    recording = _current_recording()
    if recording is None:
        return
    for position, held in enumerate(recording.held()):
        if held is not None and not isinstance(held, _Kept) and held() is error:
            recording.keep(position, error)


def diagnosis_of(call: UrlForCall, app: Flask) -> Diagnosis | None:
    """The diagnosis of a failed call: from its exception when it is kept, else from the record.

    A failure the app caught is gone by the time the panel renders: its call is diagnosed again
    from what was recorded (the endpoint, the values, the caller's line), as the checker diagnoses
    a call it reads. Only the names visible at the call are lost, so a fix uses the values passed.
    """
    if call.error is not None:
        return notes.diagnosis_of(call.error, app)
    site = None
    if call.caller_code is not None and call.caller_offset is not None:
        site = recorded_call_site(call.caller_code, call.caller_offset, call.code_line, call.template)
    options = call.options
    return diagnose_call(
        app,
        call.endpoint,
        call.values,
        method=options.get("_method"),
        external=options.get("_external"),
        scheme=options.get("_scheme"),
        blueprint=request.blueprint if has_request_context() else None,
        call=site,
    )


def dropped_calls() -> int:
    """How many successful calls of this request were counted but not kept (past the limit)."""
    recording = _current_recording()
    return recording.dropped if recording is not None else 0


def raised_by_url_for(error: BaseException) -> bool:
    """Whether this very exception object came out of a ``url_for`` call in the current request."""
    recording = _current_recording()
    return recording is not None and any(held is not None and held() is error for held in recording.held())
