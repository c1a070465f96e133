"""The explorer exists only in debug mode, only for local clients, and never hurts the host app."""

from __future__ import annotations

import logging
import sys
import textwrap
import typing as t
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import start_server, stop_server
from flask import Flask

from flask_route_explorer import RouteExplorer
from flask_route_explorer.access import is_mounted

APP_SOURCE = textwrap.dedent(
    """
    import os
    import sys

    from flask import Flask

    from flask_route_explorer import RouteExplorer


    def create_app():
        app = Flask(__name__)
        if os.environ.get("DEBUG_IN_FACTORY"):
            app.config["DEBUG"] = True

        @app.route("/")
        def index():
            return "home"

        RouteExplorer(app)
        return app


    if __name__ == "__main__":
        create_app().run(debug=True, port=int(sys.argv[1]), use_reloader=False)
    """
)


def explorer_rules(app: Flask) -> list[str]:
    return [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("route_explorer.")]


def production_app(**config: t.Any) -> Flask:
    app = Flask("prod")
    app.config.update(config)
    app.add_url_rule("/", "index", lambda: "home")
    RouteExplorer(app)
    return app


def test_production_config_mounts_nothing() -> None:
    app = production_app()
    assert explorer_rules(app) == []
    assert not is_mounted(app) and "route_explorer" not in app.blueprints
    assert app.url_build_error_handlers == []
    assert not any(app.error_handler_spec.values())
    assert "add" not in vars(app.url_map) and "url_for" not in vars(app)  # no rule counter, no recorder
    assert app.test_client().get("/_routes/").status_code == 404
    assert app.test_client().get("/").status_code == 200


def test_disabled_by_config_even_in_debug() -> None:
    app = Flask("off")
    app.debug = True
    app.config["ROUTE_EXPLORER_ENABLED"] = False
    RouteExplorer(app)
    assert explorer_rules(app) == []
    assert app.test_client().get("/_routes/").status_code == 404


@pytest.mark.parametrize("setting", [None, False])
def test_testing_mode_adds_only_the_note_handler(setting: bool | None) -> None:
    """Testing mode gets the PEP 678 notes (issue 3), and nothing else: no rule, no error page."""
    app = production_app(TESTING=True, ROUTE_EXPLORER_ENABLED=setting)
    assert explorer_rules(app) == []
    assert not any(app.error_handler_spec.values())
    assert len(app.url_build_error_handlers) == 1


def test_debug_app_mounts_at_the_configured_prefix() -> None:
    app = Flask("dbg")
    app.debug = True
    app.config["ROUTE_EXPLORER_URL_PREFIX"] = "/dev/routes"
    RouteExplorer(app)
    assert is_mounted(app) and explorer_rules(app) == []  # served in front of the app, not from its URL map
    assert app.test_client().get("/dev/routes/").status_code == 200
    assert app.test_client().get("/_routes/").status_code == 404


@pytest.mark.parametrize("address", ["10.0.0.5", "192.168.1.20", "2001:db8::1", "", "not-an-ip"])
def test_non_loopback_clients_get_404(make_app: t.Callable[..., Flask], address: str) -> None:
    client = make_app().test_client()
    for url in ("/_routes/", "/_routes/api/routes", "/_routes/static/explorer.js"):
        assert client.get(url, environ_base={"REMOTE_ADDR": address}).status_code == 404, url


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_loopback_clients_are_served(make_app: t.Callable[..., Flask], address: str) -> None:
    client = make_app().test_client()
    assert client.get("/_routes/", environ_base={"REMOTE_ADDR": address}).status_code == 200


