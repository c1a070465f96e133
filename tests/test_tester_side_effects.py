"""The build tester's promise: the app's session backend is never opened, and teardown runs once per build.

Every face is counted: the page, the JSON API, the CLI (which passes the ``current_app`` proxy), and
``routing.build`` called with the proxy or with the app itself.
"""

from __future__ import annotations

import typing as t

import pytest
from flask import Blueprint, Flask, Request, current_app, url_for
from flask.sessions import SecureCookieSessionInterface, SessionMixin

from flask_route_explorer import routing
from flask_route_explorer.cli import route_explorer

#: Failing calls of each kind the diagnosis verifies fixes for, and two that build.
CALLS: tuple[tuple[str, dict[str, str], str | None], ...] = (
    ("user_profile", {"user_id": "3"}, None),  # missing blueprint prefix
    ("users.user_profil", {"user_id": "3"}, None),  # typo
    ("users.user_profile", {"id": "3"}, None),  # misnamed variable
    ("users.user_profile", {"user_id": "abc"}, None),  # a value the converter rejects
    ("users.user_profile", {}, None),  # missing variable
    ("users.user_profile", {"user_id": "3"}, "POST"),  # method not allowed
    ("users.edit", {"user_id": "3"}, "POST"),  # builds
    ("localized", {"slug": "x"}, None),  # builds, through a url_defaults hook
)


class Counts:
    def __init__(self) -> None:
        self.sessions = 0
        self.teardowns = 0
        self.before = 0

    def reset(self) -> None:
        self.sessions = self.teardowns = self.before = 0


class CountingSessions(SecureCookieSessionInterface):
    def __init__(self, counts: Counts) -> None:
        self.counts = counts

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        self.counts.sessions += 1
        return super().open_session(app, request)


@pytest.fixture
def counted(make_app: t.Callable[..., Flask]) -> tuple[Flask, Counts]:
    app = make_app(SECRET_KEY="secret")
    counts = Counts()
    app.session_interface = CountingSessions(counts)
    users = Blueprint("users", __name__, url_prefix="/users")
    users.add_url_rule("/<int:user_id>", "user_profile", lambda user_id: "")
    users.add_url_rule("/<int:user_id>/edit", "edit", lambda user_id: "", methods=["POST"])
    app.register_blueprint(users)
    app.add_url_rule("/<lang>/<slug>", "localized", lambda lang, slug: "")

    @app.url_defaults
    def add_language(endpoint: str, values: dict[str, t.Any]) -> None:
        if endpoint == "localized":
            values.setdefault("lang", "en")

    @app.before_request
    def before() -> None:
        counts.before += 1

    @app.teardown_request
    def teardown(error: BaseException | None) -> None:
        counts.teardowns += 1

    return app, counts


@pytest.mark.parametrize(("endpoint", "values", "method"), CALLS)
@pytest.mark.parametrize("proxy", [True, False])
def test_a_build_never_opens_the_session_and_tears_down_once(
    counted: tuple[Flask, Counts], endpoint: str, values: dict[str, str], method: str | None, proxy: bool
) -> None:
    app, counts = counted
    with app.app_context():
        counts.reset()
        result = routing.build(current_app if proxy else app, endpoint, values, method=method)
        assert result.diagnosis is not None or result.ok
        assert (counts.sessions, counts.teardowns, counts.before) == (0, 1, 0)


@pytest.mark.parametrize(("endpoint", "values", "method"), CALLS)
def test_the_pages_and_the_api_never_open_the_session(
    counted: tuple[Flask, Counts], endpoint: str, values: dict[str, str], method: str | None
) -> None:
    app, counts = counted
    client = app.test_client()
    query = {"endpoint": endpoint, **values, **({"_method": method} if method else {})}
    for url in ("/_routes/api/build", "/_routes/build"):
        counts.reset()
        assert client.get(url, query_string=query).status_code == 200
        assert (counts.sessions, counts.teardowns, counts.before) == (0, 1, 0), url


@pytest.mark.parametrize(("endpoint", "values", "method"), CALLS)
def test_the_cli_never_opens_the_session(
    counted: tuple[Flask, Counts], endpoint: str, values: dict[str, str], method: str | None
) -> None:
    app, counts = counted
    args = ["build", endpoint, *(f"{k}={v}" for k, v in values.items()), *(["--method", method] if method else [])]
    counts.reset()
    result = app.test_cli_runner().invoke(route_explorer, args)
    assert "Traceback" not in result.output
    assert (counts.sessions, counts.teardowns, counts.before) == (0, 1, 0), result.output


def test_the_app_still_opens_its_session_for_its_own_requests(counted: tuple[Flask, Counts]) -> None:
    """The counting is real: a request of the app itself opens the session once."""
    app, counts = counted
    app.add_url_rule("/own", "own", lambda: url_for("users.user_profile", user_id=1))
    assert app.test_client().get("/own").status_code == 200
    assert (counts.sessions, counts.teardowns, counts.before) == (1, 1, 1)
