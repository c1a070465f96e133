"""``flask route-explorer list``: the explorer's table in the terminal, or the API's JSON.

The terminal is the developer's own, so this works whatever the debug setting; it asks the same
search core as the page, so a query finds the same routes in the same order.
"""

from __future__ import annotations

import json
import typing as t

import click
from flask import current_app
from flask.cli import AppGroup

from ..inventory import Route, get_inventory
from ..rendering import display_path
from ..search import Hit, search
from .loading import with_app


def register(group: AppGroup) -> None:
    """Add this module's commands to the group."""
    group.add_command(list_command)


@click.command("list")
@click.argument("query", required=False, default="")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON of /_routes/api/routes instead of a table.")
@click.option(
    "--method", "-m", "methods", multiple=True, metavar="METHOD", help="Only rules that accept METHOD (repeatable)."
)
@click.option(
    "--blueprint",
    "-b",
    default=None,
    metavar="NAME",
    help="Only rules of this blueprint and the ones nested in it ('-' for the app's own).",
)
@click.option(
    "--all", "show_all", is_flag=True, help="Include the explorer's and the debug toolbar's rules, and HEAD/OPTIONS."
)
@with_app
def list_command(query: str, as_json: bool, methods: tuple[str, ...], blueprint: str | None, show_all: bool) -> None:
    """List the app's URL rules, optionally searched by QUERY.

    QUERY is typo-tolerant and looks at endpoints, rules, view names and blueprints; a QUERY that
    starts with / is a path, and the rules that would handle it come first (marked *).
    Exits with status 1 when a QUERY or filter matches nothing.
    """
    app = current_app
    result = search(
        get_inventory(app),
        query,
        methods=methods,
        blueprint=blueprint,
        include_internal=show_all,
        per_page=None,
        server_name=app.config.get("SERVER_NAME") or "localhost",
    )
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    elif result.hits:
        click.echo(format_table(result.hits, app.root_path, show_all))
        if result.path_matches:
            click.echo(f"\n* handles {result.query}")
    else:
        click.echo("No routes match." if (query or methods or blueprint) else "No routes were registered.", err=True)
    if not result.hits and (query or methods or blueprint):
        raise SystemExit(1)


def format_table(hits: t.Sequence[Hit], root_path: str | None, all_methods: bool = False) -> str:
    """The rows as aligned columns, like ``flask routes``; Subdomain/Host only when a rule has one."""
    routes = [hit.route for hit in hits]
    headers = ["Endpoint", "Methods", "Rule"]
    has_host = any(r.host for r in routes)
    has_subdomain = any(r.subdomain for r in routes)
    if has_host:
        headers.append("Host")
    elif has_subdomain:
        headers.append("Subdomain")
    headers.append("View")
    rows = []
    for hit in hits:
        route = hit.route
        row = [("* " if hit.matched_path else "") + route.endpoint, _methods(route, all_methods), route.rule]
        if has_host:
            row.append(route.host or "")
        elif has_subdomain:
            row.append(route.subdomain or "")
        row.append(_view(route, root_path))
        rows.append(row)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [line.format(*headers).rstrip(), "  ".join("-" * w for w in widths)]
    out += [line.format(*row).rstrip() for row in rows]
    return "\n".join(out)


def _methods(route: Route, all_methods: bool) -> str:
    methods = route.methods if all_methods else route.visible_methods
    return "ANY" if methods is None else ", ".join(methods)


def _view(route: Route, root_path: str | None) -> str:
    view = route.view
    location = display_path(view.file, root_path)
    if location and view.line:
        location = f"{location}:{view.line}"
    if view.qualname and location:
        return f"{view.qualname} ({location})"
    if view.qualname or location:
        return view.qualname or t.cast(str, location)
    return f"redirect to {route.redirect_to}" if route.redirect_to else "?"
