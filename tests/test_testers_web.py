"""The testers' pages and JSON API: prefill, htmx fragments, exact JSON keys, escaping, arbitrary input."""

from __future__ import annotations

import html
import json
import re
import typing as t
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import BaseConverter

from demo_app import create_app

BUILD_KEYS = {"ok", "url", "roundtrip", "diagnosis"}
MATCH_KEYS = {"ok", "status", "endpoint", "rule", "values", "allowed_methods", "redirect_to", "near"}
HTMX = {"HX-Request": "true"}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def app() -> Flask:
    app = create_app({"TESTING": True, "ROUTE_EXPLORER_ENABLED": True, "DEBUG_TB_ENABLED": False})
    app.debug = True
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def page(client: FlaskClient, url: str, **kwargs: t.Any) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def api(client: FlaskClient, url: str) -> tuple[int, dict[str, t.Any]]:
    response = client.get(url)
    assert response.mimetype == "application/json"
    return response.status_code, json.loads(response.get_data(as_text=True))


# --------------------------------------------------------------------------- pages


def test_build_page_empty(client: FlaskClient) -> None:
    html = page(client, "/_routes/build")
    assert "Pick an endpoint to build a URL for it." in html
    assert 'aria-current="page">Build a URL' in html
    assert 'hx-get="/_routes/build"' in html and 'method="get"' in html


