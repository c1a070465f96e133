"""``flask route-explorer match`` and ``build``: the live testers in the terminal.

Same engine as the pages (:mod:`flask_route_explorer.routing`), same JSON with ``--json``; exit
status 0 when the path is handled or the URL builds and leads back to its endpoint, 1 otherwise, so
scripts and CI can use them.
"""

from __future__ import annotations

import json
import typing as t

import click
from flask import current_app
from flask.cli import AppGroup

from .. import routing
from ..diagnosis import Diagnosis, join_names, report
from ..rendering import display_path
from .loading import with_app

_STATUS_COLOUR = {200: "green", 308: "blue", 405: "yellow"}


def register(group: AppGroup) -> None:
    """Add this module's commands to the group."""
    group.add_command(match_command)
    group.add_command(build_command)


def _label(text: str) -> str:
    return click.style(f"  {text:<11}", dim=True)


@click.command("match")
@click.argument("path")
@click.option("--method", "-m", default="GET", show_default=True, help="The request method.")
@click.option("--host", default=None, help="The request host, for apps that match hosts or subdomains.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON of /_routes/api/match instead.")
@with_app
def match_command(path: str, method: str, host: str | None, as_json: bool) -> None:
    """Show which rule handles PATH, or why the nearest rules do not.

    Werkzeug's own matcher decides, exactly as for a request; no view runs. PATH may be a full URL.
    Exits with status 0 when a rule handles PATH, 1 otherwise (404, 405, a 308 redirect, 400 for a
    WebSocket rule, 500 when a converter of the app raises).
    """
    result = routing.match(current_app, path, method=method, host=host)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(format_match(result, current_app.root_path))
    raise SystemExit(0 if result.ok else 1)


def format_match(result: routing.MatchResult, root_path: str | None) -> str:
    """The path tester's answer as terminal text."""
    if result.error is not None:
        return click.style("Input refused: ", fg="red", bold=True) + result.error
    status = click.style(
        f"{result.status} {routing.STATUS_TEXTS.get(result.status, 'No match')}",
        fg=_STATUS_COLOUR.get(result.status, "red"),
        bold=True,
    )
    lines = [f"{status}  {result.method} {result.path}" + (f"  (host {result.host})" if result.host else "")]
    if result.status == 200 and result.view is not None:
        view = result.view
        where = display_path(view.file, root_path)
        lines.append(_label("endpoint") + str(result.endpoint))
        lines.append(_label("rule") + str(result.rule))
        lines.append(_label("methods") + (", ".join(result.allowed_methods) or "any"))
        if view.qualname:
            lines.append(
                _label("view") + f"{view.module}.{view.qualname}" + (f"  {where}:{view.line}" if where else "")
            )
        types = result.value_types
        for name, value in result.values.items():
            lines.append(_label("value") + f"{name} = {value!r} ({types[name]})")
    elif result.status == 308:
        lines.append(_label("redirects") + str(result.redirect_to))
    elif result.status == 405:
        lines.append(_label("allowed") + ", ".join(result.allowed_methods))
    if result.near:
        lines.append("")
        lines.append("Other rules for this path:" if result.ok else "Nearest rules:")
        width = max(len(n.rule) for n in result.near)
        for near in result.near:
            lines.append(f"  {near.rule:<{width}}  {click.style(near.endpoint, bold=True)}")
            lines.append(f"  {'':<{width}}  {near.reason}")
    elif result.status == 404:
        lines.append("No rule comes close.")
    return "\n".join(lines)


def _pairs(pairs: t.Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="VALUES")
        values[name] = value
    return values


