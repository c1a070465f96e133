"""The enriched url_for error page: when it answers, when it steps aside, and that it never hides the original."""

from __future__ import annotations

import html
import logging
import re
import typing as t

import pytest
from conftest import DIAGNOSIS_KEYS
from flask import Blueprint, Flask, got_request_exception, redirect, render_template_string, request, url_for
from werkzeug.routing import BuildError

from flask_route_explorer import errorpage
from flask_route_explorer.access import CONTENT_SECURITY_POLICY
from flask_route_explorer.diagnosis import CallSite, Diagnosis, Suggestion, fixed_source

JSON = {"Accept": "application/json"}


def add_views(app: Flask) -> Flask:
    """A blueprint view to aim at, and views that fail in the usual ways."""
    users = Blueprint("users", __name__, url_prefix="/users")

    @users.route("/<int:user_id>")
    def user_profile(user_id: int) -> str:
        return f"user {user_id}"

    app.register_blueprint(users)

    @app.route("/broken")
    def broken() -> t.Any:
        return redirect(url_for("user_profile", user_id=1))

    @app.route("/broken-template")
    def broken_template() -> str:
        return render_template_string("<p>\n<a href=\"{{ url_for('user_profile') }}\">me</a>\n</p>", user={"id": 3})

    @app.route("/bad-value")
    def bad_value() -> str:
        return url_for("users.user_profile", user_id="abc")

    @app.route("/plain-value-error")
    def plain_value_error() -> str:
        return str(int("not a number"))

    @app.route("/form", methods=["POST"])
    def form() -> str:
        return request.form["missing"]

    @app.route("/no-value")
    def no_value() -> str:
        return url_for("users.user_profile")  # nothing at the call site holds user_id: a placeholder

    @app.route("/meal-plan")
    def meal_plan() -> str:
        return "plan"

    @app.route("/guessed")
    def guessed() -> str:
        return url_for("meal_schedule")  # weak evidence only: a guess, never the fix

    @app.route("/hostile")
    def hostile() -> str:
        return url_for("<script>alert(1)</script>", q="<img src=x onerror=alert(2)>")

    return app


@pytest.fixture
def app(make_app: t.Callable[..., Flask]) -> Flask:
    return add_views(make_app())


def handlers(app: Flask) -> dict[type, t.Any]:
    return dict(app.error_handler_spec[None][None])


# --- installation -------------------------------------------------------------------------------


def test_handler_installed_when_enabled(app: Flask) -> None:
    for error_class in errorpage.HANDLED_ERRORS:
        assert handlers(app)[error_class] is errorpage.handle_url_for_error


@pytest.mark.parametrize(
    "options", [{"explorer": False}, {"ROUTE_EXPLORER_ENABLED": False}, {"DEBUG": False, "TESTING": False}]
)
def test_no_handler_when_not_enabled(make_app: t.Callable[..., Flask], options: dict[str, t.Any]) -> None:
    app = add_views(make_app(**options))
    assert errorpage.handle_url_for_error not in handlers(app).values()
    app.testing = True
    with pytest.raises(BuildError):
        app.test_client().get("/broken")


def test_own_handler_registered_before_is_kept(make_app: t.Callable[..., Flask]) -> None:
    app = make_app(explorer=False)

    @app.errorhandler(BuildError)
    def mine(error: BuildError) -> tuple[str, int]:
        return "mine", 418

    from flask_route_explorer import RouteExplorer

    RouteExplorer(add_views(app))
    assert handlers(app)[BuildError] is mine
    response = app.test_client().get("/broken")
    assert (response.status_code, response.data) == (418, b"mine")


def test_own_handler_registered_later_wins(app: Flask) -> None:
    app.register_error_handler(ValueError, lambda error: ("app value handler", 400))
    response = app.test_client().get("/plain-value-error")
    assert (response.status_code, response.data) == (400, b"app value handler")


