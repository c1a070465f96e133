"""The testers' core: build like ``url_for`` and match back; match a path and explain the near rules."""

from __future__ import annotations

import typing as t
import uuid
import warnings

import pytest
from flask import Blueprint, Flask
from flask.sessions import SecureCookieSessionInterface
from flask.views import MethodView
from werkzeug.routing import BaseConverter, RequestRedirect

from flask_route_explorer import routing
from flask_route_explorer.dispatch import endpoint_for_path, follow

ORDER = uuid.UUID("123e4567-e89b-12d3-a456-426614174000")


class SlugConverter(BaseConverter):
    """Lower-case words joined by hyphens; ``to_url`` lower-cases (a value that changes)."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"

    def to_url(self, value: str) -> str:
        return super().to_url(value.lower())


def _view(**_values: t.Any) -> str:
    return "never called by the testers"


@pytest.fixture
def app(make_app: t.Callable[..., Flask]) -> Flask:
    app = make_app()
    app.url_map.converters["slug"] = SlugConverter
    app.add_url_rule("/", "index", _view)
    app.add_url_rule("/about", "about", _view)
    app.add_url_rule("/docs/", "docs", _view)
    app.add_url_rule("/items/<name>", "item", _view)
    app.add_url_rule("/items/new", "new_item", _view)
    app.add_url_rule("/files/<path:filepath>", "file", _view)
    app.add_url_rule("/orders/<uuid:order_id>", "order", _view)
    app.add_url_rule("/reports/<any(daily, weekly):period>", "report", _view)
    app.add_url_rule("/price/<float:amount>", "price", _view)
    app.add_url_rule("/codes/<int(fixed_digits=4):code>", "code", _view)
    app.add_url_rule("/temperature/<int(signed=True):degrees>", "temperature", _view)
    app.add_url_rule("/hello/<string(length=2):lang>", "greeting", _view)
    app.add_url_rule("/posts/<slug:slug>", "post", _view)
    app.add_url_rule("/blog/", "blog", _view, defaults={"page": 1})
    app.add_url_rule("/blog/page/<int:page>", "blog", _view)
    app.add_url_rule("/old/<int:user_id>", "old_profile", redirect_to="/users/<user_id>")
    app.add_url_rule("/subscribe", "subscribe", _view, methods=["POST"])

    users = Blueprint("users", __name__, url_prefix="/users")
    users.add_url_rule("/", "user_list", _view)
    users.add_url_rule("/<int:user_id>", "user_profile", _view)
    users.add_url_rule("/<int(min=1):user_id>/settings", "settings", _view)
    users.add_url_rule("/<int:user_id>/follow", "follow", _view, methods=["POST"])
    users.add_url_rule("/<int:user_id>", "edit", _view, methods=["PUT"])
    app.register_blueprint(users)

    lang = Blueprint("lang", __name__, url_prefix="/<lang_code>")
    lang.add_url_rule("/welcome", "welcome", _view)

    @lang.url_defaults
    def add_language(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("lang_code", "en")

    app.register_blueprint(lang)
    return app


def ok(result: routing.BuildResult) -> str:
    assert result.ok, (result.error, result.diagnosis)
    assert result.url is not None
    return result.url


# --------------------------------------------------------------------------- build: converters


@pytest.mark.parametrize(
    ("endpoint", "values", "url"),
    [
        ("users.user_profile", {"user_id": "7"}, "/users/7"),
        ("users.user_profile", {"user_id": 7}, "/users/7"),
        ("item", {"name": "lamp"}, "/items/lamp"),
        ("item", {"name": "a b"}, "/items/a%20b"),
        ("file", {"filepath": "docs/intro.md"}, "/files/docs/intro.md"),
        ("order", {"order_id": str(ORDER)}, f"/orders/{ORDER}"),
        ("report", {"period": "weekly"}, "/reports/weekly"),
        ("price", {"amount": "9.5"}, "/price/9.5"),
        ("code", {"code": "42"}, "/codes/0042"),
        ("temperature", {"degrees": "-5"}, "/temperature/-5"),
        ("greeting", {"lang": "fi"}, "/hello/fi"),
        ("post", {"slug": "hello-flask"}, "/posts/hello-flask"),
    ],
)
def test_each_converter_builds_and_comes_back(app: Flask, endpoint: str, values: dict[str, t.Any], url: str) -> None:
    result = routing.build(app, endpoint, values)
    assert ok(result) == url
    assert result.roundtrip is not None and result.roundtrip.ok, result.roundtrip
    assert result.roundtrip.endpoint == endpoint


def test_converted_values_and_types_in_the_round_trip(app: Flask) -> None:
    trip = routing.build(app, "order", {"order_id": str(ORDER)}).roundtrip
    assert trip is not None
    assert trip.values == {"order_id": ORDER}
    assert trip.value_types == {"order_id": "UUID"}
    assert trip.to_dict() == {"ok": True, "endpoint": "order", "values": {"order_id": str(ORDER)}}


def test_a_value_a_converter_refuses_is_diagnosed(app: Flask) -> None:
    result = routing.build(app, "users.user_profile", {"user_id": "abc"})
    assert not result.ok and result.url is None and result.roundtrip is None
    assert result.diagnosis is not None and result.diagnosis.kind == "invalid_value"
    assert "user_id" in result.diagnosis.explanation
    result = routing.build(app, "report", {"period": "monthly"})
    assert result.diagnosis is not None and result.diagnosis.kind == "invalid_value"


def test_missing_and_unknown_are_diagnosed(app: Flask) -> None:
    missing = routing.build(app, "users.user_profile", {})
    assert missing.diagnosis is not None and missing.diagnosis.kind == "missing_parameters"
    assert missing.diagnosis.missing == ("user_id",)
    unknown = routing.build(app, "user_profile", {"user_id": "7"})
    assert unknown.diagnosis is not None and unknown.diagnosis.kind == "missing_blueprint_prefix"
    assert unknown.diagnosis.suggestions[0].endpoint == "users.user_profile"


def test_the_call_to_copy(app: Flask) -> None:
    result = routing.build(app, "users.user_profile", {"user_id": "7"})
    assert result.python_call == "url_for('users.user_profile', user_id=7)"
    assert result.jinja_call == "{{ url_for('users.user_profile', user_id=7) }}"
    assert (
        routing.build(app, "users.user_profile", {"user_id": "x7"}).python_call
        == "url_for('users.user_profile', user_id='x7')"
    )
    assert routing.build(app, "price", {"amount": "2"}).python_call == "url_for('price', amount=2.0)"
    odd = routing.build(app, "index", {}, extra_query={"class": "a", "x-y": "b"})
    assert odd.python_call == "url_for('index', **{'class': 'a', 'x-y': 'b'})"
    assert ok(odd) == "/?class=a&x-y=b"


def test_form_strings_pick_the_rule_the_number_would(app: Flask) -> None:
    """``page='1'`` in a form means ``page=1`` in code: the rule with the default wins, as in code."""
    result = routing.build(app, "blog", {"page": "1"})
    assert ok(result) == "/blog/"
    assert result.roundtrip is not None and result.roundtrip.ok and result.roundtrip.values == {"page": 1}
    assert ok(routing.build(app, "blog", {"page": "2"})) == "/blog/page/2"


# --------------------------------------------------------------------------- build: special arguments


def test_external_scheme_anchor_and_query(app: Flask) -> None:
    assert ok(routing.build(app, "about", {}, external=True)) == "http://localhost/about"
    result = routing.build(
        app, "about", {}, external=True, scheme="https", anchor="team members", extra_query={"q": "a&b"}
    )
    assert ok(result) == "https://localhost/about?q=a%26b#team%20members"
    assert result.python_call == "url_for('about', q='a&b', _external=True, _scheme='https', _anchor='team members')"
    assert result.roundtrip is not None and result.roundtrip.ok


def test_scheme_alone_makes_an_external_url_as_in_a_request(app: Flask) -> None:
    assert ok(routing.build(app, "about", {}, scheme="https")) == "https://localhost/about"


def test_method_picks_the_rule_and_is_matched_back_with_it(app: Flask) -> None:
    result = routing.build(app, "users.follow", {"user_id": "3"}, method="post")
    assert ok(result) == "/users/3/follow"
    assert "_method='POST'" in result.python_call
    assert result.roundtrip is not None and result.roundtrip.ok
    # Without _method, a POST-only endpoint is matched back with its own method.
    assert routing.build(app, "subscribe", {}).roundtrip.ok  # type: ignore[union-attr]
    refused = routing.build(app, "users.follow", {"user_id": "3"}, method="GET")
    assert refused.diagnosis is not None and refused.diagnosis.kind == "method_not_allowed"


def test_relative_endpoint_with_and_without_blueprint(app: Flask) -> None:
    inside = routing.build(app, ".user_profile", {"user_id": "7"}, blueprint="users")
    assert ok(inside) == "/users/7"
    assert inside.endpoint == "users.user_profile"
    assert inside.python_call == "url_for('.user_profile', user_id=7)"
    outside = routing.build(app, ".about", {})
    assert ok(outside) == "/about"
    assert outside.endpoint == "about"
    lost = routing.build(app, ".user_profile", {"user_id": "7"})
    assert not lost.ok and lost.diagnosis is not None
    assert lost.diagnosis.endpoint in ("user_profile", ".user_profile")


def test_url_defaults_hooks_run(app: Flask) -> None:
    result = routing.build(app, "lang.welcome", {})
    assert ok(result) == "/en/welcome"
    assert result.roundtrip is not None and result.roundtrip.values == {"lang_code": "en"}
    assert ok(routing.build(app, "lang.welcome", {"lang_code": "fi"})) == "/fi/welcome"


def test_a_failing_url_defaults_hook_is_named(make_app: t.Callable[..., Flask]) -> None:
    app = make_app()
    app.add_url_rule("/", "index", _view)

    @app.url_defaults
    def add_tenant(endpoint: str, values: dict[str, t.Any]) -> None:
        if app.url_map.is_endpoint_expecting(endpoint, "tenant"):  # KeyError for an unknown endpoint
            values.setdefault("tenant", "acme")

    result = routing.build(app, "indx", {})
    assert not result.ok and result.diagnosis is not None
    # The hook's KeyError is a symptom of the typo: the diagnosis is the typo's, the hook a secondary fact.
    assert result.diagnosis.kind == "unknown_endpoint" and result.diagnosis.fix == "url_for('index')"
    hook_error = result.diagnosis.hook_error
    assert hook_error is not None and "add_tenant" in hook_error and f"{__file__}:" in hook_error
    assert hook_error in result.diagnosis.explanation


def test_a_url_build_error_handler_of_the_app_is_honoured(make_app: t.Callable[..., Flask]) -> None:
    app = make_app()
    app.url_build_error_handlers.append(lambda error, endpoint, values: "/fallback" if endpoint == "legacy" else None)
    app.add_url_rule("/fallback", "fallback", _view)
    assert ok(routing.build(app, "legacy", {})) == "/fallback"


def test_never_calls_a_view(make_app: t.Callable[..., Flask]) -> None:
    app = make_app()
    calls: list[str] = []
    app.add_url_rule("/x/<int:n>", "x", lambda n: calls.append("x") or "")
    ok(routing.build(app, "x", {"n": "1"}))
    assert routing.match(app, "/x/1").ok
    assert calls == []


def test_never_opens_the_session_nor_runs_request_hooks(make_app: t.Callable[..., Flask]) -> None:
    """A build runs on every keystroke: the app's session backend (a database, Redis) stays untouched."""
    calls: list[str] = []

    class CountingSessions(SecureCookieSessionInterface):
        def open_session(self, app: Flask, request: t.Any) -> t.Any:
            calls.append("open_session")
            return super().open_session(app, request)

    app = make_app(SECRET_KEY="test")
    app.session_interface = CountingSessions()
    app.before_request(lambda: calls.append("before_request"))
    app.add_url_rule("/x/<int:n>", "x", _view)
    ok(routing.build(app, "x", {"n": "1"}))
    assert not routing.build(app, "y", {"n": "1"}).ok  # the diagnosis runs in the same context
    assert routing.match(app, "/x/1").ok
    assert calls == []


