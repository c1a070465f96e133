"""Live testers benchmark: a build answer and a match answer at 10,000 rules, core and JSON API."""

from __future__ import annotations

import json
import time
import typing as t
from urllib.parse import urlencode

from flask import Flask

from bench.synthetic import Sample, make_app, sample_values
from bench.timing import median_seconds, ms, table
from flask_route_explorer import RouteExplorer, routing
from flask_route_explorer.inventory import get_inventory

N_RULES, N_BLUEPRINTS = 10_000, 700
#: The issue's budget for one answer.
BUDGET = 0.020
#: How many different generated rules each figure is the median over.
N_SAMPLES = 25


def _app() -> Flask:
    app = make_app(N_RULES, N_BLUEPRINTS)
    app.config["ROUTE_EXPLORER_ENABLED"] = True
    app.debug = True
    RouteExplorer(app)
    return app


def _spread(samples: list[Sample]) -> list[Sample]:
    step = max(1, len(samples) // N_SAMPLES)
    return samples[::step][:N_SAMPLES]


def _as_form(values: t.Mapping[str, t.Any]) -> dict[str, str]:
    """Values as a form sends them: strings, converted by the app's converters."""
    return {name: str(value) for name, value in values.items()}


def _missing_one(sample: Sample) -> dict[str, str]:
    """The sample's values without the first one: a BuildError the diagnosis explains."""
    return dict(list(_as_form(sample.values).items())[1:])


def _typo(path: str) -> str:
    """A 404 with a near miss: the first static word of the path with one letter dropped."""
    parts = path.split("/")
    for i, part in enumerate(parts):
        if len(part) > 3 and part.replace("-", "").replace("_", "").isalpha():
            parts[i] = part[:2] + part[3:]
            break
    return "/".join(parts)


def _each(samples: list[Sample], call: t.Callable[[Sample], object]) -> t.Callable[[], None]:
    """One call per sample, so the median is over different rules, not one lucky one."""

    def run() -> None:
        for sample in samples:
            call(sample)

    return run


def _per_answer(samples: list[Sample], call: t.Callable[[Sample], object]) -> float:
    return median_seconds(_each(samples, call), repeat=5) / len(samples)


def _api(client: t.Any, url: str, expect: t.Callable[[dict[str, t.Any]], bool]) -> None:
    response = client.get(url)
    body = json.loads(response.data)
    assert response.status_code == 200 and expect(body), (url, body)


def run() -> None:
    start = time.perf_counter()
    app = _app()
    setup = time.perf_counter() - start
    samples = _spread(sample_values(app))
    client = app.test_client()

    # After a URL map change: the shared inventory, then the testers' own rule shapes on first use.
    start = time.perf_counter()
    get_inventory(app)
    inventory = time.perf_counter() - start
    start = time.perf_counter()
    routing.match(app, _typo(samples[0].path))
    cold = time.perf_counter() - start
    for sample in samples:  # correctness first: every figure below is of a right answer
        built = routing.build(app, sample.endpoint, _as_form(sample.values))
        assert built.ok and built.url == sample.path and built.roundtrip and built.roundtrip.ok, (sample, built)
        matched = routing.match(app, sample.path, method=sample.method)
        assert matched.ok and matched.endpoint == sample.endpoint, (sample, matched)
        missed = routing.match(app, _typo(sample.path), method=sample.method)
        assert missed.status == 404 and missed.near, (sample, missed)

    def api_build(sample: Sample) -> None:
        query = urlencode({"endpoint": sample.endpoint, **_as_form(sample.values)})
        _api(client, f"/_routes/api/build?{query}", lambda body: bool(body["ok"]))

    def api_build_failing(sample: Sample) -> None:
        query = urlencode({"endpoint": sample.endpoint, **_missing_one(sample)})
        _api(client, f"/_routes/api/build?{query}", lambda body: body["diagnosis"] is not None)

    def api_match(path: t.Callable[[Sample], str], status: int) -> t.Callable[[Sample], None]:
        def call(sample: Sample) -> None:
            query = urlencode({"path": path(sample), "method": sample.method})
            _api(client, f"/_routes/api/match?{query}", lambda body: body["status"] == status)

        return call

    failing = [s for s in samples if s.values and not routing.build(app, s.endpoint, _missing_one(s)).ok]
    rows: list[tuple[str, float, float]] = [
        (
            "build: URL + round trip",
            _per_answer(samples, lambda s: routing.build(app, s.endpoint, _as_form(s.values))),
            _per_answer(samples, api_build),
        ),
        (
            "build: failure + diagnosis (one value missing)",
            _per_answer(failing, lambda s: routing.build(app, s.endpoint, _missing_one(s))),
            _per_answer(failing, api_build_failing),
        ),
        (
            "match: 200",
            _per_answer(samples, lambda s: routing.match(app, s.path, method=s.method)),
            _per_answer(samples, api_match(lambda s: s.path, 200)),
        ),
        (
            "match: 404 + rule-by-rule explanation",
            _per_answer(samples, lambda s: routing.match(app, _typo(s.path), method=s.method)),
            _per_answer(samples, api_match(lambda s: _typo(s.path), 404)),
        ),
    ]
    print(f"## Live testers at {N_RULES:,} rules ({N_BLUEPRINTS} blueprints)\n")
    print(
        f"Median time per answer over {len(samples)} generated rules ({len(failing)} for failures; each answer checked first). "
        f"Budget: {ms(BUDGET)} per answer. The app took {setup:.1f} s to build. After a URL map change, "
        f"the shared route inventory takes {ms(inventory)} to rebuild, then the first tester answer "
        f"{ms(cold)} (it cuts every rule into segments once).\n"
    )
    print(
        table(
            ("Answer", "Core function", "JSON API (test client)", "Within 20 ms"),
            [(name, ms(core), ms(api), "yes" if max(core, api) < BUDGET else "**no**") for name, core, api in rows],
        )
    )
