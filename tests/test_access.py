"""Who reaches the explorer: the Host header, relays, the server, the configuration, and the app's own hooks."""

from __future__ import annotations

import ipaddress
import logging
import sys
import typing as t

import pytest
from flask import Flask, abort, redirect, request, session

from flask_route_explorer import RouteExplorer
from flask_route_explorer.access import ConfigError, host_name, is_mounted

PAGES = ("/_routes", "/_routes/", "/_routes/build?endpoint=index", "/_routes/match?path=/", "/_routes/api/routes")


@pytest.mark.parametrize("host", ["localhost", "localhost:5000", "127.0.0.1:8000", "[::1]:5000", "app.localhost"])
def test_local_host_names_are_served(make_app: t.Callable[..., Flask], host: str) -> None:
    client = make_app().test_client()
    assert client.get("/_routes/", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:5000", "localhost.evil.example", "127.0.0.1.nip.io", ""]
)
def test_a_foreign_host_header_is_refused(make_app: t.Callable[..., Flask], host: str) -> None:
    """DNS rebinding: a page on the internet resolves its own name to 127.0.0.1 and reads the explorer."""
    client = make_app().test_client()
    for url in PAGES:
        response = client.get(url, headers={"Host": host})
        assert response.status_code == 404, (host, url)
        assert b"route" not in response.data.lower(), (host, url)


def test_trusted_hosts_can_be_added(make_app: t.Callable[..., Flask]) -> None:
    client = make_app(ROUTE_EXPLORER_TRUSTED_HOSTS=["dev.example.test"]).test_client()
    assert client.get("/_routes/", headers={"Host": "dev.example.test:5000"}).status_code == 200
    assert client.get("/_routes/", headers={"Host": "other.example.test"}).status_code == 404


def test_host_name_parsing() -> None:
    assert host_name("LocalHost:5000") == "localhost"
    assert host_name("[::1]:8000") == "::1"
    assert host_name("::1") == "::1"
    assert host_name("example.com.") == "example.com"


@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"])
def test_relayed_requests_are_refused_unless_allowed(make_app: t.Callable[..., Flask], header: str) -> None:
    """A same-host proxy or tunnel makes every client look like 127.0.0.1; a local browser sends no relay header."""
    refused = make_app().test_client()
    assert refused.get("/_routes/", headers={header: "203.0.113.9"}).status_code == 404
    allowed = make_app(ROUTE_EXPLORER_ALLOW_FORWARDED=True).test_client()
    assert allowed.get("/_routes/", headers={header: "203.0.113.9"}).status_code == 200


@pytest.mark.parametrize("software", ["gunicorn/23.0.0", "waitress", "uvicorn"])
def test_debug_config_under_another_server_shows_nothing(make_app: t.Callable[..., Flask], software: str) -> None:
    """``DEBUG = True`` left in config under gunicorn: the debugger is not there, and neither are we."""
    client = make_app().test_client()
    environ = {"SERVER_SOFTWARE": software}
    assert client.get("/_routes/", environ_base=environ).status_code == 404
    assert client.get("/_routes/", environ_base={"SERVER_SOFTWARE": "Werkzeug/3.1.3"}).status_code == 200


def test_nothing_is_mounted_when_a_production_server_loaded_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gunicorn", type(sys)("gunicorn"))
    app = Flask("prod")
    app.debug = True
    RouteExplorer(app)
    assert not is_mounted(app)
    assert app.url_build_error_handlers == [] and not any(app.error_handler_spec.values())
    assert app.test_client().get("/_routes/").status_code == 404


def test_forced_under_a_production_server_warns(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "waitress", type(sys)("waitress"))
    app = Flask("prod")
    app.debug = True
    app.config["ROUTE_EXPLORER_ENABLED"] = True
    with caplog.at_level(logging.WARNING, logger="flask_route_explorer"):
        RouteExplorer(app)
    assert is_mounted(app)
    assert any("under waitress" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("127.0.0.1", "must be a list or tuple"),
        (None, "must be a list or tuple"),
        (("127.0.0.1", "not-a-network"), "'not-a-network' is not an IP address"),
        (("10.0.0.0/33",), "'10.0.0.0/33' is not an IP address"),
    ],
)
def test_bad_allowed_ips_fail_at_start(setting: t.Any, words: str) -> None:
    app = Flask("cfg")
    app.debug = True
    app.config["ROUTE_EXPLORER_ALLOWED_IPS"] = setting
    with pytest.raises(ConfigError, match=words.replace("(", r"\(")):
        RouteExplorer(app)


def test_allowed_ips_may_be_ip_objects(make_app: t.Callable[..., Flask]) -> None:
    networks = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_address("::1"))
    client = make_app(ROUTE_EXPLORER_ALLOWED_IPS=networks).test_client()
    assert client.get("/_routes/", environ_base={"REMOTE_ADDR": "127.0.0.5"}).status_code == 200
    assert client.get("/_routes/", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 404


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ROUTE_EXPLORER_TRUSTED_HOSTS", "dev.example"),
        ("ROUTE_EXPLORER_URL_PREFIX", "_routes"),
        ("ROUTE_EXPLORER_URL_PREFIX", "/_routes/"),
        ("ROUTE_EXPLORER_ENABLED", "yes"),
    ],
)
def test_other_bad_settings_fail_at_start(key: str, value: t.Any) -> None:
    app = Flask("cfg")
    app.config[key] = value
    with pytest.raises(ConfigError, match=key):
        RouteExplorer(app)


def hostile_app(make_app: t.Callable[..., Flask]) -> tuple[Flask, list[str]]:
    """An app whose hooks would stop every request of ours: CSRF on every method, a login wall, a 404 that aborts."""
    ran: list[str] = []
    app = make_app(SECRET_KEY="x")

    @app.before_request
    def csrf() -> t.Any:
        ran.append("csrf")
        if request.headers.get("X-CSRF") != "ok":
            abort(401)
        return None

    @app.before_request
    def login_wall() -> t.Any:
        ran.append("login")
        session.get("user")
        return redirect("/login")

    @app.after_request
    def after(response: t.Any) -> t.Any:
        ran.append("after")
        return response

    @app.errorhandler(404)
    def not_found(error: Exception) -> t.Any:
        ran.append("404")
        abort(500)

    class CountingSessions(type(app.session_interface)):  # type: ignore[misc]
        def open_session(self, app: Flask, request: t.Any) -> t.Any:
            ran.append("session")
            return super().open_session(app, request)

    app.session_interface = CountingSessions()
    app.add_url_rule("/", "index", lambda: "home")
    return app, ran


def test_the_apps_hooks_never_run_for_the_explorer(make_app: t.Callable[..., Flask]) -> None:
    app, ran = hostile_app(make_app)
    client = app.test_client()
    for url in PAGES:
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
    assert client.get("/_routes/api/build?endpoint=index").status_code == 200
    assert client.get("/_routes/api/match?path=/").status_code == 200
    assert client.get("/_routes/static/explorer.css").status_code == 200
    assert ran == []
    client.get("/")  # the app's own pages still get every hook
    assert ran == ["session", "csrf", "after"]


def test_the_explorer_adds_no_rule_to_the_app(make_app: t.Callable[..., Flask]) -> None:
    plain = Flask("plain")
    app = make_app()
    assert is_mounted(app)
    assert [r.rule for r in app.url_map.iter_rules()] == [r.rule for r in plain.url_map.iter_rules()]
