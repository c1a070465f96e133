"""The note on a failing ``url_for`` is diagnosed when something reads it, never for a failure nobody shows."""

from __future__ import annotations

import html
import traceback
import typing as t

import pytest
from flask import Blueprint, Flask, g, url_for
from werkzeug.debug.tbtools import DebugTraceback
from werkzeug.routing import BuildError

from flask_route_explorer import RouteExplorer, notes, recorder
from flask_route_explorer.diagnosis import Diagnosis

HEADLINE = "flask-route-explorer: There is no endpoint 'user_profile'."
FIX = 'Fix: url_for("users.user_profile", user_id=1)'


@pytest.fixture(params=["explorer", "testing only"])
def app(request: pytest.FixtureRequest) -> Flask:
    """The explorer mounted (recorder and note), or testing mode alone (the note only)."""
    app = Flask("lazynotes")
    app.config.update(TESTING=True, ROUTE_EXPLORER_ENABLED=request.param == "explorer")
    app.debug = request.param == "explorer"
    users = Blueprint("users", __name__)
    users.add_url_rule("/u/<int:user_id>", "user_profile", lambda user_id: "")
    app.register_blueprint(users)
    RouteExplorer(app)
    return app


@pytest.fixture
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Every run of the diagnosis engine for a note."""
    calls: list[BaseException] = []
    real = notes.diagnose

    def counted(error: BaseException, app: Flask | None = None) -> Diagnosis:
        calls.append(error)
        return real(error, app)

    monkeypatch.setattr(notes, "diagnose", counted)
    return calls


def _caught(app: Flask) -> BuildError:
    with app.test_request_context("/"):
        try:
            url_for("user_profile", user_id=1)
        except BuildError as error:
            return error
    raise AssertionError("built")


def test_a_caught_failure_is_not_diagnosed(app: Flask, engine_calls: list[BaseException]) -> None:
    @app.route("/")
    def index() -> str:
        for _ in range(3):
            try:
                url_for("user_profile", user_id=1)
            except BuildError:
                pass
        return "ok"

    assert app.test_client().get("/").text == "ok"
    assert engine_calls == []


def test_the_note_is_written_when_read_once(app: Flask, engine_calls: list[BaseException]) -> None:
    error = _caught(app)
    assert engine_calls == []
    assert len(error.__notes__) == 1
    (note,) = error.__notes__
    assert note.startswith(HEADLINE) and FIX in note
    assert error.__notes__[0] == note and list(error.__notes__) == [note]
    assert engine_calls == [error]


def test_the_note_shows_in_every_traceback_printer(app: Flask) -> None:
    for text in (
        "".join(traceback.format_exception(_caught(app))),
        DebugTraceback(_caught(app)).render_traceback_text(),
        DebugTraceback(_caught(app)).render_traceback_html(),
    ):
        assert HEADLINE in html.unescape(text)


def test_pytest_raises_match_reads_the_note(app: Flask) -> None:
    """pytest joins the message and the notes as text: the note must be a real ``str`` by then."""
    with pytest.raises(BuildError, match=r"users\.user_profile"), app.test_request_context("/"):
        url_for("user_profile", user_id=1)


def test_other_notes_keep_their_place(app: Flask) -> None:
    with app.test_request_context("/"):
        try:
            url_for("user_profile", user_id=1)
        except BuildError as error:
            error.add_note("added by the app")
            assert error.__notes__[1] == "added by the app"
            assert error.__notes__[0].startswith(HEADLINE)


def test_a_note_read_in_the_request_leaves_its_teardown_alone(app: Flask) -> None:
    events: list[str] = []

    @app.teardown_request
    def close_db(exc: BaseException | None) -> None:
        events.append("teardown" if g.pop("db", None) else "teardown without db")

    @app.route("/")
    def index() -> str:
        g.db = "connection"
        try:
            url_for("user_profile", user_id=1)
        except BuildError as error:
            assert FIX in error.__notes__[0]  # diagnosed here, with a verified fix built in this request
        events.append("view done, db open" if "db" in g else "view done, db closed")
        return ""

    app.test_client().get("/")
    assert events == ["view done, db open", "teardown"]


def test_a_note_read_after_the_request_is_still_diagnosed(app: Flask) -> None:
    error = _caught(app)  # the request is over
    assert FIX in error.__notes__[0]


def test_error_page_and_panel_diagnose_once(engine_calls: list[BaseException]) -> None:
    """The error page writes the note from its own diagnosis; the panel reuses the note's."""
    app = Flask("lazypage")
    app.config.update(TESTING=True, ROUTE_EXPLORER_ENABLED=True)
    app.debug = True
    RouteExplorer(app)
    app.add_url_rule("/u/<int:user_id>", "user_profile", lambda user_id: "")
    seen: list[t.Any] = []

    @app.route("/")
    def index() -> str:
        url_for("profile", user_id=1)
        return ""

    @app.after_request
    def keep(response: t.Any) -> t.Any:
        seen.extend(recorder.calls())
        return response

    response = app.test_client().get("/")
    assert response.status_code == 500
    (call,) = seen
    assert engine_calls == []  # the page diagnosed with the engine's explain(), the note took that one
    assert call.error.__notes__[0].startswith("flask-route-explorer: ")
    assert notes.diagnosis_of(call.error, app).endpoint == "profile"
    assert engine_calls == []
