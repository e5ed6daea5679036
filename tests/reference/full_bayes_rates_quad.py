"""How the golden numbers of tests/test_full_bayes_rates.py were produced.

Run: python tests/reference/full_bayes_rates_quad.py [case ...] [--no-quantiles]
(needs scipy; the moments take minutes per case, the quantiles of the rates up to an hour)

Brute force with scipy, sharing no code with partialpool. p(mu, tau | y) ∝ p(tau) prod_j
L_j(mu, tau), each L_j = ∫ f(y_j | eta) N(eta; mu, tau^2) deta and the conditional moments
E(p_j^k | mu, tau, y_j) by scipy.integrate.quad over eta on the two half-lines either side of
the integrand's peak (relative tolerance 1e-11, in units of the peak's curvature scale). The
outer integral: tau = T t / (1 - t), NODES_TAU Gauss-Legendre nodes in t on (0, 1) (T the sd
of the empirical link-scale estimates, or the half-Cauchy scale); for each tau, mu over the
mode +- 12 sd of p(mu | tau, y) (mode by scipy.optimize.minimize_scalar within the previous
mode +- 10 (1 + tau), sd from a finite difference) in PANELS_MU panels of 12 Gauss-Legendre nodes.

Quantiles of tau: p(tau | y) dtau/dt at the nodes in t, interpolated by the polynomial through
all of them, integrated by quad, solved by brentq. Quantiles of p_j: P(p_j <= q | y) = 0.025
or 0.975 solved by brentq, with P(p_j <= q | y) = ∫∫ p(mu, tau | y) P(eta_j <= logit q | mu,
tau, y_j) dmu dtau; for each tau node the integral over mu is scipy's adaptive quad (split at
the panels and where the conditional CDF steps, at mu = logit q), p(mu | tau, y) between the
nodes from barycentric interpolation of log prod_j L_j on each panel, and each conditional
CDF again a quad over eta. Every moment is printed twice, with NODES_TAU and PANELS_MU and
with two thirds of them, to show the outer rules' error; the quantiles of p_j use the
coarser rule.
"""

from __future__ import annotations

import itertools
import math
import sys
import time

import numpy as np
from scipy import integrate, interpolate, optimize, special

NODES_TAU = 96
PANELS_MU = 6
EPS = 1e-11

SURGICAL = (
    np.array([0, 18, 8, 46, 8, 13, 9, 31, 14, 8, 29, 24], dtype=float),
    np.array([47, 148, 119, 810, 211, 196, 148, 215, 207, 97, 256, 360], dtype=float),
)
"""BUGS Examples Volume 1, Surgical: deaths and operations in 12 hospitals."""
PUMPS = (
    np.array([5, 1, 5, 14, 3, 19, 1, 1, 4, 22], dtype=float),
    np.array([94.3, 15.7, 62.9, 126.0, 5.24, 31.4, 1.05, 1.05, 2.1, 10.5]),
)
"""Gaver and O'Muircheartaigh (1987): failures of 10 pumps over thousands of hours, as in
../shared/data/pumps.csv (times to three figures)."""


def random_small() -> tuple[np.ndarray, np.ndarray]:
    """Five binomial groups, logit p_j ~ N(-1, 0.8^2), n_j from 4 to 40 (seed 2024)."""
    rng = np.random.default_rng(2024)
    n = rng.integers(4, 41, size=5).astype(float)
    p = special.expit(rng.normal(-1.0, 0.8, size=5))
    return rng.binomial(n.astype(int), p).astype(float), n


CASES = {
    "surgical_uniform": ("binomial", *SURGICAL, "uniform", None),
    "random_small_half_cauchy": ("binomial", *random_small(), "half-cauchy", 1.0),
    "three_inside_uniform": (
        "binomial",
        np.array([0.0, 3, 7, 12]),
        np.array([15.0, 20, 25, 30]),
        "uniform",
        None,
    ),
    "pumps_uniform": ("poisson", *PUMPS, "uniform", None),
}


def log_f(family: str, y: float, n: float, eta: float) -> float:
    """log f(y | eta) without the terms free of eta."""
    if family == "binomial":
        return y * -np.logaddexp(0.0, -eta) + (n - y) * -np.logaddexp(0.0, eta)
    return y * eta - n * math.exp(min(eta, 700.0))


