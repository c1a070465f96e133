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