# --------------------------------------------------------------------------- build: round-trip failures


def test_round_trip_a_number_the_converter_cannot_read_back(app: Flask) -> None:
    negative = routing.build(app, "users.user_profile", {"user_id": "-5"})
    assert ok(negative) == "/users/-5"
    assert negative.roundtrip is not None and not negative.roundtrip.ok
    assert "not accepted by int for user_id" in str(negative.roundtrip.problem)
    below = routing.build(app, "users.settings", {"user_id": "0"})
    assert below.roundtrip is not None and not below.roundtrip.ok
    assert "below the minimum 1" in str(below.roundtrip.problem)


def test_round_trip_leading_zeros_are_the_same_number(app: Flask) -> None:
    """'007' is 7 once converted: not a round-trip failure."""
    result = routing.build(app, "users.user_profile", {"user_id": "007"})
    assert ok(result) == "/users/7"
    assert result.roundtrip is not None and result.roundtrip.ok and result.roundtrip.values == {"user_id": 7}


def test_round_trip_shadowed_rule(app: Flask) -> None:
    result = routing.build(app, "item", {"name": "new"})
    assert ok(result) == "/items/new"
    trip = result.roundtrip
    assert trip is not None and not trip.ok
    assert trip.endpoint == "new_item"
    assert "handled by 'new_item'" in str(trip.problem)
    assert trip.to_dict() == {"ok": False, "endpoint": "new_item", "values": {}}