def rate(family: str, eta: float) -> float:
    return special.expit(eta) if family == "binomial" else math.exp(eta)


def log_rate(family: str, eta: float) -> float:
    return float(special.log_expit(eta)) if family == "binomial" else eta


def peak(family: str, y: float, n: float, mu: float, tau: float) -> float:
    """The mode of log f(y | eta) - (eta - mu)^2 / (2 tau^2), a concave function: it lies
    between mu and the likelihood's mode (logit(y / n) or log(y / n), infinite for counts at
    0 or at n). Newton's method inside that bracket, narrowed by the sign of the slope, with
    bisection when a step would leave it or not halve the last (rtsafe)."""
    if family == "binomial":
        own = -math.inf if y == 0 else math.inf if y == n else math.log(y / (n - y))
    else:
        own = -math.inf if y == 0 else math.log(y / n)
    lo, hi = min(mu, own), max(mu, own)
    lo, hi = (
        lo if math.isfinite(lo) else hi - 40 - 40 * tau,
        hi if math.isfinite(hi) else lo + 40 + 40 * tau,
    )
    e, last = mu, hi - lo
    for _ in range(500):
        if family == "binomial":
            p = special.expit(e)
            slope, curve = y - n * p - (e - mu) / tau**2, -n * p * (1 - p) - 1 / tau**2
        else:
            r = n * math.exp(min(e, 700.0))
            slope, curve = y - r - (e - mu) / tau**2, -r - 1 / tau**2
        if slope > 0:
            lo = e
        else:
            hi = e
        new = e - slope / curve
        if not (lo < new < hi and abs(new - e) <= 0.5 * abs(last)):
            new = (lo + hi) / 2
        last = new - e
        if abs(last) <= 1e-13 * (1 + abs(e)):
            return new
        e = new
    return e


def standardised(family: str, y: float, n: float, mu: float, tau: float):
    """The conditional density of eta as a function of s = (eta - top) / w, w the curvature
    scale at the peak `top` (so that quad sees a peak of unit width), with top and w."""
    top = peak(family, y, n, mu, tau)
    curve = n * special.expit(top) * special.expit(-top) if family == "binomial" else 0.0
    if family == "poisson":
        curve = n * math.exp(min(top, 700.0))
    w = 1.0 / math.sqrt(curve + 1.0 / tau**2)
    ref = log_f(family, y, n, top) - (top - mu) ** 2 / (2 * tau * tau)

    def density(s: float, k: int = 0) -> float:
        """The density times the rate to the power k."""
        e = top + w * s
        log_g = log_f(family, y, n, e) - (e - mu) ** 2 / (2 * tau * tau) - ref
        return math.exp(max(log_g + (k * log_rate(family, e) if k else 0.0), -745.0))

    return density, top, w, ref


def halves(g, cuts=(0.0,)) -> float:
    edges = [-np.inf, *sorted(cuts), np.inf]
    return sum(
        integrate.quad(g, a, b, epsabs=0.0, epsrel=EPS, limit=500)[0]
        for a, b in itertools.pairwise(edges)
    )


def group_integrals(
    family: str, y: float, n: float, mu: float, tau: float
) -> tuple[float, float, float]:
    """(log L, E p, E p^2) of one group at (mu, tau)."""
    density, _, w, ref = standardised(family, y, n, mu, tau)
    mass = halves(density)
    first = halves(lambda s: density(s, 1)) / mass
    second = halves(lambda s: density(s, 2)) / mass
    log_lik = ref + math.log(mass * w) - 0.5 * math.log(2 * math.pi) - math.log(tau)
    return log_lik, first, second


def conditional_cdf(family: str, y: float, n: float, mu: float, tau: float, e0: float) -> float:
    """P(eta <= e0 | mu, tau, y)."""
    density, top, w, _ = standardised(family, y, n, mu, tau)
    s0 = (e0 - top) / w
    cuts = sorted({0.0, s0}) if abs(s0) < 1e3 else [0.0]
    edges = [-np.inf, *cuts, np.inf]
    parts = [
        integrate.quad(density, a, b, epsabs=0.0, epsrel=EPS, limit=500)[0]
        for a, b in itertools.pairwise(edges)
    ]
    below = sum(part for part, b in zip(parts, edges[1:], strict=True) if b <= s0)
    return below / sum(parts) if s0 < 1e3 else 1.0