@click.command("build")
@click.argument("endpoint")
@click.argument("values", nargs=-1, metavar="[NAME=VALUE]...")
@click.option("--method", "-m", default=None, help="_method: build the rule that takes this method.")
@click.option("--external", is_flag=True, help="_external=True: include scheme and host.")
@click.option("--scheme", default=None, help="_scheme (with --external).")
@click.option("--anchor", default=None, help="_anchor: the #fragment.")
@click.option("--blueprint", "-b", default=None, help="Resolve a relative .name as inside a request of this blueprint.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON of /_routes/api/build instead.")
@with_app
def build_command(
    endpoint: str,
    values: tuple[str, ...],
    method: str | None,
    external: bool,
    scheme: str | None,
    anchor: str | None,
    blueprint: str | None,
    as_json: bool,
) -> None:
    """Build the URL of ENDPOINT with NAME=VALUE values, as url_for would in a request.

    The app's url_defaults hooks run; the URL is matched back to check it reaches the same endpoint
    with the same values. Exits with status 0 when the URL builds and its round trip holds, 1 with
    the diagnosis (or the round trip's problem) otherwise: a URL the app would not route back is broken.
    """
    result = routing.build(
        current_app,
        endpoint,
        _pairs(values),
        method=method,
        external=external,
        scheme=scheme,
        anchor=anchor,
        blueprint=blueprint,
    )
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(format_build(result))
    raise SystemExit(0 if result.ok and (result.roundtrip is None or result.roundtrip.ok) else 1)


def format_build(result: routing.BuildResult) -> str:
    """The URL-build tester's answer as terminal text: the URL first, so it is easy to pick out."""
    if result.error is not None:
        return click.style("Input refused: ", fg="red", bold=True) + result.error
    if result.ok:
        lines = [click.style(str(result.url), bold=True)]
        trip = result.roundtrip
        if trip is not None and trip.ok:
            shown = ", ".join(f"{name}={value!r}" for name, value in trip.values.items())
            lines.append(
                _label("round trip")
                + click.style("ok", fg="green")
                + f"  {trip.endpoint}"
                + (f"  {shown}" if shown else "")
            )
        elif trip is not None:
            lines.append(_label("round trip") + click.style("fails", fg="yellow", bold=True) + f"  {trip.problem}")
        lines.append(_label("python") + result.python_call)
        lines.append(_label("jinja") + result.jinja_call)
        return "\n".join(lines)
    diagnosis = result.diagnosis
    lines = [click.style("Cannot build ", fg="red", bold=True) + result.python_call]
    if diagnosis is None:
        return "\n".join(lines)
    lines.append(_label("kind") + diagnosis.kind)
    lines.append(_label("why") + diagnosis.explanation)
    if diagnosis.missing:
        lines.append(_label("missing") + ", ".join(diagnosis.missing))
    lines.extend(_fix_lines(diagnosis))
    if diagnosis.suggestions and not diagnosis.guess:
        lines.append("")
        lines.append("Did you mean:")
        width = max(len(s.endpoint) for s in diagnosis.suggestions)
        for suggestion in diagnosis.suggestions:
            lines.append(
                f"  {suggestion.endpoint:<{width}}  {suggestion.rule}  {click.style(suggestion.reason, dim=True)}"
            )
    return "\n".join(lines)


def _fix_lines(diagnosis: Diagnosis) -> list[str]:
    """The fix by what it is (verified, or a template built with sample values), its regression
    test under it; a guess is said to be one, and no fix is printed for it."""
    if diagnosis.fix is None:
        guess = report.guess_text(diagnosis)
        return [_label("guess") + click.style(guess, fg="yellow")] if guess else []
    if diagnosis.verified:
        lines = [_label("fix") + click.style(diagnosis.fix, fg="green") + click.style("  verified to build", dim=True)]
    else:
        template = f"  a template: fill in {join_names(diagnosis.placeholders)}"
        lines = [_label("fix") + click.style(diagnosis.fix, fg="yellow") + click.style(template, fg="yellow")]
    if diagnosis.fix_url is not None:
        lines.append(_label("builds" if diagnosis.verified else "sample") + _built(diagnosis))
    if diagnosis.regression_test:
        lines.append(_label("test") + click.style("pytest, for tests/: the fixed call must build this URL", dim=True))
        lines.extend("    " + line if line else "" for line in diagnosis.regression_test.splitlines())
    return lines


def _built(diagnosis: Diagnosis) -> str:
    """The fix's URL; for a template, with the sample values it was built with."""
    if diagnosis.verified:
        return str(diagnosis.fix_url)
    samples = ", ".join(f"{name}={value!r}" for name, value in report.sample_values(diagnosis).items())
    return f"{diagnosis.fix_url}  (built with sample values: {samples})"