@pytest.mark.parametrize("where", ["app", "blueprint"])
def test_broader_handler_of_the_app_still_answers(make_app: t.Callable[..., Flask], where: str) -> None:
    """Flask would send a BuildError to an app's ``Exception`` handler: so do we, untouched."""
    app = make_app()
    target: Flask | Blueprint = app
    if where == "blueprint":
        target = Blueprint("site", __name__)

        @target.route("/site-broken")
        def site_broken() -> str:
            return url_for("nowhere")

    @target.errorhandler(Exception)
    def catch_all(error: Exception) -> tuple[str, int]:
        return f"catch-all {type(error).__name__}", 503

    if isinstance(target, Blueprint):
        app.register_blueprint(target)
    add_views(app)
    response = app.test_client().get("/site-broken" if where == "blueprint" else "/broken")
    assert (response.status_code, response.data) == (503, b"catch-all BuildError")


# --- the answers --------------------------------------------------------------------------------


def test_html_page(app: Flask) -> None:
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = response.get_data(as_text=True)
    assert html.lstrip().lower().startswith("<!doctype html>") and "</body>" in html
    assert "BuildError" in html
    assert "users.user_profile" in html
    assert 'data-copy-from="#err-markdown"' in html
    assert "/broken?_route_explorer=debugger" in html
    assert "<script>" not in html.split("</head>")[1]  # no inline script in the body


def test_json_answer(app: Flask) -> None:
    response = app.test_client().get("/broken", headers=JSON)
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    payload = response.get_json()
    assert set(payload) == {"error", "message", "diagnosis"}
    assert payload["error"] == "BuildError"
    assert payload["message"].startswith("Could not build url for endpoint 'user_profile'")
    assert set(payload["diagnosis"]) == DIAGNOSIS_KEYS
    assert payload["diagnosis"]["endpoint"] == "user_profile"


def test_json_message_is_the_errors_message_without_werkzeugs_guess(app: Flask) -> None:
    """The guess runs difflib over every rule (0.5 s at 10,000): the JSON does without it, as the page does."""
    payload = app.test_client().get("/broken", headers=JSON).get_json()
    assert payload["message"] == "Could not build url for endpoint 'user_profile' with values ['user_id']."
    assert "Did you mean" not in payload["message"]


