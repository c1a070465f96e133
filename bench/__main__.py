"""``make bench``: every benchmark section in one run, on this machine, as Markdown."""

from __future__ import annotations

import importlib
import os
import platform
import subprocess
import sys
import time
from importlib.metadata import version

#: Each module has ``run() -> None`` that prints its own section.
SECTIONS = (
    "bench_cold_start",
    "bench_inventory",
    "bench_diagnosis",
    "bench_real_corpus",
    "bench_testers",
    "bench_recorder",
    "bench_error_answers",
    "bench_checker",
    "bench_coverage",
    "bench_audit",
    "bench_scaling",
)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, Flask {version('flask')}, "
        f"Werkzeug {version('werkzeug')}, rapidfuzz {version('rapidfuzz')}; load average {os.getloadavg()[0]:.1f}"
    )


def main(selected: list[str]) -> None:
    """Each section in a process of its own, as a developer's process is.

    In one process, a section would inherit the heap the sections before it built (the garbage
    collector's passes walk it) and the modules they imported: the diagnosis looks for unregistered
    blueprints among every loaded module, and the hand-made corpus's would answer for the real one.
    """
    print(f"# flask-route-explorer benchmarks\n\nMachine: {machine()}\n", flush=True)
    for name in SECTIONS:
        if selected and not any(s in name for s in selected):
            continue
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bench", "--section", name], check=True)
        print(f"\n_{name} took {time.perf_counter() - start:.1f} s_\n", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--section"]:
        importlib.import_module(f"bench.{sys.argv[2]}").run()
    else:
        main(sys.argv[1:])
