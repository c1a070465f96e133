"""Checker defects found on real apps, each on a tiny app of our own that reproduces it.

Every app here is written to disk as a small package (the checker reads files), imported from a
temporary folder, and checked. The defect numbers are those of the real-apps report.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
import typing as t
from pathlib import Path

import pytest
from flask import Flask

from flask_route_explorer.checker import CheckReport, check_report


@pytest.fixture
def project(tmp_path: Path) -> t.Iterator[t.Callable[[dict[str, str]], Flask]]:
    """Write a package (``files``: path under the package -> text), import it, return ``create_app()``."""
    counter = iter(range(1000))
    loaded: list[str] = []

    def make(files: dict[str, str]) -> Flask:
        package = f"tinyapp_{tmp_path.name.replace('-', '_')}_{next(counter)}"
        for name, text in files.items():
            path = tmp_path / package / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        (tmp_path / package / "__init__.py").touch()
        loaded.append(package)
        module = importlib.import_module(f"{package}.app")
        return t.cast(Flask, module.create_app())

    sys.path.insert(0, str(tmp_path))
    try:
        yield make
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] in loaded]:
            del sys.modules[name]


def codes(report: CheckReport) -> list[tuple[str, int, str, str | None]]:
    """(file name, line, code, endpoint) of every finding."""
    return [(Path(f.file).name, f.line, f.code, f.endpoint) for f in report.findings]


# --- Defect 7: RE004 suggests the endpoint already written ------------------------------------


def test_none_value_has_no_did_you_mean_for_the_right_endpoint(project: t.Callable[[dict[str, str]], Flask]) -> None:
    app = project(
        {
            "app.py": """
                from flask import Flask, render_template

                def create_app():
                    app = Flask(__name__)

                    @app.route("/<int:id>/edit")
                    def edit(id):
                        return render_template("edit.html")

                    return app
            """,
            "templates/edit.html": "<a href=\"{{ url_for('edit', id=None) }}\">edit</a>\n",
        }
    )
    [finding] = check_report(app).findings
    assert finding.code == "RE004"
    assert finding.suggestion is None
    assert finding.hint() is None or "did you mean" not in finding.hint()


# --- Defect 13: a misspelt variable silently becomes a query argument ---------------------------

BAN_APP = """
    from flask import Flask, render_template

    def create_app():
        app = Flask(__name__)

        @app.route("/users/ban", endpoint="ban")
        @app.route("/users/<int:user_id>/ban", endpoint="ban")
        def ban(user_id=None):
            return render_template("ban.html", user=None)

        return app
"""


def test_a_stray_name_beside_a_variable_free_rule_is_a_warning(project: t.Callable[[dict[str, str]], Flask]) -> None:
    """``url_for('ban', id=5)`` builds ``/users/ban?id=5``: Flask says nothing, the checker warns."""
    from flask_route_explorer.checker import CODES, WARNING_CODES

    app = project(
        {
            "app.py": BAN_APP,
            "templates/ban.html": (
                "<a href=\"{{ url_for('ban', id=user.id) }}\">ban</a>\n"
                "<a href=\"{{ url_for('ban', user_id=user.id) }}\">ban</a>\n"
                "<a href=\"{{ url_for('ban') }}\">all</a>\n"
                "<a href=\"{{ url_for('ban', user_id=user.id, next='/') }}\">ban</a>\n"
            ),
        }
    )
    report = check_report(app)
    assert codes(report) == [("ban.html", 1, "RE012", "ban")]
    [finding] = report.findings
    assert "RE012" in WARNING_CODES and "RE012" in CODES
    assert finding.kind is None
    assert finding.message == (
        "It passes id, which no rule of 'ban' has, while its rule /users/<int:user_id>/ban needs user_id: "
        "did you mean user_id? As written, Flask builds another rule of 'ban' and sends id as a query argument."
    )
    assert finding.replacement is None  # a guess about a variable, never rewritten


def test_stray_names_with_kwargs_are_not_guessed(project: t.Callable[[dict[str, str]], Flask]) -> None:
    app = project({"app.py": BAN_APP, "templates/ban.html": "{{ url_for('ban', id=1, **extra) }}\n"})
    assert check_report(app).findings == []


def test_a_stray_name_is_a_github_warning(project: t.Callable[[dict[str, str]], Flask]) -> None:
    from flask_route_explorer.cli.check import github_annotation

    app = project({"app.py": BAN_APP, "templates/ban.html": "{{ url_for('ban', id=1) }}\n"})
    [finding] = check_report(app).findings
    assert github_annotation(finding).startswith("::warning ")


# --- Issue 11: a template name shared by two blueprints' folders -------------------------------

SHARED_NAME_VIEWS = """
    from flask import Blueprint, Flask, render_template

    admin = Blueprint("admin", __name__, url_prefix="/admin", template_folder="admin_templates")
    users = Blueprint("users", __name__, url_prefix="/users", template_folder="users_templates")


    def render_admin_page(name):
        # A helper of the app's own: which file it gets is up to its loader, not render_template's.
        return name


    @admin.route("/users")
    def users_page():
        return render_admin_page("users/users.html")


    @admin.route("/users/<int:id>")
    def users_detail(id):
        return ""


    @users.route("/")
    def listing():
        return render_template("users/users.html")


    def create_app():
        app = Flask(__name__)
        app.register_blueprint({first})
        app.register_blueprint({second})
        return app
