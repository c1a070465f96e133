"""``flask route-explorer list``: the explorer's table and JSON in the terminal."""

from __future__ import annotations

import json
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
from flask import Blueprint, Flask
from werkzeug.routing import Rule

from flask_route_explorer.cli.listing import list_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(make_app: t.Callable[..., Flask]) -> Flask:
    app = make_app(tool_rule=True)
    users = Blueprint("users", __name__, url_prefix="/users")

    @users.route("/<int:user_id>")
    def user_profile(user_id: int) -> str:
        return ""

    @users.route("/<int:user_id>", methods=["POST"], endpoint="update")
    def update(user_id: int) -> str:
        return ""

    app.register_blueprint(users)
    app.add_url_rule("/", "index", lambda: "")
    app.url_map.add(Rule("/raw", endpoint="raw"))
    return app


def run(app: Flask, *args: str) -> t.Any:
    return app.test_cli_runner().invoke(list_command, list(args))


def test_table_has_flask_routes_columns(app: Flask) -> None:
    result = run(app)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["Endpoint", "Methods", "Rule", "View"]
    assert set(lines[1]) <= {"-", " "}
    assert "Subdomain" not in result.output and "Host" not in result.output
    profile = next(line for line in lines if line.startswith("users.user_profile"))
    assert "GET" in profile and "HEAD" not in profile and "/users/<int:user_id>" in profile
    assert "user_profile (" in profile and "test_cli_list.py:" in profile
    raw = next(line for line in lines if line.startswith("raw "))
    assert "ANY" in raw
    assert "_debug_toolbar." not in result.output


def test_query_and_filters(app: Flask) -> None:
    assert [line.split()[0] for line in run(app, "profle").output.splitlines()[2:]] == ["users.user_profile"]
    posts = run(app, "--method", "POST", "--blueprint", "users").output
    assert "users.update" in posts and "users.user_profile" not in posts
    assert "_debug_toolbar.static" in run(app, "--all").output
    assert "HEAD" in run(app, "--all", "index").output


def test_path_query_marks_handling_rules(app: Flask) -> None:
    output = run(app, "/users/7").output
    lines = output.splitlines()
    assert lines[2].startswith("* users.user_profile") and lines[3].startswith("* users.update")
    assert "* handles /users/7" in output


def test_nothing_found_exits_1(app: Flask) -> None:
    result = run(app, "qqqqzzzz")
    assert result.exit_code == 1
    assert "No routes match" in result.output


def test_json_is_the_api_json(app: Flask) -> None:
    # First the API: loading the app for a command resets app.debug from FLASK_DEBUG, as ``flask`` does.
    api = app.test_client().get("/_routes/api/routes?q=user").get_json()
    data = json.loads(run(app, "--json", "user").output)
    assert data == api
    assert set(data) == {"total", "count", "routes"}


def test_host_column_only_when_rules_have_hosts() -> None:
    app = Flask("hosts", host_matching=True, static_host="static.test")
    app.add_url_rule("/", "shop", lambda: "", host="shop.test")
    output = app.test_cli_runner().invoke(list_command, []).output
    assert output.splitlines()[0].split() == ["Endpoint", "Methods", "Rule", "Host", "View"]
    assert "shop.test" in output


def test_real_command_works_with_debug_off(tmp_path: Path) -> None:
    (tmp_path / "cli_app.py").write_text(
        "from flask import Flask\nfrom flask_route_explorer import RouteExplorer\n"
        "app = Flask(__name__)\napp.add_url_rule('/hello', 'hello', lambda: 'hi')\nRouteExplorer(app)\n"
    )
    flask = str(Path(sys.executable).with_name("flask"))
    done = subprocess.run(
        [flask, "--app", "cli_app", "route-explorer", "list", "hello"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert "hello" in done.stdout and "/hello" in done.stdout


def test_an_unsupported_flask_never_breaks_the_apps_own_commands() -> None:
    """Flask loads every installed command first: ours must import even where it cannot run."""
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['flask_route_explorer.cli'] = None\n"  # its import now fails, as on an old Flask
        "from click.testing import CliRunner\n"
        "from flask_route_explorer.commands import route_explorer\n"
        "result = CliRunner().invoke(route_explorer, [])\n"
        "print(result.exit_code); print(result.output)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    code, _, message = out.stdout.partition("\n")
    assert out.returncode == 0, out.stderr
    assert code == "1" and "flask-route-explorer needs Flask >= 2.2 and Werkzeug >= 2.2" in message


@pytest.mark.parametrize(
    "command", [["list", "--json"], ["audit", "--json"], ["match", "/", "--json"], ["build", "index", "--json"]]
)
def test_json_output_is_pure_json_when_the_app_prints(tmp_path: Path, command: list[str]) -> None:
    """A print while the app loads goes to stderr: stdout is the JSON a script parses, nothing else."""
    import json
    import os
    import subprocess
    import sys

    (tmp_path / "loud.py").write_text(
        "from flask import Flask\nprint('hello from the app')\napp = Flask(__name__)\napp.add_url_rule('/', 'index', lambda: '')\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "FLASK_RUN_FROM_CLI")}
    flask = str(Path(sys.executable).with_name("flask"))
    done = subprocess.run(
        [flask, "--app", "loud", "route-explorer", *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    json.loads(done.stdout)
    assert "hello from the app" in done.stderr
