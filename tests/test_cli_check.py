"""``flask route-explorer check``: output formats and exit codes, in-process and as a real command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import typing as t
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from flask_route_explorer.checker import Finding
from flask_route_explorer.cli import route_explorer
from flask_route_explorer.cli.check import github_annotation

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = FIXTURES / "checkproj"
PACKAGE = PROJECT / "checkproj"
CLEAN = [str(PACKAGE / "clean.py"), str(PACKAGE / "templates" / "clean.html")]
FLASK = str(Path(sys.executable).with_name("flask"))
#: The fixture package as the checker displays it: relative to the working directory when under it.
DISPLAYED_PACKAGE = (
    PACKAGE.as_posix() if os.path.relpath(PACKAGE).startswith("..") else Path(os.path.relpath(PACKAGE)).as_posix()
)
LINE = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<code>RE\d{3}) (?P<message>.+)$")


@pytest.fixture(scope="module")
def project_app() -> t.Iterator[Flask]:
    sys.path.insert(0, str(PROJECT))
    try:
        from checkproj import create_app

        yield create_app()
    finally:
        sys.path.remove(str(PROJECT))


def invoke(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(route_explorer, ["check", *args])


def flask_check(cwd: Path, app: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "PYTHONPATH", "FLASK_RUN_FROM_CLI")}
    return subprocess.run(
        [FLASK, "--app", app, "route-explorer", "check", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_text_output_lines_fixes_and_summary(project_app: Flask) -> None:
    result = invoke(project_app)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    findings = [LINE.match(line) for line in lines if not line.startswith("    ")][:-1]
    assert all(findings), [line for line in lines if not line.startswith("    ") and not LINE.match(line)]
    assert len(findings) >= 40
    view_class = lines.index(next(line for line in lines if "'ItemAPI'" in line))
    assert lines[view_class + 1] == '    fix: url_for("api.items")'
    assert re.fullmatch(
        r"22 files, 127 url_for calls checked, 4 unverifiable \([^()]*--show-dynamic lists them\), \d+ findings\.",
        lines[-1],
    )


def test_clean_code_exits_zero(project_app: Flask) -> None:
    result = invoke(project_app, *CLEAN)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"2 files, 22 url_for calls checked, 1 unverifiable ({DISPLAYED_PACKAGE}/templates/clean.html:13; "
        "--show-dynamic lists it), 0 findings.\n"
    )


def test_the_summary_says_where_the_unverifiable_calls_are(project_app: Flask) -> None:
    lines = invoke(project_app).output.splitlines()
    assert (
        f"4 unverifiable ({DISPLAYED_PACKAGE}/helpers.py:16, {DISPLAYED_PACKAGE}/helpers.py:17, "
        f"{DISPLAYED_PACKAGE}/templates/clean.html:13 and 1 more; --show-dynamic lists them), "
    ) in lines[-1]
    listed = invoke(project_app, "--show-dynamic").output.splitlines()
    assert len([line for line in listed if ": unverifiable: " in line]) == 4
    assert ", 4 unverifiable, " in listed[-1]


def test_show_dynamic_lists_unverifiable_calls(project_app: Flask) -> None:
    result = invoke(project_app, "--show-dynamic", *CLEAN)
    assert re.search(r"clean\.html:13:13: unverifiable: endpoint is not a literal string", result.output)


def test_json_output_has_exactly_the_keys(project_app: Flask) -> None:
    for args in (["--json"], ["--format", "json"]):
        result = invoke(project_app, *args)
        assert result.exit_code == 1
        data = json.loads(result.stdout)
        assert len(data) >= 40
        assert all(
            list(item) == ["file", "line", "column", "code", "kind", "endpoint", "message", "suggestion", "fix"]
            for item in data
        )
    clean = invoke(project_app, "--json", *CLEAN)
    assert clean.exit_code == 0 and json.loads(clean.stdout) == []


def test_with_json_dynamic_calls_and_skipped_files_go_to_stderr(project_app: Flask, tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n    url_for('index')\n", encoding="utf-8")
    result = invoke(project_app, "--json", "--show-dynamic", *CLEAN, str(tmp_path))
    assert json.loads(result.stdout) == []
    assert re.search(r"clean\.html:13:13: unverifiable: endpoint is not a literal string", result.stderr)
    assert re.search(r"broken\.py: skipped, does not parse", result.stderr)
    assert result.stderr.endswith(
        "3 files, 22 url_for calls checked, 1 unverifiable, 0 findings, 1 file skipped (parse error).\n"
    )


def test_github_format_annotates_dynamic_calls_and_skipped_files(project_app: Flask, tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n    url_for('index')\n", encoding="utf-8")
    result = invoke(project_app, "--format", "github", "--show-dynamic", *CLEAN, str(tmp_path))
    assert result.exit_code == 0
    (notice,) = result.stdout.splitlines()  # stdout: the findings and, with --show-dynamic, the notices
    assert re.fullmatch(
        r"::notice file=[^,]*clean\.html,line=13,col=13,title=unverifiable url_for::endpoint is not a literal string",
        notice,
    )
    warning, summary = result.stderr.splitlines()  # as the README says: skipped files go to stderr
    assert re.fullmatch(r"::warning file=[^,]*broken\.py,title=not checked::does not parse \(SyntaxError.*\)", warning)
    assert summary.endswith("1 file skipped (parse error).")


def test_github_annotations(project_app: Flask) -> None:
    result = invoke(project_app, "--format", "github", str(PACKAGE / "views.py"))
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert re.match(r"::error file=[^,]*views\.py,line=13,col=9,title=RE001::There is no endpoint '\.abuot'", first)


def test_github_escaping() -> None:
    finding = Finding(
        file="a,b:c.py",
        line=3,
        column=7,
        code="RE003",
        kind="missing_parameters",
        endpoint="x",
        message="100% wrong\r\nsecond line",
        fix="url_for('x', a=1)",
    )
    assert github_annotation(finding) == (
        "::error file=a%2Cb%3Ac.py,line=3,col=7,title=RE003::100%25 wrong%0D%0Asecond line%0AFix: url_for('x', a=1)"
    )
    unused = Finding(file="v.py", line=1, column=1, code="RE009", kind=None, endpoint="x", message="unused")
    assert github_annotation(unused).startswith("::notice ")


def test_missing_path_exits_two(project_app: Flask) -> None:
    result = invoke(project_app, "no/such/dir")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_the_command_is_listed_by_the_flask_cli(project_app: Flask) -> None:
    result = project_app.test_cli_runner().invoke(route_explorer, ["check", "--help"])
    assert result.exit_code == 0
    for option in ("--json", "--format", "--fix", "--diff", "--unused", "--show-dynamic"):
        assert option in result.output


# --- As a real ``flask`` command --------------------------------------------------------------


def test_real_command_on_the_fixture(tmp_path: Path) -> None:
    result = flask_check(PROJECT, "checkproj:create_app", "--format", "github")
    assert result.returncode == 1, result.stderr
    assert result.stdout.count("::error ") >= 40
    assert "file=checkproj/views.py,line=18,col=9,title=RE001::" in result.stdout


def test_real_command_on_the_demo_app() -> None:
    root = Path(__file__).resolve().parent.parent
    result = flask_check(root, "demo_app:create_app")
    assert result.returncode == 1, result.stderr
    assert [line.split(" ")[0:2] for line in result.stdout.splitlines() if LINE.match(line)] == [
        ["demo_app/templates/dashboard.html:8:18:", "RE001"],
        ["demo_app/views.py:28:21:", "RE001"],
    ]


def test_app_that_cannot_be_imported_exits_two(tmp_path: Path) -> None:
    missing = flask_check(tmp_path, "no_such_module")
    assert missing.returncode == 2
    assert "Error: could not import the app: Could not import 'no_such_module'." in missing.stderr
    (tmp_path / "crashing.py").write_text("raise RuntimeError('database is down')\n", encoding="utf-8")
    crashing = flask_check(tmp_path, "crashing")
    assert crashing.returncode == 2
    assert "could not import the app: RuntimeError: database is down" in crashing.stderr
    assert "Traceback" not in crashing.stderr


NOISY_APP = """
import click
from flask import Flask, url_for

