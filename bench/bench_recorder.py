"""The url_for recorder's cost per call: recorder on versus off, same app, same calls, one run."""

from __future__ import annotations

import statistics
import typing as t

from flask import Flask, render_template_string, url_for
from werkzeug.routing import BuildError

from bench.synthetic import make_app, sample_values
from bench.timing import Timing, median_seconds, table
from flask_route_explorer import RouteExplorer, recorder

#: Calls per timed run: ``len(ENDPOINTS)`` endpoints built in turn, inside one request.
CALLS = 1000
ENDPOINTS = 5
#: Independent paired measurements per row; the row shows the median run and the range of ratios.
RUNS = 3
#: Issue 16's goals: the recorder at most this much per Python ``url_for`` call, a caught failure under this.
RECORDER_GOAL = 1.3
CAUGHT_GOAL = 2.0
#: One template that builds the same URLs, the way pages usually do.
TEMPLATE = "{% for endpoint, values in calls %}{{ url_for(endpoint, **values) }}{% endfor %}"


def _calls(app: Flask) -> list[tuple[str, dict[str, t.Any]]]:
    """A few real endpoints of the synthetic app: no arguments, a few, many."""
    samples = sorted(sample_values(app), key=lambda s: len(s.values))
    picked = [samples[int(i * (len(samples) - 1) / (ENDPOINTS - 1))] for i in range(ENDPOINTS)]
    return [(s.endpoint, s.values) for s in picked] * (CALLS // ENDPOINTS)


def _python(app: Flask, calls: list[tuple[str, dict[str, t.Any]]]) -> t.Callable[[], None]:
    def run() -> None:
        with app.test_request_context("/"):
            for endpoint, values in calls:
                url_for(endpoint, **values)

    return run


def _template(app: Flask, calls: list[tuple[str, dict[str, t.Any]]]) -> t.Callable[[], None]:
    def run() -> None:
        with app.test_request_context("/"):
            render_template_string(TEMPLATE, calls=calls)

    return run


def _paired(app: Flask, run: t.Callable[[], None], rounds: int = 15) -> tuple[float, float]:
    """Per-call time with the recorder off and on, alternating rounds so machine noise hits both alike.

    "Off" takes the instance attribute away (and gives templates Flask's method back), which is
    exactly the state of an app the explorer never mounted on.
    """
    wrapper = vars(app)["url_for"]
    original = wrapper.__wrapped__
    off: list[float] = []
    on: list[float] = []
    for _ in range(rounds):
        del app.url_for
        app.jinja_env.globals["url_for"] = original
        off.append(median_seconds(run, repeat=3, number=2) / CALLS)
        app.url_for = wrapper  # type: ignore[method-assign]
        app.jinja_env.globals["url_for"] = wrapper
        on.append(median_seconds(run, repeat=3, number=2) / CALLS)
    return statistics.median(off), statistics.median(on)


def _caught(app: Flask, path: str, endpoint: str, count: int = 200) -> t.Callable[[], None]:
    """A view that tries a link, catches the BuildError and goes on (nobody prints it).

    The request is for one of the app's URLs, as a view's is: a request that matched no rule
    carries its NotFound (and that exception's frames) in the request context.
    """

    def run() -> None:
        with app.test_request_context(path):
            for _ in range(count):
                try:
                    url_for(endpoint)
                except BuildError:
                    pass

    return run


def caught_failures(n_rules: int = 10_000, n_blueprints: int = 700) -> None:
    """A failing url_for the app catches: with the explorer mounted against the same app without it."""
    plain = make_app(n_rules, n_blueprints)
    mounted = make_app(n_rules, n_blueprints)
    mounted.config.update(ROUTE_EXPLORER_ENABLED=True, TESTING=True)
    mounted.debug = True
    RouteExplorer(mounted)
    samples = sample_values(plain)
    # The endpoint without its blueprint prefix: the most common mistake.
    endpoint = samples[len(samples) // 2].endpoint.rpartition(".")[2]
    path = next(sample.path for sample in samples if sample.method == "GET")
    plain_run, mounted_run = _caught(plain, path, endpoint), _caught(mounted, path, endpoint)
    # Alternating rounds, as for the recorder: machine noise hits both alike.
    off_samples: list[float] = []
    on_samples: list[float] = []
    for _ in range(15):
        off_samples.append(median_seconds(plain_run, repeat=3) / 200)
        on_samples.append(median_seconds(mounted_run, repeat=3) / 200)
    off, on = Timing(off_samples), Timing(on_samples)
    print(f"\n### A caught `url_for` failure at {n_rules:,} rules\n")
    print(
        table(
            [
                "",
                "without the explorer",
                "explorer mounted (recorder + note)",
                "ratio",
                f"goal: under {CAUGHT_GOAL:g}×",
            ],
            [
                [
                    f"`url_for({endpoint!r})` raising BuildError, caught",
                    _us(off),
                    _us(on),
                    f"{on / off:.2f}×",
                    _verdict(on / off < CAUGHT_GOAL),
                ]
            ],
        )
    )
    print("\nThe diagnosis (note, panel, error page) runs only when something shows it, so it is not in these figures.")


def _us(seconds: float) -> str:
    """Microseconds; a :class:`Timing` also shows the range of its runs."""
    if isinstance(seconds, Timing) and seconds.high > seconds.low:
        return f"{seconds * 1e6:.2f} µs ({seconds.low * 1e6:.2f}–{seconds.high * 1e6:.2f})"
    return f"{seconds * 1e6:.2f} µs"


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def run() -> None:
    print("## url_for recorder (toolbar panel)\n")
    app = make_app(1400, 100)
    app.config.update(TESTING=True)
    _ = app.jinja_env  # created before install, as under ``flask run --debug``
    recorder.install(app)  # what mounting the explorer does
    calls = _calls(app)
    rows = []
    for name, run_calls in (("Python `url_for`", _python), ("template `url_for`", _template)):
        # Whole measurements repeated: one run's ratio moves by a few hundredths with machine load.
        runs = sorted((_paired(app, run_calls(app, calls)) for _ in range(RUNS)), key=lambda r: r[1] / r[0])
        off, on = runs[len(runs) // 2]
        spread = f"{runs[0][1] / runs[0][0]:.2f}–{runs[-1][1] / runs[-1][0]:.2f}×"
        goal = _verdict(on / off <= RECORDER_GOAL) if run_calls is _python else "–"
        rows.append([name, _us(off), _us(on), _us(on - off), f"{on / off:.2f}× ({spread})", goal])

    # Not enabled: RouteExplorer(app) on an app outside debug mode installs nothing at all.
    quiet = make_app(1400, 100)
    plain = make_app(1400, 100)
    RouteExplorer(quiet)
    assert "url_for" not in vars(quiet) and "route_explorer" not in quiet.blueprints
    plain_run, quiet_run = _python(plain, _calls(plain)), _python(quiet, _calls(quiet))
    plain_samples, quiet_samples = [], []
    for _ in range(15):
        plain_samples.append(median_seconds(plain_run, repeat=3, number=2) / CALLS)
        quiet_samples.append(median_seconds(quiet_run, repeat=3, number=2) / CALLS)
    plain_cost, quiet_cost = statistics.median(plain_samples), statistics.median(quiet_samples)
    rows.append(
        [
            "explorer not enabled (no hook: `'url_for' not in app.__dict__`)",
            _us(plain_cost),
            _us(quiet_cost),
            _us(quiet_cost - plain_cost),
            f"{quiet_cost / plain_cost:.2f}× (one run)",
            "–",
        ]
    )
    print(
        f"Synthetic app with 1,400 rules; {CALLS:,} `url_for` calls of {ENDPOINTS} endpoints (0 to "
        f"{max(len(v) for _, v in calls)} values) per request; recorder off and on alternate over 15 rounds (median), and that "
        f"whole measurement is repeated {RUNS} times: each row shows the median run, with the range of its ratios.\n"
    )
    headers = [
        "calls made from",
        "recorder off",
        "recorder on",
        "cost per call",
        "ratio",
        f"goal: ≤ {RECORDER_GOAL:g}×",
    ]
    print(table(headers, rows))
    print(
        "\nThe recorder keeps references only (arguments, result, the caller's code, offset and template; a "
        "failure weakly, with its class); line numbers, reprs and diagnoses are computed by the panel, once per "
        "request."
    )
    caught_failures()
