"""Which blueprint a relative endpoint (``url_for('.edit')``) resolves in, found before the code runs.

Flask resolves ``'.edit'`` through the blueprint of the request's view. Statically, that is the
blueprint whose view encloses the call (the app's view map, else the ``@bp.route`` decorators of
the function), or, in a template, every blueprint whose views render it: ``render_template`` calls,
followed through ``extends``, ``include`` and ``import``. When nothing tells, the answer is
``None`` and the checker says so rather than guess.

A template's renders name it, not its file: two folders may hold the same name, and the file a
name gives is the app's loader's choice (Flask's: the app's folder, then the blueprints' in the
order registered). The renders of a name count for the file the loader gives only; another file
of that name cannot be attributed (:class:`Attribution`).
"""

from __future__ import annotations

import ast
import os
import typing as t
from dataclasses import dataclass

from ..endpoints import resolve_endpoint
from .calls import Contexts
from .python_scan import PythonModule, Scope

if t.TYPE_CHECKING:
    from flask import Flask
    from jinja2 import Environment

    from ..inventory import Inventory


@dataclass(frozen=True, slots=True)
class Attribution:
    """The blueprints a template's relative calls are checked in, or why they cannot be.

    ``contexts`` is ``None`` when no view is known to render the template (RE002), unless
    ``shadowed_by`` or ``shared`` says that the file is not (certainly) the one its name gives.
    """

    contexts: Contexts | None
    #: The file the app's loader gives for the template's name, when it is another one.
    shadowed_by: str | None = None
    #: Several files have the name and the loader does not tell which one it gives.
    shared: bool = False
    #: The template is rendered through a helper: ``contexts`` are the blueprints whose template
    #: folder holds it, any of which may render it.
    helper: bool = False

    def unverifiable_reason(self, name: str, endpoint: str, known: t.Collection[str]) -> str | None:
        """Why a relative call in the template cannot be checked, or ``None`` when it can be.

        A helper-rendered template's call is checked only when every blueprint that may render
        it has the endpoint (``known``: the app's endpoints); then each of them is certain enough.
        """
        if self.shadowed_by is not None:
            return (
                f"the app's template loader gives {self.shadowed_by} for {name!r}, not this file, so which "
                f"blueprint renders this one cannot be told: {endpoint!r} is not checked."
            )
        if self.shared:
            return (
                f"several template folders hold {name!r} and the app's loader does not tell which one views get, "
                f"so which blueprint renders this file cannot be told: {endpoint!r} is not checked."
            )
        if not self.helper:
            return None
        if not self.contexts:
            return f"{name!r} is rendered through a helper, by a blueprint that cannot be told."
        lacking = sorted(r for r in (resolve_endpoint(endpoint, b) for b in self.contexts) if r not in known)
        if not lacking:
            return None
        return (
            f"{name!r} is rendered through a helper, by one of the blueprints whose template folder holds it; "
            f"there is no endpoint {', '.join(map(repr, lacking))}."
        )


#: Decorators that make a function a view of the object they are called on (``@bp.get(...)``).
_ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete"})


def _qualnames(scopes: tuple[Scope, ...]) -> list[tuple[str, tuple[Scope, ...]]]:
    """Each enclosing function's ``__qualname__`` (innermost first) with its scope chain."""
    found: list[tuple[str, tuple[Scope, ...]]] = []
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


