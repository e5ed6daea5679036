"""Student-t population: timings of partial_pool_t and fit_t, and their error against scipy.

Run: python benchmarks/student_t.py   (needs the test extras: scipy)
Prints best-of-N wall times at J = 12, 100 and 1000 groups, then of fit_t on data whose v_j
span five decades with a far group (where its global search has the most to cover), and the
largest relative error of the posterior mean, variance and log marginal density against
adaptive quadrature in theta (scipy.integrate.quad) and against the same trapezoid rule on a
grid 7 times finer. No figure here is asserted; tests/test_student_t.py pins the accuracy.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
from scipy import integrate
from timing import best_of

import partialpool as pp
from partialpool import student_t


def data(J: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Group means from a t_3 population (scale 1) with v_j in [0.2, 2], two groups far out."""
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.2, 2.0, J)
    y = rng.standard_t(3.0, J) + np.sqrt(v) * rng.standard_normal(J)
    y[:2] = (12.0, -20.0)
    return y, v


def timings() -> None:
    print("wall time, best of N (ms)")
    print(f"{'J':>6} {'nu':>5} {'partial_pool_t':>15} {'fit_t':>8}   mu_hat   tau_hat")
    for J, nu in itertools.product((12, 100, 1000), (1.0, 4.0, 30.0)):
        y, v = data(J, seed=J)
        repeat = 50 if J < 1000 else 10
        pool = best_of(lambda y=y, v=v, nu=nu: pp.partial_pool_t(y, v, 1.0, nu, 0.0), repeat)
        fit = best_of(lambda y=y, v=v, nu=nu: pp.fit_t(y, v, nu), repeat)
        est = pp.fit_t(y, v, nu)
        print(
            f"{J:>6} {nu:>5g} {pool * 1e3:>15.2f} {fit * 1e3:>8.2f}   {est.mu:+.4f}  {est.tau:.4f}"
        )


def wide_data(J: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Group means with v_j spread over five decades (1e-3 to 1e2) and one group 30 out."""
    rng = np.random.default_rng(seed)
    v = 10.0 ** rng.uniform(-3.0, 2.0, J)
    y = rng.standard_t(3.0, J) + np.sqrt(v) * rng.standard_normal(J)
    y[0] = 30.0
    return y, v


def wide_timings() -> None:
    print("fit_t on v_j over five decades with a far group, best of N (ms)")
    print(f"{'J':>6} {'nu':>5} {'fit_t':>8}   mu_hat   tau_hat")
    for J, nu in itertools.product((8, 100, 1000), (1.0, 4.0)):
        y, v = wide_data(J, seed=J)
        fit = best_of(lambda y=y, v=v, nu=nu: pp.fit_t(y, v, nu), 20 if J < 1000 else 5)
        est = pp.fit_t(y, v, nu)
        print(f"{J:>6} {nu:>5g} {fit * 1e3:>8.2f}   {est.mu:+.4f}  {est.tau:.4f}")


def by_quadrature(y: float, v: float, tau: float, nu: float, mu: float) -> tuple[float, ...]:
    """(mean, variance, log density) of theta | y by scipy.integrate.quad in theta, split at
    the two peaks (y, mu) and at 5, 10 and 20 scales either side of each."""
    const = (
        math.lgamma((nu + 1) / 2)
        - math.lgamma(nu / 2)
        - 0.5 * math.log(nu * math.pi * tau * tau * 2 * math.pi * v)
    )

    def log_f(theta: float) -> float:
        z = (theta - mu) / tau
        return const - 0.5 * (y - theta) ** 2 / v - 0.5 * (nu + 1) * math.log1p(z * z / nu)

    steps = (0, 5, 10, 20, -5, -10, -20)
    cuts = sorted({c + k * s for c, s in ((y, math.sqrt(v)), (mu, tau)) for k in steps})
    peak = max(log_f(t) for t in np.linspace(cuts[0], cuts[-1], 20001))
    edges = [-math.inf, *cuts, math.inf]

    def integral(g: Callable[[float], float]) -> float:
        return sum(
            integrate.quad(
                lambda t: g(t) * math.exp(log_f(t) - peak), a, b, epsabs=0, epsrel=1e-13, limit=500
            )[0]
            for a, b in itertools.pairwise(edges)
        )

    z = integral(lambda t: 1.0)
    mean = integral(lambda t: t) / z
    return mean, integral(lambda t: (t - mean) ** 2) / z, math.log(z) + peak


def accuracy() -> None:
    y = np.array([0.5, 3.0, 4.0, 20.0, 200.0])
    worst_quad = np.zeros(3)
    worst_fine = np.zeros(3)
    for nu, tau in itertools.product((1.0, 3.0, 30.0), (0.3, 1.0, 5.0)):
        est = pp.partial_pool_t(y, 1.0, tau, nu, 0.0)
        ours = np.column_stack([est.theta, est.var, est.log_density])
        quad = np.array([by_quadrature(yj, 1.0, tau, nu, 0.0) for yj in y])
        worst_quad = np.maximum(worst_quad, (np.abs(ours - quad) / np.abs(quad)).max(axis=0))
        step, student_t._STEP = student_t._STEP, student_t._STEP / 7
        try:
            fine = pp.partial_pool_t(y, 1.0, tau, nu, 0.0)
        finally:
            student_t._STEP = step
        finer = np.column_stack([fine.theta, fine.var, fine.log_density])
        worst_fine = np.maximum(worst_fine, (np.abs(ours - finer) / np.abs(finer)).max(axis=0))
    print(
        "largest relative error over nu in (1, 3, 30), tau in (0.3, 1, 5), "
        "y in (0.5, 3, 4, 20, 200), v = 1, mu = 0:"
    )
    for name, quad, fine in zip(
        ("posterior mean", "posterior variance", "log density"), worst_quad, worst_fine, strict=True
    ):
        print(f"  {name:<19} vs scipy quad {quad:.1e}   vs a 7x finer grid {fine:.1e}")


if __name__ == "__main__":
    timings()
    wide_timings()
    accuracy()
