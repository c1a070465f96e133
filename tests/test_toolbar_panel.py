"""The Flask-DebugToolbar "Routes" panel, through real requests with the real toolbar."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
import typing as t
import warnings
from pathlib import Path

import pytest
from flask import Flask, render_template_string, url_for
from werkzeug.routing import BuildError, Rule

pytest.importorskip("flask_debugtoolbar")
from flask_debugtoolbar import DebugToolbarExtension

from demo_app import DEBUG_TB_PANELS, create_app
from flask_route_explorer import RouteExplorer
from flask_route_explorer.access import _widen, is_mounted
from flask_route_explorer.inventory import get_inventory
from flask_route_explorer.toolbar import RouteExplorerPanel

ROOT = Path(__file__).resolve().parent.parent
OUR_PANEL = "flask_route_explorer.toolbar.RouteExplorerPanel"
PAGE = "<!doctype html><html><body>{}</body></html>"


def panel_of(html: str) -> str:
    """Our panel's content as the toolbar injected it."""
    start = html.index('id="flDebugRouteExplorerPanel-content"')
    return html[start : html.index('id="flDebugWindow"', start)]


def subtitle_of(html: str) -> str:
    match = re.search(r'<li id="flDebugRouteExplorerPanel">.*?<small>(.*?)</small>', html, re.S)
    assert match, "the Routes entry is missing from the toolbar"
    return match.group(1).strip()


def text_of(html: str) -> str:
    """Visible text: block tags become spaces, inline tags vanish, whitespace collapsed."""
    text = re.sub(r"</?(?:td|th|tr|p|div|br|h\d|li|table|section|summary)\b[^>]*>", " ", html)
    text = (
        re.sub(r"<[^>]+>", "", text)
        .replace("&#39;", "'")
        .replace("&#34;", '"')
        .replace("&lt;", "<")
        .replace("&gt;", ">")
    )
    return re.sub(r"\s+", " ", text)


def toolbar_app(explorer: bool = True, panels: t.Sequence[str] = (OUR_PANEL,), **config: t.Any) -> Flask:
    app = Flask("toolbarapp")
    app.config.update(
        SECRET_KEY="test",
        DEBUG_TB_ENABLED=True,
        DEBUG_TB_INTERCEPT_REDIRECTS=False,
        DEBUG_TB_PANELS=tuple(panels),
        **config,
    )
    app.debug = True
    if explorer:
        RouteExplorer(app)
    DebugToolbarExtension(app)
    return app