def test_build_page_prefilled_from_build_link(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        from flask_route_explorer.rendering import build_link

        link = build_link("users.user_profile", {"user_id": 7})
    html = page(client, link)
    assert 'data-testid="built-url">/users/7<' in html
    assert 'name="user_id" type="number"' in html and 'value="7"' in html
    assert "url_for(&#39;users.user_profile&#39;, user_id=7)" in html
    assert "round trip ✓" in html


def test_build_page_fields_are_typed_by_converter(client: FlaskClient) -> None:
    settings_html = page(client, "/_routes/build?endpoint=users.settings")
    assert 'type="number"' in settings_html and 'min="1"' in settings_html
    bio = page(client, "/_routes/build?endpoint=users.user_bio")
    assert 'minlength="2"' in bio and 'maxlength="2"' in bio
    period = page(client, "/_routes/build?endpoint=admin.reports.period_report")
    assert '<select id="var-1" name="period">' in period
    assert all(f'<option value="{item}"' in period for item in ("daily", "weekly", "monthly"))
    revenue = page(client, "/_routes/build?endpoint=admin.reports.revenue_above")
    assert 'step="any"' in revenue
    order = page(client, "/_routes/build?endpoint=admin.order_detail")
    assert "123e4567-e89b-12d3-a456-426614174000" in order
    files = page(client, "/_routes/build?endpoint=admin.browse_file")
    assert "may contain slashes" in files
    custom = page(client, "/_routes/build?endpoint=blog_post")
    assert "custom converter slug" in custom
    blog = page(client, "/_routes/build?endpoint=blog_index")
    assert "optional, default 1" in blog


def test_build_page_a_bad_number_stays_visible(client: FlaskClient) -> None:
    html = page(client, "/_routes/build?endpoint=users.user_profile&user_id=abc")
    assert 'name="user_id" type="text"' in html and 'value="abc"' in html
    assert 'data-testid="build-failed"' in html and "invalid_value" in html


def test_build_page_diagnosis_links_suggestions_to_the_tester(client: FlaskClient) -> None:
    html = page(client, "/_routes/build?endpoint=user_profile&user_id=7")
    assert "missing_blueprint_prefix" in html
    assert 'href="/_routes/build?endpoint=users.user_profile&amp;user_id=7"' in html


def test_build_page_picker_suggests_endpoints(client: FlaskClient) -> None:
    html = page(client, "/_routes/build?endpoint=profle")
    assert 'class="suggestion" href="/_routes/build?endpoint=users.user_profile"' in html


def test_build_page_extra_query_and_special_arguments(client: FlaskClient) -> None:
    html = page(
        client, "/_routes/build?endpoint=index&_external=1&_scheme=https&_anchor=top&_query=a%3D1%0Anoequals&tab=x"
    )
    assert "https://localhost/?a=1&amp;tab=x#top" in html
    assert "Ignored (no “=”)" in html and "<code>noequals</code>" in html


def test_build_page_pretended_blueprint(client: FlaskClient) -> None:
    html = page(client, "/_routes/build?endpoint=.user_profile&user_id=3&_blueprint=users")
    assert 'data-testid="built-url">/users/3<' in html
    assert '<option value="users" selected>' in html


def test_build_htmx_fragment_swaps_fields_only_when_the_endpoint_changes(client: FlaskClient) -> None:
    same = page(
        client, "/_routes/build?endpoint=users.user_profile&user_id=7&_fields_for=users.user_profile", headers=HTMX
    )
    assert "<html" not in same
    assert 'data-testid="built-url">/users/7<' in same
    assert 'id="endpoint-suggestions" class="suggestions" hx-swap-oob="true"' in same
    assert 'id="build-fields"' not in same
    changed = page(
        client, "/_routes/build?endpoint=users.settings&user_id=7&_fields_for=users.user_profile", headers=HTMX
    )
    assert 'id="build-fields" class="build-fields" data-keep-typed hx-swap-oob="true"' in changed
    assert 'value="users.settings"' in changed
    # Inputs left from the previous endpoint are not extra query arguments.
    moved = page(client, "/_routes/build?endpoint=about&user_id=7&_fields_for=users.user_profile", headers=HTMX)
    assert 'data-testid="built-url">/about<' in moved


def test_match_page_states(client: FlaskClient) -> None:
    empty = page(client, "/_routes/match")
    assert "Type a path to see which rule handles it." in empty
    handled = page(client, "/_routes/match?path=/users/7")
    assert 'data-status="200"' in handled and "users.user_profile" in handled
    assert '<span class="type">int</span>' in handled and "users.py:" in handled
    assert 'href="/_routes/build?endpoint=users.user_profile&amp;user_id=7"' in handled
    missing = page(client, "/_routes/match?path=/user/7")
    assert (
        'data-status="404"' in missing
        and "static part differs: expected &#39;users&#39;, got &#39;user&#39;" in missing
    )
    method = page(client, "/_routes/match?path=/users/7&method=POST")
    assert 'data-status="405"' in method and 'href="/_routes/match?path=/users/7&amp;method=GET"' in method
    redirect = page(client, "/_routes/match?path=/blog")
    assert 'data-status="308"' in redirect and 'data-testid="redirect">/blog/<' in redirect
    assert 'name="host"' not in redirect  # the demo app matches neither hosts nor subdomains


def test_match_htmx_fragment(client: FlaskClient) -> None:
    html = page(client, "/_routes/match?path=/users/7", headers=HTMX)
    assert "<html" not in html and 'data-status="200"' in html


def test_match_page_shows_the_host_field_when_the_app_matches_subdomains(make_app: t.Callable[..., Flask]) -> None:
    app = make_app(SERVER_NAME="example.com")
    app.subdomain_matching = True
    app.add_url_rule("/", "blog_home", lambda: "", subdomain="blog")
    html = page(app.test_client(), "/_routes/match?path=/&host=blog.example.com")
    assert 'name="host"' in html and 'data-status="200"' in html and "blog_home" in html


def test_pages_escape_hostile_input(client: FlaskClient) -> None:
    hostile = quote(HOSTILE)
    for url in (
        f"/_routes/build?endpoint={hostile}",
        f"/_routes/build?endpoint=greeting&lang={hostile}&_anchor={hostile}&_query=a%3D{hostile}&_scheme={hostile}",
        f"/_routes/build?endpoint=items&_blueprint={hostile}",
        f"/_routes/match?path=/{hostile}&method={hostile}&host={hostile}",
        f"/_routes/match?path=/{hostile}",
        f"/_routes/match?path=/posts/{hostile}",
    ):
        for headers in ({}, HTMX):
            html = page(client, url, headers=headers)
            assert "<script>alert" not in html and "<img src=x" not in html, url
    assert "&lt;script&gt;" in page(client, f"/_routes/match?path=/posts/{hostile}")


def test_pages_keep_the_csp(client: FlaskClient) -> None:
    for url in ("/_routes/build?endpoint=users.user_profile&user_id=7", "/_routes/match?path=/users/7"):
        response = client.get(url)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        html = response.get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and " onclick=" not in html


# --------------------------------------------------------------------------- JSON API


def test_api_build_keys_exactly(client: FlaskClient) -> None:
    status, body = api(client, "/_routes/api/build?endpoint=users.user_profile&user_id=7")
    assert status == 200 and set(body) == BUILD_KEYS
    assert body == {
        "ok": True,
        "url": "/users/7",
        "roundtrip": {"ok": True, "endpoint": "users.user_profile", "values": {"user_id": 7}},
        "diagnosis": None,
    }


def test_api_build_special_arguments(client: FlaskClient) -> None:
    _, body = api(
        client,
        "/_routes/api/build?endpoint=.user_profile&user_id=7&_blueprint=users&_external=1&_scheme=https&_anchor=a&q=1",
    )
    assert body["url"] == "https://localhost/users/7?q=1#a"
    _, failed = api(client, "/_routes/api/build?endpoint=users.follow&user_id=7&_method=GET")
    assert failed["ok"] is False and failed["diagnosis"]["kind"] == "method_not_allowed"


def test_api_build_failure_carries_the_diagnosis(client: FlaskClient) -> None:
    status, body = api(client, "/_routes/api/build?endpoint=user_profile&user_id=7")
    assert status == 200 and set(body) == BUILD_KEYS
    assert body["ok"] is False and body["url"] is None and body["roundtrip"] is None
    assert body["diagnosis"]["kind"] == "missing_blueprint_prefix"
    assert body["diagnosis"]["suggestions"][0]["endpoint"] == "users.user_profile"


def test_api_build_refused_input_is_a_400_with_an_error(client: FlaskClient) -> None:
    status, body = api(client, "/_routes/api/build?endpoint=" + "x" * 300)
    assert status == 400 and set(body) == BUILD_KEYS | {"error"} and body["ok"] is False


def test_api_match_keys_exactly(client: FlaskClient) -> None:
    status, body = api(client, "/_routes/api/match?path=/admin/orders/123e4567-e89b-12d3-a456-426614174000")
    assert status == 200 and set(body) == MATCH_KEYS
    assert body["values"] == {"order_id": "123e4567-e89b-12d3-a456-426614174000"}
    _, missing = api(client, "/_routes/api/match?path=/users/abc")
    assert missing["status"] == 404 and set(missing["near"][0]) == {"endpoint", "rule", "reason"}
    _, method = api(client, "/_routes/api/match?path=/users/7&method=post")
    assert method["status"] == 405 and method["allowed_methods"] == ["GET"]
    _, redirect = api(client, "/_routes/api/match?path=/blog")
    assert redirect["status"] == 308 and redirect["redirect_to"] == "/blog/"


def test_api_match_refused_input_is_a_400_with_an_error(client: FlaskClient) -> None:
    status, body = api(client, "/_routes/api/match?path=%2Fa%00b")
    assert status == 400 and set(body) == MATCH_KEYS | {"error"} and body["near"] == []


def test_api_match_a_raising_converter_is_an_answer_not_refused_input(make_app: t.Callable[..., Flask]) -> None:
    class DatabaseConverter(BaseConverter):
        def to_python(self, value: str) -> t.Any:
            raise RuntimeError("db down")

    app = make_app()
    app.url_map.converters["user"] = DatabaseConverter
    app.add_url_rule("/users/<user:user>", "profile", lambda user: "never called")
    status, body = api(app.test_client(), "/_routes/api/match?path=/users/7")
    assert status == 200 and set(body) == MATCH_KEYS
    assert body["ok"] is False and body["status"] == 500
    assert body["near"][0]["endpoint"] == "profile" and "RuntimeError('db down')" in body["near"][0]["reason"]
    html = page(app.test_client(), "/_routes/match?path=/users/7")
    assert 'data-status="500"' in html and "db down" in html


def test_match_page_names_the_method_view_handler(client: FlaskClient) -> None:
    html = page(client, "/_routes/match?path=/api/users/1&method=PUT")
    assert "demo_app.api.UserAPI.put</code>" in html
    assert 'data-testid="view-class">the PUT handler of <code>UserAPI</code>' in html


def test_build_page_offers_only_the_apps_own_blueprints() -> None:
    pytest.importorskip("flask_debugtoolbar")  # the [toolbar] extra: the compat run goes without it
    app = create_app({"TESTING": True, "ROUTE_EXPLORER_ENABLED": True, "DEBUG_TB_ENABLED": True, "SECRET_KEY": "x"})
    app.debug = True
    client = app.test_client()
    assert "debugtoolbar" in app.blueprints
    html = page(client, "/_routes/build?endpoint=users.user_profile")
    select = html.split('id="_blueprint"', 1)[1].split("</select>", 1)[0]
    assert 'value="users"' in select and 'value="admin.reports"' in select
    assert "debugtoolbar" not in select and "route_explorer" not in select


def test_api_follows_the_access_rules(client: FlaskClient) -> None:
    assert client.get("/_routes/api/match?path=/", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 404
    assert client.get("/_routes/api/build?endpoint=index", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 404


# --------------------------------------------------------------------------- arbitrary input

#: Full URLs with a malformed host part (``urlsplit`` raises on an open IPv6 bracket), built and sampled.
_urls = st.sampled_from(
    ["http://[/", "http://[::1/x", "https://]/", "http://a]b[/c", "//[", "http://[::1]:99999/"]
) | st.builds(
    "{}://{}{}".format,
    st.sampled_from(["http", "https", "ftp", "ws", "x"]),
    st.text(alphabet="[]:.%@a1-", max_size=10),
    st.sampled_from(["", "/", "/users/7", "/%ff", "/?a=b#c"]),
)
_text = (
    st.text(max_size=60)
    | st.sampled_from(["", "/", "%ff", "%zz", "..", "users.user_profile", "/users/7", HOSTILE])
    | _urls
)
_names = st.sampled_from(
    [
        "user_id",
        "lang",
        "period",
        "filepath",
        "slug",
        "page",
        "_method",
        "_external",
        "_scheme",
        "_anchor",
        "_blueprint",
        "x",
    ]
) | st.text(max_size=12)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    endpoint=_text
    | st.sampled_from(["users.user_profile", ".user_profile", "admin.reports.period_report", "blog_post"]),
    values=st.dictionaries(_names, _text, max_size=4),
)
def test_api_build_never_fails_on_any_input(client: FlaskClient, endpoint: str, values: dict[str, str]) -> None:
    response = client.get("/_routes/api/build", query_string={"endpoint": endpoint, **values})
    assert response.status_code in (200, 400)
    body = json.loads(response.get_data(as_text=True))
    assert BUILD_KEYS <= set(body) <= BUILD_KEYS | {"error"}


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    path=_text.map(lambda s: s if s.startswith("/") else "/" + s) | st.text(max_size=40) | _urls,
    method=st.sampled_from(["GET", "POST", "put", "", "BREW"]) | st.text(max_size=8),
    host=st.none() | st.text(max_size=20),
)
def test_api_match_never_fails_on_any_input(client: FlaskClient, path: str, method: str, host: str | None) -> None:
    query = {"path": path, "method": method, **({"host": host} if host is not None else {})}
    response = client.get("/_routes/api/match", query_string=query)
    assert response.status_code in (200, 400)
    body = json.loads(response.get_data(as_text=True))
    assert MATCH_KEYS <= set(body) <= MATCH_KEYS | {"error"}
    assert body["status"] in (200, 308, 400, 404, 405, 500)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(endpoint=_text, value=_text, path=_text)
def test_pages_never_fail_on_any_input(client: FlaskClient, endpoint: str, value: str, path: str) -> None:
    for url, query in (
        ("/_routes/build", {"endpoint": endpoint, "user_id": value, "_query": value}),
        ("/_routes/match", {"path": path, "host": value}),
        ("/_routes/", {"q": value, "method": endpoint, "blueprint": path}),
    ):
        response = client.get(url, query_string=query, headers=HTMX)
        assert response.status_code == 200
        assert "<script>alert" not in response.get_data(as_text=True)


#: Raw query strings as a client may send them: any bytes, UTF-8 or not, around the names the pages read.
_raw_queries = st.binary(max_size=80) | st.lists(
    st.tuples(
        st.sampled_from([b"path", b"endpoint", b"method", b"host", b"q", b"user_id", b"_blueprint"])
        | st.binary(max_size=6),
        st.binary(max_size=20) | _urls.map(str.encode),
    ),
    max_size=5,
).map(lambda pairs: b"&".join(name + b"=" + value for name, value in pairs))
EXPLORER_URLS = (
    "/_routes/",
    "/_routes/api/routes",
    "/_routes/build",
    "/_routes/match",
    "/_routes/api/build",
    "/_routes/api/match",
)


@pytest.mark.parametrize("url", EXPLORER_URLS)
@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=_raw_queries)
def test_raw_query_bytes_never_fail(client: FlaskClient, url: str, raw: bytes) -> None:
    """PEP 3333 passes the query's raw bytes on as latin-1 text; none of them may make a page fail."""
    response = client.get(url, environ_overrides={"QUERY_STRING": raw.decode("latin-1")})
    assert response.status_code in (200, 400), response.data[:300]
    if response.mimetype == "application/json":
        json.loads(response.get_data(as_text=True))


