"""The wheel ships the templates and static files: install it in a fresh venv and serve the explorer."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, start_server, stop_server

pytestmark = pytest.mark.slow

APP = textwrap.dedent(
    """
    import sys

    import flask_route_explorer
    from flask import Flask
    from flask_route_explorer import RouteExplorer

    app = Flask(__name__)
    app.add_url_rule("/", "index", lambda: flask_route_explorer.__file__)
    RouteExplorer(app)

    if __name__ == "__main__":
        app.run(debug=True, port=int(sys.argv[1]), use_reloader=False)
    """
)


def run(command: list[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return int(response.status), response.read()


def test_wheel_serves_explorer_from_a_fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> None:
    work = tmp_path_factory.mktemp("wheel")
    assert not str(work).startswith(str(ROOT))
    dist = work / "dist"
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)], cwd=work)
    (wheel,) = dist.glob("flask_route_explorer-*.whl")

    venv = work / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=work)
    python = venv / "bin" / "python"
    # pip resolves Flask and friends from this machine's configured index and wheel folder.
    run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], cwd=work)

    app_dir = work / "app"
    app_dir.mkdir()
    (app_dir / "wheel_app.py").write_text(APP)
    env = {
        "PYTHONPATH": "",
        "VIRTUAL_ENV": str(venv),
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    server = start_server([str(python), "wheel_app.py", "{port}"], env=env, cwd=app_dir)
    try:
        status, body = get(server.url + "/")
        assert status == 200 and str(venv) in body.decode()  # the installed copy, not the checkout
        status, page = get(server.url + "/_routes/")
        assert status == 200 and b'id="results"' in page
        status, script = get(server.url + "/_routes/static/htmx-2.0.11.min.js")
        assert status == 200 and b"htmx" in script
        status, css = get(server.url + "/_routes/static/explorer.css")
        assert status == 200 and b".routes-table" in css
    finally:
        stop_server(server)
