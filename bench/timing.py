"""One way to time things for every benchmark section: the median and the range of repeated runs.

Measured as users run: the garbage collector stays on (a big app's heap makes its full passes part
of what a developer waits for). Every table is printed with the machine's load average beside it,
since the machine these figures come from is often shared.
"""

from __future__ import annotations

import os
import statistics
import time
import typing as t


class Timing(float):
    """Seconds per call (the median), carrying the fastest and slowest run it was the median of."""

    low: float
    high: float

    def __new__(cls, samples: t.Sequence[float]) -> Timing:
        timing = super().__new__(cls, statistics.median(samples))
        timing.low, timing.high = min(samples), max(samples)
        return timing

    def __truediv__(self, count: float) -> Timing:
        """Per item: the median and the range divided alike (``median_seconds(run) / len(items)``)."""
        return Timing([self.low / count, float(self) / count, self.high / count])


def median_seconds(func: t.Callable[[], object], repeat: int = 7, number: int = 1, warmup: int = 1) -> Timing:
    """Median wall time of ``number`` calls of ``func``, over ``repeat`` runs, per call; GC on."""
    for _ in range(warmup):
        func()
    samples: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            func()
        samples.append((time.perf_counter() - start) / number)
    return Timing(samples)


def _ms_value(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.3f}" if value < 1 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def ms(seconds: float) -> str:
    """Milliseconds with a sensible number of digits; a :class:`Timing` also shows its range."""
    if isinstance(seconds, Timing) and seconds.high > seconds.low:
        return f"{_ms_value(seconds)} ms ({_ms_value(seconds.low)}–{_ms_value(seconds.high)})"
    return f"{_ms_value(seconds)} ms"


def load() -> str:
    """The machine's load average over 1, 5 and 15 minutes, and its core count."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} cores"


def table(headers: t.Sequence[str], rows: t.Iterable[t.Sequence[object]]) -> str:
    """A Markdown table, ready to paste into the README, with the load average it was measured under."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + f"\n\n_Measured under {load()}; times are medians (fastest–slowest run)._"
