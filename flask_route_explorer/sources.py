"""Where a view lives: module, qualified name, file, line and the first docstring line.

Views reach the URL map in many disguises (decorators, partials, ``View.as_view``, lambdas,
Flask's own ``static``); this module sees through them and says "unknown" rather than fail.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import typing as t
from dataclasses import dataclass, field

from .classlines import class_line


@dataclass(frozen=True, slots=True)
class ViewSource:
    """The code behind an endpoint. Every field is ``None`` when it cannot be found."""

    module: str | None = None
    qualname: str | None = None
    file: str | None = None
    #: The first line when it was known at once (a function's); see :attr:`line`.
    known_line: int | None = None
    doc: str | None = None
    #: "function", "class" (a ``View`` class), "partial", "lambda", "static", "none" (no view
    #: function is registered for the endpoint) or "unknown".
    kind: str = "unknown"
    #: For a ``MethodView``: one entry per HTTP method handler, in method order.
    handlers: tuple[tuple[str, ViewSource], ...] = field(default=())
    #: Names the view is known by besides its endpoint (function name, class name, wrapper name).
    names: tuple[str, ...] = field(default=())
    #: A ``View`` class whose first line is looked up only when asked for (see :mod:`.classlines`).
    view_class: type | None = field(default=None, repr=False)

    @property
    def line(self) -> int | None:
        """The first line (a decorated view's first decorator), found for a class on first use.

        Rows that are never shown never pay for it: the first ``/_routes/`` after a restart shows 100.
        """
        if self.view_class is None:
            return self.known_line
        return class_line(self.view_class, self.file)

    def to_dict(self) -> dict[str, t.Any]:
        """The JSON shape of the ``view`` key."""
        return {
            "module": self.module,
            "qualname": self.qualname,
            "file": self.file,
            "line": self.line,
            "doc": self.doc,
        }

    def to_json(self) -> str:
        """``json.dumps(self.to_dict())``, written directly: the routes API writes one per rule."""
        return (
            f'{{"module": {json_text(self.module)}, "qualname": {json_text(self.qualname)}, '
            f'"file": {json_text(self.file)}, "line": {json_text(self.line)}, "doc": {json_text(self.doc)}}}'
        )

    @property
    def location(self) -> str | None:
        """``file:line`` for display, or ``None``."""
        if self.file is None:
            return None
        return f"{self.file}:{self.line}" if self.line else self.file


#: One encoder for every value: ``json.dumps`` with its default settings, minus building one per call.
_encode = json.JSONEncoder().encode
#: What ``json.dumps`` writes a string with (``ensure_ascii``, its default).
json_string = json.encoder.encode_basestring_ascii


def json_text(value: object) -> str:
    """``json.dumps(value)``; the scalars of a route's fields without the encoder's general path."""
    if type(value) is str:
        return json_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    return _encode(value)


UNKNOWN = ViewSource()
#: An endpoint with a rule but no view function (``add_url_rule`` without ``view_func``).
NO_VIEW = ViewSource(kind="none")


def first_doc_line(obj: object) -> str | None:
    """The first non-empty line of an object's own docstring."""
    doc = inspect.getdoc(obj) if obj is not None else None
    if not doc:
        return None
    for line in doc.splitlines():
        if line.strip():
            return line.strip()
    return None


def _location(obj: object) -> tuple[str | None, int | None]:
    """File and first line; functions read their code object (tokenizing every view's source is slow)."""
    code = getattr(obj, "__code__", None)
    if code is not None:
        return code.co_filename, code.co_firstlineno
    try:
        file = inspect.getsourcefile(obj) or inspect.getfile(obj)  # type: ignore[arg-type]
    except (TypeError, OSError):
        return None, None
    if isinstance(obj, type):
        return file, None  # looked up on first use: ViewSource.line
    try:
        _, line = inspect.getsourcelines(obj)  # type: ignore[arg-type]
    except (TypeError, OSError, IndexError):
        line = None
    return file, line


def _describe(obj: object, kind: str, names: tuple[str, ...] = ()) -> ViewSource:
    file, line = _location(obj)
    return ViewSource(
        module=getattr(obj, "__module__", None),
        qualname=getattr(obj, "__qualname__", None),
        file=file,
        known_line=line,
        doc=first_doc_line(obj),
        kind=kind,
        names=names,
        view_class=obj if isinstance(obj, type) else None,
    )


def _class_source(view_class: type, outer_names: tuple[str, ...]) -> ViewSource:
    names = tuple(dict.fromkeys((*outer_names, view_class.__name__)))
    base = _describe(view_class, "class", names)
    handlers: list[tuple[str, ViewSource]] = []
    for method in sorted(getattr(view_class, "methods", None) or ()):
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method != "HEAD":
            handler = getattr(view_class, "dispatch_request", None)
        if callable(handler):
            handlers.append((method, _describe(inspect.unwrap(handler), "function")))
    return dataclasses.replace(base, handlers=tuple(handlers))


class ViewSources:
    """The view behind each endpoint of an app, described the first time it is asked for.

    Describing a view (its docstring, a ``MethodView``'s handlers) costs about 10 microseconds;
    the first page after a restart shows 100 rows, and nothing else on it needs the views of the
    rest. Two threads asking at once may both describe the same view: the answers are equal.
    """

    __slots__ = ("_described", "_views")

    def __init__(self, views: t.Mapping[str, t.Callable[..., t.Any]]) -> None:
        self._views = views
        self._described: dict[str, ViewSource] = {}

    def __getitem__(self, endpoint: str) -> ViewSource:
        try:
            return self._described[endpoint]
        except KeyError:
            source = self._described[endpoint] = view_source(self._views.get(endpoint), endpoint)
            return source


def view_source(view: t.Callable[..., t.Any] | None, endpoint: str = "") -> ViewSource:
    """Describe the code behind ``view``; never raises."""
    try:
        return _view_source(view, endpoint)
    except Exception:
        return UNKNOWN


def _view_source(view: t.Callable[..., t.Any] | None, endpoint: str) -> ViewSource:
    if view is None:
        return NO_VIEW
    outer_name = getattr(view, "__name__", None)
    outer_names: tuple[str, ...] = (outer_name,) if isinstance(outer_name, str) else ()
    if endpoint == "static" and getattr(view, "__name__", "") == "<lambda>":
        # Flask adds ``static`` as a lambda around ``send_static_file``.
        source = _describe(view, "static")
        return ViewSource(
            module="flask.app",
            qualname="Flask.send_static_file",
            file=source.file,
            known_line=source.known_line,
            doc="Serve a file from the app's static folder.",
            kind="static",
        )
    view_class = getattr(view, "view_class", None)
    if isinstance(view_class, type):
        return _class_source(view_class, outer_names)
    target: t.Any = view
    kind = "function"
    while isinstance(target, functools.partial):
        target = target.func
        kind = "partial"
    unwrapped = inspect.unwrap(target)
    inner_name = getattr(unwrapped, "__name__", None)
    names = tuple(dict.fromkeys(n for n in (*outer_names, inner_name) if isinstance(n, str)))
    if getattr(unwrapped, "__name__", "") == "<lambda>":
        kind = "lambda"
    if isinstance(unwrapped, type):
        return _class_source(unwrapped, names)
    if not (inspect.isfunction(unwrapped) or inspect.ismethod(unwrapped)):
        call = getattr(type(unwrapped), "__call__", None)  # noqa: B004 - the class's own __call__, not callable()
        if call is not None and not inspect.isbuiltin(call):
            return _describe(type(unwrapped), "class", names)
        return ViewSource(module=getattr(unwrapped, "__module__", None), names=names)
    return _describe(unwrapped, kind, names)