print("importing the app")


def create_app():
    print("creating the app")
    click.echo("creating the app, through click")
    app = Flask(__name__)

    @app.url_defaults
    def chatty(endpoint, values):
        print("building a URL for", endpoint)

    @app.route("/")
    def index():
        return url_for("about") + url_for("nowhere")

    @app.route("/about")
    def about():
        return "about"

    return app
"""


@pytest.mark.parametrize("output_format", ["json", "github"])
def test_stdout_holds_only_the_report_when_the_app_prints(tmp_path: Path, output_format: str) -> None:
    (tmp_path / "noisy.py").write_text(NOISY_APP, encoding="utf-8")
    result = flask_check(tmp_path, "noisy:create_app", "--format", output_format)
    assert result.returncode == 1, result.stderr
    if output_format == "json":
        assert [(item["code"], item["endpoint"]) for item in json.loads(result.stdout)] == [("RE001", "nowhere")]
    else:
        assert [line.split(" ")[0] for line in result.stdout.splitlines()] == ["::error"]
    for printed in ("importing the app", "creating the app", "creating the app, through click", "building a URL"):
        assert printed in result.stderr
    assert "findings" not in result.stdout


def test_unused_endpoints_are_information(tmp_path: Path) -> None:
    (tmp_path / "mini.py").write_text(
        textwrap.dedent(
            """
            from flask import Flask, url_for

            app = Flask(__name__)


            @app.route("/")
            def index():
                return url_for("about")


            @app.route("/about")
            def about():
                return "about"


            @app.route("/never")
            def never():
                return "never"
            """
        ),
        encoding="utf-8",
    )
    plain = flask_check(tmp_path, "mini")
    assert plain.returncode == 0 and "0 findings." in plain.stdout
    result = flask_check(tmp_path, "mini", "--unused")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^mini\.py:17:1: RE009 Endpoint 'never' \(/never\) is never referenced", result.stdout, re.M)
    assert re.search(r"^mini\.py:7:1: RE009 Endpoint 'index'", result.stdout, re.M)
    assert "0 findings, 2 unused endpoints." in result.stdout


HOOKED_APP = """
from flask import Blueprint, Flask, url_for

