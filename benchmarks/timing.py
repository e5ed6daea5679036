"""Wall-time helpers shared by the benchmark scripts (run as `python benchmarks/NAME.py`)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def wall_times(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall time of each of `repeat` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Shortest wall time of `repeat` calls, in seconds."""
    return min(wall_times(fn, repeat))


def median_of(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of `repeat` calls, in seconds."""
    return statistics.median(wall_times(fn, repeat))