def log_prior(tau: float, prior: str, scale: float | None) -> float:
    return 0.0 if prior == "uniform" else -math.log1p((tau / scale) ** 2)


def posterior(family, y, n, prior, scale, nodes_tau, panels_mu) -> dict:
    J = y.size
    size = scale if scale is not None else typical_tau(family, y, n)
    t, wt = np.polynomial.legendre.leggauss(nodes_tau)
    t, wt = (t + 1) / 2, wt / 2
    taus = size * t / (1 - t)
    dtau = wt * size / (1 - t) ** 2
    g, wg = np.polynomial.legendre.leggauss(12)
    x = np.concatenate([(2 * p + 1 + g) / panels_mu - 1 for p in range(panels_mu)])
    wx = np.tile(wg / panels_mu, panels_mu)
    rows = []
    centre = float(np.log((y.sum() + 0.5) / (n.sum() - (family == "binomial") * y.sum() + 0.5)))
    for tau, w in zip(taus, dtau, strict=True):

        def minus(mu: float, tau: float = tau) -> float:
            return -sum(group_integrals(family, y[j], n[j], mu, tau)[0] for j in range(J))

        reach = 10.0 + 10.0 * tau
        mode = optimize.minimize_scalar(
            minus,
            bounds=(centre - reach, centre + reach),
            method="bounded",
            options={"xatol": 1e-9 * (1.0 + tau)},
        ).x
        h = 1e-3 * (0.1 + tau)
        curvature = (minus(mode + h) - 2 * minus(mode) + minus(mode - h)) / h**2
        sd = 1.0 / math.sqrt(max(curvature, 1e-12))
        half = 12.0 * sd
        mus = mode + half * x
        values = np.array(
            [[group_integrals(family, y[j], n[j], m, tau) for j in range(J)] for m in mus]
        )
        log_joint = values[:, :, 0].sum(axis=1) + log_prior(tau, prior, scale)
        rows.append((tau, w, mode, half, mus, wx * half, log_joint, values))
        centre = mode
    top = max(r[6].max() for r in rows)
    total = mean_p = mean_p2 = mean_mu = mean_mu2 = mean_tau = 0.0
    for tau, w, _, _, mus, wm, log_joint, values in rows:
        weight = w * wm * np.exp(log_joint - top)
        total += weight.sum()
        mean_p = mean_p + weight @ values[:, :, 1]
        mean_p2 = mean_p2 + weight @ values[:, :, 2]
        mean_mu += weight @ mus
        mean_mu2 += weight @ mus**2
        mean_tau += weight.sum() * tau
    mean_p, mean_p2 = mean_p / total, mean_p2 / total
    mu_mean = mean_mu / total
    # p(tau | y) dtau/dt at the nodes in t, for the quantiles of tau
    per_t = np.array([w * (wm * np.exp(lj - top)).sum() for _, w, _, _, _, wm, lj, _ in rows])
    return {
        "t": t,
        "wt": wt,
        "per_t": per_t / wt / total,
        "size": size,
        "rows": rows,
        "top": top,
        "total": total,
        "p_mean": mean_p,
        "p_sd": np.sqrt(mean_p2 - mean_p**2),
        "mu_mean": mu_mean,
        "mu_sd": math.sqrt(mean_mu2 / total - mu_mean**2),
        "tau_mean": mean_tau / total,
    }


def typical_tau(family, y, n) -> float:
    """A typical size of tau: the sd of the empirical link-scale estimates (at least 0.1)."""
    est = np.log((y + 0.5) / (n - y + 0.5)) if family == "binomial" else np.log((y + 0.5) / n)
    return max(0.1, float(np.std(est)))


