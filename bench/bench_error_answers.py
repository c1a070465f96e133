"""The two answers to a url_for failure that reaches the user: the HTML page and the JSON answer.

Both come from one diagnosis; the JSON answer must not cost more than twice the page (issue 16:
its message once ran Werkzeug's difflib guess over every rule).
"""

from __future__ import annotations

import io

from flask import Flask, url_for

from bench.synthetic import make_app, sample_values
from bench.timing import Timing, median_seconds, ms, table
from flask_route_explorer import RouteExplorer

#: Issue 16's goal: the JSON answer within this factor of the HTML page.
JSON_GOAL = 2.0
ROUNDS = 7


def _failing_app(n_rules: int, n_blueprints: int) -> tuple[Flask, str]:
    """The synthetic app with the explorer on and a view whose ``url_for`` forgets the blueprint."""
    app = make_app(n_rules, n_blueprints)
    app.config.update(ROUTE_EXPLORER_ENABLED=True)
    app.debug = True
    RouteExplorer(app)
    samples = sample_values(app)
    endpoint = samples[len(samples) // 2].endpoint.rpartition(".")[2]

    @app.route("/broken")
    def broken() -> str:
        return url_for(endpoint)

    return app, endpoint


def run(n_rules: int = 10_000, n_blueprints: int = 700) -> None:
    app, endpoint = _failing_app(n_rules, n_blueprints)
    client = app.test_client()

    def answer(accept: str) -> None:
        # The terminal's traceback goes to a stream of its own, as it would to the server's.
        response = client.get("/broken", headers={"Accept": accept}, errors_stream=io.StringIO())
        assert response.status_code == 500 and response.mimetype == accept, response.mimetype

    # Alternating rounds so machine noise hits both alike.
    page: list[float] = []
    json_answer: list[float] = []
    for _ in range(ROUNDS):
        page.append(median_seconds(lambda: answer("text/html"), repeat=3))
        json_answer.append(median_seconds(lambda: answer("application/json"), repeat=3))
    html_time, json_time = Timing(page), Timing(json_answer)
    ratio = json_time / html_time
    print(f"## Error answers at {n_rules:,} rules\n")
    print(
        f"A view calls `url_for({endpoint!r})` (its blueprint forgotten) and does not catch the BuildError; "
        f"{ROUNDS} alternating rounds, each the median of 3 requests. Both answers include the traceback "
        "written to the terminal (Werkzeug's own message, with its guess, as the debugger writes it).\n"
    )
    print(
        table(
            ["answer", "time", f"goal: JSON ≤ {JSON_GOAL:g}× the page"],
            [
                ["HTML page", ms(html_time), "–"],
                ["JSON answer", ms(json_time), f"{ratio:.2f}× ({'met' if ratio <= JSON_GOAL else '**not met**'})"],
            ],
        )
    )
