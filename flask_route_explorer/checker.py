"""The static ``url_for`` checker: find every call in Python and Jinja, check it against the app.

The checker's own job is static: find the calls (``ast`` for Python, Jinja's own parser for
templates), resolve what can be known before the code runs (literal endpoints and values, relative
endpoints through the blueprint that registers or renders them, ``**kwargs``) and map the diagnosis
engine's answer to a stable finding code. Whether a call builds, and what to suggest, is the
diagnosis engine's answer (:func:`~flask_route_explorer.diagnosis.diagnose_call`), never ours.
"""

from __future__ import annotations

import ast
import bisect
import io
import os
import re
import tokenize
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.parser import Parser

from . import callsite, diagnosis
from .candidates import Cause
from .diagnosis import UNKNOWN, CallSite, Diagnosis, _names
from .endpoints import OPTIONS, resolve_endpoint
from .inventory import get_inventory

if t.TYPE_CHECKING:
    from flask import Flask

#: Every finding code with its one-line meaning; the README documents them in this order.
CODES: t.Mapping[str, str] = {
    "RE001": "unknown endpoint",
    "RE002": "relative endpoint that cannot be resolved statically",
    "RE003": "required URL variables not passed",
    "RE004": "URL variable passed as literal None",
    "RE005": "passed name is no URL variable while a required one is missing (misspelling)",
    "RE006": "literal value the variable's converter rejects",
    "RE007": "_method not allowed by the endpoint's rules",
    "RE008": "_scheme given with _external=False",
    "RE009": "endpoint never referenced by a literal url_for call (--unused, information)",
    "RE010": "call fails for another reason (the message says why)",
    "RE011": "an app url_defaults hook raises while building the call, hiding the call's own problem",
}

#: Codes that are information rather than errors: the CLI exits 0 when only these remain.
INFO_CODES = frozenset({"RE009"})

#: The diagnosis engine's kinds, mapped to the checker's codes.
KIND_CODES: t.Mapping[str, str] = {
    "missing_blueprint_prefix": "RE001",
    "wrong_blueprint_prefix": "RE001",
    "unknown_endpoint": "RE001",
    "view_name_not_endpoint": "RE001",
    "url_not_endpoint": "RE001",
    "blueprint_not_registered": "RE001",
    # A relative endpoint the checker resolved, that names nothing in its blueprint.
    "relative_endpoint": "RE001",
    "missing_parameters": "RE003",
    "none_parameter": "RE004",
    "wrong_parameter_name": "RE005",
    "invalid_value": "RE006",
    "method_not_allowed": "RE007",
    "scheme_without_external": "RE008",
}

#: The code of a failure the engine has no specific kind for (``other``, and any kind added later).
OTHER_CODE = "RE010"
#: The code of a problem the engine found behind a url_defaults hook that raised.
HOOK_CODE = "RE011"

#: Kinds whose missing variables a ``**kwargs`` argument may well provide.
_KWARGS_HIDE = frozenset({"missing_parameters", "wrong_parameter_name"})

#: Kinds whose fix only replaces the endpoint name with one deterministic candidate.
FIXABLE_KINDS = frozenset({"missing_blueprint_prefix", "view_name_not_endpoint", "wrong_blueprint_prefix"})

#: Candidates the engine found by cause score at least this; typos score below (see candidates.py).
SURE_SCORE = 0.9

#: File suffixes read as Jinja templates inside template folders.
TEMPLATE_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xml", ".svg", ".txt", ".jinja", ".jinja2", ".j2"})
#: Suffixes that are templates wherever they are.
JINJA_ONLY_SUFFIXES = frozenset({".jinja", ".jinja2", ".j2"})
#: Directories never scanned (besides hidden ones and virtual environments).
SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "env"})

_PY_IGNORE = re.compile(r"#\s*route-explorer:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?")
_JINJA_IGNORE = re.compile(r"\{#-?\s*route-explorer:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?\s*-?#\}")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_SIMPLE_LITERAL = re.compile(r"""^([rRuU]?)(['"])([^'"\\\r\n]*)\2$""")
#: A template holds none of these words: it has no call to check and no template to pass its blueprints to.
_TEMPLATE_WORDS = ("url_for", "extends", "include", "import")
_ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete"})
_RENDER_FUNCTIONS = frozenset({"render_template", "stream_template"})

