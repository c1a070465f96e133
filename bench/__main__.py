"""``make bench``: every benchmark section in one run, on this machine, as Markdown."""

from __future__ import annotations

import importlib
import os
import platform
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
    print(f"# flask-route-explorer benchmarks\n\nMachine: {machine()}\n")
    for name in SECTIONS:
        if selected and not any(s in name for s in selected):
            continue
        start = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        module.run()
        print(f"\n_{name} took {time.perf_counter() - start:.1f} s_\n", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