def test_round_trip_value_that_changes(app: Flask) -> None:
    result = routing.build(app, "post", {"slug": "Hello-Flask"})
    assert ok(result) == "/posts/hello-flask"
    assert result.roundtrip is not None and not result.roundtrip.ok
    assert "slug comes back as 'hello-flask', not 'Hello-Flask'" in str(result.roundtrip.problem)


def test_round_trip_path_normalisation(app: Flask) -> None:
    slash = routing.build(app, "item", {"name": "a/b"})
    assert ok(slash) == "/items/a/b"
    assert slash.roundtrip is not None and not slash.roundtrip.ok
    leading = routing.build(app, "file", {"filepath": "/etc/passwd"})
    assert ok(leading) == "/files//etc/passwd"
    assert leading.roundtrip is not None and not leading.roundtrip.ok
    assert "redirects to" in str(leading.roundtrip.problem) or "does not lead back" in str(leading.roundtrip.problem)


def test_round_trip_of_a_float_string_that_is_not_a_url_float(app: Flask) -> None:
    result = routing.build(app, "price", {"amount": "1e400"})
    # float('1e400') is inf: the form string stays a string, and the converter writes 'inf'.
    assert result.ok and result.roundtrip is not None and not result.roundtrip.ok


# --------------------------------------------------------------------------- build: input


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"endpoint": "", "values": {}}, "Choose an endpoint"),
        ({"endpoint": "x" * 201, "values": {}}, "at most 200"),
        ({"endpoint": "a\x00b", "values": {}}, "control characters"),
        ({"endpoint": "item", "values": {"name": "x" * 1001}}, "at most 1,000"),
        ({"endpoint": "item", "values": {f"v{i}": "1" for i in range(51)}}, "at most 50"),
        ({"endpoint": "item", "values": {"_external": "1"}}, "url_for's own arguments"),
        ({"endpoint": "item", "values": {"endpoint": "1"}}, "'endpoint' cannot be a value"),
        ({"endpoint": "item", "values": {"name": "1"}, "extra_query": {"name": "2"}}, "both as a URL variable"),
        ({"endpoint": "item", "values": {}, "method": "GET POST"}, "not an HTTP method"),
        ({"endpoint": "item", "values": {}, "scheme": "ht tp"}, "not a URL scheme"),
        ({"endpoint": "item", "values": {}, "blueprint": "nope"}, "No blueprint named 'nope'"),
    ],
)
def test_refused_input(app: Flask, kwargs: dict[str, t.Any], message: str) -> None:
    endpoint, values = kwargs.pop("endpoint"), kwargs.pop("values")
    result = routing.build(app, endpoint, values, **kwargs)
    assert not result.ok and result.error is not None and message in result.error
    assert set(result.to_dict()) == {"ok", "url", "roundtrip", "diagnosis", "error"}


