"""The url_for recorder: what it keeps per request, and that user code sees no difference."""

from __future__ import annotations

import gc
import threading
import typing as t
import weakref
from pathlib import Path

import pytest
from flask import Flask, abort, g, render_template_string, url_for
from werkzeug.routing import BuildError

from flask_route_explorer import RouteExplorer, recorder
from flask_route_explorer.access import is_mounted


def add_routes(app: Flask) -> None:
    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/users/<int:user_id>")
    def profile(user_id: int) -> str:
        return f"user {user_id}"


@pytest.fixture
def app(make_app: t.Callable[..., Flask]) -> Flask:
    app = make_app()
    add_routes(app)
    return app


def test_installed_on_the_instance_only(app: Flask, make_app: t.Callable[..., Flask]) -> None:
    assert "url_for" in vars(app)
    other = Flask("other")
    assert "url_for" not in vars(other)
    assert Flask.url_for is other.url_for.__func__  # the class is untouched


def test_not_installed_when_the_explorer_is_not_enabled(make_app: t.Callable[..., Flask]) -> None:
    app = make_app(DEBUG=False)
    assert not is_mounted(app) and "route_explorer" not in app.blueprints
    assert "url_for" not in vars(app)
    off = make_app(ROUTE_EXPLORER_ENABLED=False)
    assert "url_for" not in vars(off)


def test_install_is_idempotent(app: Flask) -> None:
    wrapper = app.url_for
    recorder.install(app)
    recorder.install(app)
    assert app.url_for is wrapper
    with app.test_request_context("/"):
        url_for("index")
        assert len(recorder.calls()) == 1


def test_records_calls_in_order_with_results_and_call_site(app: Flask) -> None:
    with app.test_request_context("/"):
        first = url_for("index")
        second = url_for("profile", user_id=7, _anchor="bio", tab="posts")
        calls = recorder.calls()
    assert first == "/"
    assert second == "/users/7?tab=posts#bio"
    assert [c.endpoint for c in calls] == ["index", "profile"]
    assert calls[1].url == second
    assert calls[1].values == {"user_id": 7, "tab": "posts"}
    assert calls[1].options == {"_anchor": "bio"}
    assert calls[1].call_text() == "url_for('profile', user_id=7, tab='posts', _anchor='bio')"
    assert calls[1].file == __file__
    assert calls[1].line is not None and calls[1].location == f"{__file__}:{calls[1].line}"
    source_line = Path(__file__).read_text().splitlines()[calls[1].line - 1]
    assert 'url_for("profile", user_id=7' in source_line
    assert all(c.duration >= 0 for c in calls)
    assert calls[0].to_dict()["url"] == "/"


def test_nothing_outside_a_request(app: Flask) -> None:
    assert recorder.calls() == []
    app.config["SERVER_NAME"] = "example.test"
    with app.app_context():
        assert url_for("index") == "http://example.test/"
        assert recorder.calls() == []


def test_relative_endpoint_kept_as_written(make_app: t.Callable[..., Flask]) -> None:
    from flask import Blueprint

    app = make_app()
    bp = Blueprint("users", __name__)

    @bp.route("/u/<int:user_id>")
    def profile(user_id: int) -> str:
        return url_for(".profile", user_id=user_id + 1)

    app.register_blueprint(bp)
    with app.test_request_context("/u/1"):
        app.preprocess_request()
        assert app.dispatch_request() == "/u/2"
        [call] = recorder.calls()
    assert call.endpoint == ".profile" and call.url == "/u/2"


def test_nested_calls_inside_url_defaults_hooks(app: Flask) -> None:
    """A url_defaults hook that itself builds a URL: both calls are recorded, outer last."""

    @app.url_defaults
    def add_next(endpoint: str, values: dict[str, t.Any]) -> None:
        if endpoint == "profile":
            values.setdefault("next", app.url_for("index"))

    with app.test_request_context("/"):
        url = url_for("profile", user_id=1)
        calls = recorder.calls()
    assert url in ("/users/1?next=/", "/users/1?next=%2F")  # Werkzeug 3 keeps the slash, 2.x quotes it
    assert [(c.endpoint, c.url) for c in calls] == [("index", "/"), ("profile", url)]
    assert calls[0].duration <= calls[1].duration
    assert calls[1].values == {"user_id": 1}  # the caller's values, not the hook's additions


