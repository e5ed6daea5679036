"""How the global maxima pinned in tests/test_student_t.py were found, with code independent of
partialpool's quadrature and search.

Run: python tests/reference/student_t_global_max.py  (needs the test extras: scipy; a few
minutes)

For each data set: the marginal log likelihood l(mu, tau) = sum_j log p(y_j | mu, tau, nu),
p(y_j) = integral of N(y_j; theta, v_j) t_nu(theta; mu, tau) d theta by scipy.integrate.quad
(split at theta = y_j and theta = mu), is evaluated on a grid of 41 mu over [min y, max y]
(every maximum lies there) by 41 tau from sqrt(min v) / 100 to 3 (max y - min y + sqrt(max v)),
geometric, and at tau = 0 (the normal model, in closed form); Nelder-Mead in (mu, log tau) then
climbs from the 4 best local maxima of the grid. The best point is printed with the log
likelihood at tau = 0 (mu the precision-weighted mean) for comparison.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import integrate, optimize, stats

CASES = {
    # The counterexample of issue 14: the old search returned tau = 0, l = -9.684202.
    "issue 14": ([-9.2, -0.5, -0.5, -3.2, -0.2], [52.91, 0.04, 0.88, 0.84, 0.85], 3.0),
    # Sets where the old search stopped at tau = 0 or at a lower local maximum (found by
    # comparing it with the new one on 5,000 random sets, rounded).
    "boundary, nu = 10": (
        [-0.65, -2.31, 0.27, -0.1, 0.15, -0.68],
        [0.011, 0.28, 0.54, 0.79, 1.9, 0.23],
        10.0,
    ),
    "second mode, nu = 1": (
        [1.61, 2.68, -1.2, -0.42, -1.01, 0.18],
        [7.3, 0.056, 1.8, 8.3, 9.6, 6.2],
        1.0,
    ),
    "far group, nu = 10": ([-0.18, -2.01, -0.19, 0.35, -8.1], [0.05, 0.49, 1.5, 0.31, 22.0], 10.0),
}


def log_density(y: float, v: float, mu: float, tau: float, nu: float) -> float:
    """log of the integral of N(y; theta, v) t_nu(theta; mu, tau) over theta, by quad on pieces
    split at y, y +- 5 and 20 sqrt(v), mu and mu +- 5, 20, ..., 2e4 tau (the t's tails), of the
    integrand divided by its larger value at y or mu (so that the absolute tolerance is a
    relative one)."""
    sd = math.sqrt(v)
    const = (
        math.lgamma((nu + 1) / 2)
        - math.lgamma(nu / 2)
        - 0.5 * math.log(nu * math.pi * tau * tau)
        - 0.5 * math.log(2 * math.pi * v)
    )

    def log_f(theta: float) -> float:
        z = (theta - mu) / tau
        return const - 0.5 * (y - theta) ** 2 / v - 0.5 * (nu + 1) * math.log1p(z * z / nu)

    top = max(log_f(y), log_f(mu))
    cuts = {y + k * sd for k in (-20, -5, 0, 5, 20)}
    cuts |= {mu + k * tau for k in (-2e4, -2e3, -200, -20, -5, 0, 5, 20, 200, 2e3, 2e4)}
    edges = [-np.inf, *sorted(cuts), np.inf]
    total = sum(
        integrate.quad(
            lambda t: math.exp(log_f(t) - top), a, b, epsabs=1e-13, epsrel=1e-11, limit=200
        )[0]
        for a, b in itertools.pairwise(edges)
        if b - a > 1e-9 * min(sd, tau)
    )
    return math.log(total) + top


def log_likelihood(y, v, mu: float, tau: float, nu: float) -> float:
    if tau == 0.0:
        return float(stats.norm.logpdf(y, mu, np.sqrt(v)).sum())
    return sum(log_density(yj, vj, mu, tau, nu) for yj, vj in zip(y, v, strict=True))


def global_max(y, v, nu: float) -> tuple[float, float, float]:
    y, v = np.asarray(y), np.asarray(v)
    mus = np.linspace(y.min(), y.max(), 41)
    top = 3.0 * (np.ptp(y) + math.sqrt(v.max()))
    taus = np.geomspace(math.sqrt(v.min()) / 100.0, top, 41)
    table = np.array([[log_likelihood(y, v, m, t, nu) for m in mus] for t in taus])
    padded = np.pad(table, 1, constant_values=-np.inf)
    peak = np.ones(table.shape, dtype=bool)
    for di in (0, 1, 2):
        for dk in (0, 1, 2):
            peak &= table >= padded[di : di + table.shape[0], dk : dk + table.shape[1]]
    i, k = np.nonzero(peak)
    order = np.argsort(-table[i, k])[:4]
    best = None
    for j in order:
        res = optimize.minimize(
            lambda p: -log_likelihood(y, v, p[0], math.exp(p[1]), nu),
            (mus[k[j]], math.log(taus[i[j]])),
            method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 4000},
        )
        if best is None or res.fun < best.fun:
            best = res
    return float(best.x[0]), math.exp(best.x[1]), float(-best.fun)


if __name__ == "__main__":
    for name, (y, v, nu) in CASES.items():
        mu, tau, ll = global_max(y, v, nu)
        w = 1.0 / np.asarray(v)
        mu_0 = float(np.sum(w * np.asarray(y)) / w.sum())
        print(
            f"{name}: mu {mu:.6f}, tau {tau:.6f}, l {ll:.7f}; "
            f"at tau = 0: mu {mu_0:.6f}, l {log_likelihood(y, v, mu_0, 0.0, nu):.7f}"
        )