def test_allowed_ips_can_be_widened(make_app: t.Callable[..., Flask]) -> None:
    client = make_app(ROUTE_EXPLORER_ALLOWED_IPS=("127.0.0.1", "10.0.0.0/8")).test_client()
    assert client.get("/_routes/", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/_routes/", environ_base={"REMOTE_ADDR": "11.1.2.3"}).status_code == 404


def test_forced_mode_warns_and_serves(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="flask_route_explorer"):
        app = production_app(ROUTE_EXPLORER_ENABLED=True)
    assert any("Never enable it in production" in r.getMessage() for r in caplog.records)
    assert app.test_client().get("/_routes/").status_code == 200


def test_double_init_app_is_harmless(make_app: t.Callable[..., Flask]) -> None:
    app = make_app()
    rules = explorer_rules(app)
    RouteExplorer(app)
    RouteExplorer().init_app(app)
    assert explorer_rules(app) == rules
    assert app.test_client().get("/_routes/").status_code == 200


def test_request_time_recheck_when_debug_turns_off(make_app: t.Callable[..., Flask]) -> None:
    app = make_app()
    client = app.test_client()
    assert client.get("/_routes/").status_code == 200
    app.debug = False
    for url in ("/_routes/", "/_routes/api/routes", "/_routes/static/explorer.css"):
        assert client.get(url).status_code == 404, url


def test_host_app_is_left_alone(make_app: t.Callable[..., Flask]) -> None:
    plain = Flask("plain")
    app = make_app()
    assert app.request_class is plain.request_class
    assert app.json.__class__ is plain.json.__class__
    assert app.jinja_env.globals.keys() == plain.jinja_env.globals.keys()


# -- The three debug start paths, each as a real server process ------------------------------------

FLASK = str(Path(sys.executable).with_name("flask"))


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    (tmp_path / "explorer_app.py").write_text(APP_SOURCE)
    return tmp_path


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def serve_and_get(args: list[str], app_dir: Path, env: dict[str, str] | None = None) -> tuple[int, int]:
    """Status of the explorer page and of its htmx script on a freshly started server."""
    clean = {"FLASK_DEBUG": "", "DEBUG_IN_FACTORY": "", **(env or {})}
    server = start_server(args, env=clean, cwd=app_dir)
    try:
        return status(server.url + "/_routes/"), status(server.url + "/_routes/static/htmx-2.0.11.min.js")
    finally:
        stop_server(server)


@pytest.mark.parametrize(
    ("args", "env"),
    [
        ([FLASK, "--app", "explorer_app:create_app", "run", "--debug", "--no-reload", "--port", "{port}"], {}),
        ([FLASK, "--app", "explorer_app:create_app", "run", "--no-reload", "--port", "{port}"], {"FLASK_DEBUG": "1"}),
        ([sys.executable, "explorer_app.py", "{port}"], {}),
    ],
    ids=["flask-run-debug", "FLASK_DEBUG=1", "app.run(debug=True)"],
)
def test_debug_start_paths_serve_the_explorer(app_dir: Path, args: list[str], env: dict[str, str]) -> None:
    assert serve_and_get(args, app_dir, env) == (200, 200)


def test_plain_flask_run_ignores_debug_set_in_the_factory(app_dir: Path) -> None:
    # ``flask run`` without --debug resets app.debug after the factory: no debug, no explorer.
    args = [FLASK, "--app", "explorer_app:create_app", "run", "--no-reload", "--port", "{port}"]
    assert serve_and_get(args, app_dir, {"DEBUG_IN_FACTORY": "1"}) == (404, 404)


def test_explorer_answers_in_an_app_with_host_matching() -> None:
    """With host_matching=True a rule without a host matches nothing: the explorer answers in front of the map."""
    app = Flask("hosts", host_matching=True, static_host="static.example")
    app.debug = True
    app.config["ROUTE_EXPLORER_TRUSTED_HOSTS"] = ["shop.example"]

    @app.route("/", host="shop.example")
    def home() -> str:
        return "home"

    RouteExplorer(app)
    client = app.test_client()
    for host in ("shop.example", "localhost:5000"):
        page = client.get("/_routes/", base_url=f"http://{host}")
        assert page.status_code == 200, host
        html = page.get_data(as_text=True)
        assert 'href="/_routes/static/explorer.css' in html  # built on the request's own host
        assert client.get("/_routes/static/explorer.css", base_url=f"http://{host}").status_code == 200
    routes = client.get("/_routes/api/routes", base_url="http://shop.example").get_json()["routes"]
    assert [r["endpoint"] for r in routes] == ["static", "home"]
    match = client.get("/_routes/api/match?path=/&host=shop.example", base_url="http://localhost").get_json()
    assert match["endpoint"] == "home"


def test_a_second_init_after_debug_was_turned_on_mounts() -> None:
    app = production_app()  # debug off: nothing mounted
    assert not is_mounted(app)
    app.debug = True  # a factory that turns debug on after init_app, then calls it again
    RouteExplorer(app)
    assert is_mounted(app) and app.test_client().get("/_routes/").status_code == 200