def test_caught_failure_is_the_same_exception_and_is_recorded(app: Flask, make_app: t.Callable[..., Flask]) -> None:
    plain = Flask("plain")
    add_routes(plain)
    with plain.test_request_context("/"), pytest.raises(BuildError) as expected:
        url_for("profile")
    with app.test_request_context("/"):
        try:
            url_for("profile")
        except BuildError as error:
            caught = error
        assert str(caught) == str(expected.value)
        assert (caught.endpoint, caught.values) == (expected.value.endpoint, expected.value.values)
        [call] = recorder.calls()
        # Held weakly: the record names the class, and the exception only once something keeps it.
        assert call.error is None and call.error_type is BuildError and call.url is None and call.failed
        assert call.error_text() == "BuildError: " + str(BuildError("profile", {}, None)).splitlines()[0]
        assert recorder.raised_by_url_for(caught)
        assert not recorder.raised_by_url_for(BuildError("profile", {}, None))
        recorder.keep_failure(caught)  # what the error page does with the failure it shows
        [call] = recorder.calls()
        assert call.error is caught


def test_a_caught_failure_is_not_kept_alive_by_the_record(app: Flask) -> None:
    """Holding it would hold its traceback's frames until the request ends, for every failure caught."""
    with app.test_request_context("/users/1"):
        try:
            url_for("missing")
        except BuildError as error:
            failure = weakref.ref(error)
        gc.collect()  # a failure's traceback is a cycle (Flask's handler frame holds the error)
        assert failure() is None
        [call] = recorder.calls()
        assert call.failed and call.error is None and call.error_text() is not None


def test_non_build_errors_pass_through_unchanged(app: Flask) -> None:
    with app.test_request_context("/"):
        with pytest.raises(ValueError, match="'_external' must be True"):
            url_for("index", _scheme="https", _external=False)
        with pytest.raises(ValueError):
            url_for("profile", user_id="abc")
        calls = recorder.calls()
    assert [type(c.error) for c in calls] == [ValueError, ValueError]
    assert calls[0].options == {"_scheme": "https", "_external": False}


def test_the_raising_frame_is_still_in_the_traceback(app: Flask) -> None:
    with app.test_request_context("/"), pytest.raises(BuildError) as info:
        url_for("nope")
    names = [entry.name for entry in info.traceback]
    assert "url_for" in names and "build" in names


def _template_calls(app: Flask) -> list[recorder.UrlForCall]:
    with app.test_request_context("/"):
        text = render_template_string("<a href='{{ url_for('index') }}'>\n{{ url_for('profile', user_id=3) }}")
        assert text == "<a href='/'>\n/users/3"
        return recorder.calls()


def test_template_calls_with_the_env_created_after_install() -> None:
    # Not ``make_app``: setting ``app.debug`` creates the Jinja environment (Flask's debug setter).
    app = Flask("fresh")
    app.config.update(TESTING=True, ROUTE_EXPLORER_ENABLED=True)
    add_routes(app)
    RouteExplorer(app)
    assert "jinja_env" not in vars(app) and "url_for" in vars(app)
    calls = _template_calls(app)
    assert [c.endpoint for c in calls] == ["index", "profile"]
    assert [c.line for c in calls] == [1, 2]
    assert calls[0].template is not None


def test_template_calls_with_the_env_created_before_install(make_app: t.Callable[..., Flask]) -> None:
    app = make_app(explorer=False)
    add_routes(app)
    original = app.jinja_env.globals["url_for"]
    assert original == app.url_for
    recorder.install(app)
    assert app.jinja_env.globals["url_for"] is app.url_for
    calls = _template_calls(app)
    assert [c.endpoint for c in calls] == ["index", "profile"]


def test_a_replaced_jinja_global_is_left_alone(make_app: t.Callable[..., Flask]) -> None:
    app = make_app(explorer=False)
    add_routes(app)

    def own_url_for(endpoint: str, **values: t.Any) -> str:
        return "custom"

    app.jinja_env.globals["url_for"] = own_url_for
    recorder.install(app)
    assert app.jinja_env.globals["url_for"] is own_url_for


def test_template_file_call_site(make_app: t.Callable[..., Flask], tmp_path: t.Any) -> None:
    app = make_app()
    add_routes(app)
    app.template_folder = str(tmp_path)
    (tmp_path / "page.html").write_text("{% if true %}\n  <p>\n  {{ url_for('profile', user_id=1) }}\n{% endif %}\n")
    from flask import render_template

    with app.test_request_context("/"):
        render_template("page.html")
        [call] = recorder.calls()
    assert call.template_name == "page.html"
    assert call.file == str(tmp_path / "page.html")
    assert call.location == "page.html:3"


def test_full_requests_record_per_request(app: Flask) -> None:
    seen: list[list[str]] = []

    @app.route("/links")
    def links() -> str:
        url_for("index")
        url_for("profile", user_id=2)
        seen.append([c.endpoint for c in recorder.calls()])
        return "ok"

    client = app.test_client()
    assert client.get("/links").status_code == 200
    assert client.get("/links").status_code == 200
    assert seen == [["index", "profile"], ["index", "profile"]]


