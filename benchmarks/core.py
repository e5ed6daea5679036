"""Core benchmarks: REML + partial pooling at J = 10^6, against statsmodels MixedLM, full Bayes.

Run: python benchmarks/core.py   (needs the test extras: statsmodels, pandas)
Prints best-of-N wall times and ratios measured in this one run; no figure here is asserted by
the test suite, because timings on a shared machine are noisy.
"""

from __future__ import annotations

import warnings

import numpy as np
from timing import best_of

import partialpool as pp


def ours_on_raw(values: np.ndarray, groups: np.ndarray) -> tuple[float, np.ndarray]:
    s = pp.summarize(values, groups)
    tau2 = pp.estimate_tau2(s.ybar, s.v, "REML")
    return tau2, pp.partial_pool(s.ybar, s.v, tau2).theta


def million_groups() -> None:
    """REML + partial pooling at J = 10^6, in passes over the data: the time of one numpy pass
    `(y - v).sum()` measured in the same run is the unit (target: within 60)."""
    sim = pp.simulate(1_000_000, (2, 40), tau=0.5, sigma=1.0, seed=1)
    s = pp.summarize(sim.values, sim.groups, sigma=1.0)
    rng = np.random.default_rng(4)
    distinct = s.v * rng.uniform(0.9, 1.1, s.v.size)
    one_pass = best_of(lambda: (s.ybar - s.v).sum(), 20)
    for label, v in (("n_j = 2..40, v = 1 / n_j", s.v), ("every v_j distinct", distinct)):
        reml = best_of(lambda v=v: pp.estimate_tau2(s.ybar, v, "REML"), 5)
        tau2 = pp.estimate_tau2(s.ybar, v, "REML")
        pool = best_of(lambda v=v, t=tau2: pp.partial_pool(s.ybar, v, t), 5)
        print(
            f"J = 10^6 groups ({label}): REML {reml * 1e3:.0f} ms + partial_pool "
            f"{pool * 1e3:.0f} ms = {(reml + pool) / one_pass:.0f} passes of (y - v).sum() "
            f"({one_pass * 1e3:.2f} ms); tau2_hat = {tau2:.5f} (true 0.25)"
        )


def against_mixedlm() -> None:
    import pandas as pd
    import statsmodels.formula.api as smf

    sim = pp.simulate(2000, 10, tau=0.5, sigma=1.0, seed=2)
    frame = pd.DataFrame({"y": sim.values, "g": sim.groups})

    def mixedlm() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return smf.mixedlm("y ~ 1", frame, groups="g").fit(reml=True, method="cg", gtol=1e-10)

    theirs = best_of(mixedlm, 1)
    fit = mixedlm()
    ours = best_of(lambda: ours_on_raw(sim.values, sim.groups), 20)
    tau2, _ = ours_on_raw(sim.values, sim.groups)
    ref = float(fit.cov_re.iloc[0, 0])
    print(
        f"J = 2000, n_j = 10 (raw data in): partialpool {ours * 1e3:.2f} ms, "
        f"statsmodels MixedLM {theirs * 1e3:.0f} ms, ratio {theirs / ours:.0f}x (target >= 50x); "
        f"tau2 {tau2:.10f} vs {ref:.10f}, relative difference {abs(tau2 / ref - 1):.1e}"
    )


def eight_schools() -> None:
    y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
    se = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])
    t = best_of(lambda: pp.full_bayes(y, se**2), 50)
    print(f"full_bayes, eight schools, 1000-point grid: {t * 1e3:.2f} ms (target well under 50 ms)")


def thousand_groups() -> None:
    """full_bayes and the tau-grid views' core work at J = 1000, against the scalar core called
    once per grid point (the loop the vectorised path replaces)."""
    rng = np.random.default_rng(3)
    v = rng.uniform(0.02, 0.5, 1000)
    y = rng.normal(0.0, 0.5, 1000) + np.sqrt(v) * rng.standard_normal(1000)
    for prior, scale in (("uniform", None), ("half-cauchy", 0.3)):
        t = best_of(lambda p=prior, s=scale: pp.full_bayes(y, v, p, s), 20)
        print(f"full_bayes, J = 1000, {prior} prior: {t * 1e3:.1f} ms (target < 100 ms)")
    grid = np.linspace(0.0, 3.0, 201)
    ours = best_of(lambda: pp.partial_pool_path(y, v, grid), 20)
    loop = best_of(lambda: [pp.partial_pool(y, v, t**2) for t in grid], 5)
    print(
        f"partial_pool_path, J = 1000 x 201 taus: {ours * 1e3:.2f} ms; a loop of partial_pool "
        f"{loop * 1e3:.1f} ms; ratio {loop / ours:.1f}x"
    )


if __name__ == "__main__":
    million_groups()
    against_mixedlm()
    eight_schools()
    thousand_groups()
