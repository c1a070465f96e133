"""Shared fixtures: small apps, the running demo app, and a real headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import typing as t
import urllib.request
from pathlib import Path

import pytest
from flask import Flask

#: pytester runs pytest on small projects (the route coverage plugin's tests).
pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


#: A development tool's rule: the explorer serves its own pages in front of the app, so tests that
#: need an internal rule in the map use the debug toolbar's.
TOOL_RULE = "/_debug_toolbar/static/<path:filename>"
TOOL_ENDPOINT = "_debug_toolbar.static"


#: The keys of ``Diagnosis.to_dict()``: the JSON contract of the error page, the testers and the checker.
DIAGNOSIS_KEYS = {
    "kind",
    "endpoint",
    "explanation",
    "suggestions",
    "missing",
    "unexpected",
    "fix",
    "fix_url",
    "call",
    "placeholders",
    "verified",
    "guess",
    "regression_test",
    "hook_error",
    "incomplete",
}


@pytest.fixture
def make_app() -> t.Callable[..., Flask]:
    """A factory for a bare app with the explorer forced on (debug mode, testing)."""
    from flask_route_explorer import RouteExplorer

    def factory(explorer: bool = True, tool_rule: bool = False, **config: t.Any) -> Flask:
        app = Flask("testapp", root_path=str(ROOT / "tests"))
        app.config.update({"TESTING": True, "DEBUG": True, **config})
        app.debug = bool(app.config["DEBUG"])
        if tool_rule:  # a rule of a development tool (the debug toolbar's), hidden unless asked for
            app.add_url_rule(TOOL_RULE, TOOL_ENDPOINT, lambda filename: filename)
        if explorer:
            RouteExplorer(app)
        return app

    return factory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class Server(t.NamedTuple):
    url: str
    process: subprocess.Popen[bytes]
    #: The server's output goes to a file: a pipe nobody reads until the end fills up (64 KiB of
    #: tracebacks) and blocks the server in the middle of a test.
    log: t.BinaryIO


def start_server(args: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> Server:
    """Start ``flask ... run`` (or any server command) on a free port and wait until it answers."""
    port = free_port()
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env.pop("FLASK_RUN_FROM_CLI", None)
    command = [arg.replace("{port}", str(port)) for arg in args]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop_server, which returns its content
    process = subprocess.Popen(command, cwd=cwd, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_for(server.url + "/")
    except OSError:
        process.kill()
        raise RuntimeError(f"server did not start: {command}\n{stop_server(server)}") from None
    return server


def stop_server(server: Server) -> str:
    """Stop the server and return everything it printed."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    server.log.seek(0)
    output = server.log.read().decode(errors="replace")
    server.log.close()
    return output


@pytest.fixture(scope="session")
def demo_server() -> t.Iterator[str]:
    """The demo app served by ``flask run --debug`` (a real debug start path), as a base URL."""
    flask_bin = str(Path(sys.executable).with_name("flask"))
    server = start_server(
        [flask_bin, "--app", "demo_app:create_app", "run", "--debug", "--no-reload", "--port", "{port}"]
    )
    yield server.url
    stop_server(server)


def _chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> t.Iterator[t.Any]:
    """Debian's Chromium, headless, driven by Playwright. Under CI a missing browser fails."""
    executable = _chromium_path()
    if executable is None:
        message = "chromium is not installed (make test installs it with apt-get)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: t.Any, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> t.Iterator[t.Any]:
    """A fresh page; console errors (a CSP violation, a script error) fail the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    page.screenshot_dir = tmp_path_factory.mktemp("screenshots")
    yield page
    context.close()


@pytest.fixture
def screenshot(page: t.Any) -> t.Callable[[str], Path]:
    """Save a full-page PNG under the run's temporary directory and return its path."""

    def take(name: str) -> Path:
        path = Path(page.screenshot_dir) / f"{name}.png"
        # caret="initial" keeps Playwright from adding style="" to inputs, which the CSP reports.
        page.screenshot(path=str(path), full_page=True, caret="initial")
        print(f"screenshot: {path}")
        return path

    return take
