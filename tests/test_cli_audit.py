"""``flask route-explorer audit``: text, JSON and GitHub formats, and the exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import typing as t
from pathlib import Path

from click.testing import Result
from flask import Flask
from flask.cli import ScriptInfo

from flask_route_explorer.cli import route_explorer

FLASK = str(Path(sys.executable).with_name("flask"))


def broken_app(root: Path) -> Flask:
    app = Flask("cliaudit", root_path=str(root))
    app.add_url_rule("/about", "about", lambda: "a")
    app.add_url_rule("/about", "about_again", lambda: "b")  # COLLIDING (an error)
    app.add_url_rule("/noview", "noview")  # NO_VIEW (information)
    return app


def info_only_app(root: Path) -> Flask:
    app = Flask("cliaudit", root_path=str(root))
    app.add_url_rule("/noview", "noview")
    return app


def invoke(app: Flask, *args: str) -> Result:
    runner = app.test_cli_runner()
    info = ScriptInfo(create_app=lambda: app, set_debug_flag=False)
    return runner.invoke(route_explorer, ["audit", *args], obj=info)


def test_text_output_and_exit_1_on_errors(tmp_path: Path) -> None:
    result = invoke(broken_app(tmp_path))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(" RA102 /about ('about_again') collides with /about ('about') for GET" in line for line in lines)
    assert any("    fix: build_only=True on /about" in line for line in lines)
    assert any(line.startswith("/noview: RA402 ") for line in lines)
    assert lines[-1] == "3 rules of 3 endpoints audited: 1 error, 1 information."


def test_information_only_exits_0(tmp_path: Path) -> None:
    result = invoke(info_only_app(tmp_path), "--no-references")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith("0 errors, 1 information (references not checked).")


def test_json_output(tmp_path: Path) -> None:
    for args in (["--json"], ["--format", "json"]):
        result = invoke(broken_app(tmp_path), *args)
        assert result.exit_code == 1
        data = json.loads(result.output)
        assert (data["errors"], data["information"], data["rules"]) == (1, 1, 3)
        colliding = next(f for f in data["findings"] if f["code"] == "RA102")
        assert colliding["kind"] == "colliding" and colliding["endpoint"] == "about_again"
        assert colliding["other"] == {"rule": "/about", "endpoint": "about"}
        assert colliding["file"].endswith("test_cli_audit.py") and isinstance(colliding["line"], int)


def test_github_annotations(tmp_path: Path) -> None:
    result = invoke(broken_app(tmp_path), "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    error = next(line for line in lines if line.startswith("::error "))
    assert "file=tests/test_cli_audit.py" in error or "test_cli_audit.py" in error
    assert "title=RA102 colliding::" in error and "%0AFix: build_only=True" in error
    assert any(line.startswith("::notice file=/noview,title=RA402 no_view::") for line in lines)
    assert "audited" not in result.stdout  # the summary goes to stderr
    assert "1 error, 1 information" in result.stderr


def test_as_a_real_command(tmp_path: Path) -> None:
    (tmp_path / "auditcli_app.py").write_text(
        textwrap.dedent(
            """
            from flask import Flask

            app = Flask(__name__)

            @app.route("/items/<name>")
            def by_name(name):
                return name

            @app.route("/items/<uuid:item_id>")
            def by_id(item_id):
                return str(item_id)
            """
        )
    )
    run: t.Callable[..., subprocess.CompletedProcess[str]] = subprocess.run
    done = run(
        [FLASK, "--app", "auditcli_app", "route-explorer", "audit", "--json", "--no-references"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert [f["code"] for f in json.loads(done.stdout)["findings"]] == ["RA101"]
    missing = run(
        [FLASK, "--app", "no_such_module_here", "route-explorer", "audit"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "could not import the app" in missing.stderr
