"""Counts over an exposure, log-normal population: the fit against lme4 on the pumps,
quadrature against scipy, the pooled and the own rates at the ends of tau, and bad counts."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special

from partialpool import fit_log_normal_poisson, partial_pool_log_normal_poisson
from partialpool._link_normal import POISSON, quadrature
from partialpool.poisson import check_rates, partial_pool_log_normal_poisson_path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pumps() -> tuple[np.ndarray, np.ndarray]:
    with (DATA / "pumps.csv").open() as f:
        rows = list(csv.DictReader(f))
    return (
        np.array([float(r["failures"]) for r in rows]),
        np.array([float(r["time_khours"]) for r in rows]),
    )


def log_lik(x, t, mu, tau):
    """Our sum_j log L_j at (mu, tau), every constant included."""
    q = quadrature(POISSON, x, t, mu, tau, np.zeros_like(x))
    return q.log_lik.sum() + POISSON.constant(x, t).sum()


def scipy_log_likelihood(x, t, mu, tau):
    """sum_j log E_z[Poisson(x_j; t_j exp(mu + tau z))], z ~ N(0, 1), by scipy's quad."""
    total = 0.0
    for xj, tj in zip(x, t, strict=True):

        def f(z, xj=xj, tj=tj):
            eta = mu + tau * z
            return math.exp(xj * eta - tj * math.exp(eta) - z * z / 2)

        mass = integrate.quad(f, -30, 30, points=[0.0], epsabs=0, epsrel=1e-13, limit=400)[0]
        total += math.log(mass) - 0.5 * math.log(2 * math.pi)
        total += xj * math.log(tj) - special.gammaln(xj + 1)
    return total


# lme4 1.1.31, glmer(x ~ 1 + offset(log(t)) + (1 | pump), family = poisson, nAGQ = 25);
# tests/reference/link_normal_lme4.R. Its logLik is relative to the saturated model.
LME4_PUMPS = (-1.1767524159, 1.2881156635, -15.3197482426, 0.4539635998)


def test_pumps_match_lme4():
    if not DATA.exists():
        pytest.skip("../shared/data is not beside this clone")
    x, t = pumps()
    mu, tau, relative, se = LME4_PUMPS
    fit = fit_log_normal_poisson(x, t)
    assert fit.mu == pytest.approx(mu, abs=1e-4)
    assert fit.tau == pytest.approx(tau, abs=1e-4)
    assert fit.rate == pytest.approx(math.exp(fit.mu), rel=1e-14)
    assert fit.mu_se == pytest.approx(se, rel=1e-3)
    saturated = float((special.xlogy(x, x) - x - special.gammaln(x + 1)).sum())
    assert fit.log_likelihood - saturated == pytest.approx(relative, abs=1e-6)
    # lme4's own rule puts its optimum 1.6e-7 higher; the exact likelihood puts ours higher
    assert fit.log_likelihood >= scipy_log_likelihood(x, t, mu, tau)
    assert fit.log_likelihood == pytest.approx(
        scipy_log_likelihood(x, t, fit.mu, fit.tau), abs=1e-9
    )


def test_the_quadrature_is_scipys_integral():
    x, t = np.array([0.0, 1, 5, 40, 3]), np.array([2.0, 0.5, 10, 8, 100])
    for mu, tau in ((-1.0, 0.3), (0.5, 2.0), (-3.0, 4.0)):
        assert log_lik(x, t, mu, tau) == pytest.approx(
            scipy_log_likelihood(x, t, mu, tau), abs=1e-8
        )


def test_rescaling_the_exposure_rescales_the_rates():
    x, t = np.array([0.0, 1, 5, 40, 3]), np.array([2.0, 0.5, 10, 8, 100])
    fit, per_hour = fit_log_normal_poisson(x, t), fit_log_normal_poisson(x, t * 1000.0)
    assert per_hour.mu == pytest.approx(fit.mu - math.log(1000.0), abs=1e-9)
    assert per_hour.tau == pytest.approx(fit.tau, abs=1e-9)
    pooled = partial_pool_log_normal_poisson(x, t, fit.tau)
    again = partial_pool_log_normal_poisson(x, t * 1000.0, fit.tau)
    np.testing.assert_allclose(again.rate * 1000.0, pooled.rate, rtol=1e-9)
    np.testing.assert_allclose(again.upper * 1000.0, pooled.upper, rtol=1e-7)


