"""Stein study benchmark: the vectorised study against a loop calling `james_stein` per replication.

Run: python benchmarks/stein_study.py
Prints median wall times and the ratio measured in this one run; no figure here is asserted by
the test suite, because timings on a shared machine are noisy. The reference loop draws the
same replications (the same blocks and generators) and calls `james_stein` toward zero and
toward the mean once per replication, so both do the same work, and the script checks that
they agree exactly.
"""

from __future__ import annotations

import numpy as np
from timing import median_of

from partialpool import james_stein
from partialpool.montecarlo import BLOCK
from partialpool.stein_study import ESTIMATORS, stein_study, unrelated_means

REPLICATIONS = 10_000


def reference(theta: np.ndarray, v: float, replications: int, seed: int = 0) -> np.ndarray:
    """The per-replication total squared errors, shape (replications, 3), one call at a time."""
    n_blocks = -(-replications // BLOCK)
    rows = []
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(n_blocks)):
        rng = np.random.default_rng(child)
        size = min(BLOCK, replications - i * BLOCK)
        for y in theta + np.sqrt(v) * rng.standard_normal((size, theta.size)):
            rows.append(
                [
                    np.sum((y - theta) ** 2),
                    np.sum((james_stein(y, v).theta - theta) ** 2),
                    np.sum((james_stein(y, v, "mean").theta - theta) ** 2),
                ]
            )
    return np.array(rows)


def against_loop(J: int) -> None:
    theta = unrelated_means(J, seed=0)
    ours = median_of(lambda: stein_study(theta, 1.0, REPLICATIONS), 5)
    loop = median_of(lambda: reference(theta, 1.0, REPLICATIONS), 3)
    study = stein_study(theta, 1.0, REPLICATIONS)
    same = np.array_equal(
        np.column_stack([study.errors(key) for key in ESTIMATORS]),
        reference(theta, 1.0, REPLICATIONS),
    )
    risk = study.risk()
    print(
        f"J = {J}, R = {REPLICATIONS:,}: stein_study {ours * 1e3:.1f} ms (median of 5); "
        f"loop calling james_stein twice per replication {loop * 1e3:.0f} ms (median of 3); "
        f"ratio {loop / ours:.0f}x; identical errors: {same}; "
        f"risk raw {risk['raw']:.3f}, James-Stein {risk['james_stein']:.3f}, "
        f"toward the mean {risk['james_stein_mean']:.3f}"
    )


if __name__ == "__main__":
    for J in (12, 100):
        against_loop(J)
