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


def victim_lateness(
    job: Callable[..., object], args: tuple, off_the_loop: bool
) -> tuple[float, float, float]:
    """`job(*args)` on a Tornado event loop (as a served session's callback runs it) or, with
    `off_the_loop`, in the app's worker processes (`workers.submit`), while a "victim"
    callback due every 10 ms records how late it runs: (seconds until the result is back,
    worst and 95th-percentile lateness in ms)."""
    import numpy as np
    from tornado.ioloop import IOLoop, PeriodicCallback

    from partialpool.app.workers import submit

    loop = IOLoop()
    late: list[float] = []
    due = [time.perf_counter() + 0.01]

    def tick() -> None:
        now = time.perf_counter()
        late.append(max(0.0, now - due[0]) * 1000)
        due[0] = now + 0.01

    timer = PeriodicCallback(tick, 10)
    took = [0.0]

    def finish(start: float) -> None:
        took[0] = time.perf_counter() - start
        loop.call_later(0.1, loop.stop)

    def run() -> None:
        start = time.perf_counter()
        if off_the_loop:
            future = submit(job, *args)
            future.add_done_callback(lambda _: loop.add_callback(finish, start))
        else:
            job(*args)
            finish(start)

    timer.start()
    loop.call_later(0.1, run)
    loop.start()
    timer.stop()
    loop.close()
    return took[0], max(late), float(np.percentile(late, 95))