def test_build_json_keys(app: Flask) -> None:
    assert set(routing.build(app, "about", {}).to_dict()) == {"ok", "url", "roundtrip", "diagnosis"}
    failed = routing.build(app, "nope", {}).to_dict()
    assert failed["ok"] is False and failed["url"] is None and failed["roundtrip"] is None
    assert failed["diagnosis"]["kind"]


# --------------------------------------------------------------------------- match


def test_match_200_values_types_view(app: Flask) -> None:
    result = routing.match(app, "/users/7")
    assert result.ok and result.status == 200
    assert (result.endpoint, result.rule) == ("users.user_profile", "/users/<int:user_id>")
    assert result.values == {"user_id": 7} and result.value_types == {"user_id": "int"}
    assert result.allowed_methods == ("GET",)
    assert result.route is not None and result.route.view.file == __file__
    assert result.to_dict() == {
        "ok": True,
        "status": 200,
        "endpoint": "users.user_profile",
        "rule": "/users/<int:user_id>",
        "values": {"user_id": 7},
        "allowed_methods": ["GET"],
        "redirect_to": None,
        # The other rule of the same path, for another method.
        "near": [
            {
                "endpoint": "users.edit",
                "rule": "/users/<int:user_id>",
                "reason": "method GET not allowed (allowed: PUT)",
            }
        ],
    }
    order = routing.match(app, f"/orders/{ORDER}")
    assert order.values == {"order_id": ORDER} and order.to_dict()["values"] == {"order_id": str(ORDER)}


