"""Bad input never gives a 500: malformed URLs, raw non-UTF-8 query bytes, in process and on a real server."""

from __future__ import annotations

import html
import json
import re
import socket
import sys
import typing as t
from pathlib import Path

import pytest
from conftest import start_server, stop_server
from flask import Blueprint, Flask, url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo_app import create_app
from flask_route_explorer import errorpage
from flask_route_explorer.cli import route_explorer
from flask_route_explorer.diagnosis import Diagnosis

#: Every page and API of the explorer that reads the query string.
EXPLORER_URLS = (
    "/_routes/",
    "/_routes/api/routes",
    "/_routes/build",
    "/_routes/match",
    "/_routes/api/build",
    "/_routes/api/match",
)
#: Full URLs ``urlsplit`` refuses (``ValueError``): brackets of an IPv6 host left open or misplaced.
MALFORMED_URLS = ("http://[/", "http://[::1/x", "https://]/", "http://a]b[/c")
#: Raw query bytes that are not UTF-8, as a client may send them (a server passes them on as latin-1).
RAW_QUERIES = (b"q=\xff", b"path=/%ff\xff&method=\xe9", b"endpoint=\xff\xfe&user_id=\xc3", b"\xc3\x28=\xa0\xa1")


@pytest.fixture(scope="module")
def app() -> Flask:
    app = create_app({"ROUTE_EXPLORER_ENABLED": True, "DEBUG_TB_ENABLED": False})
    app.debug = True
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 must show as a 500, not as a raised error
    return app


@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_a_malformed_full_url_is_refused_not_a_500(app: Flask, url: str) -> None:
    response = app.test_client().get("/_routes/api/match", query_string={"path": url})
    assert response.status_code == 400, response.data[:300]
    body = json.loads(response.data)
    assert "is not a valid URL" in body["error"]
    page = app.test_client().get("/_routes/match", query_string={"path": url})
    assert page.status_code == 200 and b"is not a valid URL" in page.data


@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_the_cli_match_refuses_a_malformed_url_without_a_traceback(app: Flask, url: str) -> None:
    result = app.test_cli_runner().invoke(route_explorer, ["match", url])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Input refused" in result.output and "is not a valid URL" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("raw", RAW_QUERIES)
@pytest.mark.parametrize("url", EXPLORER_URLS)
def test_raw_non_utf8_query_bytes_are_read_as_a_browser_sends_them(app: Flask, url: str, raw: bytes) -> None:
    """PEP 3333: the query string arrives as latin-1 text of the raw bytes."""
    response = app.test_client().get(url, environ_overrides={"QUERY_STRING": raw.decode("latin-1")})
    assert response.status_code in (200, 400), response.data[:300]


def test_escaped_and_raw_bytes_read_the_same(app: Flask) -> None:
    """``?q=%C3%A9`` and the raw bytes ``?q=\\xc3\\xa9`` are one query: a browser sends either."""
    client = app.test_client()
    raw = client.get("/_routes/api/match", environ_overrides={"QUERY_STRING": b"path=/caf\xc3\xa9".decode("latin-1")})
    escaped = client.get("/_routes/api/match?path=/caf%C3%A9")
    assert raw.status_code == escaped.status_code and json.loads(raw.data) == json.loads(escaped.data)


def test_the_error_page_reads_raw_query_bytes(app: Flask) -> None:
    """The app's view never read its query: the page explaining its url_for failure must not fail on it."""
    query = b"page=\xff&x=caf\xc3\xa9".decode("latin-1")
    response = app.test_client().get("/dashboard", environ_overrides={"QUERY_STRING": query})
    assert response.status_code == 500 and b"user_profile" in response.data
    assert b"x=caf%C3%A9&amp;_route_explorer=debugger" in response.data  # the debugger link keeps the query


