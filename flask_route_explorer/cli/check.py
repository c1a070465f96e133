"""``flask route-explorer check``: the static url_for checker's command-line face.

A plain command (not an app-context one) so that an app that cannot be imported exits with 2 and a
clear message, like any other usage error, instead of a traceback.
"""

from __future__ import annotations

import json
import os
import sys
import typing as t

import click
from flask import Flask
from flask.cli import AppGroup, ScriptInfo, pass_script_info

from ..checker import INFO_CODES, WARNING_CODES, CheckReport, Finding, FixResult, check_report, fix_findings
from ..checker.write import WritePolicy
from ..diagnosis import join_names
from .loading import load_app, report_only_on_stdout
from .output import format_options, workflow_command

#: How many unverifiable calls the summary places (``file:line``) when --show-dynamic does not list them.
SHOWN_UNVERIFIABLE = 3


def register(group: AppGroup) -> None:
    """Add this module's commands to the group."""
    group.add_command(check_command)


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@format_options("the findings")
@click.option("--fix", is_flag=True, help="Rewrite endpoints whose fix is unambiguous, in place.")
@click.option("--diff", "show_diff", is_flag=True, help="Print the unified diff of --fix without writing.")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="The project root: --fix never writes outside it. Default: the current directory.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Let --fix write read-only files, hard-linked files (in place) and files neither under version control "
    "nor under the app's root. Never files outside --root or of installed packages.",
)
@click.option(
    "--rename",
    "renames",
    metavar="OLD=NEW",
    multiple=True,
    callback=lambda _ctx, _param, value: _parse_renames(value),
    help="Report every literal url_for call to endpoint OLD (relative names too) as RE013; with --fix, write NEW "
    "instead. Repeatable. 'flask route-explorer diff' prints this for the endpoints it sees renamed.",
)
@click.option("--unused", is_flag=True, help="Also list endpoints no literal url_for call refers to.")
@click.option(
    "--show-dynamic",
    is_flag=True,
    help="List the calls that cannot be verified statically (a non-literal endpoint; a url_defaults hook that "
    "fails outside a real request): notices with --format github, on stderr with --json.",
)
@click.option(
    "--show-tests",
    is_flag=True,
    help="Print the ready pytest regression test under each fix (text output).",
)
@pass_script_info
def check_command(
    info: ScriptInfo,
    paths: tuple[str, ...],
    as_json: bool,
    output_format: str,
    fix: bool,
    show_diff: bool,
    root: str | None,
    force: bool,
    renames: dict[str, str],
    unused: bool,
    show_dynamic: bool,
    show_tests: bool,
) -> None:
    """Find url_for calls that would fail, in Python files and Jinja templates.

    PATHS default to the app's root path and every template folder of the app and its blueprints.
    --fix writes only under --root, only files git tracks or under the app's root (unless --force),
    never a file of an installed package, and only a file that still holds what the check read.
    Exit status: 0 no findings, 1 findings (or a fix that could not be written), 2 usage error or
    the app could not be imported.
    """
    output_format = "json" if as_json else output_format
    write = fix and not show_diff
    # stdout carries the report alone: what the app prints while it loads, or while its hooks run
    # during the check, goes to stderr (a print at import time would otherwise break --json).
    with report_only_on_stdout():
        app = load_app(info)
        _require_endpoints(app, renames.values())
        policy = WritePolicy.for_project(root or os.getcwd(), app.root_path, force=force)
        report, fixes = _check_and_fix(
            app, list(paths) or None, unused=unused, renames=renames, policy=policy, fix=fix, show_diff=show_diff
        )
    _print_report(
        report,
        fixes,
        output_format,
        written=write,
        show_diff=show_diff,
        show_dynamic=show_dynamic,
        show_tests=show_tests,
    )
    sys.exit(1 if report.errors or (write and fixes.skipped) else 0)


def _parse_renames(values: tuple[str, ...]) -> dict[str, str]:
    """``--rename OLD=NEW`` options as a mapping; a malformed one is a usage error."""
    renames: dict[str, str] = {}
    for value in values:
        old, sep, new = (part.strip() for part in value.partition("="))
        if not (sep and old and new) or old == new:
            raise click.BadParameter(
                f"{value!r}: expected OLD=NEW, two different endpoint names", param_hint="--rename"
            )
        renames[old] = new
    return renames


