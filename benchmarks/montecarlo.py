"""Monte Carlo benchmark: the vectorised study against a loop over replications of the scalar core.

Run: python benchmarks/montecarlo.py
Prints median wall times and the ratio measured in this one run; no figure here is asserted by
the test suite, because timings on a shared machine are noisy. The reference loop draws the
same replications (the same blocks and generators) and calls `no_pool`, `complete_pool`,
`estimate_tau2(..., "HE")`, `partial_pool` and `mse` once per replication, so both do the same
work and the script checks that they agree.
"""

from __future__ import annotations

import numpy as np
from timing import median_of

import partialpool as pp
from partialpool.montecarlo import BLOCK, ESTIMATORS, monte_carlo


def group_variances(J: int) -> np.ndarray:
    """v_j = 1 / n_j for J groups of 2..40 observations with sigma = 1."""
    return 1.0 / np.round(np.linspace(2, 40, J))


def reference(v: np.ndarray, tau: float, replications: int, seed: int = 0) -> np.ndarray:
    """The per-replication MSEs, shape (replications, 4), one scalar-core call at a time."""
    n_blocks = -(-replications // BLOCK)
    rows = []
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(n_blocks)):
        rng = np.random.default_rng(child)
        size = min(BLOCK, replications - i * BLOCK)
        z = rng.standard_normal((size, v.size))
        e = rng.standard_normal((size, v.size))
        for theta, y in zip(tau * z, tau * z + np.sqrt(v) * e, strict=True):
            tau2_hat = pp.estimate_tau2(y, v, "HE")
            rows.append(
                [
                    pp.mse(pp.no_pool(y), theta),
                    pp.mse(pp.complete_pool(y, v), theta),
                    pp.mse(pp.partial_pool(y, v, tau2_hat), theta),
                    pp.mse(pp.partial_pool(y, v, tau**2), theta),
                ]
            )
    return np.array(rows)


def against_loop() -> None:
    v, tau = group_variances(12), 0.5
    ours = median_of(lambda: monte_carlo(v, tau, replications=10_000), 5)
    loop_1000 = median_of(lambda: reference(v, tau, 1000), 3)
    loop = 10 * loop_1000
    study = monte_carlo(v, tau, replications=1000)
    ours_1000 = np.column_stack([study.errors(key) for key in ESTIMATORS])
    diff = float(np.max(np.abs(ours_1000 - reference(v, tau, 1000))))
    print(
        f"J = 12, R = 10,000, tau = 0.5: monte_carlo {ours * 1e3:.1f} ms (median of 5); "
        f"loop over replications calling the scalar core {loop * 1e3:.0f} ms "
        f"(timed on R = 1000, median of 3, times 10); ratio {loop / ours:.0f}x; "
        f"largest difference in per-replication MSE on R = 1000: {diff:.1e}"
    )


def larger_groups() -> None:
    for J in (100, 1000):
        v = group_variances(J)
        t = median_of(lambda v=v: monte_carlo(v, 0.5, replications=10_000), 5)
        print(f"J = {J}, R = 10,000, tau = 0.5: monte_carlo {t * 1e3:.1f} ms (median of 5)")


if __name__ == "__main__":
    against_loop()
    larger_groups()
