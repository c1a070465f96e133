"""The static checker on a synthetic tree: 1,000 templates, 500 modules, 20,000 url_for calls.

Compared with just parsing the same files (``ast.parse`` and the app's Jinja ``parse``), and with
``flask-route-checker`` run on the same tree from a throwaway virtual environment under /tmp.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from flask import Flask

from flask_route_explorer.checker import check_report

from .checker_tree import write_tree
from .synthetic import make_app
from .timing import ms, table

ROUTE_CHECKER = "flask-route-checker==0.1.4"
ROUTE_CHECKER_VENV = Path(tempfile.gettempdir()) / "bench-flask-route-checker"
ROOT = Path(__file__).resolve().parent.parent
REPEAT = 5


def parse_only(app: Flask, root: Path) -> None:
    """The floor: read and parse every file the checker reads, nothing else."""
    env = app.jinja_env
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if name.endswith(".py"):
                ast.parse(text)
            elif name.endswith(".html"):
                env.parse(text, name, path)


class EngineTimer:
    """Time spent inside ``diagnose_call`` while checking, and how often it was asked."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.asked = 0

    @contextlib.contextmanager
    def timing(self) -> Iterator[None]:
        from flask_route_explorer.checker import run

        original = run.diagnose_call

        def timed(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)  # type: ignore[arg-type]
            finally:
                self.seconds += time.perf_counter() - start
                self.asked += 1

        run.diagnose_call = timed  # type: ignore[assignment]
        try:
            yield
        finally:
            run.diagnose_call = original


def interleaved(app: Flask, root: Path) -> list[tuple[float, float, EngineTimer]]:
    """``(check, parse only, engine)`` per round, alternating so that machine load hits both alike.

    Each side ends with ``gc.collect()``: it pays for the cyclic garbage it leaves (a failed build's
    traceback holds its frames in a cycle), rather than the next run paying for it.
    """
    check_report(app, [root])
    parse_only(app, root)
    gc.collect()
    rounds = []
    for _ in range(REPEAT):
        engine = EngineTimer()
        start = time.perf_counter()
        with engine.timing():
            check_report(app, [root])
        gc.collect()
        middle = time.perf_counter()
        parse_only(app, root)
        gc.collect()
        rounds.append((middle - start, time.perf_counter() - middle, engine))
    return rounds


def route_checker_python() -> tuple[str | None, str]:
    """A Python with flask-route-checker (and Flask) installed, outside the project's venv."""
    python = ROUTE_CHECKER_VENV / "bin" / "python"
    if python.exists():
        return str(python), "ok"
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", str(ROUTE_CHECKER_VENV)], check=True, capture_output=True, timeout=300
        )
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", ROUTE_CHECKER, "flask==3.1.3"],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError) as error:
        shutil.rmtree(ROUTE_CHECKER_VENV, ignore_errors=True)
        return None, f"could not install {ROUTE_CHECKER}: {error}"
    return str(python), "ok"


def run_route_checker(python: str, root: Path) -> tuple[float, float, str]:
    """(whole run, of which building the app, its summary) for ``flask-route-checker`` on the tree."""
    (root / "app.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom bench.synthetic import make_app\napp = make_app(1400, 100)\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": ""}
    command = [python, "-m", "flask_route_checker.routes_checker", "--app", "app.py", "--templates", "templates"]
    import_only = [python, "-c", "import runpy; runpy.run_path('app.py')"]
    runs: list[float] = []
    imports: list[float] = []
    output = ""
    for _ in range(3):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=600)
        runs.append(time.perf_counter() - start)
        output = done.stdout + done.stderr
        start = time.perf_counter()
        subprocess.run(import_only, cwd=root, env=env, capture_output=True, timeout=600)
        imports.append(time.perf_counter() - start)
    (root / "app.py").unlink()
    summary = "; ".join(line.strip() for line in output.splitlines() if line.startswith(("Found", "Broken")))
    return statistics.median(runs), statistics.median(imports), summary or output[-300:]


def run() -> None:
    print("## Static url_for checker (`flask route-explorer check`)\n")
    app = make_app(1400, 100)
    with tempfile.TemporaryDirectory(prefix="checker-tree-") as folder:
        root = Path(folder)
        stats = write_tree(app, root)
        report = check_report(app, [root])
        codes = Counter(f.code for f in report.findings)
        rounds = interleaved(app, root)
        check_time = statistics.median(check for check, _, _ in rounds)
        parse_time = statistics.median(parse for _, parse, _ in rounds)
        engine = statistics.median(e.seconds for _, _, e in rounds)
        own = statistics.median(check - parse - e.seconds for check, parse, e in rounds)
        asked = rounds[0][2].asked
        print(
            f"Tree: {stats.templates:,} templates and {stats.modules:,} Python modules, {stats.calls:,} `url_for` calls "
            f"({stats.planted_mistakes} mutated into likely mistakes: an endpoint typo, a dropped variable, a word for "
            f"an int; {stats.dynamic} non-literal endpoints), against "
            f"`make_app(1400, 100)` ({len(list(app.url_map.iter_rules())):,} rules, {len(app.blueprints)} blueprints). "
            f"Median of {REPEAT} runs, the check and the parse-only floor alternating, each followed by "
            "`gc.collect()` (counted in its time).\n"
        )
        rows = [
            ("`check_report(app, [tree])` (whole check)", ms(check_time), f"{check_time / parse_time:.2f}×"),
            (f"  of which `diagnose_call` ({asked:,} distinct questions)", ms(engine), ""),
            ("  of which the checker's own work (whole − parse only − `diagnose_call`, per round)", ms(own), ""),
            ("read + `ast.parse` + Jinja `env.parse` only", ms(parse_time), "1.00×"),
        ]
        python, status = route_checker_python()
        if python is not None:
            whole, build, summary = run_route_checker(python, root)
            rows.append((f"`{ROUTE_CHECKER}` (whole process)", ms(whole), f"{whole / parse_time:.2f}×"))
            rows.append(("  of which importing the app (same app)", ms(build), ""))
        print(table(("What", "Time", "vs parse only"), rows))
        print(
            f"\nThe check found {report.calls:,} checkable calls, {len(report.unverifiable)} unverifiable, "
            f"{len(report.findings)} findings ({', '.join(f'{c} {n}' for c, n in sorted(codes.items()))}) for the "
            f"{stats.planted_mistakes} mutated calls (a mutation need not break a call: a dropped variable still builds "
            "when the endpoint has another rule without it, such as a `defaults` pair or a MethodView's list URL)."
        )
        if python is not None:
            print(
                f"\n`flask-route-checker` ({status}, from {ROUTE_CHECKER_VENV}) printed: {summary}. It regex-scans `.html` "
                "files for the endpoint name only (no Python files, no URL variables, values or methods), so it "
                "sees the typo'd endpoints in templates and nothing else."
            )
        else:
            print(f"\n`flask-route-checker` was not run: {status}.")