def test_match_full_url_and_query_string(app: Flask) -> None:
    result = routing.match(app, "http://localhost/users/7?tab=posts#top")
    assert result.ok and result.endpoint == "users.user_profile"
    assert routing.match(app, "users/7").ok  # the leading slash is added


def test_match_defaults_come_with_the_values(app: Flask) -> None:
    result = routing.match(app, "/blog/")
    assert result.ok and result.values == {"page": 1}


def test_404_static_part_differs(app: Flask) -> None:
    result = routing.match(app, "/user/7")
    assert result.status == 404 and not result.ok
    assert result.near[0].endpoint == "users.user_profile"
    assert result.near[0].reason == "static part differs: expected 'users', got 'user'"


def test_404_converter_rejects_a_segment(app: Flask) -> None:
    result = routing.match(app, "/users/abc")
    assert result.near[0].to_dict() == {
        "endpoint": "users.user_profile",
        "rule": "/users/<int:user_id>",
        "reason": "segment 'abc' is not accepted by int for user_id",
    }
    minimum = routing.match(app, "/users/0/settings")
    assert minimum.near[0].reason == "segment '0' is rejected by int(min=1) for user_id: below the minimum 1"
    digits = routing.match(app, "/codes/42")
    assert digits.near[0].reason == "segment '42' is rejected by int(fixed_digits=4) for code: needs exactly 4 digits"
    items = routing.match(app, "/reports/monthly")
    assert items.near[0].reason == "segment 'monthly' is not accepted by any('daily', 'weekly') for period"
    length = routing.match(app, "/hello/eng")
    assert length.near[0].reason == "segment 'eng' is not accepted by string(length=2) for lang"
    custom = routing.match(app, "/posts/Hello")
    assert custom.near[0].reason == "segment 'Hello' is not accepted by slug for slug"


def test_404_path_too_short_or_too_long(app: Flask) -> None:
    short = routing.match(app, "/files")
    assert any(n.endpoint == "file" and n.reason.startswith("path too short") for n in short.near)
    long = routing.match(app, "/about/team/x")
    assert any(n.endpoint == "about" and n.reason.startswith("path too long") for n in long.near)


def test_404_trailing_slash_the_rule_does_not_have(app: Flask) -> None:
    result = routing.match(app, "/about/")
    assert result.status == 404
    assert result.near[0].endpoint == "about"
    assert result.near[0].reason == "trailing slash: the rule has none ('/about' would match)"


def test_404_with_nothing_near(app: Flask) -> None:
    result = routing.match(app, "/zzzzzzzz/qqqq/wwww")
    assert result.status == 404 and result.near == ()


def test_405_lists_methods_without_head_and_options(app: Flask) -> None:
    result = routing.match(app, "/users/7", method="DELETE")
    assert result.status == 405 and not result.ok
    assert result.allowed_methods == ("GET", "PUT")
    reasons = {n.endpoint: n.reason for n in result.near}
    assert reasons["users.user_profile"] == "method DELETE not allowed (allowed: GET)"
    assert reasons["users.edit"] == "method DELETE not allowed (allowed: PUT)"
    assert all(n.verdict == "method" for n in result.near)


def test_308_trailing_slash(app: Flask) -> None:
    result = routing.match(app, "/docs")
    assert result.status == 308 and not result.ok
    assert result.redirect_to == "/docs/"
    assert result.near[0].to_dict() == {
        "endpoint": "docs",
        "rule": "/docs/",
        "reason": "trailing slash: redirects to /docs/",
    }


def test_308_repeated_slashes(app: Flask) -> None:
    result = routing.match(app, "/users//7")
    assert result.status == 308 and result.redirect_to == "/users/7"
    assert result.near[0].endpoint == "users.user_profile"
    assert result.near[0].reason.startswith("repeated slashes")


def test_308_redirect_to(app: Flask) -> None:
    result = routing.match(app, "/old/3")
    assert result.status == 308 and result.redirect_to == "/users/3"
    assert result.near[0].endpoint == "old_profile"
    assert result.near[0].reason == "redirect_to: redirects to /users/3"


def test_308_default_values(app: Flask) -> None:
    result = routing.match(app, "/blog/page/1")
    assert result.status == 308 and result.redirect_to == "/blog/"
    assert result.near[0].reason.startswith("defaults:")


def test_200_lists_the_other_rules_for_the_path(app: Flask) -> None:
    result = routing.match(app, "/items/new")
    assert result.endpoint == "new_item"
    assert any(n.endpoint == "item" and "comes first" in n.reason for n in result.near)


