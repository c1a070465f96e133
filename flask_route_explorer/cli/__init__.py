"""``flask route-explorer ...``: the command-line faces. Works for any app, debug or not."""

from __future__ import annotations

from flask.cli import AppGroup

from . import audit, check, diff, listing, testers

route_explorer = AppGroup("route-explorer", help="Explore, test and check the app's URL rules.")
for _module in (listing, testers, check, audit, diff):
    _module.register(route_explorer)