def test_threads_do_not_see_each_others_calls(app: Flask) -> None:
    barrier = threading.Barrier(2, timeout=10)
    results: dict[str, list[str]] = {}

    @app.route("/thread/<name>")
    def thread_view(name: str) -> str:
        url_for("profile", user_id=len(name))
        barrier.wait()  # both requests are inside their view at the same time
        url_for("index", who=name)
        barrier.wait()
        results[name] = [c.url or "" for c in recorder.calls()]
        return "ok"

    def fetch(name: str) -> None:
        assert app.test_client().get(f"/thread/{name}").status_code == 200

    threads = [threading.Thread(target=fetch, args=(name,)) for name in ("a", "bbb")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {"a": ["/users/1", "/?who=a"], "bbb": ["/users/3", "/?who=bbb"]}


def test_the_limit_keeps_failures(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recorder, "MAX_RECORDED_CALLS", 3)
    with app.test_request_context("/"):
        for user_id in range(5):
            url_for("profile", user_id=user_id)
        with pytest.raises(BuildError):
            url_for("missing")
        calls = recorder.calls()
        assert len(calls) == 4 and calls[-1].failed
        assert recorder.dropped_calls() == 2


def test_unrepresentable_values_do_not_break_display(app: Flask) -> None:
    class Weird:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

        def __str__(self) -> str:
            return "weird"

    with app.test_request_context("/"):
        url_for("index", w=Weird())
        [call] = recorder.calls()
    assert "Weird" in call.call_text()
    assert "Weird" in call.to_dict()["values"]["w"]


def test_abort_inside_view_is_not_a_url_for_error(app: Flask) -> None:
    @app.route("/gone")
    def gone() -> str:
        url_for("index")
        abort(410)

    assert app.test_client().get("/gone").status_code == 410


#: A module global the recorder must never carry into ``g`` (the toolbar's g panel prints ``g``).
API_TOKEN = "s3cr3t-module-global"


def test_g_holds_one_short_container_without_module_globals(app: Flask) -> None:
    """Flask-DebugToolbar's ``flask.g`` panel reprs every value of ``g``: ours must stay one short line."""
    from flask import g

    with app.test_request_context("/"):
        for user_id in range(300):
            url_for("profile", user_id=user_id)
        with pytest.raises(BuildError):
            url_for("profil")
        render_template_string("{{ url_for('index') }}")
        shown = {name: repr(value) for name, value in vars(g).items()}
        assert len(recorder.calls()) == 302
    [(_name, text)] = [(n, r) for n, r in shown.items() if n.startswith("_route_explorer")]
    assert text == "<route-explorer: 302 url_for calls>"
    assert API_TOKEN not in "".join(shown.values())


def test_records_keep_no_frame_globals(app: Flask) -> None:
    with app.test_request_context("/"):
        url_for("index")
        render_template_string("{{ url_for('profile', user_id=3) }}")
        python_call, template_call = recorder.calls()
    for call in (python_call, template_call):
        assert not any(isinstance(value, dict) and "__name__" in value for value in vars_of(call))
    assert python_call.template is None and python_call.file == __file__
    assert template_call.template is not None and template_call.line == 1


def vars_of(call: recorder.UrlForCall) -> list[t.Any]:
    return [getattr(call, name) for name in call.__slots__]


def test_the_recorder_frame_is_hidden_from_pytest_and_the_debugger(app: Flask) -> None:
    """Its frame sits between the caller and Flask's url_for in every traceback: both tools skip it."""
    with app.test_request_context(), pytest.raises(BuildError) as info:
        url_for("no_such_endpoint")
    frames = [entry.frame for entry in info.traceback]
    ours = [f for f in frames if f.code.path == Path(recorder.__file__)]
    assert ours and all(f.f_locals.get("__tracebackhide__") is True for f in ours)
    assert all(f.f_locals.get("__traceback_hide__") is True for f in ours)
    assert str(Path(recorder.__file__)) not in str(info.getrepr(style="short"))


def test_a_caught_failure_leaves_g_to_reference_counting(app: Flask) -> None:
    """The failure's traceback keeps the recorder's frame: it must not lead back to ``g``.

    Otherwise ``g``, and the connection an app keeps there, outlive every request that caught a
    failing url_for until the garbage collector runs.
    """

    class Connection:
        pass

    gc.disable()
    try:
        with app.test_request_context("/users/1"):  # a request that matched, as a view's does
            g.db = Connection()
            connection = weakref.ref(g.db)
            try:
                url_for("missing")
            except BuildError:
                pass
            assert recorder.calls()[-1].failed
        assert connection() is None
    finally:
        gc.enable()