def _require_endpoints(app: Flask, endpoints: t.Iterable[str]) -> None:
    """Exit 2 unless every new name of ``--rename`` is an endpoint of the app: --fix would write a broken call."""
    missing = sorted({e for e in endpoints if e not in app.view_functions and not _has_rule(app, e)})
    if missing:
        names = ", ".join(map(repr, missing))
        click.echo(f"Error: --rename: the app has no endpoint {names}", err=True)
        sys.exit(2)


def _has_rule(app: Flask, endpoint: str) -> bool:
    """Whether a rule of the app's URL map has ``endpoint`` (a rule without a view function counts)."""
    return any(rule.endpoint == endpoint for rule in app.url_map.iter_rules())


def _check_and_fix(
    app: Flask,
    targets: list[str] | None,
    *,
    unused: bool,
    renames: dict[str, str],
    policy: WritePolicy,
    fix: bool,
    show_diff: bool,
) -> tuple[CheckReport, FixResult]:
    """The report and what --fix did (or --diff would do); after writing, the report of the files as they are now."""
    report = check_report(app, targets, unused=unused, renames=renames)
    write = fix and not show_diff
    fixing = fix or show_diff
    fixes = fix_findings(report.findings, app.jinja_env, write=write, policy=policy) if fixing else FixResult()
    if write and fixes.files:
        # What is left, as the files read now: a fixed endpoint may still miss a variable.
        report = check_report(app, targets, unused=unused, renames=renames)
    return report, fixes


def _print_report(
    report: CheckReport,
    fixes: FixResult,
    output_format: str,
    *,
    written: bool,
    show_diff: bool,
    show_dynamic: bool,
    show_tests: bool = False,
) -> None:
    """stdout carries exactly the chosen output (the diff, the JSON list, the annotations, or the text lines).

    The rest (what was fixed, dynamic calls, skipped files, the summary) goes to stderr beside it,
    except in plain text, where all of it is the output.
    """
    out = sys.stderr if (show_diff or output_format != "text") else sys.stdout
    if show_diff:
        click.echo(fixes.diff, nl=False)
    for line in fix_lines(fixes, written=written):
        click.echo(line, file=out)
    if output_format == "json":
        click.echo(json.dumps([f.to_dict() for f in report.findings], indent=2))
    elif output_format == "github":
        for finding in report.findings:
            click.echo(github_annotation(finding))
        for call in report.unverifiable if show_dynamic else ():
            click.echo(
                workflow_command(
                    "notice",
                    call.reason,
                    file=call.file,
                    line=call.line,
                    column=call.column,
                    title="unverifiable url_for",
                )
            )
        for bad in report.unparsable:
            warning = workflow_command("warning", f"does not parse ({bad.error})", file=bad.file, title="not checked")
            click.echo(warning, file=out)
    else:
        for finding in report.findings:
            _echo_finding(finding, out, show_tests=show_tests)
    if output_format != "github":
        for call in report.unverifiable if show_dynamic else ():
            click.echo(f"{call.file}:{call.line}:{call.column}: unverifiable: {call.reason}", file=out)
        for bad in report.unparsable:
            click.echo(f"{bad.file}: skipped, does not parse ({bad.error})", file=out)
    for folder in report.installed:
        click.echo(f"{folder}: skipped, templates of an installed package", file=out)
    text = summary(report, fixes, written=written, proposed=show_diff, listed_unverifiable=show_dynamic)
    click.echo(text, file=out)


def fix_lines(fixes: FixResult, *, written: bool) -> list[str]:
    """One line per call fixed (when written) and per fix left undone, with the reason."""
    lines = [
        f"{done.file}:{done.line}:{done.column}: {click.style('fixed', fg='green')} {done.endpoint!r} -> {done.replacement!r}"
        for done in (fixes.fixed if written else ())
    ]
    lines.extend(
        f"{f.file}:{f.line}:{f.column}: {click.style('not fixed', fg='yellow')} {f.endpoint!r} -> {f.replacement!r}: {reason}"
        for f, reason in fixes.skipped
    )
    return lines


