"""What a session's recomputation costs everyone else on the server, before and after, in one
run.

Run: python benchmarks/recompute.py

A "victim" callback due every 10 ms on a Tornado event loop records how late it runs while one
session's new comparison is computed (`state.compare_on_grid`, what a new data set, model or
prior asks for): on the loop (before: the state's watchers computed it there) and in the app's
worker processes (after: `workers.off_the_loop`). The Monte Carlo and Stein studies still run
on the loop, in blocks: their longest block is the delay they can cause.

Prints the figures of this one run; nothing is asserted by the test suite.
"""

from __future__ import annotations

import numpy as np
from timing import best_of, victim_lateness

from partialpool.app.state import PoolingState, compare_on_grid, read_upload, typical_se
from partialpool.app.workers import submit
from partialpool.models import make_model
from partialpool.montecarlo import monte_carlo_blocks
from partialpool.stein_study import stein_study, unrelated_means


def uploaded(J: int = 1000) -> PoolingState:
    rng = np.random.default_rng(1)
    rows = "".join(f"g{j},{rng.normal():.4f},{rng.uniform(0.5, 2):.4f}\n" for j in range(J))
    state = PoolingState()
    state.upload("group,estimate,se\n" + rows, "estimates.csv")
    return state


def jobs() -> list[tuple[str, tuple]]:
    """(what, compare_on_grid's arguments) for the slow recomputations."""
    simulated, counts, estimates = PoolingState(J=200), PoolingState(J=200), uploaded()
    counts.source = "simulated_counts"
    t = make_model("student-t", "HE", 4.0)
    out = []
    for what, state, model, prior in (
        ("Student-t model, 200 simulated groups", simulated, t, "uniform"),
        ("binomial model, 200 simulated counts", counts, counts.model, "uniform"),
        ("Student-t model, 1000 uploaded estimates", estimates, t, "uniform"),
        ("half-Cauchy prior, 1000 uploaded estimates", estimates, estimates.model, "half-cauchy"),
    ):
        scale = typical_se(state.data, model)
        out.append((what, (state.data, model, prior, scale, None, 0.0)))
    return out


def main() -> None:
    submit(read_upload, b"", "warm.csv").result()  # the workers start once per server
    print("A 10 ms callback on the event loop while one session recomputes:")
    for what, args in jobs():
        for off, where in ((False, "on the event loop"), (True, "in a worker process")):
            took, worst, p95 = victim_lateness(compare_on_grid, args, off)
            print(
                f"   {what}, {where}: {took:.2f} s; the callback ran late by at most "
                f"{worst:.0f} ms (p95 {p95:.1f} ms)"
            )
    v = np.full(1000, 0.1)
    block = best_of(lambda: next(monte_carlo_blocks(v, 0.5, 0.0, 10_000, seed=1)), 5)
    theta = unrelated_means(100, seed=1, spread=4.0)
    stein = best_of(lambda: stein_study(theta, 1.0, 10_000, seed=1), 5)
    print("On the loop, the longest step of a study (J and R at the app's maximum):")
    print(f"   Monte Carlo block, J = 1000, 500 data sets: {block * 1000:.0f} ms")
    print(f"   Stein study, J = 100, R = 10,000: {stein * 1000:.0f} ms")


if __name__ == "__main__":
    main()
