"""``flask route-explorer diff``: which URLs and ``url_for`` names a change breaks.

The new side is the app as it loads now; the old side is a ``list --json`` document, from a file or
from a git revision (``--against``), which is checked out in a scratch ``git worktree`` where
``flask route-explorer list --json`` runs in a subprocess with the same ``--app``.
Exit status: 0 nothing breaking (or all of it accepted), 1 breaking changes, 2 usage error.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import typing as t
from pathlib import Path

import click
from flask.cli import AppGroup, ScriptInfo, pass_script_info

from ..diff import Change, DiffReport, Severity, accepted, compare, read_accept_file, routes_from_document
from ..inventory import get_inventory
from .loading import report_only_on_stdout
from .output import format_options, workflow_command

_COLOUR = {Severity.BREAKING: "red", Severity.RISKY: "yellow", Severity.ADDITIVE: "green"}
_LEVEL = {Severity.BREAKING: "error", Severity.RISKY: "warning", Severity.ADDITIVE: "notice"}
#: How long the old revision may take to import and list its routes.
EXPORT_TIMEOUT = 300


def register(group: AppGroup) -> None:
    """Add this module's commands to the group."""
    group.add_command(diff_command)


@click.command("diff")
@click.argument("old_json", required=False, type=click.Path(dir_okay=False))
@click.option("--against", "git_ref", metavar="GIT_REF", help="Compare with the app at this git revision instead.")
@format_options("the changes")
@click.option(
    "--accept",
    "accept_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A file of breaking changes to ship anyway, one key per line (as printed after 'accept:').",
)
@pass_script_info
def diff_command(
    info: ScriptInfo,
    old_json: str | None,
    git_ref: str | None,
    as_json: bool,
    output_format: str,
    accept_file: str | None,
) -> None:
    """Compare the app's URL map with an older one: OLD_JSON (from 'list --json') or --against GIT_REF.

    Breaking: a URL that matched now gets 404 or 405, a variable renamed or its converter narrowed,
    an endpoint renamed or removed. Risky: a redirect added, strict_slashes changed, a URL now handled
    elsewhere. Additive: new rules and methods. Exits with 1 on breaking changes not accepted.
    """
    if (old_json is None) == (git_ref is None):
        _usage_error("give either OLD_JSON or --against GIT_REF")
    try:
        with report_only_on_stdout():  # what the app prints while it loads must not precede the JSON
            app = info.load_app()
    except Exception as error:  # any import-time failure is a usage problem for this command
        message = (
            error.format_message() if isinstance(error, click.ClickException) else f"{type(error).__name__}: {error}"
        )
        _usage_error(f"could not import the app: {message}")
    try:
        document = _read_json(old_json) if old_json is not None else routes_at_revision(t.cast(str, git_ref), info)
        old = routes_from_document(document)
        lines = read_accept_file(accept_file) if accept_file else []
    except (OSError, ValueError, click.ClickException) as error:
        _usage_error(error.format_message() if isinstance(error, click.ClickException) else str(error))
    new = routes_from_document([route.to_dict() for route in get_inventory(app).user_routes()])
    report = compare(old, new)
    accepted_changes = {id(c) for c in report.changes if c.severity is Severity.BREAKING and accepted(c, lines)}
    output_format = "json" if as_json else output_format
    out = sys.stdout if output_format == "text" else sys.stderr
    if output_format == "json":
        document = report.to_dict()
        for item, change in zip(document["changes"], report.changes):
            item["accepted"] = id(change) in accepted_changes
        click.echo(json.dumps(document, indent=2))
    elif output_format == "github":
        for change in report.changes:
            click.echo(github_annotation(change, id(change) in accepted_changes))
    else:
        for line in text_lines(report, accepted_changes):
            click.echo(line)
    for line in notes(report, info):
        click.echo(line, file=out)
    click.echo(summary(report, accepted_changes), file=out)
    breaking = [c for c in report.of(Severity.BREAKING) if id(c) not in accepted_changes]
    sys.exit(1 if breaking else 0)


def _usage_error(message: str) -> t.NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def _read_json(path: str) -> t.Any:
    with open(path, encoding="utf-8") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path} is not JSON: {error}") from None


