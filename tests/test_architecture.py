"""The package's cut, read from its source with ``ast``: layers, cycles, private names, sizes.

Arrows point one way: faces -> shared face helpers -> core -> base. No module imports a module
above its layer, no face imports another face, no two modules import each other (directly or round
a loop), every private Flask/Werkzeug/Jinja name is read in ``_compat`` alone, and modules and
functions stay a size a maintainer can read.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "flask_route_explorer"
NAME = "flask_route_explorer"

#: Lower layers first. A module may import its own layer or a lower one; faces only their own package.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "base",
        frozenset({"_compat", "_resources", "endpoints", "editor", "classlines", "sources", "dispatch", "querystring"}),
    ),
    (
        "core",
        frozenset({"route", "inventory", "search", "routing", "diagnosis", "checker", "auditing", "coverage", "diff"}),
    ),
    ("shared by faces", frozenset({"access", "rendering", "notes", "recorder"})),
    ("faces", frozenset({"web", "cli", "errorpage", "toolbar", "pytest_plugin"})),
    ("assembly", frozenset({"extension", "commands", "__init__"})),
)
FACES = LAYERS[3][1]


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _top(module: str) -> str:
    """The package-level unit of a module: ``diagnosis`` for ``flask_route_explorer.diagnosis.engine``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(module: str) -> int:
    unit = _top(module)
    for index, (_, members) in enumerate(LAYERS):
        if unit in members:
            return index
    raise AssertionError(f"{module} is in no layer of test_architecture.LAYERS: place it")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(module: str, path: Path, *, lazy: bool) -> set[str]:
    """Our modules that ``module`` imports: at import time, and with ``lazy`` inside functions too.

    ``from .x import y`` counts as importing ``x`` (and ``x.y`` when that is a module).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    known = modules()
    found: set[str] = set()

    def visit(node: ast.AST, top_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            inside = top_level and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.ImportFrom) and (inside or lazy):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                if base.startswith(NAME):
                    submodules = {f"{base}.{alias.name}" for alias in child.names} & set(known)
                    found.update(submodules)
                    if len(submodules) < len(child.names):  # names from the module itself, not its submodules
                        found.add(base)
            elif isinstance(child, ast.Import) and (inside or lazy):
                found.update(alias.name for alias in child.names if alias.name.startswith(NAME))
            visit(child, inside)

    visit(tree, True)
    found.discard(module)
    return {m for m in found if m in known}


def test_every_module_has_a_layer() -> None:
    for module in modules():
        layer_of(module)


def test_imports_point_down_and_faces_never_import_each_other() -> None:
    wrong: list[str] = []
    for module, path in modules().items():
        own = layer_of(module)
        for target in imports(module, path, lazy=True):
            other = layer_of(target)
            if _top(module) == _top(target) or own == len(LAYERS) - 1:
                continue  # inside one package; the assembly wires everything
            if other > own or (other == own and own == LAYERS.index(LAYERS[3])):
                wrong.append(f"{module} ({LAYERS[own][0]}) imports {target} ({LAYERS[other][0]})")
    assert wrong == []


def test_no_import_cycles() -> None:
    graph = {module: imports(module, path, lazy=False) for module, path in modules().items()}
    # A package's __init__ re-exports its submodules: an edge into a package is an edge into them too.
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target.startswith(node + "."):
                continue  # a package importing its own submodules
            if state.get(target) == 1:
                loop = stack[stack.index(target) :]
                if not all(m == loop[0] or m.startswith(loop[0] + ".") for m in loop):
                    cycles.append([*loop, target])
            elif target not in state:
                walk(target)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module)
    assert cycles == []


#: Documented names that look private: CPython's and the standard library's own.
DOCUMENTED_PRIVATE = frozenset({"_getframe", "_replace", "_asdict", "_fields", "_make", "_current_frames"})
#: Attributes of Flask, Werkzeug, Jinja and the toolbar that are public-looking but undocumented.
UNDOCUMENTED = frozenset(
    {
        "url_default_functions",
        "error_handler_spec",
        "url_value_preprocessors",
        "before_request_funcs",
        "jinja_loader_cache",
        "template_context_processors",
        "debug_toolbars_var",
        "blueprint_name",
        "get_template_locals",
    }
)


def _own_private_names() -> set[str]:
    """Every ``_name`` the package defines itself (functions, classes, globals, attributes it sets)."""
    names: set[str] = set()
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.rpartition(".")[2])
    return {n for n in names if n.startswith("_")}


def test_private_names_of_flask_werkzeug_and_jinja_are_read_in_compat_alone() -> None:
    own = _own_private_names()
    found: list[str] = []
    for module, path in modules().items():
        if module == f"{NAME}._compat":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute):
                continue
            name = node.attr
            private = name.startswith("_") and not (name.startswith("__") and name.endswith("__"))
            if (
                (private and name not in own and name not in DOCUMENTED_PRIVATE)
                or name in UNDOCUMENTED
                or (
                    isinstance(node.ctx, ast.Load)
                    and name in {"__jinja_template__", "__code__"}
                    and module.endswith(("errorpage", "toolbar"))
                )
            ):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} .{name}")
    assert found == []


def _functions(tree: ast.AST) -> t.Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


@pytest.mark.parametrize("limit", [500])
def test_modules_stay_readable(limit: int) -> None:
    long = {
        str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > limit
    }
    assert long == {}


def test_a_long_function_says_why_in_its_docstring() -> None:
    """Over 60 lines is allowed only with a reason ("written flat", "one pass"...) in the docstring."""
    unexplained: list[str] = []
    for path in PACKAGE.rglob("*.py"):
        for function in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            length = (function.end_lineno or function.lineno) - function.lineno + 1
            doc = (ast.get_docstring(function) or "").lower()
            if length > 60 and "why this is long:" not in doc:
                unexplained.append(f"{path.relative_to(PACKAGE)}:{function.lineno} {function.name} ({length} lines)")
    assert unexplained == []


def test_the_pytest_plugin_imports_nothing_else_of_the_package() -> None:
    """pytest imports it through its entry point in every run where the package is installed, even when off."""
    code = (
        "import sys, flask_route_explorer.pytest_plugin; print(sorted(m for m in sys.modules if 'route_explorer' in m))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "['flask_route_explorer', 'flask_route_explorer.pytest_plugin']"


def test_every_public_name_comes_from_its_module_whatever_was_imported_first() -> None:
    """No public name is also a subpackage's: importing that subpackage would put the module in its place."""
    code = (
        "import flask_route_explorer.auditing.run, flask_route_explorer.checker.run, flask_route_explorer.web\n"
        "import flask_route_explorer as package\n"
        "assert sorted(package._HOMES) == sorted(package.__all__)\n"
        "print(sorted(name for name in package.__all__ if getattr(package, name).__name__ != name))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "[]"