def test_api_build_failure_carries_a_verified_fix_and_no_call_site(client: FlaskClient) -> None:
    """The tester makes the call itself: there is no user call site, and the fix still builds."""
    _status, body = api(client, "/_routes/api/build?endpoint=user_profile")
    diagnosis = body["diagnosis"]
    assert diagnosis["kind"] == "missing_blueprint_prefix"
    assert diagnosis["fix"] == "url_for('users.user_profile', user_id=USER_ID)"
    assert diagnosis["fix_url"] == "/users/1"
    assert diagnosis["call"] is None


def test_an_empty_required_field_is_a_prompt_not_an_error(client: FlaskClient) -> None:
    html = page(client, "/_routes/build?endpoint=users.user_profile")
    assert 'data-testid="build-prompt"' in html and "Cannot build" not in html
    assert re.search(r"Fill in <code[^>]*>user_id</code> to build the URL", html)
    typed = page(client, "/_routes/build?endpoint=users.user_profile&user_id=abc")
    assert 'data-testid="build-failed"' in typed and 'data-testid="build-prompt"' not in typed


def test_the_named_endpoint_is_not_suggested_back(client: FlaskClient) -> None:
    html = page(client, "/_routes/build?endpoint=users.user_profile&user_id=abc")
    assert "Did you mean" not in html  # the only suggestion would be the endpoint itself