#: A relative endpoint's resolution: the blueprints it is checked against (``None`` = the app itself).
Contexts = frozenset["str | None"]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one call site. ``to_dict()`` gives exactly the JSON keys of ``--json``."""

    file: str
    line: int
    column: int
    code: str
    kind: str | None
    endpoint: str | None
    message: str
    suggestion: str | None = None
    fix: str | None = None
    #: The endpoint ``--fix`` may write instead of the current one (only for unambiguous fixes).
    replacement: str | None = field(default=None, compare=False, repr=False)
    #: Character offsets of the endpoint text inside the file, for ``--fix``.
    span: tuple[int, int] | None = field(default=None, compare=False, repr=False)
    #: The file's real path (``file`` is the display path).
    path: str | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "kind": self.kind,
            "endpoint": self.endpoint,
            "message": self.message,
            "suggestion": self.suggestion,
            "fix": self.fix,
        }

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.code} {self.message}"

    def hint(self) -> str | None:
        """The indented line under a finding: the fix, or else the best suggestion."""
        if self.fix:
            return "    fix: " + self.fix.replace("\n", "\n         ")
        if self.suggestion:
            return f"    did you mean {self.suggestion!r}?"
        return None

    def short(self) -> str:
        """``dir/file.py:3:5 RE001 'name' -> suggestion``: a finding in a few words (the arrow for RE001 only)."""
        where = "/".join(Path(self.file).parts[-2:])
        text = f"{where}:{self.line}:{self.column} {self.code} {self.endpoint!r}"
        return text + (f" -> {self.suggestion}" if self.code == "RE001" and self.suggestion else "")


class Findings(list):  # type: ignore[type-arg]
    """A list of :class:`Finding` that reads well when ``assert not check(app)`` fails.

    Without ``-vv`` pytest shows at most 240 characters of a repr, cut in the middle; so the
    repr fits in that: a count, then the first findings in short form. :meth:`report` lists every
    finding with its fix, for ``assert not findings, findings.report()``.
    """

    #: pytest's repr limit without ``-vv`` (``_pytest.assertion.util``): longer reprs lose their middle.
    REPR_LIMIT = 240

    def __repr__(self) -> str:
        if not self:
            return "Findings([])"

        def text(shown: list[str]) -> str:
            rest = len(self) - len(shown)
            return (
                f"Findings({len(self)}): "
                + "; ".join(shown)
                + (f"; +{rest} more, findings.report() lists all" if rest else "")
            )

        shown: list[str] = []
        for finding in self:
            if shown and len(text([*shown, finding.short()])) > self.REPR_LIMIT:
                break
            shown.append(finding.short())
        return text(shown)

    def report(self) -> str:
        """Every finding on its own line, with its fix under it."""
        if not self:
            return "no url_for findings"
        lines: list[str] = []
        for finding in self:
            lines.append(str(finding))
            hint = finding.hint()
            if hint:
                lines.append(hint)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


@dataclass(frozen=True, slots=True)
class Unverifiable:
    """A call the checker cannot verify before it runs (a non-literal endpoint, a failing url_defaults hook)."""

    file: str
    line: int
    column: int
    reason: str


@dataclass(frozen=True, slots=True)
class Unparsable:
    """A file that does not parse: skipped, and left alone by ``--fix``."""

    file: str
    error: str


@dataclass
class CheckReport:
    """Everything one check run saw, for the CLI summary."""

    files: int = 0
    calls: int = 0
    findings: Findings = field(default_factory=Findings)
    unverifiable: list[Unverifiable] = field(default_factory=list)
    unparsable: list[Unparsable] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        """Findings that are errors (everything but information such as unused endpoints)."""
        return [f for f in self.findings if f.code not in INFO_CODES]


# --------------------------------------------------------------------------- the calls


@dataclass(slots=True)
class _Call:
    """One ``url_for`` call as written, before checking."""

    path: str
    line: int
    column: int
    last_line: int
    template: bool
    source: str
    endpoint: str | None
    values: dict[str, t.Any]
    star_kwargs: bool
    method: t.Any = None
    external: t.Any = None
    scheme: t.Any = None
    #: Character offsets of the endpoint text (inside its quotes) when it can be rewritten safely.
    span: tuple[int, int] | None = None
    #: Where the call is in ``source``, when ``source`` holds other calls too.
    site_span: tuple[int, int] | None = None
    #: Where a relative endpoint resolves: a frozenset of blueprints, or ``None`` if unknown.
    contexts: Contexts | None = None


@dataclass(slots=True)
class _SourceFile:
    """A parsed file: its text, line offsets and the ignore comments per line."""

    path: str
    text: str
    line_starts: list[int]
    ignores: dict[int, frozenset[str] | None]
    ascii: bool = field(init=False)

    def __post_init__(self) -> None:
        self.ascii = self.text.isascii()

    def char_col(self, line: int, byte_col: int) -> int:
        """``ast``'s UTF-8 byte column as a character column (the same in an ASCII file)."""
        if self.ascii:
            return byte_col
        return len(self.line_text(line).encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1] if line - 1 < len(self.line_starts) else len(self.text)
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def suppressed(self, code: str, lines: t.Iterable[int]) -> bool:
        for line in lines:
            if line in self.ignores:
                codes = self.ignores[line]
                if codes is None or code in codes:
                    return True
        return False


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _NEWLINE.finditer(text)]


def _ignores(text: str, pattern: re.Pattern[str], line_starts: list[int]) -> dict[int, frozenset[str] | None]:
    """Line -> codes silenced there (``None``: every code). Ignore comments are rare: search once."""
    found: dict[int, frozenset[str] | None] = {}
    if "route-explorer" not in text:
        return found
    for match in pattern.finditer(text):
        line = bisect.bisect_right(line_starts, match.start())
        codes = match.group(1)
        if codes is None or not codes.strip():
            found[line] = None
        elif found.get(line, frozenset()) is not None:
            found[line] = frozenset(found.get(line) or ()) | {c.strip().upper() for c in codes.split(",") if c.strip()}
    return found


# --------------------------------------------------------------------------- Python


@dataclass(slots=True)
class _Scope:
    name: str
    is_class: bool
    decorators: list[ast.expr]


@dataclass(slots=True)
class _PyCall:
    """A ``url_for`` call and the functions and classes around it (outermost first)."""

    call: ast.Call
    scopes: tuple[_Scope, ...]


@dataclass(slots=True)
class _Render:
    """A ``render_template('name')`` call inside a function, for template contexts."""

    templates: tuple[str, ...]
    scopes: tuple[_Scope, ...]


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


#: Nodes that hold no call: names, constants, and the context, operator and other marker nodes.
_LEAVES = (ast.Name, ast.Constant, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def _children(node: ast.AST) -> t.Iterator[ast.AST]:
    """Child nodes that may hold a call, without ``ast.iter_child_nodes``' generator-per-field overhead."""
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            if not isinstance(value, _LEAVES):
                yield value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST) and not isinstance(item, _LEAVES):
                    yield item


