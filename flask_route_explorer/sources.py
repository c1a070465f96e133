"""Where a view lives: module, qualified name, file, line and the first docstring line.

Views reach the URL map in many disguises (decorators, partials, ``View.as_view``, lambdas,
Flask's own ``static``); this module sees through them and says "unknown" rather than fail.
"""

from __future__ import annotations

import ast
import functools
import inspect
import typing as t
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ViewSource:
    """The code behind an endpoint. Every field is ``None`` when it cannot be found."""

    module: str | None = None
    qualname: str | None = None
    file: str | None = None
    line: int | None = None
    doc: str | None = None
    #: "function", "class" (a ``View`` class), "partial", "lambda", "static", "none" (no view
    #: function is registered for the endpoint) or "unknown".
    kind: str = "unknown"
    #: For a ``MethodView``: one entry per HTTP method handler, in method order.
    handlers: tuple[tuple[str, ViewSource], ...] = field(default=())
    #: Names the view is known by besides its endpoint (function name, class name, wrapper name).
    names: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, t.Any]:
        """The JSON shape of the ``view`` key."""
        return {
            "module": self.module,
            "qualname": self.qualname,
            "file": self.file,
            "line": self.line,
            "doc": self.doc,
        }

    @property
    def location(self) -> str | None:
        """``file:line`` for display, or ``None``."""
        if self.file is None:
            return None
        return f"{self.file}:{self.line}" if self.line else self.file


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
    qualname = getattr(obj, "__qualname__", None)
    if isinstance(obj, type) and file and qualname:
        return file, _class_lines(file).get(qualname)
    try:
        _, line = inspect.getsourcelines(obj)  # type: ignore[arg-type]
    except (TypeError, OSError, IndexError):
        line = None
    return file, line


@functools.lru_cache(maxsize=256)
def _class_lines(file: str) -> dict[str, int]:
    """Line of every class in a file, by qualified name: one parse per file, not one per class."""
    try:
        tree = ast.parse(Path(file).read_bytes(), filename=file)
    except (OSError, SyntaxError, ValueError):
        return {}
    lines: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                name = prefix + child.name
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                lines[name] = first
                visit(child, name + ".")
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, f"{prefix}{child.name}.<locals>.")

    visit(tree, "")
    return lines


def _describe(obj: object, kind: str, names: tuple[str, ...] = ()) -> ViewSource:
    file, line = _location(obj)
    return ViewSource(
        module=getattr(obj, "__module__", None),
        qualname=getattr(obj, "__qualname__", None),
        file=file,
        line=line,
        doc=first_doc_line(obj),
        kind=kind,
        names=names,
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
    return ViewSource(
        module=base.module,
        qualname=base.qualname,
        file=base.file,
        line=base.line,
        doc=base.doc,
        kind="class",
        handlers=tuple(handlers),
        names=names,
    )


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
            line=source.line,
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
