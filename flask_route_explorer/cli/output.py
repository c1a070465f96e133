"""What every report command shares: its ``--json``/``--format`` options and GitHub Actions' syntax."""

from __future__ import annotations

import typing as t

import click

_Command = t.TypeVar("_Command", bound=t.Callable[..., t.Any])


def format_options(what: str) -> t.Callable[[_Command], _Command]:
    """``--json`` and ``--format text|json|github`` for a command that prints ``what``."""

    def decorate(command: _Command) -> _Command:
        command = click.option(
            "--format",
            "output_format",
            type=click.Choice(["text", "json", "github"]),
            default="text",
            show_default=True,
            help="Output: text, JSON, or GitHub Actions annotations.",
        )(command)
        return click.option("--json", "as_json", is_flag=True, help=f"Print {what} as JSON (same as --format json).")(
            command
        )

    return decorate


def _escape_data(text: str) -> str:
    """A workflow command's message escaped, as GitHub Actions reads it (``%``, CR and LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value escaped (``:`` and ``,`` too)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(
    level: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    title: str | None = None,
) -> str:
    """One GitHub Actions workflow command: ``::level file=...,line=...,col=...,title=...::message``."""
    properties = ",".join(
        f"{key}={_escape_property(str(value))}"
        for key, value in (("file", file), ("line", line), ("col", column), ("title", title))
        if value is not None
    )
    return f"::{level} {properties}::{_escape_data(message)}" if properties else f"::{level}::{_escape_data(message)}"