users = Blueprint("users", __name__, url_prefix="/users")


@users.route("/<int:user_id>")
def profile(user_id):
    return "profile"


def create_app():
    app = Flask(__name__)
    app.register_blueprint(users)

    @app.url_defaults
    def add_language_code(endpoint, values):
        if HOOK_STEPS_ASIDE and endpoint not in app.view_functions:
            return
        if app.url_map.is_endpoint_expecting(endpoint, "lang_code"):  # KeyError for an unknown endpoint
            values.setdefault("lang_code", "en")

    @app.route("/<lang_code>/about")
    def about(lang_code):
        return url_for("profile", user_id=1) + url_for("abut")

    return app
"""


@pytest.mark.parametrize("steps_aside", [False, True])
def test_a_raising_url_defaults_hook_changes_neither_the_findings_nor_the_fix(
    tmp_path: Path, steps_aside: bool
) -> None:
    """Issue 11: a hook that raises KeyError for unknown endpoints must not blind ``check`` or ``--fix``."""
    source = HOOKED_APP.replace("HOOK_STEPS_ASIDE", str(steps_aside))
    (tmp_path / "hooked.py").write_text(source, encoding="utf-8")
    found = flask_check(tmp_path, "hooked:create_app", "--json")
    assert found.returncode == 1, found.stderr
    findings = [(f["line"], f["code"], f["kind"], f["suggestion"], f["fix"]) for f in json.loads(found.stdout)]
    assert findings == [
        (25, "RE001", "missing_blueprint_prefix", "users.profile", 'url_for("users.profile", user_id=1)'),
        (25, "RE001", "unknown_endpoint", "about", 'url_for("about")'),
    ]
    messages = {f["kind"]: f["message"] for f in json.loads(found.stdout)}
    assert ("add_language_code" in messages["unknown_endpoint"]) is not steps_aside  # the hook, a secondary fact
    assert messages["unknown_endpoint"].startswith("There is no endpoint 'abut'.")
    fixed = flask_check(tmp_path, "hooked:create_app", "--fix")
    assert "fixed 'profile' -> 'users.profile'" in fixed.stdout, fixed.stdout + fixed.stderr
    assert 'url_for("users.profile", user_id=1) + url_for("abut")' in (tmp_path / "hooked.py").read_text()


def _finding(**fields: t.Any) -> Finding:
    base = dict(file="a.py", line=3, column=7, code="RE003", kind="missing_parameters", endpoint="users.profile")
    return Finding(**base, message="'users.profile' needs user_id.", **fields)


def test_a_real_finding_carries_the_engines_placeholders_and_test(tmp_path: Path) -> None:
    from flask import Flask

    from flask_route_explorer import check

    app = Flask(__name__)
    app.add_url_rule("/users/<int:user_id>", "profile", lambda user_id: "")
    source = tmp_path / "views.py"
    source.write_text('from flask import url_for\n\n\ndef view():\n    return url_for("profile")\n')
    [finding] = check(app, [str(source)])
    assert finding.placeholders == ("USER_ID",) and "USER_ID" in (finding.fix or "")
    assert finding.regression_test is not None and "def test_" in finding.regression_test


def test_check_labels_a_fix_with_placeholders_as_a_template() -> None:
    from flask_route_explorer.cli.check import fix_hint

    template = _finding(fix="url_for('users.profile', user_id=USER_ID)", placeholders=("USER_ID",))
    assert fix_hint(template) == "    fix (a template: fill in USER_ID): url_for('users.profile', user_id=USER_ID)"
    verified = _finding(fix="url_for('users.profile', user_id=user.id)")
    assert fix_hint(verified) == "    fix: url_for('users.profile', user_id=user.id)"


def test_check_show_tests_prints_the_regression_test_under_the_fix() -> None:
    from flask_route_explorer.checker import CheckReport, Findings, FixResult
    from flask_route_explorer.cli.check import _print_report

    test = "def test_it(app):\n    with app.test_request_context():\n        assert url_for('users.profile', user_id=1) == '/users/1'\n"
    finding = _finding(fix="url_for('users.profile', user_id=1)", regression_test=test)
    report = CheckReport(files=1, calls=1, findings=Findings([finding]))
    runner = CliRunner()

    def show(show_tests: bool) -> str:
        with runner.isolation() as (out, *_):
            _print_report(
                report, FixResult(), "text", written=False, show_diff=False, show_dynamic=False, show_tests=show_tests
            )
            return out.getvalue().decode()

    shown = show(True).splitlines()
    assert shown[1:6] == [
        "    fix: url_for('users.profile', user_id=1)",
        "    test (pytest, for tests/):",
        "        def test_it(app):",
        "            with app.test_request_context():",
        "                assert url_for('users.profile', user_id=1) == '/users/1'",
    ]
    assert "test (pytest" not in show(False)
