"""``--fix``: golden files, idempotence, byte-exact edits, and files left alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import typing as t
from pathlib import Path

import click
import pytest
from flask import Flask

from flask_route_explorer.checker import CheckReport, Finding, Findings, check_report, fix_findings
from flask_route_explorer.cli.check import fix_lines, summary

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = FIXTURES / "checkproj"
GOLDEN = FIXTURES / "checkproj_fixed"
FLASK = str(Path(sys.executable).with_name("flask"))


def copy_project(tmp_path: Path) -> Path:
    target = tmp_path / "checkproj"
    shutil.copytree(PROJECT, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def run_check(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "PYTHONPATH", "FLASK_RUN_FROM_CLI")}
    return subprocess.run(
        [FLASK, "--app", "checkproj:create_app", "route-explorer", "check", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_fix_matches_golden_files_and_is_idempotent(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    first = run_check(project, "--fix")
    assert first.returncode == 1, first.stderr  # the fixture keeps mistakes only a person can fix
    assert "fixed 13 calls in 8 files" in first.stdout
    for path in sorted(p for p in project.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        relative = path.relative_to(project)
        golden = GOLDEN / relative
        expected = golden if golden.exists() else PROJECT / relative
        assert path.read_bytes() == expected.read_bytes(), relative
    before = snapshot(project)
    second = run_check(project, "--fix")
    assert second.returncode == 1
    assert "fixed 0 calls in 0 files" in second.stdout
    assert snapshot(project) == before


def test_diff_prints_the_fix_and_writes_nothing(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    before = snapshot(project)
    result = run_check(project, "--diff")
    assert result.returncode == 1
    assert snapshot(project) == before
    assert result.stdout.startswith("--- a/checkproj/")
    assert '\n-        url_for("ItemAPI")  # expect: RE001\n' in result.stdout
    assert '\n+        url_for("api.items")  # expect: RE001\n' in result.stdout
    assert "13 fixable by --fix" in result.stderr
    # The diff applies cleanly and gives the golden files.
    applied = subprocess.run(
        ["patch", "-p1", "--quiet"], cwd=project, input=result.stdout, text=True, capture_output=True
    )
    if applied.returncode == 127:  # pragma: no cover - no patch(1) on this machine
        pytest.skip("patch is not installed")
    assert applied.returncode == 0, applied.stderr
    assert (project / "checkproj" / "views.py").read_bytes() == (GOLDEN / "checkproj" / "views.py").read_bytes()


@pytest.fixture
def app(make_app: t.Callable[..., Flask]) -> Flask:
    app = make_app(explorer=False)

    @app.route("/orders", endpoint="orders")
    def list_orders() -> str:
        return ""

    return app


SOURCE = (
    "# -*- coding: utf-8 -*-\r\n"
    "from flask import url_for  # héllo\r\n"
    "a = url_for('list_orders')   # keep 'list_orders' here\r\n"
    "b = url_for(\"list_orders\", _anchor='x')\r\n"
    "c = url_for(r'list_orders')\r\n"
    "d = url_for('list_' 'orders')\r\n"
)


def test_fix_changes_only_the_endpoint_text(app: Flask, tmp_path: Path) -> None:
    module = tmp_path / "views.py"
    module.write_bytes(SOURCE.encode("utf-8"))
    module.chmod(0o640)
    report = check_report(app, [module])
    assert [(f.line, f.kind, f.replacement) for f in report.findings] == [
        (3, "view_name_not_endpoint", "orders"),
        (4, "view_name_not_endpoint", "orders"),
        (5, "view_name_not_endpoint", "orders"),
        (6, "view_name_not_endpoint", None),  # implicit concatenation: left for a person
    ]
    result = fix_findings(report.findings, app.jinja_env)
    assert [f.line for f in result.fixed] == [3, 4, 5]
    assert module.read_bytes().decode("utf-8") == (
        "# -*- coding: utf-8 -*-\r\n"
        "from flask import url_for  # héllo\r\n"
        "a = url_for('orders')   # keep 'list_orders' here\r\n"
        "b = url_for(\"orders\", _anchor='x')\r\n"
        "c = url_for(r'orders')\r\n"
        "d = url_for('list_' 'orders')\r\n"
    )
    assert module.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["views.py"]  # no temporary file left behind
    assert not fix_findings(check_report(app, [module]).findings, app.jinja_env).files


def test_fix_in_templates_keeps_the_quote_style(app: Flask, tmp_path: Path) -> None:
    template = tmp_path / "templates" / "page.html"
    template.parent.mkdir()
    template.write_text(
        '<a href="{{ url_for("list_orders") }}">a</a> url_for(\'list_orders\')\n'
        "{% set x = url_for( 'list_orders' ) %}{{ x }}\n",
        encoding="utf-8",
    )
    result = fix_findings(check_report(app, [tmp_path]).findings, app.jinja_env)
    assert len(result.fixed) == 2
    assert template.read_text(encoding="utf-8") == (
        "<a href=\"{{ url_for(\"orders\") }}\">a</a> url_for('list_orders')\n{% set x = url_for( 'orders' ) %}{{ x }}\n"
    )


def _finding(path: Path, span: tuple[int, int]) -> Finding:
    return Finding(
        file=path.name,
        line=1,
        column=5,
        code="RE001",
        kind="view_name_not_endpoint",
        endpoint="list_orders",
        message="",
        replacement="orders",
        span=span,
        path=str(path),
    )


def test_a_file_that_does_not_parse_is_left_untouched(app: Flask, tmp_path: Path) -> None:
    module = tmp_path / "broken.py"
    module.write_text("x = url_for('list_orders'\n", encoding="utf-8")
    before = module.read_bytes()
    assert check_report(app, [module]).unparsable
    result = fix_findings([_finding(module, (13, 24))], app.jinja_env)
    assert result.files == [] and result.skipped[0][1] == "the file does not parse"
    assert module.read_bytes() == before


def test_a_file_changed_since_the_check_is_left_untouched(app: Flask, tmp_path: Path) -> None:
    module = tmp_path / "views.py"
    module.write_text("from flask import url_for\nx = url_for('list_orders')\n", encoding="utf-8")
    (finding,) = check_report(app, [module]).findings
    module.write_text("from flask import url_for\n\nx = url_for('list_orders')\n", encoding="utf-8")
    before = module.read_bytes()
    result = fix_findings([finding], app.jinja_env)
    assert result.files == [] and result.skipped[0][1] == "the file changed since it was checked"
    assert module.read_bytes() == before
    # The CLI says so, and counts it.
    assert [click.unstyle(line) for line in fix_lines(result, written=True)] == [
        f"{finding.file}:2:5: not fixed 'list_orders' -> 'orders': the file changed since it was checked"
    ]
    report = CheckReport(files=1, calls=1, findings=Findings([finding]))
    assert summary(report, result, written=True, proposed=False).endswith(
        "; fixed 0 calls in 0 files, 1 fix skipped, 1 left for a person."
    )
