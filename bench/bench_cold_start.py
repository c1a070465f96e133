"""Cold start: the first ``/_routes/`` after a restart against ``flask routes``, a fresh process per sample.

In debug mode the reloader restarts the app on every save, so the first page of a new process is
the page a developer waits for most. The app's views live in 100 real modules (functions and
``MethodView`` classes, see :mod:`bench.module_app`). Each sample is a new Python process that
imports the app, runs ``flask routes`` and then asks for ``/_routes/`` (both in that process).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.module_app import PACKAGE, write_project
from bench.timing import Timing, ms, table

SIZES = (1_400, 10_000)
#: Samples per row: a new process each (a 10,000-rule app takes seconds to import).
SAMPLES = {"after a save": 5, "after a save, no .pyc files": 3, "first start ever, no .pyc files": 3}
ROOT = Path(__file__).resolve().parent.parent
#: Issue 16's goal: the first page at most this many times ``flask routes`` in the same process.
GOAL = 2.0


def _sample(project: Path, bytecode: bool) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (os.environ.get("PYTHONPATH"), str(ROOT))))}
    # Set or unset here, not inherited: a shell (or CI image) that sets it would turn every row into "no .pyc".
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "bench.cold_sample", str(project)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures["flask_routes"], figures["page"]


def _save(project: Path, number: int) -> None:
    """What the developer did before the restart: one module edited (its mtime and size change)."""
    module = project / PACKAGE / f"views_{number % 100:03d}.py"
    with module.open("a", encoding="utf-8") as stream:
        stream.write(f"# edit {number}\n")


def _forget(project: Path, pyc: bool, kept: bool) -> None:
    if pyc:
        shutil.rmtree(project / PACKAGE / "__pycache__", ignore_errors=True)
    if kept:
        shutil.rmtree(project / "instance", ignore_errors=True)


def _rows(n_rules: int) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory(prefix="cold-start-") as folder:
        project = write_project(Path(folder), n_rules)
        _sample(project, bytecode=True)  # the first `flask run`: writes the .pyc files, not timed
        for mode, count in SAMPLES.items():
            routes: list[float] = []
            pages: list[float] = []
            for number in range(count):
                _save(project, number)
                _forget(project, pyc="no .pyc" in mode, kept="first start" in mode)
                flask_routes, page = _sample(project, bytecode="no .pyc" not in mode)
                routes.append(flask_routes)
                pages.append(page)
            ratios = [page / flask_routes for flask_routes, page in zip(routes, pages)]
            ratio = statistics.median(ratios)
            rows.append(
                (
                    f"{n_rules:,} rules",
                    mode,
                    str(count),
                    ms(Timing(routes)),
                    ms(Timing(pages)),
                    f"{ratio:.1f}x ({min(ratios):.1f}–{max(ratios):.1f})",
                    "met" if ratio <= GOAL else "**not met**",
                )
            )
    return rows


def run() -> None:
    print("## Cold start: the first `/_routes/` after a restart\n")
    rows = [row for n_rules in SIZES for row in _rows(n_rules)]
    print(
        table(
            ("App", "Restart", "Processes", "`flask routes`", "first `/_routes/`", "ratio", f"goal: ≤ {GOAL:g}x"), rows
        )
    )
    print(
        "\nViews in 100 modules (functions and decorated `MethodView` classes, 20-40 KB each). Each process "
        "imports the app, runs `flask routes`, then requests `/_routes/` (the first page: 100 rows); the ratio is "
        "per process. *After a save*: one module was edited, as before a reloader restart. *No .pyc files*: "
        "`PYTHONDONTWRITEBYTECODE=1`, so class lines come from the tables kept under the app's instance folder "
        "(only the edited module is compiled again); *first start ever* has neither."
    )
