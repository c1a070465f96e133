"""``--fix`` never loses or misplaces data: where it writes, concurrent writers, failures, links, mode and owner."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
import time
import typing as t
from pathlib import Path

import pytest
from flask import Flask

from flask_route_explorer.checker import Finding, check_report, fix_findings
from flask_route_explorer.checker.write import Refusal, WritePolicy

FLASK = str(Path(sys.executable).with_name("flask"))
SOURCE = "from flask import url_for\n\n\ndef link():\n    return url_for('list_orders')\n"
FIXED = SOURCE.replace("'list_orders'", "'orders'")
#: Concurrent-writer trials: each appends lines while --fix runs on the same file.
TRIALS = 40
APPENDED = 200


@pytest.fixture
def app(make_app: t.Callable[..., Flask]) -> Flask:
    app = make_app(explorer=False)

    @app.route("/orders", endpoint="orders")
    def list_orders() -> str:
        return ""

    return app


def module(folder: Path, name: str = "views.py", text: str = SOURCE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def findings_of(app: Flask, path: Path) -> list[Finding]:
    found = list(check_report(app, [path]).findings)
    assert [f.replacement for f in found] == ["orders"]
    return found


def reasons(result: t.Any) -> list[str]:
    return [reason for _finding, reason in result.skipped]


# --- where it may write ---------------------------------------------------------------------------


def test_nothing_outside_the_project_root_is_written(app: Flask, tmp_path: Path) -> None:
    outside = module(tmp_path / "elsewhere")
    policy = WritePolicy.for_project(str(tmp_path / "project"), str(tmp_path / "project"))
    (tmp_path / "project").mkdir()
    result = fix_findings(findings_of(app, outside), app.jinja_env, policy=policy)
    assert not result.files and reasons(result) == [f"{Refusal.OUTSIDE_ROOT.value} ({policy.root})"]
    assert outside.read_text() == SOURCE


def test_a_symlink_out_of_the_root_is_judged_by_its_target(app: Flask, tmp_path: Path) -> None:
    target = module(tmp_path / "elsewhere")
    link = tmp_path / "project" / "views.py"
    link.parent.mkdir()
    link.symlink_to(target)
    policy = WritePolicy.for_project(str(link.parent), str(link.parent))
    result = fix_findings(findings_of(app, link), app.jinja_env, policy=policy)
    assert reasons(result) == [f"{Refusal.OUTSIDE_ROOT.value} ({policy.root})"] and target.read_text() == SOURCE


def test_an_installed_package_is_never_written_even_inside_the_root(app: Flask, tmp_path: Path) -> None:
    installed = module(tmp_path / ".venv" / "lib" / "python3.11" / "site-packages" / "thirdparty")
    policy = WritePolicy.for_project(str(tmp_path), str(tmp_path), force=True)
    result = fix_findings(findings_of(app, installed), app.jinja_env, policy=policy)
    assert reasons(result) == [Refusal.INSTALLED_PACKAGE.value] and installed.read_text() == SOURCE


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_by_default_only_tracked_files_or_the_apps_own(app: Flask, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    app_root, scripts = tmp_path / "app", tmp_path / "scripts"
    own, untracked, tracked = module(app_root), module(scripts, "untracked.py"), module(scripts, "tracked.py")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "scripts/tracked.py")
    policy = WritePolicy.for_project(str(tmp_path), str(app_root))
    findings = [*findings_of(app, own), *findings_of(app, untracked), *findings_of(app, tracked)]
    result = fix_findings(findings, app.jinja_env, policy=policy)
    assert own.read_text() == FIXED and tracked.read_text() == FIXED and untracked.read_text() == SOURCE
    assert reasons(result) == [Refusal.NOT_TRACKED.value]
    forced = fix_findings(findings_of(app, untracked), app.jinja_env, policy=dataclasses.replace(policy, force=True))
    assert len(forced.fixed) == 1 and untracked.read_text() == FIXED


THIRD_PARTY = textwrap.dedent(
    """
    from flask import Blueprint

    bp = Blueprint("thirdparty", __name__, template_folder="templates")
    """
)
PROJECT_APP = textwrap.dedent(
    """
    from flask import Flask, url_for

    import thirdparty


    def create_app():
        app = Flask(__name__)

        @app.route("/orders", endpoint="orders")
        def list_orders():
            return url_for('list_orders')

        app.register_blueprint(thirdparty.bp)
        return app
    """
)


def test_the_cli_reports_a_site_packages_template_and_never_rewrites_it(tmp_path: Path) -> None:
    """A third-party blueprint's template folder is checked (the default paths) but never written."""
    project = tmp_path / "project"
    packages = project / ".venv" / "lib" / "python3.11" / "site-packages"
    (packages / "thirdparty" / "templates").mkdir(parents=True)
    (packages / "thirdparty" / "__init__.py").write_text(THIRD_PARTY)
    template = packages / "thirdparty" / "templates" / "widget.html"
    template.write_text("<a href=\"{{ url_for('list_orders') }}\">orders</a>\n")
    (project / "shop.py").write_text(PROJECT_APP)
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "FLASK_RUN_FROM_CLI")}
    env["PYTHONPATH"] = str(packages)
    done = subprocess.run(
        [FLASK, "--app", "shop:create_app", "route-explorer", "check", "--fix"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert template.read_text() == "<a href=\"{{ url_for('list_orders') }}\">orders</a>\n"
    assert "url_for('orders')" in (project / "shop.py").read_text()  # the project's own file is fixed
    assert f"not fixed 'list_orders' -> 'orders': {Refusal.INSTALLED_PACKAGE.value}" in done.stdout
    assert done.returncode == 1


# --- a file that changes meanwhile ------------------------------------------------------------------


def _append_lines(path: Path, stop: threading.Event, written: list[int], pause: float) -> None:
    """Another program's writes: open, append one line, close (as ``echo >> file`` does)."""
    number = 0
    while not stop.is_set() and number < APPENDED:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"# appended {number}\n")
        written.append(number)
        number += 1
        time.sleep(pause)


@pytest.mark.parametrize("since_check", [True, False], ids=["check-then-write", "write-window"])
def test_a_concurrent_writer_never_loses_a_line(app: Flask, tmp_path: Path, since_check: bool) -> None:
    """Lines appended while --fix runs all survive; a file that changed is skipped and reported.

    ``write-window`` drops the check's hash so that the rewrite itself races the writer.
    """
    outcomes = {"fixed": 0, "skipped": 0}
    for trial in range(TRIALS):
        path = module(tmp_path / f"trial{trial}")
        found = findings_of(app, path)
        if not since_check:
            found = [dataclasses.replace(f, digest=None) for f in found]
        stop, written = threading.Event(), []
        pause = (0.0001, 0.001, 0.01, 0.03)[trial % 4]  # some fixes fit between two lines, some do not
        writer = threading.Thread(target=_append_lines, args=(path, stop, written, pause))
        writer.start()
        time.sleep(0.001 * (trial % 3))
        result = fix_findings(found, app.jinja_env)
        time.sleep(0.005)
        stop.set()
        writer.join()
        text = path.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if line.startswith("# appended ")]
        assert sorted(int(line.split()[-1]) for line in lines) == sorted(written), f"trial {trial}"
        if result.fixed:
            assert "url_for('orders')" in text
            outcomes["fixed"] += 1
        else:
            assert "url_for('list_orders')" in text
            assert reasons(result)[0].startswith("the file changed")
            outcomes["skipped"] += 1
    print(f"{TRIALS} trials: {outcomes}")