def test_host_matching(make_app: t.Callable[..., Flask]) -> None:
    app = make_app()
    app.url_map.host_matching = True
    app.add_url_rule("/", "home", _view, host="example.com")
    app.add_url_rule("/", "api_home", _view, host="api.example.com")
    assert routing.match(app, "/", host="api.example.com").endpoint == "api_home"
    assert routing.match(app, "http://example.com/").endpoint == "home"
    miss = routing.match(app, "/", host="other.org")
    assert miss.status == 404
    assert any(
        n.reason == "host mismatch: the rule wants 'example.com', the request has 'other.org'" for n in miss.near
    )
    assert any(n.verdict == "host" for n in miss.near)


def test_subdomain_matching(make_app: t.Callable[..., Flask]) -> None:
    app = make_app(SERVER_NAME="example.com")
    app.subdomain_matching = True
    app.add_url_rule("/", "blog_home", _view, subdomain="blog")
    assert routing.match(app, "/", host="blog.example.com").endpoint == "blog_home"
    miss = routing.match(app, "/", host="shop.example.com")
    assert miss.status == 404
    assert any(n.reason == "subdomain mismatch: the rule wants 'blog', the request has 'shop'" for n in miss.near)


def test_websocket_rule(make_app: t.Callable[..., Flask]) -> None:
    app = make_app()
    app.add_url_rule("/ws", "socket", _view, websocket=True)
    result = routing.match(app, "/ws")
    assert result.status == 400 and not result.ok
    assert result.near[0].reason == "WebSocket rule: an HTTP request never matches it"


@pytest.mark.parametrize(
    ("path", "method", "host", "message"),
    [
        ("", "GET", None, "Enter a path"),
        ("/" + "a" * 2000, "GET", None, "at most 2,000"),
        ("/a\x07b", "GET", None, "control characters"),
        ("/%ff", "GET", None, "not valid UTF-8"),
        ("/x", "GE T", None, "not an HTTP method"),
        ("/x", "GET", "bad host/", "The host may hold only"),
    ],
)
def test_match_refused_input(app: Flask, path: str, method: str, host: str | None, message: str) -> None:
    result = routing.match(app, path, method=method, host=host)
    assert result.status == 404 and not result.ok and result.near == ()
    assert result.error is not None and message in result.error
    assert set(result.to_dict()) == {
        "ok",
        "status",
        "endpoint",
        "rule",
        "values",
        "allowed_methods",
        "redirect_to",
        "near",
        "error",
    }


def test_invalid_percent_escape_that_is_not_hex_is_matched_as_text(app: Flask) -> None:
    result = routing.match(app, "/items/%zz")
    assert result.ok and result.values == {"name": "%zz"}


def test_a_converter_that_raises_is_reported_not_raised(make_app: t.Callable[..., Flask]) -> None:
    class Broken(BaseConverter):
        def to_python(self, value: str) -> t.Any:
            raise RuntimeError("bug in converter")

    app = make_app()
    app.url_map.converters["broken"] = Broken
    app.add_url_rule("/b/<broken:x>", "b", _view)
    app.add_url_rule("/b/new", "b_new", _view)
    result = routing.match(app, "/b/1")
    # Valid input: the app itself would answer 500, and the tester says which converter raised.
    assert result.error is None and not result.ok and result.status == 500
    assert result.near[0].endpoint == "b" and result.near[0].verdict == "error"
    assert result.near[0].reason == "broken for x raises RuntimeError('bug in converter') on '1': the app answers 500"
    assert set(result.to_dict()) == {
        "ok",
        "status",
        "endpoint",
        "rule",
        "values",
        "allowed_methods",
        "redirect_to",
        "near",
    }
    assert routing.match(app, "/b/new").endpoint == "b_new"  # a static rule comes first: no converter runs


def test_a_redirect_to_callable_that_raises_is_reported(make_app: t.Callable[..., Flask]) -> None:
    def broken(adapter: t.Any, **values: t.Any) -> str:
        raise LookupError("no such user")

    app = make_app()
    app.add_url_rule("/u/<int:user_id>", "old_user", redirect_to=broken)
    result = routing.match(app, "/u/3")
    assert result.status == 500 and result.error is None
    assert result.near[0].endpoint == "old_user" and result.near[0].verdict == "error"
    assert "raised LookupError('no such user')" in result.near[0].reason


# --------------------------------------------------------------------------- match: what a real server sends


