"""The explorer page and its JSON API, through the test client."""

from __future__ import annotations

import json
import re
import typing as t
from urllib.parse import parse_qs

import pytest
from flask import Blueprint, Flask
from flask.views import MethodView
from werkzeug.routing import Rule

from flask_route_explorer.inventory import get_inventory
from flask_route_explorer.rendering import RuleSegment, rule_segments
from flask_route_explorer.search import PER_PAGE, search

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def app(make_app: t.Callable[..., Flask]) -> Flask:
    app = make_app(tool_rule=True)

    users = Blueprint("users", __name__, url_prefix="/users")

    @users.route("/<int(min=1):user_id>")
    def user_profile(user_id: int) -> str:
        """Show a user's public profile."""
        return ""

    @users.route("/<int:user_id>", methods=["POST", "DELETE"], endpoint="update")
    def update(user_id: int) -> str:
        return ""

    app.register_blueprint(users)
    app.add_url_rule("/", "index", lambda: "")
    app.add_url_rule("/blog/", "blog", lambda page: "", defaults={"page": 1})
    app.url_map.add(Rule("/raw", endpoint="raw"))
    return app


@pytest.fixture
def client(app: Flask) -> t.Any:
    return app.test_client()


def rows(html: str) -> list[str]:
    return re.findall(r'<tr id="route-(\d+)"', html)


