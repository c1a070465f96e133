"""The route audit on a 10,000-rule app, beside Flask's own ``flask routes`` on the same app.

The goal (issue 14): the audit takes under twice the time of ``flask routes``. Both are timed in
the same run, on the same app object. The audit is timed twice: with the inventory the explorer
already keeps for the app (the usual case in a running app and in the explorer's page), and with
the inventory rebuilt first (a fresh ``flask route-explorer audit``, which also pays for importing
the app: seconds at this size). The reference scan reads files; it is timed apart.
"""

from __future__ import annotations

import time

from flask import Flask

from bench.bench_inventory import _flask_routes
from bench.synthetic import make_app
from bench.timing import median_seconds, ms, table
from flask_route_explorer.auditing import audit
from flask_route_explorer.inventory import get_inventory

SIZE = (10_000, 700)
_CACHE_KEY = "route_explorer.inventory"


def _cold(app: Flask) -> None:
    app.extensions.pop(_CACHE_KEY, None)
    audit(app, references=False)


def run() -> None:
    print("## Route audit\n")
    start = time.perf_counter()
    app = make_app(*SIZE)
    made = time.perf_counter() - start
    rules = len(get_inventory(app))
    report = audit(app)
    flask_routes = median_seconds(_flask_routes(app), repeat=5)
    warm = median_seconds(lambda: audit(app, references=False), repeat=5)
    cold = median_seconds(lambda: _cold(app), repeat=3)
    scan = median_seconds(lambda: audit(app), repeat=3)
    rows = [
        ("Flask's `flask routes` (same app, output captured)", ms(flask_routes), "1.00×"),
        ("`audit(app, references=False)`, inventory already built", ms(warm), f"{warm / flask_routes:.2f}×"),
        ("the same, inventory rebuilt first (a fresh CLI run)", ms(cold), f"{cold / flask_routes:.2f}×"),
        ("`audit(app)` with the url_for reference scan of the app's folder", ms(scan), f"{scan / flask_routes:.2f}×"),
    ]
    print(table(["Measure (median)", f"{rules:,} rules", "vs `flask routes`"], rows))
    print(
        f"\nFindings on the synthetic app: {len(report.errors)} errors, {len(report.information)} information "
        "(its generated views are named by no url_for: every endpoint is unreferenced). "
        f"Building the app took {made:.1f} s (not part of any figure above)."
    )