def _raw_get(port: int, target: bytes) -> bytes:
    """``GET target`` written byte for byte on a socket: no client library re-encodes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_real_flask_run_never_answers_500_to_raw_bytes() -> None:
    flask_bin = str(Path(sys.executable).with_name("flask"))
    server = start_server(
        [flask_bin, "--app", "demo_app:create_app", "run", "--debug", "--no-reload", "--port", "{port}"]
    )
    try:
        port = int(server.url.rpartition(":")[2])
        targets = [url.encode() + b"?" + raw for url in EXPLORER_URLS for raw in RAW_QUERIES]
        targets += [b"/_routes/api/match?path=" + url.encode() for url in MALFORMED_URLS]
        targets += [b"/_routes/\xff\xfe", b"/_routes/build/\xc3"]
        answers = {target: _raw_get(port, target) for target in targets}
        statuses = {target: answer.split(b"\r\n", 1)[0] for target, answer in answers.items()}
        failed = {
            target: status
            for target, status in statuses.items()
            if not status.startswith((b"HTTP/1.1 2", b"HTTP/1.1 3", b"HTTP/1.1 4"))
        }
        assert not failed, failed
    finally:
        output = stop_server(server)
    assert "Traceback" not in output, output[-3000:]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    url=st.builds(
        "{}://{}{}".format,
        st.sampled_from(["http", "https", "ws"]),
        st.text(alphabet="[]:.%@a1-", max_size=10),
        st.sampled_from(["", "/", "/users/7", "/?a=b"]),
    )
)
def test_the_cli_match_never_prints_a_traceback(app: Flask, url: str) -> None:
    result = app.test_cli_runner().invoke(route_explorer, ["match", url])
    assert result.exit_code in (0, 1) and (result.exception is None or isinstance(result.exception, SystemExit))


# --- a value whose attribute read raises -------------------------------------------------------------


class Detached:
    """A lazy ORM object whose session is closed: every attribute read raises."""

    def __getattr__(self, name: str) -> t.Any:
        raise RuntimeError(f"detached instance: {name}")


def notice(page: str) -> str | None:
    """The page's note on what the diagnosis could not compute, as text."""
    found = re.search(r'<p class="err-incomplete"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else None


@pytest.fixture
def detached_app(make_app: t.Callable[..., Flask]) -> Flask:
    app = make_app()
    users = Blueprint("users", __name__, url_prefix="/users")
    users.add_url_rule("/<int:user_id>", "user_profile", lambda user_id: "")
    app.register_blueprint(users)

    @app.route("/missing")
    def missing() -> str:
        user = Detached()  # the fix would read user.id: it raises
        return url_for("users.user_profile") if user else ""

    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_the_page_says_which_part_of_the_diagnosis_is_missing(
    detached_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The face: a diagnosis that reports a gap shows it, on the page and in the Markdown."""
    gap = "reading user.id raised RuntimeError: detached instance: id"

    def explain_with_gap(error: BaseException, app: Flask | None = None) -> Diagnosis:
        return Diagnosis(
            "missing_parameters", "users.user_profile", "The call does not pass user_id.", incomplete=(gap,)
        )

    monkeypatch.setattr(errorpage, "explain", explain_with_gap)
    page = detached_app.test_client().get("/missing").get_data(as_text=True)
    assert notice(page) == f"Part of this diagnosis could not be computed: {gap}."
    assert f"_Part of this diagnosis could not be computed: {gap}._" in html.unescape(page)  # the Markdown


def test_a_whole_diagnosis_shows_no_gap(detached_app: Flask) -> None:
    detached_app.add_url_rule("/plain", "plain", lambda: url_for("users.user_profile"))
    page = detached_app.test_client().get("/plain").get_data(as_text=True)
    assert "user_id" in page and notice(page) is None


def test_a_raising_attribute_is_reported_by_the_engine(detached_app: Flask) -> None:
    """End to end: the fix's value filling reads ``user.id``, which raises; the page must say so."""
    page = detached_app.test_client().get("/missing").get_data(as_text=True)
    assert "user_id=USER_ID" in html.unescape(page)  # the diagnosis itself is still there
    shown = notice(page)
    assert shown is not None and "user.id" in shown
