"""Foundation benchmark: inventory, the /_routes page, search, and Flask's own ``flask routes``."""

from __future__ import annotations

import gc
import time
import tracemalloc
import typing as t
from urllib.parse import urlencode

from flask import Flask
from flask.cli import ScriptInfo, routes_command

from bench.synthetic import make_app, sample_values
from bench.timing import Timing, median_seconds, ms, table
from flask_route_explorer import RouteExplorer
from flask_route_explorer.inventory import build_inventory, get_inventory
from flask_route_explorer.search import PER_PAGE, search

SIZES = ((1400, 100), (10_000, 700))
#: A typo query (the fuzzy path), a plain word, and a real path of the app: the three kinds of search.
TEXT_QUERIES = (("typo `ordr edt`", "ordr edt"), ("word `invoice`", "invoice"))
_CACHE_KEY = "route_explorer.inventory"


def _explorer_app(n_rules: int, n_blueprints: int) -> Flask:
    app = make_app(n_rules, n_blueprints)
    app.config["ROUTE_EXPLORER_ENABLED"] = True
    app.debug = True
    RouteExplorer(app)
    return app


def _get(client: t.Any, url: str, **headers: str) -> int:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(response.data)


def _flask_routes(app: Flask) -> t.Callable[[], None]:
    # set_debug_flag=False: loading the app for a command would otherwise turn debug (and us) off.
    runner = app.test_cli_runner()
    info = ScriptInfo(create_app=lambda: app, set_debug_flag=False)

    def run() -> None:
        result = runner.invoke(routes_command, [], obj=info)
        assert result.exit_code == 0, result.output

    return run


def _cold_page(app: Flask, client: t.Any) -> Timing:
    """The first /_routes after a change to the URL map: the inventory and search keys are rebuilt."""
    samples = []
    for _ in range(3):
        app.extensions.pop(_CACHE_KEY, None)
        gc.collect()
        start = time.perf_counter()
        _get(client, "/_routes/")
        samples.append(time.perf_counter() - start)
    return Timing(samples)


def _memory(app: Flask) -> tuple[float, float]:
    """MiB held by the inventory, and by the inventory plus its search keys."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    inventory = build_inventory(app)
    inventory_only = tracemalloc.get_traced_memory()[0] - before
    search(inventory, "warm")
    with_index = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return inventory_only / 2**20, with_index / 2**20


def run() -> None:
    print("## Route inventory, explorer page and search\n")
    columns: dict[str, list[str]] = {}
    notes: list[str] = []
    for n_rules, n_blueprints in SIZES:
        start = time.perf_counter()
        app = _explorer_app(n_rules, n_blueprints)
        made = time.perf_counter() - start
        client = app.test_client()
        inventory = get_inventory(app)
        label = f"{len(inventory):,} rules / {len(app.blueprints) - 1} blueprints"
        repeat = 5 if n_rules < 5000 else 3
        cells: list[str] = []
        cells.append(ms(median_seconds(lambda: build_inventory(app), repeat=repeat)))
        cells.append(ms(_cold_page(app, client)))
        size = _get(client, "/_routes/")
        cells.append(f"{ms(median_seconds(lambda: _get(client, '/_routes/'), repeat=repeat * 3))} ({size // 1024} KiB)")
        samples = sample_values(app)
        path = samples[len(samples) // 2].path
        for _, query in (*TEXT_QUERIES, ("path", path)):
            count = search(inventory, query, per_page=None).count
            url = "/_routes/?" + urlencode({"q": query})
            fragment = median_seconds(lambda: _get(client, url, **{"HX-Request": "true"}), repeat=15)
            cells.append(f"{ms(fragment)} ({count} {'hit' if count == 1 else 'hits'})")
        api = median_seconds(lambda: _get(client, "/_routes/api/routes?q=invoice"), repeat=15)
        cells.append(ms(api))
        core = median_seconds(lambda: search(inventory, "ordr edt"), repeat=15, number=5)
        cells.append(ms(core))
        cells.append(ms(median_seconds(_flask_routes(app), repeat=repeat)))
        columns[label] = cells
        notes.append(f"{label}: the path is `{path}`; building the app itself took {made:.1f} s")
        if n_rules == SIZES[-1][0]:
            inventory_mib, with_index_mib = _memory(app)
    rows = (
        "Build the inventory (uncached `build_inventory`)",
        "`/_routes/` first request after a rule change (inventory + search keys)",
        f"`/_routes/` page, first {PER_PAGE} rows (inventory cached)",
        *(f"htmx search fragment, {name}" for name, _ in TEXT_QUERIES),
        "htmx search fragment, a real path of the app (matched by Werkzeug)",
        "`/api/routes?q=invoice` (JSON)",
        "search core alone, `ordr edt`",
        "Flask's `flask routes` (same app, output captured)",
    )
    labels = list(columns)
    print(
        table(
            ["Measure (median)", *labels],
            [(row, *(columns[label][i] for label in labels)) for i, row in enumerate(rows)],
        )
    )
    print(
        f"\nInventory memory at {labels[-1].split(' /')[0]}: {inventory_mib:.1f} MiB "
        f"({with_index_mib:.1f} MiB with the search keys), measured with tracemalloc."
    )
    print("\n" + "; ".join(notes) + " (not part of any figure above).")
    print(
        "\nThe `/_routes/` rows are what a developer waits for; the first request after a rule change also "
        "rebuilds the route model and the orders every page sorts by (views are described for the shown rows "
        "only, and the map's audit comes in a request of its own)."
    )
