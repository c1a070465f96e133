"""One way to time things for every benchmark section: the median of repeated runs."""

from __future__ import annotations

import gc
import statistics
import time
import typing as t


def median_seconds(func: t.Callable[[], object], repeat: int = 7, number: int = 1, warmup: int = 1) -> float:
    """Median wall time of ``number`` calls of ``func``, over ``repeat`` runs, per call."""
    for _ in range(warmup):
        func()
    samples: list[float] = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(number):
                func()
            samples.append((time.perf_counter() - start) / number)
    finally:
        if gc_was_enabled:
            gc.enable()
    return statistics.median(samples)


def ms(seconds: float) -> str:
    """Milliseconds with a sensible number of digits."""
    value = seconds * 1000
    return f"{value:.3f} ms" if value < 1 else f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def table(headers: t.Sequence[str], rows: t.Iterable[t.Sequence[object]]) -> str:
    """A Markdown table, ready to paste into the README."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
