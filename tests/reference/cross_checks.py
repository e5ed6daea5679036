"""How the cross-check numbers in the tests were produced, with code independent of partialpool.

Run: python tests/reference/cross_checks.py  (needs the test extras: scipy, statsmodels)

- Viechtbauer (2005) example 1: the published tau^2 per method (tests/data/README.md); DL and
  PM are reproduced by statsmodels' meta-analysis module (checked against R metafor by its
  authors), ML and REML by maximising the (restricted) log likelihood with scipy.
- Eight schools (BDA3 Table 5.2): complete-pool mean 7.6856 (se 4.0719), and the full-Bayes
  posterior of tau under a flat prior by nested adaptive quadrature (tests/test_bayes.py does
  the same for every moment it pins).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from scipy import integrate, optimize
from statsmodels.stats.meta_analysis import combine_effects

DATA = Path(__file__).parent.parent / "data"


def columns(name: str) -> dict[str, np.ndarray]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {
        k: np.array([float(r[k]) for r in rows])
        for k in ("yi", "vi", "effect", "se")
        if k in rows[0]
    }


def neg_log_lik(tau2: float, y: np.ndarray, v: np.ndarray, reml: bool) -> float:
    w = 1 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    out = 0.5 * np.sum(np.log(v + tau2) + w * (y - mu) ** 2)
    return out + (0.5 * np.log(np.sum(w)) if reml else 0.0)


def viechtbauer() -> None:
    d = columns("viechtbauer2005_example1.csv")
    y, v = d["yi"], d["vi"]
    print("Viechtbauer (2005) example 1, tau^2:")
    print(f"  DL   {combine_effects(y, v, method_re='dl').tau2:.6f}   (published 0.2768)")
    print(f"  PM   {combine_effects(y, v, method_re='pm').tau2:.6f}   (published 0.1920)")
    for name, reml, published in (("ML", False, 0.1967), ("REML", True, 0.2232)):
        fit = optimize.minimize_scalar(
            neg_log_lik,
            bounds=(0, 10),
            args=(y, v, reml),
            method="bounded",
            options={"xatol": 1e-12},
        )
        print(f"  {name:<4} {fit.x:.6f}   (published {published})")


def eight_schools() -> None:
    d = columns("eight_schools.csv")
    y, v = d["effect"], d["se"] ** 2
    w = 1 / v
    print(
        f"Eight schools: complete pool {np.sum(w * y) / np.sum(w):.4f} (se {np.sum(w) ** -0.5:.4f})"
    )
    ref = -neg_log_lik(0.0, y, v, reml=True)

    def p_tau(t: float) -> float:  # flat prior on (mu, tau); mu integrated out (BDA3 eq. 5.21)
        return np.exp(-neg_log_lik(t * t, y, v, reml=True) - ref)

    z = integrate.quad(p_tau, 0, np.inf, epsabs=0, epsrel=1e-11, limit=200)[0]
    mean = integrate.quad(lambda t: t * p_tau(t), 0, np.inf, epsabs=0, epsrel=1e-11, limit=200)[0]
    median = optimize.brentq(
        lambda m: integrate.quad(p_tau, 0, m, epsabs=0, epsrel=1e-12)[0] / z - 0.5,
        0.1,
        50,
        xtol=1e-12,
    )
    print(f"  full Bayes, flat prior: E(tau | y) = {mean / z:.6f}, median {median:.6f}")


if __name__ == "__main__":
    viechtbauer()
    eight_schools()