@pytest.mark.parametrize("moment", ["before the last check", "between the last check and the replace"])
def test_a_line_written_in_the_instant_of_the_replace_is_kept(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    """The narrowest windows, hit on purpose: the write is refused, or the line is carried over."""
    from flask_route_explorer.checker import write

    path = module(tmp_path)
    found = findings_of(app, path)
    real_replace, real_chmod = os.replace, os.chmod

    def append_then(function: t.Callable[[str, t.Any], None]) -> t.Callable[[str, t.Any], None]:
        def run(first: str, second: t.Any) -> None:
            with open(path, "a", encoding="utf-8") as f:
                f.write("# written meanwhile\n")
            function(first, second)

        return run

    if moment == "before the last check":
        monkeypatch.setattr(write.os, "chmod", append_then(real_chmod))
    else:
        monkeypatch.setattr(write.os, "replace", append_then(real_replace))
    result = fix_findings(found, app.jinja_env)
    monkeypatch.undo()
    text = path.read_text()
    assert text.endswith("# written meanwhile\n") and text.count("# written meanwhile") == 1
    if moment == "before the last check":
        assert reasons(result) == ["the file changed while it was being fixed"] and "'list_orders'" in text
    else:
        assert len(result.fixed) == 1 and text == FIXED + "# written meanwhile\n"
    assert [p.name for p in tmp_path.iterdir()] == ["views.py"]  # no temporary file left behind


def test_a_file_changed_between_check_and_fix_is_skipped_even_when_the_endpoint_did_not_move(
    app: Flask, tmp_path: Path
) -> None:
    """The offsets still hold the old endpoint, but a line was added at the end: the hash says so."""
    path = module(tmp_path)
    found = findings_of(app, path)
    with open(path, "a", encoding="utf-8") as f:
        f.write("# added after the check\n")
    result = fix_findings(found, app.jinja_env)
    assert reasons(result) == ["the file changed since it was checked"]
    assert path.read_text() == SOURCE + "# added after the check\n"


# --- links, mode, owner ----------------------------------------------------------------------------


def test_a_symlink_is_written_through_and_stays_a_link(app: Flask, tmp_path: Path) -> None:
    target = module(tmp_path / "real")
    link = tmp_path / "views.py"
    link.symlink_to(target)
    result = fix_findings(findings_of(app, link), app.jinja_env)
    assert len(result.fixed) == 1
    assert link.is_symlink() and os.readlink(link) == str(target) and target.read_text() == FIXED


def test_a_hard_linked_file_is_refused_unless_forced_then_keeps_its_inode(app: Flask, tmp_path: Path) -> None:
    path = module(tmp_path)
    other = tmp_path / "other-name.py"
    os.link(path, other)
    refused = fix_findings(findings_of(app, path), app.jinja_env)
    assert reasons(refused) == [Refusal.HARD_LINKED.value] and path.read_text() == SOURCE
    inode = path.stat().st_ino
    forced = fix_findings(findings_of(app, path), app.jinja_env, policy=WritePolicy(force=True))
    assert len(forced.fixed) == 1
    assert path.stat().st_ino == other.stat().st_ino == inode and other.read_text() == FIXED


def test_a_read_only_file_is_refused_unless_forced_and_keeps_its_mode(app: Flask, tmp_path: Path) -> None:
    path = module(tmp_path)
    path.chmod(0o444)
    refused = fix_findings(findings_of(app, path), app.jinja_env)
    assert reasons(refused) == [Refusal.READ_ONLY.value] and path.read_text() == SOURCE
    forced = fix_findings(findings_of(app, path), app.jinja_env, policy=WritePolicy(force=True))
    assert len(forced.fixed) == 1 and path.read_text() == FIXED
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file to another user")
def test_the_owner_is_kept(app: Flask, tmp_path: Path) -> None:
    path = module(tmp_path)
    os.chown(path, 1234, 4321)
    path.chmod(0o664)
    assert len(fix_findings(findings_of(app, path), app.jinja_env).fixed) == 1
    status = path.stat()
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (1234, 4321, 0o664)


# --- a folder it cannot write ----------------------------------------------------------------------


@contextlib.contextmanager
def read_only_folder(folder: Path) -> t.Iterator[None]:
    """No new file can be made in ``folder``: immutable for root (which ignores modes), mode 0555 otherwise."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)]).returncode != 0:
            pytest.skip("root, and the folder cannot be made immutable")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        return
    folder.chmod(0o555)
    try:
        yield
    finally:
        folder.chmod(0o755)


def test_a_read_only_folder_is_reported_file_by_file_without_a_traceback(tmp_path: Path) -> None:
    project = tmp_path / "checkproj"
    shutil.copytree(
        Path(__file__).parent / "fixtures" / "checkproj", project, ignore=shutil.ignore_patterns("__pycache__")
    )
    locked = project / "checkproj" / "shop" / "templates" / "shop"
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "PYTHONPATH", "FLASK_RUN_FROM_CLI")}
    with read_only_folder(locked):
        done = subprocess.run(
            [FLASK, "--app", "checkproj:create_app", "route-explorer", "check", "--fix"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    output = done.stdout + done.stderr
    assert done.returncode == 1 and "Traceback" not in output, output
    not_written = [line for line in done.stdout.splitlines() if "cannot write the file" in line]
    assert not_written and all(line.startswith("checkproj/shop/templates/shop/") for line in not_written)
    fixed = [line for line in done.stdout.splitlines() if ": fixed " in line]
    assert fixed and not any("shop/templates/shop/" in line for line in fixed)  # the others are written and said
    assert "skipped" in done.stdout.splitlines()[-1]
