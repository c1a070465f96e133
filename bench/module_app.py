"""A Flask project on disk whose views live in real modules, for the cold-start benchmark.

:func:`write_project` writes a package of ``n_modules`` modules, each a blueprint with plain view
functions and a few ``MethodView`` classes (decorated, with docstrings), plus helper code so that
a module weighs what a real one does (about 20-40 KB). The views are real: their code objects,
classes and source lines come from files, as in the app a developer restarts on every save.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

__all__ = ["PACKAGE", "write_project"]

PACKAGE = "coldapp"
#: One ``MethodView`` (two rules) per this many rules of a module.
RULES_PER_CLASS = 10
#: Helper functions per module that are no view: real modules carry more code than routes.
HELPERS = 40

_HEADER = '''\
"""Area {index}: generated views for the cold-start benchmark."""

import functools

from flask import Blueprint
from flask.views import MethodView

bp = Blueprint("area{index:03d}", __name__, url_prefix="/area{index:03d}")


def audited(view):
    """A class decorator, as real apps put on their views."""
    return view

'''

_FUNCTION = '''
@bp.route("/items{number}/<int:item_id>/<slug>", methods=["GET", "POST"])
def item{number}_detail(item_id, slug):
    """Show item {number} of this area, with its {number} related records."""
    total = item_id * {number}
    return f"{{slug}} {{total}}"
'''

_CLASS = '''

@audited
class Thing{number}API(MethodView):
    """Things {number}: list, create, read, update and delete."""

    def get(self, thing_id=None):
        """One thing, or the list of them."""
        return "thing" if thing_id else "things"

    def post(self):
        """Create a thing."""
        return "created"

    def put(self, thing_id):
        """Replace a thing."""
        return "replaced"

    def delete(self, thing_id):
        """Delete a thing."""
        return "deleted"


_thing{number} = Thing{number}API.as_view("thing{number}_api")
bp.add_url_rule("/things{number}", view_func=_thing{number}, methods=["GET", "POST"])
bp.add_url_rule("/things{number}/<int:thing_id>", view_func=_thing{number}, methods=["GET", "PUT", "DELETE"])
'''

_HELPER = '''

@functools.lru_cache(maxsize=None)
def _helper_{number}(value, scale=3):
    """Not a view: the kind of code that fills a real module ({number})."""
    parts = [str(value)] * scale
    if value % 2:
        parts.reverse()
    return "-".join(part.strip() for part in parts if part)
'''

_INIT = '''\
"""The generated app: ``create_app()`` registers every module's blueprint."""

import importlib

from flask import Flask

MODULES = {modules!r}


def create_app():
    app = Flask(__name__)
    for name in MODULES:
        app.register_blueprint(importlib.import_module(f"{{__name__}}.{{name}}").bp)
    return app
'''


def _module(index: int, n_rules: int) -> str:
    """One module's source with ``n_rules`` rules: functions and MethodViews (two rules each)."""
    parts = [_HEADER.format(index=index)]
    classes = n_rules // RULES_PER_CLASS
    for number in range(classes):
        parts.append(_CLASS.format(number=number))
    for number in range(n_rules - 2 * classes):
        parts.append(_FUNCTION.format(number=number))
    for number in range(HELPERS):
        parts.append(_HELPER.format(number=number))
    return "".join(parts)


def write_project(root: Path, n_rules: int, n_modules: int = 100) -> Path:
    """Write the package under ``root`` (``n_rules`` rules besides ``static``); returns ``root``."""
    package = root / PACKAGE
    package.mkdir(parents=True, exist_ok=True)
    names = [f"views_{index:03d}" for index in range(n_modules)]
    base, extra = divmod(n_rules, n_modules)
    for index, name in enumerate(names):
        (package / f"{name}.py").write_text(_module(index, base + (index < extra)))
    (package / "__init__.py").write_text(textwrap.dedent(_INIT.format(modules=names)))
    return root
