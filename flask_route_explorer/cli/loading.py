"""Loading the app for a command whose stdout is a report (``--json`` above all).

What the app prints while it is imported, or while its hooks run, goes to stderr: a ``print`` in
``create_app`` would otherwise come first on stdout and break the JSON a script reads. An app that
cannot be imported is a usage error (exit 2), said in one line.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import typing as t

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo

_Command = t.TypeVar("_Command", bound=t.Callable[..., t.Any])


def report_only_on_stdout() -> contextlib.AbstractContextManager[t.Any]:
    """While it is open, what anything prints goes to stderr; the report is written after it."""
    return contextlib.redirect_stdout(sys.stderr)


def load_app(info: ScriptInfo) -> Flask:
    """The app (its prints sent to stderr), or exit 2 with the reason it could not be imported."""
    try:
        with report_only_on_stdout():
            return info.load_app()
    except Exception as error:  # any import-time failure is a usage problem for these commands
        message = (
            error.format_message() if isinstance(error, click.ClickException) else f"{type(error).__name__}: {error}"
        )
        click.echo(f"Error: could not import the app: {message}", err=True)
        sys.exit(2)


def with_app(command: _Command) -> _Command:
    """Flask's ``with_appcontext``, loading the app with :func:`load_app`."""

    @click.pass_context
    @functools.wraps(command)
    def run(ctx: click.Context, /, *args: t.Any, **kwargs: t.Any) -> t.Any:
        if not current_app:
            ctx.with_resource(load_app(ctx.ensure_object(ScriptInfo)).app_context())
        return ctx.invoke(command, *args, **kwargs)

    return t.cast(_Command, functools.update_wrapper(run, command))