def test_equal_rates_fit_tau_zero_and_no_counts_a_zero_rate():
    fit = fit_log_normal_poisson([2, 4, 6], [1.0, 2.0, 3.0])
    assert fit.tau == 0.0 and fit.rate == pytest.approx(2.0, rel=1e-14)
    empty = fit_log_normal_poisson([0, 0], [1.0, 5.0])
    assert empty.mu == -math.inf and empty.rate == 0.0 and empty.tau == 0.0


@st.composite
def count_groups(draw, max_groups=8):
    J = draw(st.integers(2, max_groups))
    x = np.array(draw(st.lists(st.integers(0, 40), min_size=J, max_size=J)), dtype=float)
    t = np.array(draw(st.lists(st.floats(0.1, 50.0), min_size=J, max_size=J)))
    return x, t


@settings(max_examples=15, deadline=None)
@given(count_groups())
def test_no_point_of_a_dense_grid_beats_the_fit(data):
    x, t = data
    fit = fit_log_normal_poisson(x, t)
    if not math.isfinite(fit.mu):
        assert x.sum() == 0
        return
    best = max(
        log_lik(x, t, mu, tau)
        for mu in fit.mu + np.linspace(-3.0, 3.0, 25)
        for tau in np.linspace(0.0, 5.0, 25)
    )
    assert fit.log_likelihood >= best - 1e-9


@settings(max_examples=15, deadline=None)
@given(count_groups(), st.randoms(use_true_random=False))
def test_the_order_of_the_groups_does_not_matter(data, random):
    x, t = data
    order = np.array(random.sample(range(x.size), x.size))
    fit, shuffled = fit_log_normal_poisson(x, t), fit_log_normal_poisson(x[order], t[order])
    assert shuffled.log_likelihood == pytest.approx(fit.log_likelihood, rel=1e-10, abs=1e-10)


def test_pooling_spans_the_pooled_rate_to_each_groups_own():
    x, t = np.array([0.0, 1, 5, 40, 3]), np.array([2.0, 0.5, 10, 8, 100])
    complete = partial_pool_log_normal_poisson(x, t, 0.0)
    np.testing.assert_allclose(complete.rate, x.sum() / t.sum(), rtol=1e-14)
    wide = partial_pool_log_normal_poisson(x, t, 50.0)
    seen = x > 0
    np.testing.assert_allclose(wide.rate[seen], (x / t)[seen], rtol=0.05)
    middle = partial_pool_log_normal_poisson(x, t, 1.0)
    assert np.all((middle.lower < middle.rate) & (middle.rate < middle.upper))
    assert np.all((middle.shrinkage > 0.0) & (middle.shrinkage < 1.0))


def test_the_path_is_pooling_at_each_tau_with_the_exposure_unscaled():
    x, t = np.array([5.0, 1, 5, 14, 3, 19]), np.array([94.3, 15.7, 62.9, 126, 5.24, 31.4])
    grid = np.array([0.0, 0.5, 1.3, 4.0])
    path = partial_pool_log_normal_poisson_path(x, t, grid)
    for k, tau in enumerate(grid):
        pooled = partial_pool_log_normal_poisson(x, t, tau)
        np.testing.assert_allclose(path.theta[k], pooled.rate, rtol=1e-9)
        np.testing.assert_allclose(path.shrinkage[k], pooled.shrinkage, rtol=1e-9)
        assert path.mu[k] == pytest.approx(pooled.mu, rel=1e-10)


@pytest.mark.parametrize(
    ("counts", "exposure", "message"),
    [
        ([3, -1], [1.0, 1.0], r"counts\[1\] must be a whole number >= 0"),
        ([3, 1.5], [1.0, 1.0], r"counts\[1\] must be a whole number >= 0; got 1.5"),
        ([3, 1], [1.0, 0.0], r"exposure\[1\] must be > 0"),
        ([3, 1], [1.0], r"one length"),
        ([3, 1], [1e-60, 1e60], r"exposure must span at most a factor 1e\+100"),
    ],
)
def test_bad_counts_are_named(counts, exposure, message):
    with pytest.raises(ValueError, match=message):
        check_rates(counts, exposure)
    with pytest.raises(ValueError, match=message):
        fit_log_normal_poisson(counts, exposure)
