"""How each face grows with the app: 1,000, 10,000 and 50,000 rules, same machine, same run.

Each figure is the median (and range) per answer; the last column says how much the time grew from
10,000 to 50,000 rules (5x the rules): about 5x is linear, more grows faster than linear.
"""

from __future__ import annotations

import tempfile
import time
import typing as t
from pathlib import Path

from flask import Flask

from bench.bench_diagnosis import _errors
from bench.checker_tree import write_tree
from bench.synthetic import make_app, sample_values
from bench.timing import Timing, median_seconds, ms, table
from flask_route_explorer import RouteExplorer, routing
from flask_route_explorer.auditing import audit
from flask_route_explorer.checker import check_report
from flask_route_explorer.diagnosis import diagnose
from flask_route_explorer.inventory import get_inventory
from flask_route_explorer.search import search, search_keys

SIZES = ((1_000, 70), (10_000, 700), (50_000, 3_500))
_CACHE_KEY = "route_explorer.inventory"
#: A small tree for the checker: the scaling is in the app, not in the number of files.
TREE = {"n_templates": 40, "n_modules": 20, "n_calls": 1_000}


def _app(n_rules: int, n_blueprints: int) -> Flask:
    app = make_app(n_rules, n_blueprints)
    app.config["ROUTE_EXPLORER_ENABLED"] = True
    app.debug = True
    RouteExplorer(app)
    return app


def _page(client: t.Any, url: str = "/_routes/") -> None:
    assert client.get(url).status_code == 200


def _after_a_rule_change(app: Flask, answer: t.Callable[[], object]) -> Timing:
    """An answer right after the URL map changed: it rebuilds the inventory and what it needs of it."""
    samples = []
    for _ in range(3):
        app.extensions.pop(_CACHE_KEY, None)
        start = time.perf_counter()
        answer()
        samples.append(time.perf_counter() - start)
    return Timing(samples)


def _first_api_answer(app: Flask, client: t.Any) -> Timing:
    """Every route's JSON made anew (the first ``/api/routes`` of an inventory), the inventory warm."""
    samples = []
    for _ in range(3):
        search_keys(get_inventory(app)).route_json.clear()
        start = time.perf_counter()
        _page(client, "/_routes/api/routes")
        samples.append(time.perf_counter() - start)
    return Timing(samples)


def _per_item(items: t.Sequence[t.Any], call: t.Callable[[t.Any], object], repeat: int = 5) -> Timing:
    def run() -> None:
        for item in items:
            call(item)

    return median_seconds(run, repeat=repeat) / len(items)


def _column(n_rules: int, n_blueprints: int) -> dict[str, Timing]:
    app = _app(n_rules, n_blueprints)
    client = app.test_client()
    samples = sample_values(app)[:: max(1, n_rules // 20)][:20]
    errors = [mistake.error for mistake in _errors(app, per_mistake=1)]  # one of each mistake
    inventory = get_inventory(app)
    figures = {
        "`/_routes/` first page after a rule change": _after_a_rule_change(app, lambda: _page(client)),
        "`/_routes/` page (warm)": median_seconds(lambda: _page(client), repeat=7),
        "`/_routes/api/routes` (every route, JSON, first answer)": _first_api_answer(app, client),
        "`/_routes/api/routes` (every route, JSON, warm)": median_seconds(
            lambda: _page(client, "/_routes/api/routes"), repeat=3
        ),
        "search core, typo `ordr edt`": median_seconds(lambda: search(inventory, "ordr edt"), repeat=7),
        "build tester (URL + round trip)": _per_item(samples, lambda s: routing.build(app, s.endpoint, s.values)),
        "match tester, 404 with near rules": _per_item(samples, lambda s: routing.match(app, s.path + "x")),
        "diagnosis of a failed url_for": _per_item(errors, lambda e: diagnose(e, app)),
        "first match after a rule change": _after_a_rule_change(app, lambda: routing.match(app, samples[0].path + "x")),
        "first diagnosis after a rule change": _after_a_rule_change(app, lambda: diagnose(errors[0], app)),
        "audit": median_seconds(lambda: audit(app), repeat=3),
    }
    with tempfile.TemporaryDirectory(prefix="scaling-tree-") as folder:
        write_tree(app, Path(folder), **TREE)
        figures[f"checker, {TREE['n_calls']:,} calls"] = median_seconds(
            lambda: check_report(app, [folder]), repeat=3, warmup=0
        )
    return figures


def run() -> None:
    print("## Scaling: 1,000, 10,000 and 50,000 rules\n")
    columns = [_column(n_rules, n_blueprints) for n_rules, n_blueprints in SIZES]
    rows = []
    faster: list[str] = []
    for name in columns[0]:
        growth = float(columns[2][name]) / float(columns[1][name])
        rows.append((name, *(ms(column[name]) for column in columns), f"{growth:.1f}x"))
        if growth > 6.5:
            faster.append(f"{name} ({growth:.1f}x)")
    print(table(("Answer", *(f"{n:,} rules" for n, _ in SIZES), "10k → 50k"), rows))
    print(
        "\nPer answer; the testers and the diagnosis are medians over different rules and errors. "
        + (
            "Faster than linear from 10,000 to 50,000 rules: " + "; ".join(faster) + "."
            if faster
            else "Nothing grew faster than linear from 10,000 to 50,000 rules."
        )
    )
