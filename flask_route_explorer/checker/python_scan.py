"""Python modules: their ``url_for`` and ``render_template`` calls, found with ``ast``.

One flat walk of the syntax tree collects every call with the functions and classes around it,
and the imports and module-level assignments that decide what a name means (``url_for`` under an
alias, ``flask.url_for``, ``app.url_for``, ``bp = Blueprint('name', ...)``). What the scan cannot
know before the code runs (a computed value) is the engine's ``UNKNOWN``.
"""

from __future__ import annotations

import ast
import re
import typing as t
from dataclasses import dataclass

from ..diagnosis import UNKNOWN
from .calls import FoundCall, split_keywords
from .files import SourceFile

_RENDER_FUNCTIONS = frozenset({"render_template", "stream_template"})
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
#: Nodes that hold no call: names, constants, and the context, operator and other marker nodes.
_LEAVES = (ast.Name, ast.Constant, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
#: A plain one-piece string literal: an optional ``r``/``u`` prefix, quotes, no escapes.
_SIMPLE_LITERAL = re.compile(r"""^([rRuU]?)(['"])([^'"\\\r\n]*)\2$""")


@dataclass(slots=True)
class Scope:
    """A function or class around a call: its name, and its decorators (``@bp.route`` names a blueprint)."""

    name: str
    is_class: bool
    decorators: list[ast.expr]


@dataclass(slots=True)
class UrlForNode:
    """A ``url_for`` call's node and the functions and classes around it (outermost first)."""

    call: ast.Call
    scopes: tuple[Scope, ...]


@dataclass(slots=True)
class TemplateRender:
    """A ``render_template('name')`` call inside a function: the function's blueprint renders the template."""

    templates: tuple[str, ...]
    scopes: tuple[Scope, ...]


def might_matter(text: str) -> bool:
    """Whether a module can hold a call to check or a template render (under any alias, or a helper's).

    Most modules of an app do neither; they are not parsed at all.
    """
    return "url_for" in text or "_template" in text or "render" in text


def _child_nodes(node: ast.AST) -> t.Iterator[ast.AST]:
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


class PythonModule:
    """The url_for and render_template calls of one module, with the names that decide them.

    One flat pass collects every call with its enclosing scopes, plus the imports; the calls are
    sorted out afterwards, since an import may come after a call in the file.
    """

    def __init__(self, tree: ast.Module) -> None:
        self.url_for_names: set[str] = set()
        self.flask_modules: set[str] = {"flask"}
        self.app_names: set[str] = {"app", "current_app"}
        self.render_names: set[str] = set(_RENDER_FUNCTIONS)
        #: Module-level variable -> the name of the Blueprint assigned to it.
        self.blueprints: dict[str, str] = {}
        self.calls: list[UrlForNode] = []
        self.renders: list[TemplateRender] = []
        #: Template names passed to a render helper of the app or a library (``self.render('form.html')``):
        #: rendered by some view, under a blueprint the scan cannot tell.
        self.helper_renders: set[str] = set()
        self._star_import = False
        self._shadowed = False
        candidates = self._walk(tree)
        self._module_assignments(tree)
        if self._star_import or (not self.url_for_names and not self._shadowed):
            self.url_for_names.add("url_for")
        self._sort_calls(candidates)

    def _walk(self, tree: ast.Module) -> list[tuple[ast.Call, tuple[Scope, ...]]]:
        """Every call with its scopes, noting imports and definitions of ``url_for`` on the way.

        An explicit stack rather than recursion: deep expressions do not hit the recursion limit,
        and the scope chain travels with each node.
        """
        candidates: list[tuple[ast.Call, tuple[Scope, ...]]] = []
        stack: list[tuple[ast.AST, tuple[Scope, ...]]] = [(tree, ())]
        while stack:
            node, scopes = stack.pop()
            if isinstance(node, ast.Call):
                candidates.append((node, scopes))
            elif isinstance(node, _DEFINITIONS):
                stack.extend(self._definition_children(node, scopes))
                continue
            elif isinstance(node, ast.ImportFrom):
                self._import_from(node)
            elif isinstance(node, ast.Import):
                self.flask_modules.update(a.asname for a in node.names if a.name == "flask" and a.asname)
            stack.extend((child, scopes) for child in _child_nodes(node))
        return candidates

    def _definition_children(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, scopes: tuple[Scope, ...]
    ) -> t.Iterator[tuple[ast.AST, tuple[Scope, ...]]]:
        """A definition's body inside its own scope; its decorators and defaults in the outer one."""
        if node.name == "url_for" and not isinstance(node, ast.ClassDef):
            self._shadowed = True
        inner = (*scopes, Scope(node.name, isinstance(node, ast.ClassDef), node.decorator_list))
        body = {id(child) for child in node.body}
        yield from ((child, inner) for child in node.body)
        yield from ((child, scopes) for child in _child_nodes(node) if id(child) not in body)

    def _import_from(self, node: ast.ImportFrom) -> None:
        """``from flask import ...`` names url_for and friends; importing url_for elsewhere shadows Flask's."""
        if (node.module or "").split(".")[0] == "flask" and not node.level:
            self._star_import |= self._flask_import(node)
        elif any((a.asname or a.name) == "url_for" for a in node.names):
            self._shadowed = True

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

    def _sort_calls(self, candidates: list[tuple[ast.Call, tuple[Scope, ...]]]) -> None:
        """Keep the url_for calls, and the template renders (Flask's or a helper's) inside a function."""
        for call, scopes in candidates:
            if self.is_url_for(call.func):
                self.calls.append(UrlForNode(call, scopes))
            elif scopes and call.args:
                names = _template_names(call.args[0])
                if not names:
                    continue
                if self._is_render(call.func):
                    self.renders.append(TemplateRender(names, scopes))
                elif _is_helper_render(call.func):
                    self.helper_renders.update(names)

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
                    blueprint_name = _blueprint_name_arg(node.value)
                    if blueprint_name is not None:
                        self.blueprints.update(dict.fromkeys(names, blueprint_name))

    def _constructor(self, func: ast.expr) -> str | None:
        """``'Flask'`` or ``'Blueprint'`` when ``func`` names Flask's class, bare or through the module."""
        if isinstance(func, ast.Name) and func.id in ("Flask", "Blueprint"):
            return func.id
        if isinstance(func, ast.Attribute) and func.attr in ("Flask", "Blueprint"):
            if isinstance(func.value, ast.Name) and func.value.id in self.flask_modules:
                return func.attr
        return None

    def is_url_for(self, func: ast.expr) -> bool:
        """Whether a call's function is Flask's url_for (imported, through ``flask.``, or an app's method)."""
        if isinstance(func, ast.Name):
            return func.id in self.url_for_names
        if isinstance(func, ast.Attribute) and func.attr == "url_for" and isinstance(func.value, ast.Name):
            return func.value.id in self.flask_modules or func.value.id in self.app_names
        return False

    def _is_render(self, func: ast.expr) -> bool:
        """Whether a call's function is Flask's render_template or stream_template."""
        if isinstance(func, ast.Name):
            return func.id in self.render_names
        return (
            isinstance(func, ast.Attribute)
            and func.attr in _RENDER_FUNCTIONS
            and isinstance(func.value, ast.Name)
            and func.value.id in self.flask_modules
        )


def _is_helper_render(func: ast.expr) -> bool:
    """Whether a call's function is named like a render helper (``render``, ``self.render_page``)."""
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return "render" in name.lower()


def _blueprint_name_arg(call: ast.Call) -> str | None:
    """The literal ``name`` of a ``Blueprint(...)`` call (keyword or first argument)."""
    for keyword in call.keywords:
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
            return keyword.value.value
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _template_names(node: ast.expr) -> tuple[str, ...]:
    """The literal template names of render_template's first argument (a name or a list of them)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return ()


def literal_value(node: ast.expr) -> t.Any:
    """A literal argument's value, or ``UNKNOWN`` for anything computed."""
    if isinstance(node, ast.Constant) and not isinstance(node.value, (bytes, type(...))):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
    return UNKNOWN


def _string_literal_span(source: SourceFile, node: ast.Constant, endpoint: str) -> tuple[int, int] | None:
    """Offsets of the endpoint inside a plain one-piece string literal; ``None`` for anything fancier.

    Only such a literal is rewritten by ``--fix``: an implicit concatenation, an escape or a
    string over several lines is left to a person.
    """
    if node.end_lineno != node.lineno or node.end_col_offset is None:
        return None
    start = source.offset(node.lineno, node.col_offset)
    end = source.offset(node.lineno, node.end_col_offset)
    match = _SIMPLE_LITERAL.match(source.text[start:end])
    if match is None or match.group(3) != endpoint:
        return None
    inner = start + len(match.group(1)) + 1
    return (inner, inner + len(endpoint))


def _engine_call_text(source: SourceFile, node: ast.Call) -> str:
    """The call as the engine gets it: its own text on one line, else (over several lines) unparsed.

    A call over several lines may hold comments: the engine gets it on one clean line.
    """
    if node.lineno != node.end_lineno or node.end_col_offset is None:
        return ast.unparse(node)
    start = source.offset(node.lineno, node.col_offset)
    end = source.offset(node.lineno, node.end_col_offset)
    return source.text[start:end]


def python_call(source: SourceFile, node: ast.Call) -> FoundCall:
    """What the scan knows of one ``url_for`` call node: endpoint, literal values and options."""
    endpoint_node: ast.expr | None = node.args[0] if node.args else None
    star_kwargs = any(isinstance(a, ast.Starred) for a in node.args)
    keywords: list[tuple[str, t.Any]] = []
    for keyword in node.keywords:
        if keyword.arg is None:
            star_kwargs = True
        elif keyword.arg == "endpoint" and endpoint_node is None:
            endpoint_node = keyword.value
        else:
            keywords.append((keyword.arg, literal_value(keyword.value)))
    values, options = split_keywords(keywords)
    endpoint = None
    span = None
    if isinstance(endpoint_node, ast.Constant) and isinstance(endpoint_node.value, str):
        endpoint = endpoint_node.value
        span = _string_literal_span(source, endpoint_node, endpoint)
    return FoundCall(
        path=source.path,
        line=node.lineno,
        column=source.char_col(node.lineno, node.col_offset) + 1,
        last_line=node.end_lineno or node.lineno,
        template=False,
        source=_engine_call_text(source, node),
        endpoint=endpoint,
        values=values,
        star_kwargs=star_kwargs,
        method=options.get("_method"),
        external=options.get("_external"),
        scheme=options.get("_scheme"),
        span=span,
    )
