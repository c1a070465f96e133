"""The demo app works with plain Flask's test client, and its two mistakes are really broken."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask, before_render_template, url_for
from flask.testing import FlaskClient
from jinja2 import Template
from werkzeug.routing import BuildError

from demo_app import create_app

# Linked from the index page but broken on purpose (the showcase of the enriched error page),
# and the explorer itself, which is off in these tests.
BROKEN_ON_PURPOSE = {"/dashboard", "/broken-redirect"}
EXPLORER = "/_routes"


@pytest.fixture
def app() -> Flask:
    return create_app({"TESTING": True, "ROUTE_EXPLORER_ENABLED": False})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def index_links(client: FlaskClient) -> list[str]:
    response = client.get("/")
    assert response.status_code == 200
    return list(dict.fromkeys(re.findall(r'href="([^"#]+)"', response.get_data(as_text=True))))


def test_index_links_to_everything(client: FlaskClient) -> None:
    links = index_links(client)
    assert set(links) >= BROKEN_ON_PURPOSE
    assert EXPLORER in links
    assert len(links) >= 20


def test_every_working_link_on_the_index_answers(client: FlaskClient) -> None:
    for href in index_links(client):
        if href in BROKEN_ON_PURPOSE or href == EXPLORER:
            continue
        response = client.get(href, follow_redirects=True)
        assert response.status_code < 400, href


def test_dashboard_template_raises_build_error(client: FlaskClient) -> None:
    with pytest.raises(BuildError) as info:
        client.get("/dashboard")
    assert info.value.endpoint == "user_profile"


def test_broken_redirect_raises_build_error(client: FlaskClient) -> None:
    with pytest.raises(BuildError) as info:
        client.get("/broken-redirect")
    assert info.value.endpoint == "UserAPI"


def test_dashboard_context_has_user_with_id(app: Flask) -> None:
    """A diagnosis can propose ``url_for('users.user_profile', user_id=user.id)``."""
    seen: list[tuple[str, dict]] = []

    def record(sender: Flask, template: Template, context: dict, **extra: object) -> None:
        seen.append((template.name, context))

    with before_render_template.connected_to(record, app), pytest.raises(BuildError):
        app.test_client().get("/dashboard")
    [(name, context)] = seen
    assert name == "dashboard.html"
    user = context["user"]
    with app.test_request_context():
        assert url_for("users.user_profile", user_id=user.id) == "/users/7"


def test_endpoints_and_rules(app: Flask) -> None:
    rules = {(rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()}
    expected = {
        ("index", "/"),
        ("dashboard", "/dashboard"),
        ("broken_redirect", "/broken-redirect"),
        ("users.user_profile", "/users/<int:user_id>"),
        ("users.settings", "/users/<int(min=1):user_id>/settings"),
        ("users.follow", "/users/<int(min=1):user_id>/follow"),
        ("users.user_bio", "/users/<int:user_id>/bio/<string(length=2):lang>"),
        ("admin.order_detail", "/admin/orders/<uuid:order_id>"),
        ("admin.browse_file", "/admin/files/<path:filepath>"),
        ("admin.reports.period_report", "/admin/reports/<any(daily, weekly, monthly):period>"),
        ("admin.reports.revenue_above", "/admin/reports/revenue/above/<float:threshold>"),
        ("api.users", "/api/users"),
        ("api.users", "/api/users/<int:user_id>"),
        ("blog_index", "/blog/"),
        ("blog_index", "/blog/page/<int:page>"),
        ("blog_post", "/posts/<slug:slug>"),
        ("greeting", "/hello/<string(length=2):lang>"),
        ("about", "/about"),
        ("ping", "/ping"),
        ("subscribe", "/newsletter/subscribe"),
        ("old_user_profile", "/old-users/<int:user_id>"),
        ("static", "/static/<path:filename>"),
    }
    assert expected <= rules
    assert "slug" in app.url_map.converters
    assert {"users", "admin", "admin.reports", "api"} <= set(app.blueprints)


def test_view_shapes(app: Flask) -> None:
    import functools
    import inspect

    views = app.view_functions
    assert views["api.users"].view_class.__name__ == "UserAPI"
    assert isinstance(views["about"], functools.partial)
    assert views["ping"].__name__ == "<lambda>"
    assert views["greeting"].__name__ == "say_hello"
    assert inspect.unwrap(views["users.settings"]) is not views["users.settings"]
    by_endpoint = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    assert by_endpoint["subscribe"].methods == {"POST", "OPTIONS"}
    assert by_endpoint["old_user_profile"].redirect_to == "/users/<user_id>"
    defaults = [rule.defaults for rule in app.url_map.iter_rules() if rule.endpoint == "blog_index"]
    assert {"page": 1} in defaults


def test_routing_details(client: FlaskClient, app: Flask) -> None:
    response = client.get("/old-users/7")
    assert response.status_code == 308 and response.location.endswith("/users/7")
    assert client.get("/users/0/settings").status_code == 404  # int(min=1)
    assert client.get("/hello/fra").status_code == 404  # string(length=2)
    assert client.get("/admin/reports/yearly").status_code == 404  # any(...)
    assert client.get("/posts/Not_A_Slug").status_code == 404
    assert client.get("/newsletter/subscribe").status_code == 405
    assert client.post("/newsletter/subscribe", data={"email": "a@example.org"}).status_code == 302
    assert client.post("/users/7/follow").status_code == 302
    assert client.put("/api/users/7").status_code == 200
    assert client.delete("/api/users/7").status_code == 204
    assert client.post("/api/users", json={"name": "Bob"}).status_code == 201
    with app.test_request_context():
        assert url_for("blog_index", page=1) == "/blog/"
        assert url_for("blog_index", page=2) == "/blog/page/2"
        order = uuid.UUID("2f1c9c4e-8f3a-4c51-9d7e-0c8a4b1e6f10")
        assert url_for("admin.order_detail", order_id=order).endswith(str(order))


def test_debug_toolbar_only_in_debug_mode() -> None:
    quiet = create_app({"TESTING": True})
    assert not any(rule.endpoint.startswith("_debug_toolbar") for rule in quiet.url_map.iter_rules())
    pytest.importorskip("flask_debugtoolbar")
    loud = create_app({"TESTING": True, "DEBUG": True})
    assert any(rule.endpoint.startswith("_debug_toolbar") for rule in loud.url_map.iter_rules())
    assert loud.config["DEBUG_TB_PANELS"][-1] == "flask_route_explorer.toolbar.RouteExplorerPanel"
    assert loud.config["DEBUG_TB_INTERCEPT_REDIRECTS"] is False