def _echo_finding(finding: Finding, out: t.IO[str], *, show_tests: bool = False) -> None:
    """A finding as a text line (location in bold, the code coloured), with its fix under it
    (labelled a template when placeholders remain) and, with ``--show-tests``, its regression test."""
    location = click.style(f"{finding.file}:{finding.line}:{finding.column}:", bold=True)
    code = click.style(finding.code, fg="red" if _level(finding) == "error" else "yellow")
    click.echo(f"{location} {code} {finding.message}", file=out)
    hint = fix_hint(finding)
    if hint:
        click.echo(hint, file=out)
    test = finding.regression_test
    if show_tests and finding.fix and test:
        click.echo("    test (pytest, for tests/):", file=out)
        click.echo("\n".join("        " + line if line else "" for line in test.splitlines()), file=out)


def fix_hint(finding: Finding) -> str | None:
    """The line under a finding: ``fix (a template: fill in USER_ID): ...`` when placeholders remain,
    else the finding's own hint (the fix, or the best suggestion)."""
    placeholders = finding.placeholders
    if not finding.fix or not placeholders:
        return finding.hint()
    label = f"    fix (a template: fill in {join_names(placeholders)}): "
    return label + finding.fix.replace("\n", "\n" + " " * len(label))


def summary(
    report: CheckReport, fixes: FixResult, *, written: bool, proposed: bool, listed_unverifiable: bool = False
) -> str:
    """The one-line summary under the findings.

    Unless ``--show-dynamic`` listed them (``listed_unverifiable``), it says where the first
    unverifiable calls are, so that a count alone does not hide them.
    """

    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    errors = len(report.errors)
    parts = [
        count(report.files, "file"),
        count(report.calls, "url_for call") + " checked",
        _unverifiable_count(report, listed=listed_unverifiable),
        count(errors, "finding"),
    ]
    if len(report.findings) > errors:
        parts.append(count(len(report.findings) - errors, "unused endpoint"))
    if report.unparsable:
        parts.append(count(len(report.unparsable), "file") + " skipped (parse error)")
    if report.installed:
        parts.append(count(len(report.installed), "template folder") + " of installed packages skipped")
    text = ", ".join(parts)
    skipped = f", {count(len(fixes.skipped), 'fix')} skipped" if fixes.skipped else ""
    if written:
        text += f"; fixed {count(len(fixes.fixed), 'call')} in {count(len(fixes.files), 'file')}{skipped}, {errors} left for a person"
    elif proposed:
        text += f"; {len(fixes.fixed)} fixable by --fix{skipped}, {errors - len(fixes.fixed)} left for a person"
    return text + "."


def _unverifiable_count(report: CheckReport, *, listed: bool) -> str:
    """``4 unverifiable (a.py:16, a.py:17, b.html:13 and 1 more; --show-dynamic lists them)``.

    The count alone when there are none, or when they are listed above it already.
    """
    count = len(report.unverifiable)
    if not count or listed:
        return f"{count} unverifiable"
    places = [f"{call.file}:{call.line}" for call in report.unverifiable[:SHOWN_UNVERIFIABLE]]
    more = f" and {count - len(places)} more" if count > len(places) else ""
    return f"{count} unverifiable ({', '.join(places)}{more}; --show-dynamic lists {'it' if count == 1 else 'them'})"


def github_annotation(finding: Finding) -> str:
    """One GitHub Actions workflow command (``::error``, ``::warning``, or ``::notice`` for information)."""
    level = _level(finding)
    message = finding.message + (f"\nFix: {finding.fix}" if finding.fix else "")
    return workflow_command(
        level, message, file=finding.file, line=finding.line, column=finding.column, title=finding.code
    )


def _level(finding: Finding) -> str:
    """A finding's level as GitHub Actions names it: ``error``, ``warning`` or ``notice`` (information)."""
    if finding.code in INFO_CODES:
        return "notice"
    return "warning" if finding.code in WARNING_CODES else "error"