def test_page_lists_routes_grouped_with_highlighted_variables(client: t.Any) -> None:
    response = client.get("/_routes/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<span class="var">&lt;<span class="conv">int(min=1):</span>user_id&gt;</span>' in html
    assert "users.user_profile" in html and "Show a user&#39;s public profile." in html
    assert '<span class="badge m-GET">GET</span>' in html
    assert 'class="badge m-HEAD"' not in html  # automatic methods hidden by default
    assert 'class="badge m-ANY"' in html  # the raw rule without methods
    assert "defaults: page=1" in html
    assert html.index("blueprint</span> users") > html.index("app</span> testapp")
    assert "_debug_toolbar.static" not in rows_text(html)
    assert re.search(r"<strong>\d+</strong> rules", html) and "hidden" in html
    assert "data-search" in html and "/users/7" in html  # search box with its hint


def rows_text(html: str) -> str:
    return "".join(re.findall(r'<tr id="route-\d+".*?</tr>', html, re.S))


def test_view_location_is_shortened_and_editor_links_when_configured(app: Flask) -> None:
    html = app.test_client().get("/_routes/?q=user_profile").get_data(as_text=True)
    assert "test_explorer_web.py:" in html and "vscode://" not in html
    app.config["ROUTE_EXPLORER_EDITOR"] = "vscode"
    html = app.test_client().get("/_routes/?q=user_profile").get_data(as_text=True)
    assert re.search(r'href="vscode://file/[^"]*tests/test_explorer_web.py:\d+"', html)


def test_htmx_request_gets_only_the_fragment(client: t.Any) -> None:
    response = client.get("/_routes/?q=profile", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<form" not in html
    assert "users.user_profile" in html
    restore = client.get("/_routes/?q=profile", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_search_and_filters_live_in_the_query_string(client: t.Any) -> None:
    html = client.get("/_routes/?q=user&method=DELETE").get_data(as_text=True)
    assert "users.update" in rows_text(html) and "users.user_profile" not in rows_text(html)
    assert re.search(r'<input type="checkbox" name="method" value="DELETE" checked>', html)
    html = client.get("/_routes/?blueprint=users").get_data(as_text=True)
    assert "users.update" in rows_text(html) and ">index<" not in rows_text(html)
    assert '<option value="users" selected>' in html
    html = client.get("/_routes/?internal=1&auto=1").get_data(as_text=True)
    assert "_debug_toolbar.static" in rows_text(html) and 'class="badge m-HEAD"' in html


def test_path_query_marks_matches_and_links_the_matcher(client: t.Any) -> None:
    html = client.get("/_routes/?q=/users/7").get_data(as_text=True)
    assert "Test this path in the matcher" in html
    assert "/_routes/match?path=/users/7" in html
    matched = re.findall(r'<tr id="route-\d+" class="route-row is-match">.*?</tr>', html, re.S)
    assert len(matched) == 2  # GET -> user_profile, POST/DELETE -> update
    assert "users.user_profile" in matched[0]


def test_row_links(client: t.Any) -> None:
    html = client.get("/_routes/").get_data(as_text=True)
    assert "/_routes/build?endpoint=users.user_profile" in html
    assert "/_routes/match?path=/raw" in html  # rules without variables get a Match link


def test_empty_state_and_bad_input_never_500(client: t.Any) -> None:
    html = client.get("/_routes/?q=qqqqzzzz").get_data(as_text=True)
    assert "No route matches" in html
    response = client.get("/_routes/?page=abc&method=G%20T!&q=" + "x" * 5000)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "the page is a number" in text and "Ignored the method filter" in text and "cut to 300" in text


def test_hostile_text_is_escaped(make_app: t.Callable[..., Flask]) -> None:
    app = make_app()

    def view() -> str:
        return ""

    class Handlers(MethodView):
        def get(self) -> str:
            return ""

    view.__doc__ = HOSTILE
    Handlers.get.__qualname__ = HOSTILE
    app.add_url_rule("/x/<name>", HOSTILE, view, defaults={"extra": HOSTILE})
    app.add_url_rule("/old", "old", redirect_to=HOSTILE)
    app.add_url_rule("/methods", view_func=Handlers.as_view(HOSTILE + "2"))
    client = app.test_client()
    for url in ("/_routes/", f"/_routes/?q={HOSTILE}", "/_routes/?q=%3Cscript", f"/_routes/?blueprint={HOSTILE}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html, url
    assert "<script>alert" not in client.get("/_routes/audit").get_data(as_text=True)
    assert "<script>alert" not in client.get("/_routes/?problems=1").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/_routes/").get_data(as_text=True)
    data = client.get("/_routes/api/routes").get_json()
    assert any(r["endpoint"] == HOSTILE for r in data["routes"])


def test_csp_and_no_inline_script_or_style(client: t.Any) -> None:
    response = client.get("/_routes/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and not re.search(r"\son[a-z]+=", html)
    assert client.get("/_routes/api/routes").headers["Content-Security-Policy"]


def test_api_shape_and_filters(client: t.Any) -> None:
    data = client.get("/_routes/api/routes").get_json()
    assert set(data) == {"total", "count", "routes"}
    assert data["count"] == len(data["routes"]) <= data["total"]
    profile = next(r for r in data["routes"] if r["endpoint"] == "users.user_profile")
    assert profile["arguments"] == [{"name": "user_id", "converter": "int", "args": {"min": 1}}]
    assert profile["view"]["doc"] == "Show a user's public profile."
    assert next(r for r in data["routes"] if r["endpoint"] == "raw")["methods"] is None
    filtered = client.get("/_routes/api/routes?q=user&method=POST&blueprint=users").get_json()
    assert [r["endpoint"] for r in filtered["routes"]] == ["users.update"]
    assert filtered["total"] == data["total"]
    many = client.get("/_routes/api/routes?method=GET&method=DELETE").get_json()
    assert {"users.update", "users.user_profile"} <= {r["endpoint"] for r in many["routes"]}


def test_api_json_is_each_routes_to_dict_and_stays_complete(app: Flask, client: t.Any) -> None:
    """The API's body is made from route JSON cached per inventory: it must be exactly ``to_dict()``."""
    inventory = get_inventory(app)
    for query in ("", "?q=user", "?q=usr+profle", "?q=/users/7", "?page=2&q=e"):
        data = client.get(f"/_routes/api/routes{query}").get_json()
        expected = search(inventory, parse_qs(query[1:]).get("q", [""])[0], per_page=None)
        assert data == expected.to_dict()
    warned = client.get("/_routes/api/routes?method=GE%3BT").get_json()
    assert set(warned) == {"total", "count", "routes", "warnings"} and warned["count"] == len(warned["routes"])
    assert search(inventory).to_json(warnings=["x"]) == json.dumps({**search(inventory).to_dict(), "warnings": ["x"]})


def test_rule_segments() -> None:
    assert rule_segments("/a/<int(min=1):id>/<name>/b") == (
        RuleSegment("/a/", None),
        RuleSegment("id", "int(min=1)"),
        RuleSegment("/", None),
        RuleSegment("name", ""),
        RuleSegment("/b", None),
    )


def test_large_app_is_paginated() -> None:
    from bench.synthetic import make_app as synthetic_app
    from flask_route_explorer import RouteExplorer

    app = synthetic_app(1400, 100)
    app.config["ROUTE_EXPLORER_ENABLED"] = True
    app.debug = True
    RouteExplorer(app)
    client = app.test_client()
    html = client.get("/_routes/").get_data(as_text=True)
    assert len(rows(html)) == PER_PAGE
    assert 'aria-label="Pages"' in html and f"Showing <strong>1–{PER_PAGE}</strong> of <strong>1,401</strong>" in html
    pages = -(-1401 // PER_PAGE)
    last = client.get(f"/_routes/?page={pages}").get_data(as_text=True)
    assert len(rows(last)) == 1401 - (pages - 1) * PER_PAGE
    assert not set(rows(html)) & set(rows(last))


def test_the_audit_marks_problem_rows_and_filters_them(make_app: t.Callable[..., Flask]) -> None:
    app = make_app()
    app.add_url_rule("/items/<int:item_id>", "item", lambda item_id: f"item {item_id}")
    app.add_url_rule("/items/<int:item_id>", "item_again", lambda item_id: f"again {item_id}")  # never dispatched
    app.add_url_rule("/about", "about", lambda: "")
    client = app.test_client()
    first = client.get("/_routes/").get_data(as_text=True)
    # The first page after a restart leaves the audit out and asks for it once shown.
    pending = re.search(r'<p class="audit-summary is-pending" id="audit-summary"[^>]*>(.*?)</p>', first)
    assert pending is not None and "audit-badge " not in first
    assert pending.group(1) == 'Audit of the URL map: <a href="/_routes/?problems=1">show the rules with problems</a>'

    loader = re.search(r'<div hidden hx-get="([^"]+)" hx-trigger="load" hx-swap="none">', first)
    assert loader is not None and loader.group(1) == "/_routes/audit"
    late = client.get(loader.group(1)).get_data(as_text=True)
    assert re.search(r'<p class="audit-summary has-errors" id="audit-summary"[^>]* hx-swap-oob="true">', late)
    assert re.search(r"Audit of the URL map: <strong>\d+ problems?</strong>", late)
    badge = re.search(r'<span class="audit-badges" id="audit-(\d+)" hx-swap-oob="true">', late)
    assert badge is not None and f'id="audit-{badge.group(1)}"' in first  # the row's placeholder it replaces
    # Once made, the audit is part of the page itself, with no second request.
    html = client.get("/_routes/").get_data(as_text=True)
    assert 'hx-trigger="load"' not in html
    assert re.search(r"Audit of the URL map: <strong>\d+ problems?</strong>", html)
    badge_html = re.search(
        r'<span class="audit-badge is-error" tabindex="0" role="note" title="(RA10\d): ([^"]+)"', html
    )
    assert badge_html is not None and "item" in badge_html.group(2)
    only = client.get("/_routes/?problems=1").get_data(as_text=True)
    assert "item_again" in rows_text(only) and "/about" not in rows_text(only)


def test_the_late_audit_answers_for_the_rows_of_the_same_page(make_app: t.Callable[..., Flask]) -> None:
    app = make_app()
    for number in range(120):
        app.add_url_rule(f"/n{number:03}", f"n{number:03}", lambda: "")
    app.add_url_rule("/n119", "n119_again", lambda: "")  # shadowed: on the second page only
    client = app.test_client()
    first = client.get("/_routes/?page=2").get_data(as_text=True)
    assert 'hx-get="/_routes/audit?page=2"' in first
    late_page_two = client.get("/_routes/audit?page=2").get_data(as_text=True)
    late_page_one = client.get("/_routes/audit").get_data(as_text=True)
    assert "audit-badges" in late_page_two and "audit-badges" not in late_page_one
    assert client.get("/_routes/audit?page=x").status_code == 200  # bad input: a message, never a 500


def test_the_tests_column_reads_the_last_coverage_report(make_app: t.Callable[..., Flask], tmp_path: t.Any) -> None:
    report = tmp_path / "cov.json"
    report.write_text(
        json.dumps(
            {
                "format": "flask-route-explorer.route-coverage",
                "version": 1,
                "rules": [
                    {"rule": "/about", "endpoint": "about", "methods": ["GET"], "blueprint": None, "hits": {"GET": 3}},
                    {"rule": "/news", "endpoint": "news", "methods": ["GET"], "blueprint": None, "hits": {}},
                ],
            }
        )
    )
    app = make_app(ROUTE_EXPLORER_COVERAGE_FILE=str(report))
    app.add_url_rule("/about", "about", lambda: "")
    app.add_url_rule("/news", "news", lambda: "")
    html = app.test_client().get("/_routes/").get_data(as_text=True)
    assert '<th scope="col" title="Requests the test suite made to this rule">Tests</th>' in html
    assert re.search(r'<td class="cell-tests">3</td>', html)
    assert re.search(r'<td class="cell-tests is-never">never</td>', html)


def _numbered_view(number: int) -> t.Callable[[], str]:
    def view() -> str:
        return str(number)

    view.__name__ = f"view_{number:03}"
    return view


def test_a_page_describes_only_the_views_of_the_rows_it_shows(
    make_app: t.Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    from flask_route_explorer import sources

    app = make_app()
    for number in range(3 * PER_PAGE):
        app.add_url_rule(f"/p{number:03}", f"p{number:03}", _numbered_view(number))
    described: list[str] = []
    describe = sources.view_source

    def counted(view: t.Any, endpoint: str = "") -> t.Any:
        described.append(endpoint)
        return describe(view, endpoint)

    monkeypatch.setattr(sources, "view_source", counted)
    client = app.test_client()
    shown = re.findall(r'<code class="endpoint" title="([^"]+)"', client.get("/_routes/").get_data(as_text=True))
    assert len(shown) == PER_PAGE
    assert sorted(set(described)) == sorted(set(shown))  # each shown view once, and no other
    described.clear()
    second = re.findall(
        r'<code class="endpoint" title="([^"]+)"', client.get("/_routes/?page=2").get_data(as_text=True)
    )
    assert sorted(set(described)) == sorted(set(second)) and not set(second) & set(shown)


@pytest.mark.parametrize("routing", ["subdomain", "host"])
def test_the_host_or_subdomain_column_has_a_heading_and_a_cell_per_row(
    make_app: t.Callable[..., Flask], routing: str
) -> None:
    if routing == "host":
        app = Flask("hosts", host_matching=True, static_host="localhost")
        app.config.update(TESTING=True, DEBUG=True, ROUTE_EXPLORER_ENABLED=True)
        app.debug = True
        app.add_url_rule("/shop", "shop", lambda: "", host="shop.localhost")
        from flask_route_explorer import RouteExplorer

        RouteExplorer(app)
    else:
        app = make_app(SERVER_NAME="localhost")
        app.add_url_rule("/shop", "shop", lambda: "", subdomain="shop")
    html = app.test_client().get("/_routes/", base_url="http://localhost").get_data(as_text=True)
    heading = "Host" if routing == "host" else "Subdomain"
    assert html.count(f'<th scope="col">{heading}</th>') == html.count('<col class="c-host">') >= 1
    assert f'<td class="cell-host mono">shop{".localhost" if routing == "host" else ""}</td>' in html
    rows = html.count('class="route-row')
    assert html.count('<td class="cell-host mono">') == rows