def cdf(family, y, n, j, post, e0: float) -> float:
    """P(eta_j <= e0 | y) as in the module docstring."""
    total = 0.0
    for tau, w, mode, half, mus, _, log_joint, _ in post["rows"]:
        panels = mus.size // 12
        pieces = [
            interpolate.BarycentricInterpolator(
                mus[12 * p : 12 * p + 12], log_joint[12 * p : 12 * p + 12] - post["top"]
            )
            for p in range(panels)
        ]
        lo, hi = mode - half, mode + half

        def interpolant(mu: float, pieces=pieces, lo=lo, hi=hi, panels=panels) -> float:
            p = min(int((mu - lo) / (hi - lo) * panels), panels - 1)
            return float(pieces[p](mu))

        def integrand(mu: float, tau: float = tau) -> float:
            return math.exp(interpolant(mu)) * conditional_cdf(family, y[j], n[j], mu, tau, e0)

        cuts = [lo + (hi - lo) * p / panels for p in range(1, panels)]
        points = sorted([*cuts, e0] if lo < e0 < hi else cuts)
        inner = integrate.quad(
            integrand, lo, hi, points=points, epsabs=0.0, epsrel=1e-10, limit=400
        )[0]
        total += w * inner
    return total / post["total"]


def tau_quantiles(post, probs) -> list[float]:
    """Quantiles of tau: the density in t (Gauss-Legendre nodes on (0, 1)) interpolated by
    the polynomial through all nodes (barycentric), integrated by quad, solved by brentq."""
    density = interpolate.BarycentricInterpolator(post["t"], post["per_t"])

    def cdf(t: float) -> float:
        return integrate.quad(lambda s: float(density(s)), 0.0, t, epsabs=0.0, epsrel=1e-12)[0]

    out = []
    for prob in probs:
        t = optimize.brentq(lambda t, prob=prob: cdf(t) - prob, 1e-12, 1 - 1e-12, xtol=1e-14)
        out.append(post["size"] * t / (1 - t))
    return out


def quantiles(family, y, n, post, prob: float) -> np.ndarray:
    """Each group's quantile of p_j, bracketed from the normal approximation on the link
    scale (delta method from p_mean and p_sd)."""
    out = []
    for j in range(y.size):
        p, sd = post["p_mean"][j], post["p_sd"][j]
        if family == "binomial":
            centre, spread = special.logit(p), sd / (p * (1 - p))
        else:
            centre, spread = math.log(p), sd / p
        e = centre + special.ndtri(prob) * spread
        lo, hi = e - 0.3 * spread, e + 0.3 * spread
        f_lo = cdf(family, y, n, j, post, lo) - prob
        f_hi = cdf(family, y, n, j, post, hi) - prob
        while f_lo > 0:
            lo -= spread
            f_lo = cdf(family, y, n, j, post, lo) - prob
        while f_hi < 0:
            hi += spread
            f_hi = cdf(family, y, n, j, post, hi) - prob
        root = optimize.brentq(
            lambda e, j=j: cdf(family, y, n, j, post, e) - prob, lo, hi, xtol=1e-8
        )
        out.append(rate(family, root))
    return np.array(out)


def main() -> None:
    flags = [a for a in sys.argv[1:] if a.startswith("--")]
    names = [a for a in sys.argv[1:] if not a.startswith("--")] or list(CASES)
    np.set_printoptions(precision=10, linewidth=100)
    for name in names:
        family, y, n, prior, scale = CASES[name]
        print(f"{name}: y = {y.tolist()}, n = {n.tolist()}, {prior} {scale}", flush=True)
        t0 = time.perf_counter()
        coarse = posterior(family, y, n, prior, scale, NODES_TAU * 2 // 3, PANELS_MU * 2 // 3)
        fine = posterior(family, y, n, prior, scale, NODES_TAU, PANELS_MU)
        print(f"  ({time.perf_counter() - t0:.0f} s)")
        for key in ("p_mean", "p_sd", "mu_mean", "mu_sd", "tau_mean"):
            print(f"  {key}: {np.array2string(np.asarray(fine[key]), separator=', ')}")
            print(f"    (coarser: {np.array2string(np.asarray(coarse[key]), separator=', ')})")
        for label, post in (("", fine), ("    (coarser: ", coarse)):
            qs = tau_quantiles(post, (0.025, 0.5, 0.975))
            print(f"{label or '  '}tau quantiles 0.025, 0.5, 0.975: {qs}")
        if "--no-quantiles" in flags:
            continue
        for prob in (0.025, 0.975):
            q = quantiles(family, y, n, coarse, prob)
            print(f"  q{prob}: {np.array2string(q, separator=', ')}", flush=True)


if __name__ == "__main__":
    main()
