"""Exact full Bayes for counts against the normal model's exact grid on the same groups.

Run: python benchmarks/full_bayes_rates.py
For the rat tumours (71 groups), the surgical data (12) and the batting averages (18): the
median wall time of full_bayes_binomial(y, n) and of bayes.full_bayes(y / n, v) with
v = p (1 - p) / n, p = (y + 0.5) / (n + 1), measured alternately in one run, and their ratio
(goal <= 100x); then the same for the pumps (full_bayes_log_normal_poisson against
full_bayes(log((x + 0.5) / t), 1 / (x + 0.5))). Asserts nothing; tests/test_full_bayes_rates.py
pins the numbers.
"""

from __future__ import annotations

import csv
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from partialpool.bayes import full_bayes
from partialpool.full_bayes_rates import full_bayes_binomial, full_bayes_log_normal_poisson

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REPEAT = 40

CASES = {
    "rats": ("rat_tumors.csv", "tumors", "rats"),
    "surgical": ("surgical.csv", "deaths", "operations"),
    "efron_morris": ("efron_morris_1975.csv", "hits_45", None),
}


def counts(file: str, hits: str, trials: str | None) -> tuple[np.ndarray, np.ndarray]:
    with (DATA / file).open() as f:
        rows = list(csv.DictReader(f))
    y = np.array([float(r[hits]) for r in rows])
    n = np.array([float(r[trials]) for r in rows]) if trials else np.full(y.size, 45.0)
    return y, n


def paired_medians(
    ours: Callable[[], object], normal: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Median wall times of the two, each call of one followed by a call of the other, so
    that both see the same load on the machine."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, out in ((ours, times[0]), (normal, times[1])):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def report(name: str, size: int, ours: Callable[[], object], normal: Callable[[], object]) -> None:
    ours(), normal()
    mine, theirs = paired_medians(ours, normal, REPEAT)
    print(
        f"{name} (J = {size}): ours {mine * 1e3:.1f} ms, normal full_bayes {theirs * 1e3:.2f} ms, "
        f"ours / normal {mine / theirs:.0f}x (goal <= 100x)"
    )


def main() -> None:
    print(f"median wall time of {REPEAT} calls each")
    for name, columns in CASES.items():
        y, n = counts(*columns)
        p = (y + 0.5) / (n + 1.0)
        v = p * (1.0 - p) / n
        report(
            name,
            y.size,
            lambda y=y, n=n: full_bayes_binomial(y, n),
            lambda y=y, n=n, v=v: full_bayes(y / n, v),
        )
    x, t = counts("pumps.csv", "failures", "time_khours")
    report(
        "pumps",
        x.size,
        lambda: full_bayes_log_normal_poisson(x, t),
        lambda: full_bayes(np.log((x + 0.5) / t), 1.0 / (x + 0.5)),
    )


if __name__ == "__main__":
    main()
