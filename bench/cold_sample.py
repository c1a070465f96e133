"""One cold-start sample, run in a fresh process: ``python -m bench.cold_sample PROJECT_DIR``.

Imports the generated app (as the reloader's new process does), then times Flask's ``flask routes``
and the first ``/_routes/`` in this same process, and prints both in seconds as JSON.
"""

from __future__ import annotations

import json
import sys
import time
import typing as t

from flask import Flask
from flask.cli import ScriptInfo, routes_command


def _seconds(func: t.Callable[[], None]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def sample(project: str) -> dict[str, float]:
    """Seconds for ``flask routes`` and for the first ``/_routes/`` of a freshly imported app."""
    sys.path.insert(0, project)
    from coldapp import create_app  # type: ignore[import-not-found]  # written by bench.module_app

    from flask_route_explorer import RouteExplorer

    app: Flask = create_app()
    app.config["ROUTE_EXPLORER_ENABLED"] = True
    app.debug = True
    RouteExplorer(app)
    runner = app.test_cli_runner()
    info = ScriptInfo(create_app=lambda: app, set_debug_flag=False)
    client = app.test_client()

    def flask_routes() -> None:
        result = runner.invoke(routes_command, [], obj=info)
        assert result.exit_code == 0, result.output

    def first_page() -> None:
        response = client.get("/_routes/")
        assert response.status_code == 200, response.status_code

    return {"flask_routes": _seconds(flask_routes), "page": _seconds(first_page)}


if __name__ == "__main__":
    print(json.dumps(sample(sys.argv[1])))
