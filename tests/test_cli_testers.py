"""``flask route-explorer match`` and ``build``: readable answers, the API's JSON, exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from werkzeug.routing import BaseConverter

from demo_app import create_app
from flask_route_explorer.cli import route_explorer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def app() -> Flask:
    # The CLI works whatever the debug setting: the explorer is not mounted here.
    return create_app({"TESTING": True, "ROUTE_EXPLORER_ENABLED": False})


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(route_explorer, list(args))


def test_match_handled_exits_0(app: Flask) -> None:
    result = run(app, "match", "/users/7")
    assert result.exit_code == 0, result.output
    assert "200 Handled" in result.output
    assert "users.user_profile" in result.output and "/users/<int:user_id>" in result.output
    assert "user_id = 7 (int)" in result.output
    assert "users.py:" in result.output


def test_match_404_explains_and_exits_1(app: Flask) -> None:
    result = run(app, "match", "/user/7")
    assert result.exit_code == 1
    assert "404 Not found" in result.output and "Nearest rules:" in result.output
    assert "static part differs: expected 'users', got 'user'" in result.output


def test_match_405_and_308_exit_1(app: Flask) -> None:
    method = run(app, "match", "/users/7", "--method", "post")
    assert method.exit_code == 1 and "405 Method not allowed" in method.output and "allowed    GET" in method.output
    redirect = run(app, "match", "/blog")
    assert redirect.exit_code == 1 and "308 Permanent redirect" in redirect.output and "/blog/" in redirect.output


def test_match_json_is_the_api_json(app: Flask) -> None:
    result = run(app, "match", "/users/abc", "--json")
    assert result.exit_code == 1
    body = json.loads(result.output)
    with app.test_request_context():
        from flask_route_explorer import routing

        assert body == routing.match(app, "/users/abc").to_dict()
    assert body["status"] == 404 and body["near"][0]["endpoint"] == "users.user_profile"


def test_match_refused_input(app: Flask) -> None:
    result = run(app, "match", "/a\x01b")
    assert result.exit_code == 1 and "Input refused" in result.output


def test_build_ok_exits_0(app: Flask) -> None:
    result = run(app, "build", "users.user_profile", "user_id=7")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "/users/7"
    assert "url_for('users.user_profile', user_id=7" in result.output
    assert "{{ url_for('users.user_profile', user_id=7) }}" in result.output
    assert "round trip ok" in result.output


def test_build_options(app: Flask) -> None:
    result = run(
        app,
        "build",
        ".user_profile",
        "user_id=7",
        "q=a b",
        "--blueprint",
        "users",
        "--external",
        "--scheme",
        "https",
        "--anchor",
        "top",
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "https://localhost/users/7?q=a+b#top"
    posted = run(app, "build", "users.follow", "user_id=7", "--method", "GET")
    assert posted.exit_code == 1 and "method_not_allowed" in posted.output


def test_build_round_trip_failure_exits_1_and_says_why(app: Flask) -> None:
    """The URL builds but the app would not route it back: a broken URL, so the exit status says so."""
    result = run(app, "build", "users.settings", "user_id=0")
    assert result.exit_code == 1
    assert "round trip fails" in result.output and "below the minimum 1" in result.output


def test_build_failure_prints_the_diagnosis_and_exits_1(app: Flask) -> None:
    result = run(app, "build", "user_profile", "user_id=7")
    assert result.exit_code == 1
    # An unknown endpoint has no converters: the value is typed as the app's other rules type user_id.
    assert "Cannot build url_for('user_profile', user_id=7)" in result.output
    assert "url_for('users.user_profile', user_id=7" in result.output
    assert "missing_blueprint_prefix" in result.output and "users.user_profile" in result.output


def test_build_json(app: Flask) -> None:
    ok = json.loads(run(app, "build", "users.user_profile", "user_id=7", "--json").output)
    assert ok == {
        "ok": True,
        "url": "/users/7",
        "roundtrip": {"ok": True, "endpoint": "users.user_profile", "values": {"user_id": 7}},
        "diagnosis": None,
    }
    failed = run(app, "build", "nope", "--json")
    assert failed.exit_code == 1 and json.loads(failed.output)["diagnosis"]["kind"]


def test_build_bad_pair_is_a_usage_error(app: Flask) -> None:
    result = run(app, "build", "users.user_profile", "user_id")
    assert result.exit_code == 2 and "NAME=VALUE" in result.output


def test_real_command_line() -> None:
    """The installed ``flask`` command, no debug mode: exit status as documented."""
    flask_bin = str(Path(sys.executable).with_name("flask"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    handled = subprocess.run(
        [flask_bin, "--app", "demo_app:create_app", "route-explorer", "match", "/users/7", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert handled.returncode == 0, handled.stderr
    assert json.loads(handled.stdout)["endpoint"] == "users.user_profile"
    failed = subprocess.run(
        [flask_bin, "--app", "demo_app:create_app", "route-explorer", "build", "UserAPI"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failed.returncode == 1 and "Cannot build" in failed.stdout


def test_match_a_raising_converter_says_500_and_exits_1(make_app: t.Callable[..., Flask]) -> None:
    class DatabaseConverter(BaseConverter):
        def to_python(self, value: str) -> t.Any:
            raise RuntimeError("db down")

    app = make_app()
    app.url_map.converters["user"] = DatabaseConverter
    app.add_url_rule("/users/<user:user>", "profile", lambda user: "never called")
    result = run(app, "match", "/users/7")
    assert result.exit_code == 1
    assert "500 Server error" in result.output and "RuntimeError('db down')" in result.output


def test_match_names_the_method_view_handler(app: Flask) -> None:
    result = run(app, "match", "/api/users/1", "--method", "DELETE")
    assert result.exit_code == 0 and "demo_app.api.UserAPI.delete  api.py:" in result.output


def test_build_prints_a_template_fix_as_one_with_its_regression_test(app: Flask) -> None:
    """Issue 12 point 3: never "verified" for a placeholder; the test is printed under the fix."""
    result = run(app, "build", "user_profile")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "  fix        url_for('users.user_profile', user_id=USER_ID)  a template: fill in USER_ID" in lines
    assert "  sample     /users/1  (built with sample values: USER_ID=1)" in lines
    assert "  test       pytest, for tests/: the fixed call must build this URL" in lines
    assert "            assert url_for('users.user_profile', user_id=1) == '/users/1'" in lines
    assert "verified" not in result.output and "  builds" not in result.output


def test_build_prints_a_verified_fix_and_a_guess_honestly(app: Flask) -> None:
    verified = run(app, "build", "admin.reports.period_report", "period=montly").output.splitlines()
    assert "  fix        url_for('admin.reports.period_report', period='monthly')  verified to build" in verified
    assert "  builds     /admin/reports/monthly" in verified
    guessed = run(app, "build", "users.user_profil").output
    assert "  guess      A guess: 'users.user_profile' (/users/<int:user_id>), not offered as the fix" in guessed
    assert "  fix " not in guessed and "Did you mean" not in guessed