def test_a_typo_gets_one_list_of_suggestions(client: FlaskClient) -> None:
    html = page(client, "/_routes/build?endpoint=user_profle&user_id=7")
    assert html.count('class="suggestion"') >= 1 and "Did you mean" not in html
    first = re.search(r'class="suggestion" href="([^"]+)"', html)
    assert first is not None and "endpoint=users.user_profile" in first.group(1)


def _visible(page_html: str) -> str:
    page_html = re.sub(r"<(textarea|head)\b.*?</\1>", " ", page_html, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page_html)).split())


def test_the_build_tester_labels_a_template_fix_and_offers_its_test(client: FlaskClient) -> None:
    """Issue 12 point 3: a fix with a placeholder is a template built with sample values, never verified."""
    result = page(client, "/_routes/build?endpoint=user_profile", headers=HTMX)
    text = _visible(result)
    assert "Fix: a template fill in USER_ID Copy url_for('users.user_profile', user_id=USER_ID)" in text
    assert "with sample values ( USER_ID=1 ) it builds /users/1" in text
    assert "verified to build" not in text and "builds /users/1" not in text.replace("it builds /users/1", "")
    assert 'data-testid="regression-test"' in result and 'data-copy-from="#fix-test"' in result
    assert "assert url_for('users.user_profile', user_id=1) == '/users/1'" in html.unescape(result)


def test_the_build_tester_marks_a_verified_fix(client: FlaskClient) -> None:
    url = "/_routes/build?endpoint=admin.reports.period_report&period=montly"
    text = _visible(page(client, url, headers=HTMX))
    assert "Fix verified to build Copy url_for('admin.reports.period_report', period='monthly')" in text
    assert "builds /admin/reports/monthly Regression test" in text


def test_the_build_tester_shows_a_guess_as_a_guess_never_as_the_fix(client: FlaskClient) -> None:
    text = _visible(page(client, "/_routes/build?endpoint=users.user_profil", headers=HTMX))
    assert "A guess: users.user_profile (/users/<int:user_id>) , not offered as the fix" in text
    assert "Fix" not in text and "Regression test" not in text