class _PythonModule:
    """The url_for and render_template calls of one module, with the names that decide them.

    One flat pass collects every call with its enclosing scopes, plus the imports; the calls are
    sorted out afterwards, since an import may come after a call in the file.
    """

    def __init__(self, tree: ast.Module) -> None:
        self.url_for_names: set[str] = set()
        self.flask_modules: set[str] = {"flask"}
        self.app_names: set[str] = {"app", "current_app"}
        self.render_names: set[str] = set(_RENDER_FUNCTIONS)
        self.blueprints: dict[str, str] = {}
        self.calls: list[_PyCall] = []
        self.renders: list[_Render] = []
        candidates: list[tuple[ast.Call, tuple[_Scope, ...]]] = []
        star_import = shadowed = False
        stack: list[tuple[ast.AST, tuple[_Scope, ...]]] = [(tree, ())]
        while stack:
            node, scopes = stack.pop()
            if isinstance(node, ast.Call):
                candidates.append((node, scopes))
            elif isinstance(node, _DEFINITIONS):
                if node.name == "url_for" and not isinstance(node, ast.ClassDef):
                    shadowed = True
                inner = (*scopes, _Scope(node.name, isinstance(node, ast.ClassDef), node.decorator_list))
                body = {id(child) for child in node.body}
                stack.extend((child, inner) for child in node.body)
                stack.extend((child, scopes) for child in _children(node) if id(child) not in body)
                continue
            elif isinstance(node, ast.ImportFrom):
                if (node.module or "").split(".")[0] == "flask" and not node.level:
                    star_import |= self._flask_import(node)
                elif any((a.asname or a.name) == "url_for" for a in node.names):
                    shadowed = True
            elif isinstance(node, ast.Import):
                self.flask_modules.update(a.asname for a in node.names if a.name == "flask" and a.asname)
            stack.extend((child, scopes) for child in _children(node))
        self._module_assignments(tree)
        if star_import or (not self.url_for_names and not shadowed):
            self.url_for_names.add("url_for")
        for call, scopes in candidates:
            if self.is_url_for(call.func):
                self.calls.append(_PyCall(call, scopes))
            elif scopes and call.args and self._is_render(call.func):
                names = _template_names(call.args[0])
                if names:
                    self.renders.append(_Render(names, scopes))

    def _flask_import(self, node: ast.ImportFrom) -> bool:
        """Record names imported from Flask; ``True`` for ``from flask import *``."""
        star = False
        for alias in node.names:
            if alias.name == "url_for":
                self.url_for_names.add(alias.asname or "url_for")
            elif alias.name == "current_app":
                self.app_names.add(alias.asname or "current_app")
            elif alias.name in _RENDER_FUNCTIONS:
                self.render_names.add(alias.asname or alias.name)
            elif alias.name == "*":
                star = True
        return star

    def _module_assignments(self, tree: ast.Module) -> None:
        """``app = Flask(...)`` and ``bp = Blueprint('name', ...)`` at module level."""
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [target.id for target in targets if isinstance(target, ast.Name)]
                kind = self._constructor(node.value.func)
                if kind == "Flask":
                    self.app_names.update(names)
                elif kind == "Blueprint":
                    bp_name = _blueprint_name_arg(node.value)
                    if bp_name is not None:
                        self.blueprints.update(dict.fromkeys(names, bp_name))

    def _constructor(self, func: ast.expr) -> str | None:
        if isinstance(func, ast.Name) and func.id in ("Flask", "Blueprint"):
            return func.id
        if isinstance(func, ast.Attribute) and func.attr in ("Flask", "Blueprint"):
            if isinstance(func.value, ast.Name) and func.value.id in self.flask_modules:
                return func.attr
        return None

    def is_url_for(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in self.url_for_names
        if isinstance(func, ast.Attribute) and func.attr == "url_for" and isinstance(func.value, ast.Name):
            return func.value.id in self.flask_modules or func.value.id in self.app_names
        return False

    def _is_render(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in self.render_names
        return (
            isinstance(func, ast.Attribute)
            and func.attr in _RENDER_FUNCTIONS
            and isinstance(func.value, ast.Name)
            and func.value.id in self.flask_modules
        )


def _blueprint_name_arg(call: ast.Call) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
            return keyword.value.value
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _template_names(node: ast.expr) -> tuple[str, ...]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return ()


def _qualnames(scopes: tuple[_Scope, ...]) -> list[tuple[str, tuple[_Scope, ...]]]:
    """Each enclosing function's ``__qualname__`` (innermost first) with its scope chain."""
    found: list[tuple[str, tuple[_Scope, ...]]] = []
    for depth in range(len(scopes), 0, -1):
        chain = scopes[:depth]
        if chain[-1].is_class:
            continue
        parts: list[str] = []
        for i, scope in enumerate(chain):
            parts.append(scope.name)
            if not scope.is_class and i < len(chain) - 1:
                parts.append("<locals>")
        found.append((".".join(parts), chain))
    return found


def _literal(node: ast.expr) -> t.Any:
    """A literal value, or :data:`UNKNOWN` for anything computed."""
    if isinstance(node, ast.Constant) and not isinstance(node.value, (bytes, type(...))):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
    return UNKNOWN


# --------------------------------------------------------------------------- the checker


class _Checker:
    """One run: the app's facts (inventory, blueprints, template folders) and what the scan found."""

    def __init__(self, app: Flask, paths: t.Sequence[str | os.PathLike[str]] | None) -> None:
        self.app = app
        self.inventory = get_inventory(app)
        self.jinja_env: Environment = app.jinja_env
        self.template_folders = _template_folders(app)
        roots = [Path(p) for p in paths] if paths is not None else [Path(app.root_path), *self.template_folders]
        self.roots = [Path(os.path.abspath(p)) for p in roots]
        self.report = CheckReport()
        self._views = self._view_index()
        self._bp_by_name: dict[str, list[str]] = {}
        for key, blueprint in app.blueprints.items():
            self._bp_by_name.setdefault(blueprint.name, []).append(key)
        #: Calls found, checked once the scan is done (see :meth:`check_calls`).
        self._calls: list[tuple[_SourceFile, _Call]] = []
        #: Relative calls in templates, with the template's name: their blueprints come last.
        self._template_calls: list[tuple[_SourceFile, _Call, str | None]] = []
        self._template_refs: dict[str, set[str]] = {}
        self._rendered_by: dict[str, set[str | None]] = {}
        self._scanned_py: set[str] = set()
        self._builds: set[tuple[t.Any, ...]] = set()
        self._failures: dict[tuple[t.Any, ...], Diagnosis] = {}
        self.referenced: set[str] = set()

    def _view_index(self) -> dict[tuple[str, str], set[str | None]]:
        """(real file, qualname) of every view and View-class handler -> the blueprints it serves."""
        index: dict[tuple[str, str], set[str | None]] = {}
        real: dict[str, str] = {}
        for route in self.inventory.routes:
            sources = [route.view, *(handler for _, handler in route.view.handlers)]
            for source in sources:
                if source.file and source.qualname:
                    file = real.setdefault(source.file, os.path.realpath(source.file))
                    index.setdefault((file, source.qualname), set()).add(route.blueprint)
        return index

    # ---- files

    def files(self) -> tuple[list[str], list[tuple[str, str | None]]]:
        """Python files and (template file, template name) pairs under the roots, each once."""
        python: dict[str, None] = {}
        templates: dict[str, str | None] = {}
        for root in self.roots:
            if not root.exists():
                raise FileNotFoundError(str(root))
            if root.is_file():
                if root.suffix == ".py":
                    python[str(root)] = None
                else:
                    templates[str(root)] = self._template_name(str(root))
                continue
            for directory, subdirs, names in os.walk(root):
                subdirs[:] = sorted(d for d in subdirs if not _skipped_dir(directory, d))
                for name in sorted(names):
                    full = os.path.join(directory, name)
                    suffix = os.path.splitext(name)[1].lower()
                    if suffix == ".py":
                        python[full] = None
                    elif suffix in TEMPLATE_SUFFIXES:
                        template_name = self._template_name(full)
                        if template_name is not None or suffix in JINJA_ONLY_SUFFIXES:
                            templates[full] = template_name
        return list(python), list(templates.items())

    def _template_name(self, file: str) -> str | None:
        """The name ``render_template`` knows a file by: relative to its template folder."""
        real = os.path.realpath(file)
        for folder in self.template_folders:
            folder_real = os.path.realpath(folder)
            if real.startswith(folder_real + os.sep):
                return Path(os.path.relpath(real, folder_real)).as_posix()
        parts = Path(real).parts
        if "templates" in parts[:-1]:
            at = len(parts) - 1 - parts[:-1][::-1].index("templates")
            return "/".join(parts[at:])
        return None

    # ---- Python

    def scan_python(self, path: str, collect_calls: bool = True) -> None:
        real = os.path.realpath(path)
        self._scanned_py.add(real)
        text = _read_python(path)
        if text is None:
            self.report.unparsable.append(Unparsable(self.display(path), "cannot be read"))
            return
        # Only a module that names url_for or renders a template can matter (render_template,
        # stream_template, under any alias): most modules of an app do neither, so skip parsing them.
        if "url_for" not in text and "_template" not in text:
            return
        try:
            module = _PythonModule(ast.parse(text, filename=path))
        except (SyntaxError, ValueError) as error:
            if collect_calls:
                self.report.unparsable.append(Unparsable(self.display(path), f"{type(error).__name__}: {error}"))
            return
        starts = _line_starts(text)
        source = _SourceFile(path, text, starts, _ignores(text, _PY_IGNORE, starts))
        for render in module.renders:
            contexts = self._function_contexts(real, render.scopes, module)
            if contexts is not None:
                for name in render.templates:
                    self._rendered_by.setdefault(name, set()).update(contexts)
        if not collect_calls:
            return
        for found in module.calls:
            call = self._python_call(source, found.call)
            if call.endpoint is not None and call.endpoint.startswith("."):
                call.contexts = self._function_contexts(real, found.scopes, module)
            self._calls.append((source, call))

    def _function_contexts(self, real: str, scopes: tuple[_Scope, ...], module: _PythonModule) -> Contexts | None:
        """The blueprints whose views are the enclosing function (innermost view first)."""
        for qualname, chain in _qualnames(scopes):
            owners = self._views.get((real, qualname))
            if owners is None and len(chain) > 1 and chain[-2].is_class:
                owners = self._views.get((real, qualname.rpartition(".")[0]))
            if owners:
                return frozenset(owners)
            from_decorators = self._decorator_contexts(chain[-1].decorators, module)
            if from_decorators:
                return from_decorators
        return None

    def _decorator_contexts(self, decorators: list[ast.expr], module: _PythonModule) -> Contexts | None:
        found: set[str | None] = set()
        for decorator in decorators:
            func = decorator.func if isinstance(decorator, ast.Call) else decorator
            if not (
                isinstance(func, ast.Attribute) and func.attr in _ROUTE_DECORATORS and isinstance(func.value, ast.Name)
            ):
                continue
            owner = func.value.id
            if owner in module.blueprints:
                found.update(self._bp_by_name.get(module.blueprints[owner], ()))
            elif owner in module.app_names and owner != "current_app":
                found.add(None)
        return frozenset(found) or None

    def _python_call(self, source: _SourceFile, node: ast.Call) -> _Call:
        column = source.char_col(node.lineno, node.col_offset) + 1
        endpoint_node: ast.expr | None = node.args[0] if node.args else None
        values: dict[str, t.Any] = {}
        star_kwargs = any(isinstance(a, ast.Starred) for a in node.args)
        special: dict[str, t.Any] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                star_kwargs = True
            elif keyword.arg == "endpoint" and endpoint_node is None:
                endpoint_node = keyword.value
            elif keyword.arg in OPTIONS and keyword.arg != "_anchor":
                special[keyword.arg] = _literal(keyword.value)
            elif keyword.arg not in ("_anchor",):
                values[keyword.arg] = _literal(keyword.value)
        endpoint = None
        span = None
        if isinstance(endpoint_node, ast.Constant) and isinstance(endpoint_node.value, str):
            endpoint = endpoint_node.value
            span = _python_span(source, endpoint_node, endpoint)
        # A call over several lines may hold comments: the engine gets it on one clean line.
        segment = _segment(source, node) if node.lineno == node.end_lineno else ast.unparse(node)
        return _Call(
            path=source.path,
            line=node.lineno,
            column=column,
            last_line=node.end_lineno or node.lineno,
            template=False,
            source=segment,
            endpoint=endpoint,
            values=values,
            star_kwargs=star_kwargs,
            method=special.get("_method"),
            external=special.get("_external"),
            scheme=special.get("_scheme"),
            span=span,
        )

    # ---- Jinja

    def scan_template(self, path: str, name: str | None) -> None:
        try:
            with open(path, encoding="utf-8", newline="") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as error:
            self.report.unparsable.append(Unparsable(self.display(path), str(error)))
            return
        if not any(word in text for word in _TEMPLATE_WORDS):
            return
        source = _SourceFile(path, text, _line_starts(text), {})
        try:
            calls, references = _JinjaScan.scan(self.jinja_env, text, name, path)
        except TemplateSyntaxError as error:
            self.report.unparsable.append(Unparsable(self.display(path), f"line {error.lineno}: {error.message}"))
            return
        source.ignores = _ignores(text, _JINJA_IGNORE, source.line_starts)
        if name is not None:
            refs = self._template_refs.setdefault(name, set())
            for ref in references:
                template = ref.template
                if isinstance(template, nodes.Const) and isinstance(template.value, str):
                    refs.add(template.value)
                elif isinstance(template, (nodes.List, nodes.Tuple)):
                    refs.update(
                        i.value for i in template.items if isinstance(i, nodes.Const) and isinstance(i.value, str)
                    )
        per_line: dict[int, int] = {}
        code_columns: dict[int, list[int]] | None = None
        for node in calls:
            line = node.node.lineno
            if code_columns is None:
                code_columns = _jinja_call_columns(text, source.line_starts, self.jinja_env)
            nth = per_line.get(line, 0)
            per_line[line] = nth + 1
            columns = code_columns.get(line, [])
            call = self._jinja_call(source, node, columns[nth] if nth < len(columns) else None)
            if call.endpoint is not None and call.endpoint.startswith("."):
                self._template_calls.append((source, call, name))
            else:
                self._calls.append((source, call))

    def _jinja_call(self, source: _SourceFile, node: nodes.Call, position: tuple[int, int] | None) -> _Call:
        """The call; ``position`` is where ``url_for(`` starts and its tag ends, when found in the text."""
        line = node.node.lineno
        offset = position[0] if position is not None else None
        column = offset - source.line_starts[line - 1] + 1 if offset is not None else 1
        values: dict[str, t.Any] = {}
        special: dict[str, t.Any] = {}
        endpoint_node: nodes.Expr | None = node.args[0] if node.args else None
        for keyword in node.kwargs:
            value = keyword.value.value if isinstance(keyword.value, nodes.Const) else UNKNOWN
            if keyword.key == "endpoint" and endpoint_node is None:
                endpoint_node = keyword.value
            elif keyword.key in OPTIONS and keyword.key != "_anchor":
                special[keyword.key] = value
            elif keyword.key != "_anchor":
                values[keyword.key] = value
        endpoint = None
        span = None
        if isinstance(endpoint_node, nodes.Const) and isinstance(endpoint_node.value, str):
            endpoint = endpoint_node.value
            if offset is not None and node.args:
                span = _jinja_span(source.text, offset, endpoint)
        # Only an ignore comment needs the call's last line (walking the call's nodes costs).
        last_line = max((n.lineno for n in node.find_all(nodes.Node)), default=line) if source.ignores else line
        text, site_span = _template_site(source, *position) if position is not None else (source.line_text(line), None)
        return _Call(
            path=source.path,
            line=line,
            column=column,
            last_line=max(last_line, line),
            template=True,
            source=text,
            site_span=site_span,
            endpoint=endpoint,
            values=values,
            star_kwargs=node.dyn_args is not None or node.dyn_kwargs is not None,
            method=special.get("_method"),
            external=special.get("_external"),
            scheme=special.get("_scheme"),
            span=span,
        )

    def template_contexts(self) -> dict[str, set[str | None]]:
        """Blueprints each template is rendered under, following extends/include/import."""
        contexts = {name: set(owners) for name, owners in self._rendered_by.items()}
        changed = True
        while changed:
            changed = False
            for name, refs in self._template_refs.items():
                owners = contexts.get(name)
                if not owners:
                    continue
                for ref in refs:
                    target = contexts.setdefault(ref, set())
                    if not owners <= target:
                        target |= owners
                        changed = True
        return contexts

    def finish_templates(self) -> None:
        """Resolve relative calls in templates once every renderer is known."""
        if not self._template_calls:
            return
        root_real = os.path.realpath(self.app.root_path)
        for directory, subdirs, names in os.walk(root_real):
            subdirs[:] = [d for d in subdirs if not _skipped_dir(directory, d)]
            for name in names:
                full = os.path.join(directory, name)
                if name.endswith(".py") and os.path.realpath(full) not in self._scanned_py:
                    self.scan_python(full, collect_calls=False)
        contexts = self.template_contexts()
        for source, call, name in self._template_calls:
            owners = contexts.get(name) if name is not None else None
            call.contexts = frozenset(owners) if owners else None
            self._calls.append((source, call))

    def check_calls(self) -> None:
        """Check every call found, after the scan rather than during it.

        A build that fails leaves Flask's BuildError in a reference cycle with its traceback, whose
        frames reach back to the caller's: asked from inside a file's scan, each failure kept that
        file's syntax tree alive until a full garbage collection (5% of the check's time).
        """
        for source, call in self._calls:
            self.check_call(source, call)
        # Those cycles hold this checker too: drop what only the check needed, so that it is freed
        # now instead of by the next full collection.
        self._calls.clear()
        self._template_calls.clear()
        self._builds.clear()
        self._failures.clear()

    # ---- checking one call

    def check_call(self, source: _SourceFile, call: _Call) -> None:
        if call.endpoint is None:
            self._unverifiable(call, "endpoint is not a literal string")
            return
        self.report.calls += 1
        lines = range(call.line, call.last_line + 1)
        if call.endpoint.startswith("."):
            if call.contexts is None:
                where = "rendering view" if call.template else "enclosing view"
                self._add(
                    source,
                    call,
                    lines,
                    Finding(
                        file=self.display(call.path),
                        line=call.line,
                        column=call.column,
                        code="RE002",
                        kind="relative_endpoint",
                        endpoint=call.endpoint,
                        message=f"Could not resolve the relative endpoint {call.endpoint!r}: no {where} of a blueprint "
                        "or the app was found. Write the full endpoint name.",
                        path=call.path,
                    ),
                )
                return
            blueprints: t.Iterable[str | None] = sorted(call.contexts, key=lambda b: b or "")
        else:
            blueprints = (None,)
        seen: set[tuple[str, str]] = set()
        for blueprint in blueprints:
            resolved = resolve_endpoint(call.endpoint, blueprint)
            self.referenced.add(resolved)
            result = self._diagnose(call, blueprint)
            if result is None or (call.star_kwargs and result.kind in _KWARGS_HIDE):
                continue
            code = self._code(result, resolved)
            if code is None:
                self.report.calls -= 1
                self._unverifiable(
                    call, f"{result.headline} The hook may need request state that a static check does not have."
                )
                return
            message = result.explanation
            strays = self._strays(call, result, resolved)
            if strays:
                code = "RE005"
                message += (
                    f" It passes {_names(strays)}, which {'is' if len(strays) == 1 else 'are'} no URL variable of "
                    f"{resolved!r}: a misspelling of {_names(result.missing)}?"
                )
            if call.endpoint.startswith(".") and len(call.contexts or ()) > 1:
                where = f"in blueprint {blueprint!r}" if blueprint else "outside blueprints"
                message = f"When rendered {where}: {message}"
            if (code, message) in seen:
                continue
            seen.add((code, message))
            best = result.suggestions[0].endpoint if result.suggestions else None
            replacement = _replacement(result, call.endpoint) if call.span else None
            self._add(
                source,
                call,
                lines,
                Finding(
                    file=self.display(call.path),
                    line=call.line,
                    column=call.column,
                    code=code,
                    kind=result.kind,
                    endpoint=call.endpoint,
                    message=message,
                    suggestion=best,
                    fix=result.fix,
                    replacement=replacement,
                    span=call.span,
                    path=call.path,
                ),
            )

    def _code(self, result: Diagnosis, resolved: str) -> str | None:
        """The finding code of the engine's answer; ``None`` when only a url_defaults hook failed.

        A hook that raises hides what the call itself gets wrong. An endpoint that does not exist
        is RE001 whatever the hook did (Flask's own i18n hook asks the URL map about the endpoint
        and raises exactly then). For an endpoint that exists, the engine looks behind the hook:
        a problem it finds there other than missing variables is RE011; missing variables may be
        what the hook supplies at run time, from request state a static check does not have, so
        that call is unverifiable rather than an error.
        """
        if result.kind != "url_defaults_hook":
            return code_for_kind(result.kind)
        if not self.inventory.routes_for(resolved):
            return "RE001"
        return HOOK_CODE if result.suggestions and (result.unexpected or not result.missing) else None

    def _strays(self, call: _Call, result: Diagnosis, resolved: str) -> list[str]:
        """Passed names no rule of the endpoint has, when a required variable is missing (RE005).

        The engine calls a name a rename only when it looks like the missing one; any other stray
        name is still most likely the misspelt variable, since Flask would otherwise put it in the
        query string silently.
        """
        if result.kind != "missing_parameters":
            return []
        variables = {name for route in self.inventory.routes_for(resolved) for name in route.argument_names}
        return [name for name in call.values if name not in variables]

    def _unverifiable(self, call: _Call, reason: str) -> None:
        self.report.unverifiable.append(Unverifiable(self.display(call.path), call.line, call.column, reason))

    def _diagnose(self, call: _Call, blueprint: str | None) -> Diagnosis | None:
        """The engine's answer, asked once per distinct call.

        Whether a call builds does not depend on how it is written, so one answer serves every
        call with the same endpoint and values; a failure's fix quotes the call's own text, so
        failures are remembered per text.
        """
        method = call.method if isinstance(call.method, str) else None
        external = call.external if isinstance(call.external, bool) else None
        scheme = call.scheme if isinstance(call.scheme, str) else None
        key = (call.endpoint, tuple(sorted(call.values.items())), method, blueprint, external, scheme)
        if key in self._builds:
            return None
        failure_key = (key, call.source, call.site_span, call.template)
        if failure_key in self._failures:
            return self._failures[failure_key]
        site = CallSite(file=call.path, line=call.line, source=call.source, template=call.template, span=call.site_span)
        result = diagnosis.diagnose_call(
            self.app,
            t.cast(str, call.endpoint),
            call.values,
            method=method,
            blueprint=blueprint,
            external=external,
            scheme=scheme,
            call=site,
        )
        if result is None:
            self._builds.add(key)
        else:
            self._failures[failure_key] = result
        return result

    def _add(self, source: _SourceFile, call: _Call, lines: t.Iterable[int], finding: Finding) -> None:
        if not source.suppressed(finding.code, lines):
            self.report.findings.append(finding)

    # ---- unused endpoints

    def unused(self) -> None:
        """Endpoints of views in the scanned code that no literal call names (information)."""
        roots = [str(os.path.realpath(r)) for r in self.roots]
        for endpoint, routes in self.inventory.by_endpoint.items():
            route = routes[0]
            view = route.view
            if route.internal or view.kind == "static" or endpoint in self.referenced or not view.file:
                continue
            real = os.path.realpath(view.file)
            if not any(real == r or real.startswith(r + os.sep) for r in roots):
                continue
            self.report.findings.append(
                Finding(
                    file=self.display(view.file),
                    line=view.line or 1,
                    column=1,
                    code="RE009",
                    kind=None,
                    endpoint=endpoint,
                    message=f"Endpoint {endpoint!r} ({route.rule}) is never referenced by a literal url_for call.",
                    path=view.file,
                )
            )

    def display(self, path: str) -> str:
        """A path relative to the working directory when under it, for readable output."""
        relative = os.path.relpath(path)
        return path if relative.startswith("..") else relative


def code_for_kind(kind: str) -> str:
    """The finding code of a diagnosis kind; a kind without its own code is :data:`OTHER_CODE`, never dropped."""
    return KIND_CODES.get(kind, OTHER_CODE)


def _replacement(result: Diagnosis, endpoint: str) -> str | None:
    """The one endpoint ``--fix`` may write: a single candidate with a deterministic cause.

    The engine scores causes (prefix, view name, blueprint variable, relative name, same name
    elsewhere) at :data:`SURE_SCORE` or more and typos below it; a second sure candidate, or a
    blueprint-prefix candidate that is not about the blueprint's variable, leaves it to a person.
    """
    if result.kind not in FIXABLE_KINDS or endpoint.startswith(".") or not result.suggestions:
        return None
    sure = [s for s in result.suggestions if s.score >= SURE_SCORE]
    if len(sure) != 1 or sure[0] is not result.suggestions[0] or sure[0].endpoint == endpoint:
        return None
    if result.kind == "wrong_blueprint_prefix" and sure[0].cause is not Cause.BLUEPRINT_VARIABLE:
        return None
    return sure[0].endpoint


def _template_folders(app: Flask) -> list[Path]:
    folders: list[Path] = []
    for owner in (app, *app.blueprints.values()):
        folder = owner.template_folder
        if folder:
            path = Path(owner.root_path, folder)
            if path.is_dir() and path not in folders:
                folders.append(path)
    return folders


def _skipped_dir(parent: str, name: str) -> bool:
    if name.startswith(".") or name in SKIP_DIRS:
        return True
    return os.path.exists(os.path.join(parent, name, "pyvenv.cfg"))


def _read_python(path: str) -> str | None:
    """Source text in its declared encoding, with its own newlines kept (``--fix`` rewrites byte-exact)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding)
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
        return None


def _offset(source: _SourceFile, line: int, byte_col: int) -> int:
    return source.line_starts[line - 1] + source.char_col(line, byte_col)


def _python_span(source: _SourceFile, node: ast.Constant, endpoint: str) -> tuple[int, int] | None:
    """Offsets of the endpoint inside a plain one-piece string literal; ``None`` for anything fancier."""
    if node.end_lineno != node.lineno or node.end_col_offset is None:
        return None
    start = _offset(source, node.lineno, node.col_offset)
    end = _offset(source, node.lineno, node.end_col_offset)
    match = _SIMPLE_LITERAL.match(source.text[start:end])
    if match is None or match.group(3) != endpoint:
        return None
    inner = start + len(match.group(1)) + 1
    return (inner, inner + len(endpoint))


def _segment(source: _SourceFile, node: ast.Call) -> str:
    if node.end_lineno is None or node.end_col_offset is None:
        return "url_for(...)"
    start = _offset(source, node.lineno, node.col_offset)
    end = _offset(source, node.end_lineno, node.end_col_offset)
    return source.text[start:end]


_JINJA_URL_FOR = re.compile(r"\burl_for\s*\(")


class _JinjaScan(Parser):
    """Jinja's own parser, noting ``url_for`` calls and template references as it builds them.

    ``Environment.parse`` is this parser's ``parse()`` (plus traceback rewriting); walking the
    finished tree again to find the calls cost a tenth of the parse on big trees.
    """

    def __init__(self, environment: Environment, source: str, name: str | None, filename: str | None) -> None:
        super().__init__(environment, source, name, filename)
        #: ``url_for`` calls in source order (an outer call before the calls in its arguments).
        self.url_for_calls: list[nodes.Call] = []
        #: ``extends``, ``include``, ``import`` and ``from`` nodes.
        self.references: list[nodes.Extends | nodes.Include | nodes.Import | nodes.FromImport] = []

    @classmethod
    def scan(
        cls, environment: Environment, source: str, name: str | None, filename: str | None
    ) -> tuple[list[nodes.Call], list[nodes.Extends | nodes.Include | nodes.Import | nodes.FromImport]]:
        """The template's url_for calls and references (the tree itself is not needed)."""
        parser = cls(environment, source, name, filename)
        parser.parse()
        return parser.url_for_calls, parser.references

    def parse_call(self, node: nodes.Expr) -> nodes.Call:
        if not (isinstance(node, nodes.Name) and node.name == "url_for"):
            return super().parse_call(node)
        slot = len(self.url_for_calls)
        self.url_for_calls.append(t.cast(nodes.Call, None))  # keeps the place before nested calls
        call = super().parse_call(node)
        self.url_for_calls[slot] = call
        return call

    def parse_extends(self) -> nodes.Extends:
        node = super().parse_extends()
        self.references.append(node)
        return node

    def parse_include(self) -> nodes.Include:
        node = super().parse_include()
        self.references.append(node)
        return node

    def parse_import(self) -> nodes.Import:
        node = super().parse_import()
        self.references.append(node)
        return node

    def parse_from(self) -> nodes.FromImport:
        node = super().parse_from()
        self.references.append(node)
        return node


def _jinja_call_columns(text: str, line_starts: list[int], env: Environment) -> dict[int, list[tuple[int, int]]]:
    """Line -> ``(offset of url_for(, end of its tag)`` inside Jinja tags, in order.

    Jinja nodes have no column; the tag's end gives the call's source lines as written.
    """
    opening = "|".join(re.escape(s) for s in (env.variable_start_string, env.block_start_string))
    closing = "|".join(re.escape(s) for s in (env.variable_end_string, env.block_end_string))
    tags = re.compile(rf"(?:{opening}).*?(?:{closing})", re.S)
    found: dict[int, list[tuple[int, int]]] = {}
    for tag in tags.finditer(text):
        for call in _JINJA_URL_FOR.finditer(text, tag.start(), tag.end()):
            found.setdefault(bisect.bisect_right(line_starts, call.start()), []).append((call.start(), tag.end()))
    return found


_JINJA_ENDPOINT_START = re.compile(r"url_for\s*\(\s*(['\"])")


def _jinja_span(text: str, offset: int, endpoint: str) -> tuple[int, int] | None:
    """Offsets of the endpoint inside the string literal that opens the call, if it is one."""
    match = _JINJA_ENDPOINT_START.match(text, offset)
    if match is None:
        return None
    start = match.end()
    end = start + len(endpoint)
    if text[start:end] != endpoint or text[end : end + 1] != match.group(1):
        return None
    return (start, end)


def _template_site(source: _SourceFile, call_start: int, tag_end: int) -> tuple[str, tuple[int, int] | None]:
    """A template call's source for the engine: the whole lines of its tag, and where the call is in them.

    The lines, as the error page passes them, let the fix keep the tag around the call as written
    (``{% set x = ... %}``, a filter). The call's place is only needed, and only worked out, when
    the lines hold another ``url_for`` the engine could take for it.
    """
    first = bisect.bisect_right(source.line_starts, call_start)
    last = bisect.bisect_right(source.line_starts, max(call_start, tag_end - 1))
    start = source.line_starts[first - 1]
    stop = source.line_starts[last] if last < len(source.line_starts) else len(source.text)
    lines = source.text[start:stop].rstrip("\r\n")
    if lines.count("url_for") < 2:
        return lines, None
    at = call_start - start
    return lines, next(((c.start, c.end) for c in callsite.find_calls(lines) if c.start == at), None)


# --------------------------------------------------------------------------- public API


def check_report(
    app: Flask, paths: t.Sequence[str | os.PathLike[str]] | None = None, *, unused: bool = False
) -> CheckReport:
    """Scan ``paths`` (default: the app's root path and template folders) and check every call.

    Raises ``FileNotFoundError`` for a path that does not exist.
    """
    checker = _Checker(app, paths)
    python, templates = checker.files()
    checker.report.files = len(python) + len(templates)
    with app.app_context(), diagnosis.batch(app):
        for path in python:
            checker.scan_python(path)
        for path, name in templates:
            checker.scan_template(path, name)
        checker.finish_templates()
        checker.check_calls()
    if unused:
        checker.unused()
    checker.report.findings.sort(key=lambda f: (f.file, f.line, f.column, f.code))
    checker.report.unverifiable.sort(key=lambda u: (u.file, u.line, u.column))
    return checker.report


def check(app: Flask, paths: t.Sequence[str | os.PathLike[str]] | None = None, *, unused: bool = False) -> Findings:
    """Every ``url_for`` problem in the app's code, for ``assert not check(app)`` in a test suite."""
    return check_report(app, paths, unused=unused).findings