def _real_request(app: Flask, path_info: str) -> tuple[int, str | None]:
    """What the app itself does for PATH_INFO as a WSGI server sets it (no URL parsing on the way)."""
    with app.test_request_context(environ_overrides={"PATH_INFO": path_info}) as context:
        error = context.request.routing_exception
        if error is None:
            return 200, context.request.url_rule.endpoint  # type: ignore[union-attr]
        if isinstance(error, RequestRedirect):
            return 308, error.new_url.removeprefix("http://localhost")
        return int(getattr(error, "code", 0) or 0), None


@pytest.mark.parametrize(
    "path", ["//users/7", "//users", "//", "/users//7", "/docs//", "/files//etc/passwd", "/files/a//b", "//about/"]
)
def test_repeated_slashes_are_matched_as_a_real_request(app: Flask, path: str) -> None:
    status, answer = _real_request(app, path)
    result = routing.match(app, path)
    assert result.status == status
    assert (result.endpoint if status == 200 else result.redirect_to) == answer


def test_leading_double_slash_is_a_path_not_a_host(app: Flask) -> None:
    assert routing.match(app, "//users/7").endpoint == "users.user_profile"
    redirect = routing.match(app, "//users")
    assert redirect.status == 308 and redirect.redirect_to == "/users/"
    assert redirect.near[0].reason == "trailing slash: redirects to /users/"


def test_a_host_outside_server_name_is_said_plainly_without_a_warning(make_app: t.Callable[..., Flask]) -> None:
    app = make_app(SERVER_NAME="example.com:5000")
    app.subdomain_matching = True
    app.add_url_rule("/", "home", _view)
    app.add_url_rule("/", "blog_home", _view, subdomain="blog")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        miss = routing.match(app, "/", host="other.org:5000")
        under = routing.match(app, "/", host="blog.example.com:5000")
    assert caught == []
    assert miss.status == 404 and miss.near
    assert {n.reason for n in miss.near} == {"host other.org:5000 is not under SERVER_NAME example.com:5000"}
    assert "<invalid>" not in str(miss.to_dict())
    assert under.endpoint == "blog_home"


def test_the_fix_of_an_unknown_endpoint_has_typed_values(app: Flask) -> None:
    result = routing.build(app, "user_profile", {"user_id": "7"})
    assert not result.ok and result.diagnosis is not None
    assert str(result.diagnosis.fix).startswith("url_for('users.user_profile', user_id=7")
    assert result.python_call == "url_for('user_profile', user_id=7)"


def test_a_variable_converted_differently_by_other_rules_stays_a_string(make_app: t.Callable[..., Flask]) -> None:
    app = make_app()
    app.add_url_rule("/a/<int:key>", "a", _view)
    app.add_url_rule("/b/<key>", "b", _view)
    result = routing.build(app, "c", {"key": "7"})
    assert result.python_call == "url_for('c', key='7')"


@pytest.mark.parametrize(
    ("filepath", "browser"),
    [("x/../y", "/files/y"), ("x/./y", "/files/x/y"), ("a/..", "/files/")],
)
def test_round_trip_flags_dot_segments_a_browser_removes(app: Flask, filepath: str, browser: str) -> None:
    result = routing.build(app, "file", {"filepath": filepath})
    assert ok(result).startswith("/files/")
    trip = result.roundtrip
    assert trip is not None and not trip.ok
    assert f"A browser requests {browser}" in str(trip.problem)


def test_round_trip_of_dot_segments_says_where_the_browser_lands(app: Flask) -> None:
    trip = routing.build(app, "file", {"filepath": "docs/../../about"}).roundtrip
    assert trip is not None and not trip.ok and trip.endpoint == "about"
    assert "A browser requests /about, not /files/docs/../../about" in str(trip.problem)
    assert "/about is handled by 'about' (rule /about), not 'file'" in str(trip.problem)


def test_round_trip_of_a_protocol_relative_url(make_app: t.Callable[..., Flask]) -> None:
    app = make_app()
    app.add_url_rule("/users/<int:user_id>", "user", _view)
    # Werkzeug never builds one, but an app's build-error handler may return any text.
    app.url_build_error_handlers.append(lambda error, endpoint, values: "//users/7")
    result = routing.build(app, "missing", {})
    assert ok(result) == "//users/7"
    trip = result.roundtrip
    assert trip is not None and not trip.ok and trip.endpoint is None
    assert "A browser reads //users/7 as a link to the host 'users'" in str(trip.problem)


def test_browser_path_follows_the_url_standard() -> None:
    assert routing.browser_path("/a/b/../c/./d") == "/a/c/d"
    assert routing.browser_path("/a/%2e%2E/b") == "/b"
    assert routing.browser_path("/../../a") == "/a"
    assert routing.browser_path("/a/.") == "/a/"
    assert routing.browser_path("/a//b/..") == "/a//"  # repeated slashes are left to the server
    assert routing.browser_path("/a/..b/.c") == "/a/..b/.c"