@pytest.fixture(scope="module")
def demo() -> Flask:
    """The demo app as ``flask --debug run`` makes it: debug is on while the factory runs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FLASK_DEBUG", "1")
        app = create_app()
    assert app.debug and is_mounted(app) and "debugtoolbar" in app.blueprints
    return app


def test_demo_page_lists_its_url_for_calls_in_order(demo: Flask) -> None:
    response = demo.test_client().get("/users/7")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    rules = len(get_inventory(demo).user_routes())
    assert subtitle_of(html) == f"{rules} rules · 10 url_for"

    panel = text_of(panel_of(html))
    # The rule that handled the request.
    assert "GET /users/7 → users.user_profile" in panel
    assert "Rule /users/<int:user_id>" in panel
    assert "user_id=7 int" in panel
    assert "Blueprint users" in panel
    assert "demo_app.users.user_profile · users.py:" in panel
    # Every url_for call of the request, in order, with its call site and result.
    calls = re.findall(r"url_for\('([^']+)'", panel)
    assert calls[:10] == [
        "static",
        "index",
        "users.user_list",
        "blog_index",
        "admin.home",
        "about",
        "users.user_bio",
        "users.user_bio",
        "users.follow",
        "users.settings",
    ]
    assert "url_for('users.user_bio', user_id=7, lang='en') /users/7/bio/en users/profile.html:9template" in panel
    assert "base.html:7template" in panel
    # Links to the explorer and prefilled testers.
    raw = panel_of(html)
    assert 'href="/_routes/?q=users.user_profile"' in raw
    assert 'href="/_routes/build?endpoint=users.user_profile&amp;user_id=7"' in raw
    assert 'href="/_routes/match?path=/users/7&amp;method=GET"' in raw
    # The toolbar's own url_for (its static path) is folded away as a tool call.
    assert "1 call by the explorer and the debug toolbar" in panel
    assert "_debug_toolbar.static" in panel


def test_the_panel_css_is_ours_and_scoped(demo: Flask) -> None:
    html = demo.test_client().get("/").get_data(as_text=True)
    assert '<link rel="stylesheet" href="/_routes/static/panel.css">' in panel_of(html)
    css = demo.test_client().get("/_routes/static/panel.css").get_data(as_text=True)
    selectors = [
        s.strip()
        for block in re.findall(r"([^{}]+)\{", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
        for s in block.split(",")
    ]
    assert selectors and all(s.startswith("#flDebug ") for s in selectors if s)


def test_a_caught_failure_is_shown_with_its_diagnosis() -> None:
    app = toolbar_app()

    @app.route("/users/<int:user_id>")
    def user_profile(user_id: int) -> str:
        return "profile"

    @app.route("/")
    def index() -> str:
        try:
            link = url_for("user_profil", user_id=3)
        except BuildError:
            link = "#"
        return PAGE.format(render_template_string("<a href='{{ link }}'>{{ url_for('index') }}</a>", link=link))

    html = app.test_client().get("/").get_data(as_text=True)
    assert subtitle_of(html) == '3 rules · 2 url_for · <span class="fre-nav-failed">✗ 1 failed</span>'
    panel = panel_of(html)
    assert 'class="is-failed"' in panel
    text = text_of(panel)
    assert "✗ 1 failed" in text
    assert "BuildError: Could not build url for endpoint 'user_profil'" in text
    assert 'Fix: url_for("user_profile", user_id=3) builds /users/3' in text
    assert re.search(r"test_toolbar_panel\.py:\d+", text)
    assert "Regression test (pytest)" in text and "assert url_for('user_profile', user_id=3) == '/users/3'" in text


def test_the_panel_labels_a_template_fix_and_a_guess_honestly() -> None:
    app = toolbar_app()

    @app.route("/users/<int:user_id>")
    def user_profile(user_id: int) -> str:
        return "profile"

    @app.route("/meal-plan")
    def meal_plan() -> str:
        return "plan"

    @app.route("/")
    def index() -> str:
        for endpoint in ("user_profile", "meal_schedule"):
            try:
                url_for(endpoint)  # no user_id anywhere: a placeholder; then only a guess
            except BuildError:
                pass
        return PAGE.format("home")

    text = text_of(panel_of(app.test_client().get("/").get_data(as_text=True)))
    assert (
        "Fix (a template: fill in USER_ID): url_for(endpoint, user_id=USER_ID) with sample values (USER_ID=1) /users/1"
        in text
    )
    assert "Regression test (pytest), with the sample values" in text
    assert "A guess: 'meal_plan' (/meal-plan), not offered as the fix: check it before you use it." in text
    assert "builds /users/1" not in text and "Fix: url_for('meal_plan')" not in text


def test_the_panel_never_computes_werkzeugs_guess(monkeypatch: pytest.MonkeyPatch) -> None:
    """The panel renders on every request: no difflib over every rule for a failed call."""
    app = toolbar_app()

    @app.route("/")
    def index() -> str:
        try:
            url_for("indx")
        except BuildError:
            pass
        return PAGE.format("home")

    guesses: list[object] = []
    monkeypatch.setattr(
        BuildError, "closest_rule", lambda self, adapter: guesses.append(self) if adapter is not None else None
    )
    text = text_of(panel_of(app.test_client().get("/").get_data(as_text=True)))
    assert "BuildError: Could not build url for endpoint 'indx'." in text and "There is no endpoint 'indx'" in text
    assert guesses == []


def test_a_rule_without_methods_does_not_break_the_panel() -> None:
    app = toolbar_app()
    app.url_map.add(Rule("/raw/<name>", endpoint="raw"))  # methods=None: any method
    app.view_functions["raw"] = lambda name: PAGE.format(name)
    html = app.test_client().post("/raw/x").get_data(as_text=True)
    text = text_of(panel_of(html))
    assert "POST /raw/x → raw" in text
    assert "Methods ANY" in text
    assert "name='x' str" in text


def test_no_rule_matched() -> None:
    app = toolbar_app()

    @app.errorhandler(405)
    def not_allowed(error: Exception) -> tuple[str, int]:
        return PAGE.format("no"), 405

    @app.route("/only-get")
    def only_get() -> str:
        return "x"

    html = app.test_client().post("/only-get").get_data(as_text=True)
    text = text_of(panel_of(html))
    assert "No rule handled this request: MethodNotAllowed: 405 Method Not Allowed" in text
    assert "Match this path" in text


def test_without_the_explorer_the_panel_says_so() -> None:
    for app in (toolbar_app(explorer=False), toolbar_app(ROUTE_EXPLORER_ENABLED=False)):
        app.add_url_rule("/", "index", lambda: PAGE.format(url_for("index")))
        response = app.test_client().get("/")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Route Explorer is not enabled for this app" in panel_of(html)
        assert "url_for" not in vars(app)


def test_a_client_outside_the_allowed_ips_sees_no_routes() -> None:
    app = toolbar_app()
    app.add_url_rule("/", "index", lambda: PAGE.format("hi"))
    html = app.test_client().get("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}).get_data(as_text=True)
    panel = panel_of(html)
    assert "ROUTE_EXPLORER_ALLOWED_IPS" in panel and "10.1.2.3" in panel
    assert "fre-calls" not in panel


def test_per_request_data_stays_out_of_the_shared_context() -> None:
    app = toolbar_app()

    @app.route("/<int:n>")
    def numbered(n: int) -> str:
        for i in range(n):
            url_for("numbered", n=i)
        return PAGE.format(n)

    client = app.test_client()
    assert subtitle_of(client.get("/3").get_data(as_text=True)).endswith("· 3 url_for")
    assert subtitle_of(client.get("/1").get_data(as_text=True)).endswith("· 1 url_for")
    shared = RouteExplorerPanel.context
    assert not any("url_for" in repr(value) or "numbered" in repr(value) for value in shared.values())


def test_the_toolbars_rules_are_internal_and_sane() -> None:
    app = toolbar_app(panels=DEBUG_TB_PANELS)
    inventory = get_inventory(app)
    toolbar_routes = [r for r in inventory if r.endpoint.startswith(("_debug_toolbar.", "debugtoolbar."))]
    assert toolbar_routes and all(r.internal for r in toolbar_routes)
    static = inventory.routes_for("_debug_toolbar.static")[0]
    assert static.blueprint is None  # registered with add_url_rule, despite the dotted name
    assert {r.blueprint for r in toolbar_routes if r.endpoint.startswith("debugtoolbar.")} == {"debugtoolbar"}
    assert not any(r in inventory.user_routes() for r in toolbar_routes)


def test_explorer_responses_get_no_toolbar_and_no_warning(demo: Flask) -> None:
    client = demo.test_client()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Could not insert debug toolbar" would fail the test
        page = client.get("/_routes/")
        fragment = client.get("/_routes/?q=user", headers={"HX-Request": "true"})
    assert page.status_code == fragment.status_code == 200
    assert "flDebug" not in page.get_data(as_text=True)
    assert "flDebug" not in fragment.get_data(as_text=True)


def test_the_csp_is_widened_by_exact_hashes_for_the_toolbar() -> None:
    app = toolbar_app(panels=DEBUG_TB_PANELS)
    policy = "default-src 'self'; script-src 'self'; style-src 'self'"

    @app.route("/")
    def index() -> t.Any:
        from flask_route_explorer.access import allow_debug_toolbar

        response = app.response_class(PAGE.format("strict"), mimetype="text/html")
        response.headers["Content-Security-Policy"] = policy
        return allow_debug_toolbar(response)

    response = app.test_client().get("/")
    html = response.get_data(as_text=True)
    widened = response.headers["Content-Security-Policy"]
    assert "flDebug" in html
    inline_scripts = re.findall(r"<script[^>]*>([^<]+)</script>", html)
    styles = set(re.findall(r'style="([^"]*)"', html))
    assert inline_scripts and styles

    def source(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    script_src = next(d for d in widened.split("; ") if d.startswith("script-src"))
    style_src = next(d for d in widened.split("; ") if d.startswith("style-src"))
    assert all(source(s) in script_src for s in inline_scripts)
    assert all(source(s) in style_src for s in styles) and "'unsafe-hashes'" in style_src
    assert "'unsafe-inline'" not in widened


def test_widen_adds_missing_directives_from_default_src() -> None:
    assert _widen("default-src 'self'", ["'sha256-a'"], ["'sha256-b'"]) == (
        "default-src 'self'; script-src 'self' 'sha256-a'; style-src 'self' 'sha256-b'"
    )


def test_the_package_works_without_the_toolbar_installed() -> None:
    """Only ``flask_route_explorer.toolbar`` needs flask_debugtoolbar; the rest imports and serves."""
    code = (
        "import sys; sys.modules['flask_debugtoolbar'] = None\n"
        "from demo_app import create_app\n"
        "app = create_app({'ROUTE_EXPLORER_ENABLED': True, 'DEBUG_TB_ENABLED': True})\n"
        "client = app.test_client()\n"
        "assert client.get('/users/7').status_code == 200\n"
        "assert client.get('/_routes/').status_code == 200\n"
        "assert client.get('/dashboard').status_code == 500\n"
        "assert 'debugtoolbar' not in app.blueprints\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
