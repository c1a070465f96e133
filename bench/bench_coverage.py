"""The route coverage plugin's cost: a test suite of 2,000 requests, with and without ``--route-coverage``.

Both runs are real pytest runs in a subprocess (plugin registration, signal, summary and all), on
the same generated suite; the runs alternate so machine noise hits both alike.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from bench.timing import table

REQUESTS = 2000
TESTS = 200
#: Paired runs; the row shows the medians and the median of the paired ratios.
RUNS = 5

APP = """
from flask import Blueprint, Flask

def create_app():
    app = Flask(__name__)
    for group in range(10):
        bp = Blueprint(f"bp{group}", __name__, url_prefix=f"/g{group}")
        for n in range(10):
            bp.add_url_rule(f"/items/<int:item_id>/r{n}", f"item{n}", lambda item_id: str(item_id), methods=["GET", "POST"])
        app.register_blueprint(bp)
    return app
"""

TEST = """
import pytest
from app import create_app

@pytest.fixture(scope="module")
def client():
    return create_app().test_client()

@pytest.mark.parametrize("n", range({tests}))
def test_requests(client, n):
    for i in range({per_test}):
        group, rule = (n + i) % 10, (n * 3 + i) % 10
        assert client.get(f"/g{{group}}/items/{{i}}/r{{rule}}").status_code == 200
"""


def _suite(folder: Path) -> None:
    (folder / "app.py").write_text(APP)
    (folder / "test_suite.py").write_text(textwrap.dedent(TEST.format(tests=TESTS, per_test=REQUESTS // TESTS)))


def _run(folder: Path, *options: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *options],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def run() -> None:
    print(
        f"## Route coverage plugin\n\nA pytest run of {TESTS} tests making {REQUESTS:,} test-client requests "
        f"to a 100-rule app, {RUNS} paired runs (alternating).\n"
    )
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        _suite(folder)
        _run(folder)  # warm the bytecode caches
        unloaded: list[float] = []
        off: list[float] = []
        on: list[float] = []
        for _ in range(RUNS):
            unloaded.append(_run(folder, "-p", "no:route_explorer"))
            off.append(_run(folder))
            on.append(_run(folder, "--route-coverage"))
    rows = [
        ("plugin not loaded (-p no:route_explorer)", unloaded, "", None),
        ("plugin installed, off", off, "not loaded", unloaded),
        ("--route-coverage", on, "installed, off", off),
    ]
    print(
        table(
            ["pytest run", "median", "overhead", "compared with"],
            [
                [label, f"{statistics.median(times):.2f} s", _overhead(times, base) if base else "", against]
                for label, times, against, base in rows
            ],
        )
    )
    added, bare = _per_request()
    print(
        f"\nIn process, without pytest: the signal and the tracker add {added * 1e6:.1f} µs to a test-client "
        f"request of {bare * 1e6:.0f} µs to a one-line view ({added / bare * 100:+.1f} %, the worst case)."
    )


def _overhead(times: list[float], base: list[float]) -> str:
    """The median of the paired ratios, in percent."""
    ratio = statistics.median(b / a for a, b in zip(base, times))
    return f"{(ratio - 1) * 100:+.1f} %"


def _per_request() -> tuple[float, float]:
    """The tracker on versus off around the same 200 requests, 30 interleaved pairs, fastest of each.

    The fastest run is the one the machine disturbed least; a bare request to a one-line view is
    the worst case for a relative figure. Returns (seconds added per request, seconds per bare request).
    """
    from flask import Flask

    from flask_route_explorer.coverage.tracking import RequestTracker

    app = Flask("bench")
    app.add_url_rule("/items/<int:item_id>", "item", lambda item_id: "x", methods=["GET", "POST"])
    client = app.test_client()

    def requests() -> float:
        start = time.perf_counter()
        for i in range(200):
            client.get(f"/items/{i}")
        return (time.perf_counter() - start) / 200

    tracker = RequestTracker()
    off: list[float] = []
    on: list[float] = []
    requests()
    for _ in range(30):
        off.append(requests())
        tracker.connect()
        on.append(requests())
        tracker.disconnect()
    return min(on) - min(off), min(off)