class BlueprintContexts:
    """The blueprints that enclose a Python call or render a template, for one check run."""

    def __init__(self, app: Flask, inventory: Inventory) -> None:
        self._views = _view_index(inventory)
        #: A blueprint's name -> the keys it is registered under (a blueprint may be registered twice).
        self._keys_by_name: dict[str, list[str]] = {}
        for key, blueprint in app.blueprints.items():
            self._keys_by_name.setdefault(blueprint.name, []).append(key)
        self._rendered_by: dict[str, set[str | None]] = {}
        self._references: dict[str, set[str]] = {}
        self._helper_rendered: set[str] = set()
        #: A template folder (real path) -> the blueprints (registered names) it belongs to.
        self._folder_owners: dict[str, set[str]] = {}
        for key, blueprint in app.blueprints.items():
            if blueprint.template_folder:
                folder = os.path.realpath(os.path.join(blueprint.root_path, blueprint.template_folder))
                self._folder_owners.setdefault(folder, set()).add(key)
        self._loaded: dict[str, str | None] = {}
        self._template_contexts: dict[str, set[str | None]] | None = None

    def function_contexts(self, real: str, scopes: tuple[Scope, ...], module: PythonModule) -> Contexts | None:
        """The blueprints whose views are the enclosing function (innermost view first).

        The app's own view map knows a view by its file and qualname; a method of a View class
        counts as its class. A function the map does not know (a view registered elsewhere, a
        factory) is still a view of the blueprint its ``@bp.route`` decorator names.
        """
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

    def _decorator_contexts(self, decorators: list[ast.expr], module: PythonModule) -> Contexts | None:
        """The blueprints (or the app, ``None``) that ``@x.route``-like decorators register the function with."""
        found: set[str | None] = set()
        for decorator in decorators:
            func = decorator.func if isinstance(decorator, ast.Call) else decorator
            if not (
                isinstance(func, ast.Attribute) and func.attr in _ROUTE_DECORATORS and isinstance(func.value, ast.Name)
            ):
                continue
            owner = func.value.id
            if owner in module.blueprints:
                found.update(self._keys_by_name.get(module.blueprints[owner], ()))
            elif owner in module.app_names and owner != "current_app":
                found.add(None)
        return frozenset(found) or None

    def note_renders(self, real: str, module: PythonModule) -> None:
        """Remember the blueprints under which each template the module renders is rendered."""
        self._helper_rendered |= module.helper_renders
        for render in module.renders:
            contexts = self.function_contexts(real, render.scopes, module)
            if contexts is not None:
                for name in render.templates:
                    self._rendered_by.setdefault(name, set()).update(contexts)

    def note_references(self, name: str, referenced: set[str]) -> None:
        """Remember the templates that template ``name`` extends, includes or imports."""
        self._references.setdefault(name, set()).update(referenced)

    def template_contexts(self) -> dict[str, set[str | None]]:
        """Blueprints each template is rendered under, following extends/include/import.

        A template referenced by a rendered one is rendered under the same blueprints; this runs
        to a fixed point, since references chain (a page includes a partial that imports macros).
        """
        contexts = {name: set(owners) for name, owners in self._rendered_by.items()}
        changed = True
        while changed:
            changed = False
            for name, references in self._references.items():
                owners = contexts.get(name)
                if not owners:
                    continue
                for reference in references:
                    target = contexts.setdefault(reference, set())
                    if not owners <= target:
                        target |= owners
                        changed = True
        return contexts

    def attribute(self, name: str, real: str, namesakes: int, env: Environment) -> Attribution:
        """Where the relative calls of template file ``real``, known as ``name``, are checked.

        ``namesakes`` is how many files of the run have that name. Called once every renderer
        is known (after the scan).
        """
        if name not in self._loaded:
            self._loaded[name] = _loaded_file(env, name)
        loaded = self._loaded[name]
        if loaded is not None and loaded != real:
            return Attribution(None, shadowed_by=loaded)
        if loaded is None and namesakes > 1:
            return Attribution(None, shared=True)
        if self._template_contexts is None:
            self._template_contexts = self.template_contexts()
        owners = self._template_contexts.get(name)
        if owners:
            return Attribution(frozenset(owners))
        if name in self._helper_rendered:
            folders = {folder: keys for folder, keys in self._folder_owners.items() if real.startswith(folder + os.sep)}
            return Attribution(frozenset(k for keys in folders.values() for k in keys), helper=True)
        return Attribution(None)


def _loaded_file(env: Environment, name: str) -> str | None:
    """The real path of the file the environment's loader gives for ``name``; ``None`` if it does not tell.

    ``BaseLoader.get_source`` is Jinja's public loader interface; a loader may need a request
    (a theme chosen per user) or raise for any reason: then it does not tell.
    """
    if env.loader is None:
        return None
    try:
        _, filename, _ = env.loader.get_source(env, name)
    except Exception:  # any loader failure only means "cannot tell"
        return None
    return os.path.realpath(filename) if filename else None


def _view_index(inventory: Inventory) -> dict[tuple[str, str], set[str | None]]:
    """(real file, qualname) of every view and View-class handler -> the blueprints it serves."""
    index: dict[tuple[str, str], set[str | None]] = {}
    real: dict[str, str] = {}
    for route in inventory.routes:
        for source in (route.view, *(handler for _, handler in route.view.handlers)):
            if source.file and source.qualname:
                file = real.setdefault(source.file, os.path.realpath(source.file))
                index.setdefault((file, source.qualname), set()).add(route.blueprint)
    return index