def test_match_names_the_method_view_handler_that_answers(make_app: t.Callable[..., Flask]) -> None:
    class ItemAPI(MethodView):
        def get(self, item_id: int) -> str:
            return "never called"

        def put(self, item_id: int) -> str:
            return "never called"

    app = make_app()
    app.add_url_rule("/api/items/<int:item_id>", view_func=ItemAPI.as_view("items"))
    for method, handler in (("GET", "get"), ("HEAD", "get"), ("PUT", "put")):
        result = routing.match(app, "/api/items/1", method=method)
        assert result.view is not None and result.view.qualname.endswith(f"ItemAPI.{handler}")
        assert result.view.line == getattr(ItemAPI, handler).__code__.co_firstlineno


def test_match_of_a_function_view_names_the_function(app: Flask) -> None:
    result = routing.match(app, "/about")
    assert result.view is not None and result.route is not None and result.view is result.route.view


def test_a_path_like_converter_that_raises_is_reported_not_a_bare_500(make_app: t.Callable[..., Flask]) -> None:
    class BrokenPath(BaseConverter):
        """Takes slashes, like ``path``, and fails on every value."""

        regex = "[^/].*?"
        part_isolating = False

        def to_python(self, value: str) -> t.Any:
            raise RuntimeError("bug in converter")

    app = make_app()
    app.url_map.converters["brokenpath"] = BrokenPath
    app.add_url_rule("/p/<brokenpath:rest>", "p", _view)
    result = routing.match(app, "/p/a/b")
    # As for a converter of one segment: the app answers 500, and the tester names the rule and the converter.
    assert result.error is None and not result.ok and result.status == 500
    assert result.near and result.near[0].endpoint == "p" and result.near[0].verdict == "error"
    assert result.near[0].reason == (
        "brokenpath for rest raises RuntimeError('bug in converter') on 'a/b': the app answers 500"
    )


def test_the_explorers_own_pages_are_not_rules_of_the_app() -> None:
    """The explorer answers in front of the app: its prefix is in no rule, and the matcher says so
    (it used to report the explorer's own blueprint rule, with a wrong reason for the slash redirect)."""
    from demo_app import create_app

    app = create_app({"TESTING": True, "DEBUG": True, "DEBUG_TB_ENABLED": False})
    for path in ("/_routes", "/_routes/"):
        result = routing.match(app, path)
        assert result.status == 404 and result.endpoint is None, path
        assert all(not near.endpoint.startswith("route_explorer.") for near in result.near)
    client = app.test_client()
    assert client.get("/_routes").status_code == 308 and client.get("/_routes/").status_code == 200


# --------------------------------------------------------------------------- the one matcher


def test_follow_keeps_the_redirect_chain_and_the_allowed_methods(app: Flask) -> None:
    adapter = app.url_map.bind("localhost")
    once = follow(adapter, "/docs", "GET")
    assert once.status == 308 and once.redirects == ("http://localhost/docs/",) and once.endpoint is None
    followed = follow(adapter, "/docs", "GET", redirects=1)
    assert (followed.status, followed.endpoint, followed.path) == (200, "docs", "/docs/")
    assert followed.redirects == ("http://localhost/docs/",)
    refused = follow(adapter, "/users/7", "DELETE")
    assert refused.status == 405 and refused.allowed == ("GET", "HEAD", "OPTIONS", "PUT")


def test_endpoint_for_path_reads_urls_follows_redirects_and_falls_back_on_405(app: Flask) -> None:
    assert endpoint_for_path(app, "http://example.org/users/7?tab=1#top", None) == (
        "users.user_profile",
        {"user_id": 7},
    )
    assert endpoint_for_path(app, "/docs", None) == ("docs", {})
    assert endpoint_for_path(app, "/users//7", "GET") == ("users.user_profile", {"user_id": 7})
    assert endpoint_for_path(app, "/about", "POST") == ("about", {})  # the method falls back to GET
    assert endpoint_for_path(app, "/subscribe", None) is None  # POST only: GET is the fallback too
    assert endpoint_for_path(app, "users/7", None) is None
    assert endpoint_for_path(app, "/nothing/here", None) is None


def test_every_problem_kind_has_a_sentence() -> None:
    for kind in routing.Kind:
        assert routing.sentence(routing.Problem(kind))
    assert routing.sentence(None) == "matches"
