"""The ``flask route-explorer`` command group, as the ``flask.commands`` entry point loads it.

Flask loads every installed command before it runs any, and one that fails to import breaks every
``flask`` command of the app (``flask run`` included). So the group is imported here behind a guard:
on a Flask or Werkzeug older than this package supports, ``flask route-explorer`` says so, and the
app's own commands keep working.
"""

from __future__ import annotations

import click

try:
    from .cli import route_explorer
except Exception as error:  # an unsupported Flask or Werkzeug: never break the host app's commands
    _reason = f"{type(error).__name__}: {error}"

    @click.group("route-explorer", invoke_without_command=True)
    def route_explorer() -> None:
        """flask-route-explorer cannot run with this Flask (it needs Flask 2.2+ and Werkzeug 2.2+)."""
        raise click.ClickException(f"flask-route-explorer needs Flask >= 2.2 and Werkzeug >= 2.2 ({_reason}).")


__all__ = ["route_explorer"]