def test_werkzeug_guess_is_never_computed_for_the_page(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """``str(BuildError)`` runs difflib over every rule (~0.3 s at 10,000): the page does without it.

    (The terminal gets the traceback as the debugger writes it, which formats ``str(error)``: that
    cost is the debugger's own, paid with or without us, so the terminal is left out here.)
    """
    monkeypatch.setattr(errorpage, "print_traceback", lambda error, diagnosis: None)
    guesses: list[object] = []
    monkeypatch.setattr(
        BuildError, "closest_rule", lambda self, adapter: guesses.append(self) if adapter is not None else None
    )
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert "Could not build url for endpoint 'user_profile' with values ['user_id']." in html.unescape(
        response.get_data(as_text=True)
    )
    assert guesses == []


def test_html_wins_when_both_are_acceptable(app: Flask) -> None:
    response = app.test_client().get("/broken", headers={"Accept": "text/html,application/json;q=0.9,*/*;q=0.8"})
    assert response.mimetype == "text/html"


def test_converter_value_error_from_url_for_is_explained(app: Flask) -> None:
    payload = app.test_client().get("/bad-value", headers=JSON).get_json()
    assert payload["error"] == "ValueError"
    assert set(payload["diagnosis"]) == DIAGNOSIS_KEYS


def test_other_value_errors_are_left_alone(app: Flask) -> None:
    with pytest.raises(ValueError, match="not a number"):
        app.test_client().get("/plain-value-error")


def _outcome(app: Flask, method: str, path: str) -> tuple[t.Any, ...]:
    try:
        response = app.test_client().open(path, method=method)
    except Exception as error:
        return ("raised", type(error))
    return ("answered", response.status_code, response.data)


@pytest.mark.parametrize("trap", [None, False])
@pytest.mark.parametrize(("method", "path"), [("POST", "/form"), ("GET", "/plain-value-error")])
def test_errors_not_from_url_for_end_as_without_the_explorer(
    make_app: t.Callable[..., Flask], trap: bool | None, method: str, path: str
) -> None:
    """Our KeyError handler is found first for ``BadRequestKeyError`` (a KeyError): it must behave as Flask would."""
    with_explorer = add_views(make_app(TRAP_BAD_REQUEST_ERRORS=trap))
    without = add_views(make_app(explorer=False, TRAP_BAD_REQUEST_ERRORS=trap))
    assert _outcome(with_explorer, method, path) == _outcome(without, method, path)


# --- stepping aside -----------------------------------------------------------------------------


def _received_exceptions(app: Flask) -> list[BaseException]:
    received: list[BaseException] = []
    got_request_exception.connect(lambda sender, exception, **extra: received.append(exception), app, weak=False)
    return received


def test_step_aside_flag_propagates_the_original(app: Flask) -> None:
    app.testing = False  # PROPAGATE_EXCEPTIONS follows debug: the debugger gets the exception
    with pytest.raises(BuildError) as caught:
        app.test_client().get("/broken?_route_explorer=debugger")
    assert caught.value.endpoint == "user_profile"
    assert caught.traceback[-1].name == "build"  # still raised where Werkzeug raised it


def test_step_aside_flag_gives_the_plain_500(app: Flask) -> None:
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    received = _received_exceptions(app)
    response = app.test_client().get("/broken?_route_explorer=debugger")
    assert response.status_code == 500
    assert b"Route Explorer" not in response.data
    assert len(received) == 1 and isinstance(received[0], BuildError)


def test_disabled_at_request_time_steps_aside(app: Flask) -> None:
    app.config["ROUTE_EXPLORER_ENABLED"] = False
    with pytest.raises(BuildError):
        app.test_client().get("/broken")


def test_remote_client_gets_the_normal_path(app: Flask) -> None:
    with pytest.raises(BuildError):
        app.test_client().get("/broken", environ_base={"REMOTE_ADDR": "203.0.113.9"})


def test_render_failure_reraises_the_original_and_logs(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_render(*args: t.Any, **kwargs: t.Any) -> str:
        raise RuntimeError("template exploded")

    monkeypatch.setattr(errorpage, "render", broken_render)
    app.testing = False
    with caplog.at_level(logging.ERROR, logger="flask_route_explorer"), pytest.raises(BuildError) as caught:
        app.test_client().get("/broken")
    assert caught.value.endpoint == "user_profile"
    assert not isinstance(caught.value.__context__, RuntimeError)  # our failure is not chained onto it
    records = [r for r in caplog.records if r.name == "flask_route_explorer" and r.levelno == logging.ERROR]
    assert records and records[0].exc_info and "template exploded" in str(records[0].exc_info[1])


@pytest.mark.parametrize("headers", [JSON, {}])
def test_engine_failure_reraises_the_original(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, headers: dict[str, str]
) -> None:
    """A real failure inside the engine (not a stand-in for ``diagnose``): the page steps aside."""
    from flask_route_explorer.diagnosis import engine

    def broken(*args: t.Any, **kwargs: t.Any) -> t.Any:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(engine, "_diagnose_build", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.testing = False
    received = _received_exceptions(app)
    with caplog.at_level(logging.ERROR, logger="flask_route_explorer"):
        response = app.test_client().get("/broken", headers=headers)
    assert response.status_code == 500 and b"user_profile" not in response.data and b"Near-miss" not in response.data
    assert isinstance(received[0], BuildError)
    records = [r for r in caplog.records if r.name == "flask_route_explorer" and r.levelno == logging.ERROR]
    assert records and "engine exploded" in str(records[0].exc_info[1])


# --- content ------------------------------------------------------------------------------------


def test_hostile_names_and_values_are_escaped(app: Flask) -> None:
    html = app.test_client().get("/hostile?x=<b>").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_template_call_shows_source_and_fix(make_app: t.Callable[..., Flask], tmp_path: t.Any) -> None:
    (tmp_path / "page.html").write_text("<h1>Me</h1>\n<p>\n  <a href=\"{{ url_for('user_profile') }}\">me</a>\n</p>\n")
    app = make_app(explorer=False)
    app.template_folder = str(tmp_path)
    from flask import render_template

    from flask_route_explorer import RouteExplorer

    app.add_url_rule("/me", "me", lambda: render_template("page.html", user={"id": 3}))
    RouteExplorer(add_views(app))
    html = app.test_client().get("/me").get_data(as_text=True)
    current = html.split('class="line is-current"')[1].split("</div>")[0]
    assert '<span class="lineno">3</span>' in current and "url_for(&#39;user_profile&#39;)" in current
    assert "{{ url_for(&#39;users.user_profile&#39;, user_id=user.id) }}" in html  # the fix, copyable
    assert 'class="line add"' in html  # and the before/after diff


def test_post_request_gets_a_hint_instead_of_a_link(app: Flask) -> None:
    @app.route("/post-broken", methods=["POST"])
    def post_broken() -> str:
        return url_for("user_profile")

    html = app.test_client().post("/post-broken").get_data(as_text=True)
    assert "_route_explorer=debugger" in html and 'href="/post-broken?' not in html


def test_debugger_link_keeps_the_query(app: Flask) -> None:
    html = app.test_client().get("/broken?page=2&tag=a&tag=b").get_data(as_text=True)
    assert "/broken?page=2&amp;tag=a&amp;tag=b&amp;_route_explorer=debugger" in html


def _build_links(page: str) -> list[dict[str, str]]:
    """The build tester links of a page, as query dicts (the endpoint first)."""
    from urllib.parse import parse_qsl, urlsplit

    hrefs = re.findall(r'href="(/_routes/build\?[^"]*)"', page)
    return [dict(parse_qsl(urlsplit(html.unescape(href)).query)) for href in hrefs]


def test_near_misses_show_the_views_file_and_prefill_the_tester(app: Flask) -> None:
    page = app.test_client().get("/broken").get_data(as_text=True)
    near = page.split('id="err-near-title"')[1]
    assert re.search(
        r'<a class="loc" href="[^"]*" title="[^"]*test_errorpage\.py">test_errorpage\.py:\d+</a>', near
    ) or re.search(r'<span class="loc" title="[^"]*test_errorpage\.py:\d+">test_errorpage\.py:\d+</span>', near)
    assert "add_views.&lt;locals&gt;" not in near
    links = _build_links(page)
    assert {"endpoint": "users.user_profile", "user_id": "1"} in links  # near miss and fix alike
    assert all(link.get("user_id") == "1" for link in links if link["endpoint"] == "users.user_profile")


def test_try_it_maps_renamed_variables_and_uses_the_fixs_values(app: Flask) -> None:
    @app.route("/renamed")
    def renamed() -> str:
        return url_for("users.user_profile", id=5)

    page = app.test_client().get("/renamed").get_data(as_text=True)
    assert "url_for(&#34;users.user_profile&#34;, user_id=5)" in page or "user_id=5)" in page
    links = [link for link in _build_links(page) if link["endpoint"] == "users.user_profile"]
    assert len(links) == 2 and all(link == {"endpoint": "users.user_profile", "user_id": "5"} for link in links)


# --- rendering helpers --------------------------------------------------------------------------


def _call(source: str, template: bool) -> CallSite:
    return CallSite(file="x", line=3, source=source, template=template)


@pytest.mark.parametrize(
    ("source", "template", "fix", "expected"),
    [
        (
            '    return redirect(url_for("UserAPI"))',
            False,
            "url_for('api.users')",
            "    return redirect(url_for('api.users'))",
        ),
        (
            "<a href=\"{{ url_for('user_profile') }}\">me</a>",
            True,
            "{{ url_for('users.user_profile', user_id=user.id) }}",
            "<a href=\"{{ url_for('users.user_profile', user_id=user.id) }}\">me</a>",
        ),
        (
            "x = f(url_for('a'), url_for('user_profile'))",
            False,
            "url_for('users.user_profile')",
            "x = f(url_for('a'), url_for('users.user_profile'))",
        ),
        ("no call here", False, "url_for('x')", None),
    ],
)
def test_before_after_line(source: str, template: bool, fix: str, expected: str | None) -> None:
    """The page's "after" line is the engine's own ``fixed_source``."""
    endpoint = "UserAPI" if "UserAPI" in source else "user_profile"
    assert fixed_source(Diagnosis("unknown_endpoint", endpoint, "x", fix=fix, call=_call(source, template))) == expected


def test_markdown_report() -> None:
    diagnosis = Diagnosis(
        kind="unknown_endpoint",
        endpoint="user_profile",
        explanation="No endpoint 'user_profile'.",
        suggestions=(Suggestion("users.user_profile", "/users/<int:user_id>", 0.9, "same name in blueprint 'users'"),),
        fix="{{ url_for('users.user_profile', user_id=user.id) }}",
        fix_url="/users/1",
        call=_call("<a href=\"{{ url_for('user_profile') }}\">```</a>", True),
    )
    text = errorpage.markdown_report(BuildError("user_profile", {}, None), diagnosis)
    assert "**BuildError**" in text and "(unknown_endpoint)" in text
    assert "````jinja\n<a href" in text  # the fence outgrows the backticks in the source
    assert "```jinja\n{{ url_for('users.user_profile', user_id=user.id) }}\n```" in text
    assert "builds `/users/1`" in text
    assert "- `users.user_profile` `/users/<int:user_id>`: same name in blueprint 'users'" in text


# --- one diagnosis, rendered ----------------------------------------------------------------------


def test_the_page_asks_the_engine_once_and_renders_the_diagnosis_fields(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page shows the Diagnosis it got: its message, its fixed line, its values; it computes none itself."""
    import dataclasses

    calls: list[BaseException] = []
    real_explain = errorpage.explain

    def counted(error: BaseException, app: Flask | None = None) -> Diagnosis:
        calls.append(error)
        d = real_explain(error, app)
        assert d.fixed_line is not None and d.message
        return dataclasses.replace(d, message="MESSAGE-FROM-THE-DIAGNOSIS", fixed_line="FIXED-LINE-FROM-THE-DIAGNOSIS")

    monkeypatch.setattr(errorpage, "explain", counted)
    page = app.test_client().get("/broken").get_data(as_text=True)
    assert len(calls) == 1
    assert "MESSAGE-FROM-THE-DIAGNOSIS" in page and "FIXED-LINE-FROM-THE-DIAGNOSIS" in page
    assert "**BuildError**: `MESSAGE-FROM-THE-DIAGNOSIS`" in html.unescape(page)  # the Markdown report too
    for helper in ("error_message", "fixed_source", "_renamed_for"):
        assert not hasattr(errorpage, helper), helper


def test_error_handlers_are_read_without_adding_entries(app: Flask) -> None:
    from flask_route_explorer import _compat

    before = {name: dict(codes) for name, codes in app.error_handler_spec.items()}
    assert _compat.error_handlers(app, "no-such-blueprint", 404) == {}
    assert _compat.error_handlers(app, None, 418) == {}
    assert _compat.error_handlers(app, None, None)[BuildError] is errorpage.handle_url_for_error
    assert {name: dict(codes) for name, codes in app.error_handler_spec.items()} == before


def test_error_handlers_fall_back_to_none_without_flasks_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from flask_route_explorer import _compat

    app = Flask(__name__)
    monkeypatch.delattr(app, "error_handler_spec")
    assert _compat.error_handlers(app, None, None) == {}


def test_the_terminal_gets_the_traceback_and_the_diagnosis(app: Flask) -> None:
    """Written to the server's error stream, as the debugger writes it, with the diagnosis under it."""
    import io

    stream = io.StringIO()
    response = app.test_client().get("/broken", errors_stream=stream)
    assert response.status_code == 500
    written = stream.getvalue()
    assert written.startswith("Traceback (most recent call last):")
    assert "werkzeug.routing.exceptions.BuildError: Could not build url for endpoint 'user_profile'" in written
    assert written.count("flask-route-explorer: There is no endpoint 'user_profile'.") == 1


def test_flask_run_debug_prints_the_traceback_and_the_diagnosis() -> None:
    """The developer's terminal under ``flask run --debug``: the page answers, and the terminal still says why."""
    import sys
    import urllib.error
    import urllib.request
    from pathlib import Path

    from conftest import start_server, stop_server

    flask_bin = str(Path(sys.executable).with_name("flask"))
    server = start_server(
        [flask_bin, "--app", "demo_app:create_app", "run", "--debug", "--no-reload", "--port", "{port}"]
    )
    try:
        try:
            urllib.request.urlopen(server.url + "/dashboard", timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code == 500
            assert "There is no endpoint" in error.read().decode()
    finally:
        output = stop_server(server)
    assert "Traceback (most recent call last):" in output
    assert "werkzeug.routing.exceptions.BuildError: Could not build url for endpoint 'user_profile'" in output
    assert "flask-route-explorer: There is no endpoint 'user_profile'." in output
    assert "  Fix: {{ url_for('users.user_profile'" in output


# --- honest labels (issue 12 point 3, issue 10) -----------------------------------------------------


def _text(page: str) -> str:
    """The page's visible words, tags stripped and whitespace collapsed."""
    page = re.sub(r"<(textarea|head)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_a_verified_fix_says_so_and_offers_its_regression_test(app: Flask) -> None:
    page = app.test_client().get("/broken").get_data(as_text=True)
    text = _text(page)
    assert "Suggested fix verified to build" in text and "Builds /users/1" in text
    assert 'data-testid="regression-test"' in page and 'data-copy-from="#err-test"' in page
    test = html.unescape(re.search(r'<pre id="err-test" class="code">(.*?)</pre>', page, re.S).group(1))
    assert "assert url_for('users.user_profile', user_id=1) == '/users/1'" in test
    assert "app.test_client().get('/broken')" in test


def test_a_fix_with_placeholders_is_a_template_never_verified(app: Flask) -> None:
    page = app.test_client().get("/no-value").get_data(as_text=True)
    text = _text(page)
    assert 'url_for("users.user_profile", user_id=USER_ID)' in html.unescape(page)
    assert "Suggested fix: a template fill in USER_ID" in text
    assert "With sample values ( USER_ID=1 ) /users/1" in text
    assert "Replace USER_ID with the real value before you use this call" in text
    assert "verified to build" not in text and "Builds" not in text and "Filled in" not in text
    assert "Regression test pytest, for tests/ : fails before the fix, passes after (with the sample values)" in text
    markdown = html.unescape(re.search(r'<textarea id="err-markdown"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    assert "**Fix (a template: fill in USER_ID)**:" in markdown
    assert "With sample values (USER_ID=1) it builds `/users/1`" in markdown and "\nbuilds" not in markdown


def test_a_guess_is_shown_as_a_guess_never_as_the_fix(app: Flask) -> None:
    page = app.test_client().get("/guessed").get_data(as_text=True)
    text = _text(page)
    assert "No fix: only a guess" in text
    assert "A guess: meal_plan (/meal-plan) . The evidence is too weak to offer it as the fix." in text
    assert "Suggested fix" not in text and 'id="err-fix"' not in page and 'id="err-test"' not in page
    row = re.search(r"<tr[^>]*>\s*<td>\s*<a class=\"err-endpoint mono\"[^>]*>meal_plan</a>(.*?)</td>", page, re.S)
    assert row is not None and "a guess" in row.group(1) and "is-best" not in row.group(0)
    payload = app.test_client().get("/guessed", headers=JSON).get_json()["diagnosis"]
    assert (payload["guess"], payload["verified"], payload["fix"], payload["regression_test"]) == (
        True,
        False,
        None,
        None,
    )


def test_the_hooks_failure_is_a_secondary_fact_on_the_page(make_app: t.Callable[..., Flask]) -> None:
    app = add_views(make_app())

    @app.url_defaults
    def add_language_code(endpoint: str, values: dict[str, t.Any]) -> None:
        if app.url_map.is_endpoint_expecting(endpoint, "lang_code"):  # KeyError for an unknown endpoint
            values.setdefault("lang_code", "en")

    page = app.test_client().get("/broken").get_data(as_text=True)
    text = _text(page)
    assert "There is no endpoint 'user_profile'." in text and "verified to build" in text
    hook = re.search(r'<p class="err-hook"[^>]*>(.*?)</p>', page, re.S)
    assert hook is not None and "add_language_code" in html.unescape(hook.group(1))
    explanation = re.search(r'<p class="err-explanation">(.*?)</p>', page, re.S)
    assert explanation is None or "add_language_code" not in explanation.group(1)  # said once, apart
