"""The route inventory: every kind of rule and view a Flask app can have, read without crashing."""

from __future__ import annotations

import dataclasses
import functools
import json
import typing as t
import uuid

import pytest
from flask import Blueprint, Flask
from flask.views import MethodView, View
from werkzeug.routing import BaseConverter, Rule

from flask_route_explorer import get_inventory
from flask_route_explorer.inventory import Inventory, Route, Routes, build_inventory


def only(inventory: Inventory, endpoint: str) -> Route:
    routes = inventory.routes_for(endpoint)
    assert len(routes) == 1, routes
    return routes[0]


def logged(func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    @functools.wraps(func)
    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        return func(*args, **kwargs)

    return wrapper


class ItemAPI(MethodView):
    """Items, one per id."""

    def get(self, item_id: int) -> str:
        """Read one item."""
        return "item"

    def delete(self, item_id: int) -> str:
        return "deleted"


class Hello(View):
    def dispatch_request(self) -> str:
        return "hello"


class HexConverter(BaseConverter):
    regex = "[0-9a-f]+"

    def __init__(self, url_map: t.Any, length: int = 4) -> None:
        super().__init__(url_map)
        self.length = length


def greet(name: str, greeting: str = "Hello") -> str:
    """Say hello to someone."""
    return f"{greeting} {name}"


@pytest.fixture
def app(make_app: t.Callable[..., Flask]) -> Flask:
    app = make_app(tool_rule=True)
    app.url_map.converters["hex"] = HexConverter

    @app.route("/users/<int(min=1):user_id>/posts/<slug>")
    @logged
    def user_post(user_id: int, slug: str) -> str:
        """Show one post.

        More text that is not the first line.
        """
        return "post"

    app.add_url_rule("/items/<int:item_id>", view_func=ItemAPI.as_view("items"))
    app.add_url_rule("/hello", view_func=Hello.as_view("hello"))
    app.add_url_rule("/greet/<name>", "greet", functools.partial(greet, greeting="Hi"))
    app.add_url_rule("/ping", "ping", lambda: "pong")
    app.add_url_rule("/colour/<hex(length=6):code>", "colour", lambda code: code)
    app.add_url_rule("/f/<float:ratio>/<any(a, b):kind>/<uuid:key>/<path:rest>", "mixed", lambda **kw: "x")

    def blog(page: int) -> str:
        return str(page)

    app.add_url_rule("/blog/", "blog", blog, defaults={"page": 1})
    app.add_url_rule("/blog/page/<int:page>", "blog", blog)
    app.add_url_rule("/old", "old", redirect_to="/new")
    app.add_url_rule("/build-only/<int:x>", "build_only", build_only=True)
    app.add_url_rule("/loose", "loose", lambda: "", strict_slashes=False)
    app.url_map.add(Rule("/raw", endpoint="raw"))
    app.url_map.add(Rule("/ws", endpoint="ws", websocket=True))
    app.url_map.add(Rule("/alias", endpoint="ping", alias=True))

    parent = Blueprint("admin", __name__, url_prefix="/admin")
    child = Blueprint("reports", __name__, url_prefix="/reports")

    @child.route("/<any(daily, weekly):period>")
    def period(period: str) -> str:
        return period

    @parent.route("/")
    def home() -> str:
        return "admin"

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    return app


def test_nested_blueprints_have_dotted_names(app: Flask) -> None:
    inventory = get_inventory(app)
    assert only(inventory, "admin.home").blueprint == "admin"
    period = only(inventory, "admin.reports.period")
    assert period.blueprint == "admin.reports"
    assert period.rule == "/admin/reports/<any(daily, weekly):period>"
    assert "admin.reports" in inventory.blueprints


def test_wrapped_view_points_at_the_real_function(app: Flask) -> None:
    route = only(get_inventory(app), "user_post")
    assert route.view.qualname.endswith("user_post")
    assert route.view.file == __file__
    assert route.view.doc == "Show one post."
    assert route.view.line is not None


def test_arguments_keep_order_and_converter_arguments(app: Flask) -> None:
    route = only(get_inventory(app), "user_post")
    assert [(a.name, a.converter) for a in route.arguments] == [("user_id", "int"), ("slug", "string")]
    assert dict(route.arguments[0].args) == {"min": 1}
    mixed = only(get_inventory(app), "mixed")
    assert [a.converter for a in mixed.arguments] == ["float", "any", "uuid", "path"]
    assert mixed.arguments[1].to_dict()["args"]["items"] == ["a", "b"]


def test_method_view_lists_class_and_handlers(app: Flask) -> None:
    route = only(get_inventory(app), "items")
    assert route.view.kind == "class"
    assert route.view.qualname == "ItemAPI"
    assert route.view.doc == "Items, one per id."
    handlers = dict(route.view.handlers)
    assert set(handlers) >= {"GET", "DELETE"}
    assert handlers["GET"].qualname == "ItemAPI.get"
    assert handlers["GET"].doc == "Read one item."
    assert route.methods == ("DELETE", "GET", "HEAD", "OPTIONS")
    assert only(get_inventory(app), "hello").view.qualname == "Hello"


def test_partial_and_lambda(app: Flask) -> None:
    inventory = get_inventory(app)
    greet_route = only(inventory, "greet")
    assert greet_route.view.kind == "partial"
    assert greet_route.view.qualname == "greet"
    assert greet_route.view.doc == "Say hello to someone."
    ping = inventory.routes_for("ping")[0]
    assert ping.view.kind == "lambda"
    assert ping.view.file == __file__


def test_static_endpoint(app: Flask) -> None:
    route = only(get_inventory(app), "static")
    assert route.view.kind == "static"
    assert route.arguments[0].converter == "path"


def test_raw_rule_without_methods_or_view(app: Flask) -> None:
    route = only(get_inventory(app), "raw")
    assert route.methods is None
    assert route.visible_methods is None
    assert route.allows("PATCH")
    assert route.view.qualname is None and route.view.file is None
    data = route.to_dict()
    assert data["methods"] is None
    assert data["view"] == {"module": None, "qualname": None, "file": None, "line": None, "doc": None}


def test_custom_converter_by_registered_name(app: Flask) -> None:
    route = only(get_inventory(app), "colour")
    assert route.arguments[0].converter == "hex"
    assert dict(route.arguments[0].args) == {"length": 6}


def test_defaults_redirect_alias_build_only_websocket_strict_slashes(app: Flask) -> None:
    inventory = get_inventory(app)
    blog = inventory.routes_for("blog")
    assert len(blog) == 2
    assert dict(blog[0].defaults) == {"page": 1}
    assert blog[1].arguments[0].name == "page"
    assert only(inventory, "old").redirect_to == "/new"
    assert only(inventory, "build_only").build_only
    assert only(inventory, "ws").websocket
    assert any(r.alias for r in inventory.routes_for("ping"))
    assert only(inventory, "loose").strict_slashes is False


def test_json_shape_has_exactly_the_documented_keys(app: Flask) -> None:
    data = only(get_inventory(app), "user_post").to_dict()
    assert set(data) == {
        "rule",
        "endpoint",
        "methods",
        "arguments",
        "defaults",
        "blueprint",
        "subdomain",
        "host",
        "strict_slashes",
        "redirect_to",
        "websocket",
        "view",
    }
    assert data["arguments"][0] == {"name": "user_id", "converter": "int", "args": {"min": 1}}
    assert data["methods"] == ["GET", "HEAD", "OPTIONS"]


def test_internal_rules_are_flagged(app: Flask) -> None:
    inventory = get_inventory(app)
    assert only(inventory, "_debug_toolbar.static").internal
    assert not only(inventory, "admin.home").internal


def test_cache_is_reused_and_notices_new_rules(make_app: t.Callable[..., Flask]) -> None:
    app = make_app()
    first = get_inventory(app)
    assert get_inventory(app) is first
    app.add_url_rule("/later", "later", lambda: "")
    second = get_inventory(app)
    assert second is not first
    assert second.routes_for("later")


def test_subdomain_rules(make_app: t.Callable[..., Flask]) -> None:
    app = make_app(SERVER_NAME="example.test")
    app.subdomain_matching = True
    app.url_map.add(Rule("/", endpoint="tenant_home", subdomain="<tenant>"))
    inventory = build_inventory(app)
    route = only(inventory, "tenant_home")
    assert route.subdomain == "<tenant>"
    assert route.arguments[0].name == "tenant"
    assert inventory.has_subdomains and not inventory.has_hosts


def test_host_rules() -> None:
    app = Flask("hosts", host_matching=True, static_host="static.test")
    app.add_url_rule("/", "shop", lambda: "", host="shop.test")
    app.add_url_rule("/<int:id>", "user_host", lambda id: "", host="<user>.people.test")
    inventory = build_inventory(app)
    assert only(inventory, "shop").host == "shop.test"
    assert [a.name for a in only(inventory, "user_host").arguments] == ["user", "id"]
    assert inventory.has_hosts


def test_a_derived_value_may_be_built_from_another(app: Flask) -> None:
    """The map's audit is built from route_for's table: the cache's lock must let the same thread in again."""
    inventory = get_inventory(app)
    outer = inventory.derived("outer", lambda: ("outer", inventory.derived("inner", lambda: "inner")))
    assert outer == ("outer", "inner") and inventory.derived("inner", lambda: "rebuilt") == "inner"


def test_route_json_is_exactly_json_dumps_of_to_dict(app: Flask) -> None:
    """``/api/routes`` writes each route's JSON field by field: the text must be what json.dumps made."""

    class Opaque:
        def __repr__(self) -> str:
            return '<opaque "thing">'

    def café(**values: t.Any) -> str:
        """Crème brûlée, "quoted" and \\ backslashed."""
        return "x"

    app.add_url_rule(
        "/odd/<int(fixed_digits=4):year>/<any('x\"y', z):kind>",
        "odd",
        café,
        defaults={"key": uuid.UUID(int=7), "ratio": 0.5, "huge": float("nan"), "thing": Opaque(), "items": (1, "b")},
        methods=["PATCH"],
    )
    app.add_url_rule("/über/<path:rest>", "ünïcode", lambda rest: rest, subdomain="api", redirect_to=logged)
    routes = build_inventory(app).routes
    assert len(routes) > 20
    for route in routes:
        assert route.to_json() == json.dumps(route.to_dict()), route.endpoint
        assert json.loads(route.to_json()) == json.loads(json.dumps(route.to_dict()))


def test_built_routes_are_the_dataclass_frozen_and_comparable(app: Flask) -> None:
    """The build fills each route's fields in one step: the result must be what ``Route(...)`` makes."""
    route = only(build_inventory(app), "admin.home")
    made = Route(
        rule=route.rule,
        endpoint=route.endpoint,
        methods=route.methods,
        blueprint=route.blueprint,
        index=route.index,
        internal=route.internal,
        werkzeug_rule=route.werkzeug_rule,
        views=route.views,
    )
    assert route == made and hash(route) == hash(made) and repr(route) == repr(made)
    assert route.blueprint == "admin" and route.methods is not None and "GET" in route.methods
    with pytest.raises(dataclasses.FrozenInstanceError):
        route.endpoint = "other"  # type: ignore[misc]


@pytest.mark.parametrize("mounted", [True, False], ids=["mounted: counted", "not mounted: added up"])
def test_a_rule_added_to_an_existing_endpoint_is_noticed(make_app: t.Callable[..., Flask], mounted: bool) -> None:
    """Mounted, the explorer counts ``Map.add`` calls instead of adding up every endpoint's rules."""
    app = make_app(ROUTE_EXPLORER_ENABLED=True) if mounted else Flask("plain")
    app.add_url_rule("/page", "page", lambda: "")
    assert ("_route_explorer_rules" in vars(app.url_map)) is mounted
    first = get_inventory(app)
    app.url_map.add(Rule("/page/<int:number>", endpoint="page"))  # no new endpoint: only the count tells
    second = get_inventory(app)
    assert second is not first and {r.rule for r in second.routes_for("page")} == {"/page", "/page/<int:number>"}
    assert get_inventory(app) is second


def test_a_failed_add_still_changes_the_version(make_app: t.Callable[..., Flask]) -> None:
    app = make_app(ROUTE_EXPLORER_ENABLED=True)
    first = get_inventory(app)
    with pytest.raises(LookupError):
        app.url_map.add(Rule("/bad/<nope:value>", endpoint="bad"))  # an unknown converter
    assert get_inventory(app) is not first


def test_the_first_page_makes_a_route_for_each_shown_row_only(
    make_app: t.Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    """It orders and counts every rule from the columns; a route object is made for the 100 rows shown."""
    app = make_app(ROUTE_EXPLORER_ENABLED=True)
    for number in range(300):
        app.add_url_rule(f"/page{number}/<int:item>", f"page{number}", lambda item: "")
    made: list[int] = []
    make = Routes._make
    monkeypatch.setattr(Routes, "_make", lambda self, index: made.append(index) or make(self, index))
    assert app.test_client().get("/_routes/").status_code == 200
    assert 100 <= len(set(made)) <= 102 and len(made) == len(set(made))  # the shown rows (and static)
    inventory = get_inventory(app)
    assert len(inventory) == 301 and len(list(inventory)) == 301 and len(set(made)) == 301
    assert inventory.routes[-1] is inventory.routes[300] and inventory.routes[298:] == tuple(inventory)[298:]
