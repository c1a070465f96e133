"""``check --rename OLD=NEW``: every literal call to a renamed endpoint, rewritten by ``--fix`` (issue 15)."""

from __future__ import annotations

import importlib
import sys
import textwrap
import typing as t
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask

from flask_route_explorer.checker import check_report
from flask_route_explorer.cli import route_explorer

VIEWS = """
    from flask import Blueprint, Flask, render_template, url_for

    users = Blueprint("users", __name__, url_prefix="/users")


    @users.route("/<int:user_id>")
    def user_profile(user_id):
        return ""


    @users.route("/")
    def listing():
        url_for(".profile", user_id=1)
        url_for('users.profile', user_id=2)  # quotes and spacing stay as written
        url_for("users.listing")
        return render_template("users/list.html")


    def create_app():
        app = Flask(__name__)
        app.register_blueprint(users)

        @app.route("/")
        def index():
            return render_template("index.html")

        return app
"""
INDEX = "<a href=\"{{ url_for('users.profile', user_id=3) }}\">me</a> <a href=\"{{ url_for('index') }}\">home</a>\n"
LIST = "{% for u in users %}<a href=\"{{ url_for( '.profile' , user_id=u) }}\">{{ u }}</a>{% endfor %}\n"


@pytest.fixture
def app(tmp_path: Path) -> t.Iterator[Flask]:
    package = f"renameapp_{tmp_path.name.replace('-', '_')}"
    files = {"app.py": VIEWS, "templates/index.html": INDEX, "templates/users/list.html": LIST, "__init__.py": ""}
    for name, text in files.items():
        path = tmp_path / package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(f"{package}.app").create_app()
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] == package]:
            del sys.modules[name]


def invoke(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(route_explorer, ["check", *args])


def test_calls_to_the_old_name_are_listed_with_the_new_one(app: Flask) -> None:
    report = check_report(app, renames={"users.profile": "users.user_profile"})
    found = [(Path(f.file).name, f.line, f.code, f.endpoint, f.replacement) for f in report.findings]
    assert found == [
        ("app.py", 14, "RE013", ".profile", ".user_profile"),
        ("app.py", 15, "RE013", "users.profile", "users.user_profile"),
        ("index.html", 1, "RE013", "users.profile", "users.user_profile"),
        ("list.html", 1, "RE013", ".profile", ".user_profile"),
    ]
    assert report.findings[1].message == "'users.profile' was renamed to 'users.user_profile' (--rename)."


def test_fix_rewrites_every_call_and_nothing_else(app: Flask, tmp_path: Path) -> None:
    root = Path(app.root_path)
    before = {p: p.read_text() for p in root.rglob("*") if p.suffix in (".py", ".html")}
    result = invoke(app, "--rename", "users.profile=users.user_profile", "--fix", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "fixed 4 calls in 3 files" in result.output
    after = {p: p.read_text() for p in before}
    expected = {
        p: text.replace("'.profile'", "'.user_profile'")
        .replace('".profile"', '".user_profile"')
        .replace("users.profile", "users.user_profile")
        for p, text in before.items()
    }
    assert after == expected
    assert "url_for('users.user_profile', user_id=2)  # quotes and spacing stay" in (root / "app.py").read_text()
    assert check_report(app).findings == []


def test_the_new_name_must_exist(app: Flask) -> None:
    result = invoke(app, "--rename", "users.profile=users.nope")
    assert result.exit_code == 2
    assert "--rename: the app has no endpoint 'users.nope'" in result.output


def test_a_malformed_rename_is_a_usage_error(app: Flask) -> None:
    result = invoke(app, "--rename", "users.profile")
    assert result.exit_code == 2
    assert "OLD=NEW" in result.output