"""
ADMIN_PAGE = (
    "<a href=\"{{ url_for('.users_detail', id=1) }}\">detail</a>\n"
    "<a href=\"{{ url_for('.listing') }}\">list</a>\n"  # admin has no 'listing'
)
USERS_PAGE = "<a href=\"{{ url_for('.listing') }}\">list</a>\n"


def test_a_shadowed_template_is_unverifiable_not_checked_as_its_namesake(
    project: t.Callable[[dict[str, str]], Flask],
) -> None:
    """Flask's loader gives ``users/users.html`` from the first folder: users' file, registered first.

    The admin's file of the same name is never what ``render_template('users/users.html')`` loads:
    which blueprint renders it cannot be told. It used to be checked as the users' file: a false
    RE001 for the valid '.users_detail' and nothing for the broken '.listing'.
    """
    app = project(
        {
            "app.py": SHARED_NAME_VIEWS.format(first="users", second="admin"),
            "admin_templates/users/users.html": ADMIN_PAGE,
            "users_templates/users/users.html": USERS_PAGE,
        }
    )
    report = check_report(app)
    assert report.findings == []
    shadowed = [(Path(u.file).parent.parent.name, u.line) for u in report.unverifiable]
    assert shadowed == [("admin_templates", 1), ("admin_templates", 2)]
    assert all("users_templates" in u.reason and "'users/users.html'" in u.reason for u in report.unverifiable)


def test_the_template_the_loader_gives_is_checked_in_its_renderers(
    project: t.Callable[[dict[str, str]], Flask],
) -> None:
    """Admin registered first: its file is what every ``render_template('users/users.html')`` gets."""
    app = project(
        {
            "app.py": SHARED_NAME_VIEWS.format(first="admin", second="users")
            .replace('return render_admin_page("users/users.html")', 'return render_template("users/users.html")')
            .replace(
                'return render_template("users/users.html")\n\n\n    def create_app',
                'return ""\n\n\n    def create_app',
            ),
            "admin_templates/users/users.html": ADMIN_PAGE,
            "users_templates/users/users.html": USERS_PAGE,
        }
    )
    report = check_report(app)
    found = [(Path(f.file).parent.parent.name, f.line, f.code, f.endpoint) for f in report.findings]
    assert found == [("admin_templates", 2, "RE001", ".listing")]
    # The users' file is shadowed: nothing renders it under its name.
    assert [(Path(u.file).parent.parent.name, u.line) for u in report.unverifiable] == [("users_templates", 1)]


# --- Defect 12: a library template rendered through a helper by several blueprints -------------

LIBRARY = """
    from flask import Blueprint, render_template


    class ModelView:
        def __init__(self, name, endpoints=("create",)):
            self.blueprint = Blueprint(name, __name__, url_prefix="/" + name, template_folder="libtemplates")
            if "create" in endpoints:
                self.blueprint.add_url_rule("/new", "create", self.create_view)
            self.blueprint.add_url_rule("/", "index", self.index_view)

        def render(self, template, **context):
            return render_template(template, **context)

        def create_view(self):
            return self.render("form.html")

        def index_view(self):
            return ""
"""
FORM = "<form action=\"{{ url_for('.create') }}\"></form>\n"


def test_a_helper_rendered_library_template_is_fine_when_every_blueprint_has_the_endpoint(
    project: t.Callable[[dict[str, str]], Flask],
) -> None:
    app = project(
        {
            "library.py": LIBRARY,
            "libtemplates/form.html": FORM,
            "app.py": """
                from flask import Flask
                from .library import ModelView

                def create_app():
                    app = Flask(__name__)
                    for name in ("a", "b"):
                        app.register_blueprint(ModelView(name).blueprint)
                    return app
            """,
        }
    )
    report = check_report(app)
    assert report.findings == []
    assert report.unverifiable == []
    assert report.calls == 1


def test_a_helper_rendered_template_some_blueprint_lacks_the_endpoint_for_is_unverifiable(
    project: t.Callable[[dict[str, str]], Flask],
) -> None:
    app = project(
        {
            "library.py": LIBRARY,
            "libtemplates/form.html": FORM,
            "app.py": """
                from flask import Flask
                from .library import ModelView

                def create_app():
                    app = Flask(__name__)
                    app.register_blueprint(ModelView("a").blueprint)
                    app.register_blueprint(ModelView("c", endpoints=()).blueprint)
                    return app
            """,
        }
    )
    report = check_report(app)
    assert report.findings == []
    [call] = report.unverifiable
    assert "'c.create'" in call.reason


def test_templates_of_installed_packages_are_skipped_and_reported(
    project: t.Callable[[dict[str, str]], Flask], tmp_path: Path
) -> None:
    package = tmp_path / "venv" / "lib" / "site-packages" / "extlib"
    (package / "templates").mkdir(parents=True)
    (package / "templates" / "ext.html").write_text("{{ url_for('.nothing_here') }}\n")
    app = project(
        {
            "app.py": f"""
                from flask import Blueprint, Flask

                def create_app():
                    app = Flask(__name__)
                    ext = Blueprint("ext", "extlib", root_path={str(package)!r}, template_folder="templates")
                    ext.add_url_rule("/ext", "index", lambda: "")
                    app.register_blueprint(ext)
                    return app
            """
        }
    )
    report = check_report(app)
    assert report.findings == []
    assert report.installed == [str(package / "templates")]


def test_the_summary_counts_installed_template_folders() -> None:
    from flask_route_explorer.checker import FixResult
    from flask_route_explorer.cli.check import summary

    report = CheckReport(files=1, installed=["/venv/lib/site-packages/extlib/templates"])
    assert summary(report, FixResult(), written=False, proposed=False) == (
        "1 file, 0 url_for calls checked, 0 unverifiable, 0 findings, 1 template folder of installed packages skipped."
    )
