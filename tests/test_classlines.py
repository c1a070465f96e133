"""Where a view class starts, read from the module's compiled code, and kept across restarts."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import types
from pathlib import Path

import pytest
from flask import Flask

from flask_route_explorer import RouteExplorer, classlines
from flask_route_explorer.inventory import get_inventory

SOURCE = '''\
from flask.views import MethodView


def keep(cls):
    return cls


# "class Decoy" in a comment, and in a string below, must not count
TEXT = """
class ItemAPI:
"""


@keep
class ItemAPI(MethodView):
    """Items."""

    def get(self):
        return "item"

    class Inner:
        pass


def factory():
    class Local(MethodView):
        def get(self):
            return "local"

    return Local
'''
#: Where each class starts (a decorated class at its first decorator, as a function does).
EXPECTED = {"ItemAPI": 14, "ItemAPI.Inner": 21, "factory.<locals>.Local": 26}


def _import(path: Path, name: str, write_bytecode: bool) -> types.ModuleType:
    path.write_text(SOURCE)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # as an import does: inspect finds a class's file through it
    before = sys.dont_write_bytecode
    sys.dont_write_bytecode = not write_bytecode
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = before
    return module


@pytest.fixture(autouse=True)
def _no_kept_tables(tmp_path: Path) -> None:
    classlines.keep_in(str(tmp_path / "instance"))


def test_lines_come_from_the_pyc_without_compiling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = _import(tmp_path / "views_pyc.py", "views_pyc", write_bytecode=True)
    assert Path(importlib.util.cache_from_source(module.__file__)).exists()
    monkeypatch.setattr(classlines, "compile", _refuse, raising=False)
    assert classlines.class_lines(module.__file__) == EXPECTED
    assert classlines.class_line(module.ItemAPI, module.__file__) == 14
    assert classlines.class_line(module.factory(), module.__file__) == 26


def test_without_a_pyc_the_source_is_compiled_once_and_kept_in_the_instance_folder(tmp_path: Path) -> None:
    module = _import(tmp_path / "views_plain.py", "views_plain", write_bytecode=False)
    assert not Path(importlib.util.cache_from_source(module.__file__)).exists()
    assert classlines.class_lines(module.__file__) == EXPECTED
    folder = tmp_path / "instance" / classlines.CACHE_FOLDER
    assert (folder / ".gitignore").read_text() == "*\n"
    kept = json.loads((folder / "class-lines.json").read_text())
    stat = os.stat(module.__file__)
    assert kept[module.__file__] == [stat.st_mtime_ns, stat.st_size, EXPECTED]


def test_a_kept_table_serves_the_next_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = _import(tmp_path / "views_kept.py", "views_kept", write_bytecode=False)
    classlines.class_lines(module.__file__)
    classlines.keep_in(str(tmp_path / "instance"))  # a new process: nothing in memory
    monkeypatch.setattr(classlines, "compile", _refuse, raising=False)
    assert classlines.class_lines(module.__file__) == EXPECTED


def test_a_table_read_from_a_pyc_is_kept_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a restart the kept file answers; no module's ``.pyc`` is read again (only an edited one)."""
    module = _import(tmp_path / "views_pyc_kept.py", "views_pyc_kept", write_bytecode=True)
    assert classlines.class_lines(module.__file__) == EXPECTED
    classlines.keep_in(str(tmp_path / "instance"))  # a new process
    monkeypatch.setattr(classlines, "compile", _refuse, raising=False)
    monkeypatch.setattr(classlines, "_cached_code", _refuse)
    assert classlines.class_lines(module.__file__) == EXPECTED


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    module = _import(tmp_path / "views_edit.py", "views_edit", write_bytecode=False)
    assert classlines.class_lines(module.__file__)["ItemAPI"] == 14
    Path(module.__file__).write_text("\n\n" + SOURCE)
    assert classlines.class_lines(module.__file__)["ItemAPI"] == 16


def test_an_unwritable_instance_folder_never_fails(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    classlines.keep_in(str(blocker))
    module = _import(tmp_path / "views_ro.py", "views_ro", write_bytecode=False)
    assert classlines.class_lines(module.__file__) == EXPECTED


def test_inventory_reads_a_class_line_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = _import(tmp_path / "views_inv.py", "views_inv", write_bytecode=True)
    app = Flask("lazy", root_path=str(tmp_path), instance_path=str(tmp_path / "instance"))
    app.config.update(TESTING=True, DEBUG=True, ROUTE_EXPLORER_ENABLED=True)
    app.debug = True
    app.add_url_rule("/items", view_func=module.ItemAPI.as_view("items"))
    RouteExplorer(app)
    asked: list[str] = []
    real = classlines.class_lines
    monkeypatch.setattr(classlines, "class_lines", lambda file: asked.append(file) or real(file))
    (route,) = get_inventory(app).routes_for("items")
    assert asked == []
    assert route.view.line == 14 and route.to_dict()["view"]["line"] == 14
    assert asked == [module.__file__, module.__file__]


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("compiled the source although a table or a pyc was at hand")
