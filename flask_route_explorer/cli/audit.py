"""``flask route-explorer audit``: the route audit's command-line face.

Exit status: 1 when there are errors (shadowed or colliding rules, signature mismatches), 0 when
there is only information, 2 when the app cannot be imported or a path does not exist.
"""

from __future__ import annotations

import json
import os
import sys

import click
from flask.cli import AppGroup, ScriptInfo, pass_script_info

from ..auditing import AuditFinding, AuditReport, Severity, audit
from .loading import load_app
from .output import format_options, workflow_command


def register(group: AppGroup) -> None:
    """Add this module's commands to the group."""
    group.add_command(audit_command)


@click.command("audit")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@format_options("the report")
@click.option("--no-references", is_flag=True, help="Do not scan the code and templates for unreferenced endpoints.")
@click.option("--all", "include_internal", is_flag=True, help="Also audit the tools' own rules and 'static'.")
@pass_script_info
def audit_command(
    info: ScriptInfo,
    paths: tuple[str, ...],
    as_json: bool,
    output_format: str,
    no_references: bool,
    include_internal: bool,
) -> None:
    """Find rules that never match, rules that collide, views whose signature disagrees with their
    rule, and endpoints nothing links to.

    PATHS (for url_for references) default to the app's root path and template folders.
    Exit status: 1 errors, 0 information only, 2 usage error or the app could not be imported.
    """
    app = load_app(info)
    report = audit(app, list(paths) or None, references=not no_references, include_internal=include_internal)
    output_format = "json" if as_json else output_format
    if output_format == "json":
        click.echo(json.dumps(report.to_dict(), indent=2))
    elif output_format == "github":
        for finding in report.findings:
            click.echo(github_annotation(finding))
        click.echo(report.summary(), err=True)
    else:
        for finding in report.findings:
            _echo(finding)
        click.echo(report.summary())
    sys.exit(1 if report.errors else 0)


def _echo(finding: AuditFinding) -> None:
    error = finding.severity is Severity.ERROR
    view = finding.route.view
    where = f"{_display(view.file)}:{view.line}" if view.file and view.line else finding.rule
    location = click.style(f"{where}:", bold=True)
    code = click.style(finding.code.value, fg="red" if error else "yellow")
    click.echo(f"{location} {code} {finding.message}")
    if finding.fix:
        click.echo(f"    fix: {finding.fix}")


def _display(path: str) -> str:
    """A path relative to the working directory when under it, as ``check`` prints them."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def github_annotation(finding: AuditFinding) -> str:
    """One workflow command: ``::error`` for errors, ``::notice`` for information."""
    level = "error" if finding.severity is Severity.ERROR else "notice"
    view = finding.route.view
    message = finding.message + (f"\nFix: {finding.fix}" if finding.fix else "")
    title = f"{finding.code.value} {finding.code.slug}"
    return workflow_command(
        level, message, file=_display(view.file) if view.file else finding.rule, line=view.line, title=title
    )


__all__ = ["AuditReport", "audit_command", "github_annotation", "register"]