def text_lines(report: DiffReport, accepted_changes: t.Collection[int]) -> list[str]:
    """Changes by severity; each breaking one with the key that accepts it."""
    lines: list[str] = []
    for severity in Severity:
        changes = report.of(severity)
        if not changes:
            continue
        lines.append(click.style(f"{severity.value.capitalize()} ({len(changes)})", fg=_COLOUR[severity], bold=True))
        width = max(len(c.code.value) for c in changes)
        for change in changes:
            mark = " (accepted)" if id(change) in accepted_changes else ""
            lines.append(
                f"  {click.style(change.code.value.ljust(width), fg=_COLOUR[severity])}  {change.message}{mark}"
            )
            if severity is Severity.BREAKING and not mark:
                lines.append(click.style(f"  {'':{width}}  accept: {' '.join(change.key)}", dim=True))
    return lines or ["No changes to the URL map."]


def notes(report: DiffReport, info: ScriptInfo) -> list[str]:
    """What the reader can do about renames, and what could not be compared exactly."""
    lines: list[str] = []
    if report.renames:
        flask = "flask" + (f" --app {shlex.quote(info.app_import_path)}" if info.app_import_path else "")
        renames = " ".join(f"--rename {shlex.quote(f'{old}={new}')}" for old, new in sorted(report.renames.items()))
        lines.append("Endpoints were renamed: url_for calls and templates that use the old names now fail.")
        lines.append(f"  {flask} route-explorer check {renames}          # lists every call that uses an old name")
        lines.append(f"  {flask} route-explorer check {renames} --fix    # rewrites them to the new names")
    if report.stand_ins:
        names = ", ".join(sorted(report.stand_ins))
        lines.append(
            f"Custom converters ({names}) cannot be rebuilt from JSON: they match any one segment, "
            "and a change to one is compared by its text only."
        )
    lines.extend(f"Not compared ({side} map): {rule}: {reason}" for side, rule, reason in report.refused)
    return lines


def summary(report: DiffReport, accepted_changes: t.Collection[int]) -> str:
    breaking = len(report.of(Severity.BREAKING))
    ok = f" ({len(accepted_changes)} accepted)" if accepted_changes else ""
    return (
        f"{breaking} breaking{ok}, {len(report.of(Severity.RISKY))} risky, "
        f"{len(report.of(Severity.ADDITIVE))} additive."
    )


def github_annotation(change: Change, is_accepted: bool) -> str:
    """A GitHub Actions workflow command: error for breaking, warning for risky, notice for additive."""
    level = "notice" if is_accepted else _LEVEL[change.severity]
    title = f"route diff: {change.code.value}" + (" (accepted)" if is_accepted else "")
    return workflow_command(level, change.message, title=title)


def routes_at_revision(ref: str, info: ScriptInfo) -> t.Any:
    """The ``list --json`` document of the app at ``ref``, from a scratch worktree removed afterwards.

    The subprocess runs in the same folder of the checkout as this one, with the same ``--app``
    (an absolute path into this checkout is moved into the scratch one), and the checkout first on
    ``PYTHONPATH``, so that an installed copy of the project does not answer instead.
    """
    top = Path(_git("rev-parse", "--show-toplevel"))
    prefix = _git("rev-parse", "--show-prefix")
    with tempfile.TemporaryDirectory(prefix="route-explorer-diff-") as scratch:
        tree = Path(scratch) / "tree"
        _git("-C", str(top), "worktree", "add", "--detach", "--quiet", str(tree), ref)
        try:
            cwd = tree / prefix
            command = [sys.executable, "-m", "flask"]
            if info.app_import_path:
                command += ["--app", _moved(info.app_import_path, top, tree)]
            command += ["route-explorer", "list", "--json"]
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(cwd), os.environ.get("PYTHONPATH")]))}
            env.pop("FLASK_RUN_FROM_CLI", None)
            done = subprocess.run(
                command, cwd=cwd, env=env, capture_output=True, text=True, timeout=EXPORT_TIMEOUT, check=False
            )
        finally:
            _git("-C", str(top), "worktree", "remove", "--force", str(tree))
    if done.returncode != 0:
        raise click.ClickException(f"could not list the routes at {ref}:\n{done.stderr.strip()[-2000:]}")
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"'list --json' at {ref} did not print JSON: {error}") from None


def _moved(app_import_path: str, top: Path, tree: Path) -> str:
    """``--app`` for the scratch checkout: an absolute path inside this checkout points into the scratch one."""
    path, colon, rest = app_import_path.partition(":")
    if os.path.isabs(path):
        try:
            path = str(tree / Path(path).resolve().relative_to(top.resolve()))
        except ValueError:
            pass
    return path + colon + rest


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    except OSError as error:
        raise click.ClickException(f"git could not run: {error}") from None
    if done.returncode != 0:
        raise click.ClickException(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()
