"""Full Bayes on the (mu, tau) grid: brute-force 2-D integration, limits, invariants, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from partialpool import complete_pool, full_bayes


def _brute_force(y, v, log_prior):
    """Posterior moments by nested adaptive quadrature over (tau, mu), no shared code."""
    centre = np.average(y, weights=1 / v)

    def joint(mu, tau):
        return math.exp(
            log_prior(tau) + stats.norm.logpdf(y, mu, np.sqrt(v + tau**2)).sum() + log_ref
        )

    def over_mu(f, tau):
        return integrate.quad(
            lambda m: f(m, tau) * joint(m, tau),
            -np.inf,
            np.inf,
            epsabs=0,
            epsrel=1e-11,
            points=None,
        )[0]

    log_ref = -(log_prior(0.0) + stats.norm.logpdf(y, centre, np.sqrt(v)).sum())

    def expect(f):
        return integrate.quad(
            lambda t: over_mu(f, t), 0, np.inf, epsabs=0, epsrel=1e-10, limit=200
        )[0]

    z = expect(lambda m, t: 1.0)

    def theta1(m, t):
        b = v[0] / (v[0] + t**2)
        return y[0] + b * (m - y[0])

    def theta1_sq(m, t):
        b = v[0] / (v[0] + t**2)
        return v[0] * (1 - b) + theta1(m, t) ** 2

    return {
        "tau_mean": expect(lambda m, t: t) / z,
        "mu_mean": expect(lambda m, t: m) / z,
        "mu_sd": math.sqrt(expect(lambda m, t: m * m) / z - (expect(lambda m, t: m) / z) ** 2),
        "theta1_mean": expect(theta1) / z,
        "theta1_sd": math.sqrt(expect(theta1_sq) / z - (expect(theta1) / z) ** 2),
        "p_tau_below_5": integrate.quad(
            lambda t: over_mu(lambda m, t: 1.0, t), 0, 5.0, epsabs=0, epsrel=1e-10
        )[0]
        / z,
    }


def _check_against(fb, ref):
    assert fb.tau_mean == pytest.approx(ref["tau_mean"], rel=2e-5)
    assert fb.mu_mean == pytest.approx(ref["mu_mean"], rel=1e-7)
    assert fb.mu_sd == pytest.approx(ref["mu_sd"], rel=1e-6)
    assert fb.theta_mean[0] == pytest.approx(ref["theta1_mean"], rel=1e-7)
    assert fb.theta_sd[0] == pytest.approx(ref["theta1_sd"], rel=1e-6)
    cdf_at_5 = np.interp(5.0, fb.tau_grid, fb.tau_cdf)
    assert cdf_at_5 == pytest.approx(ref["p_tau_below_5"], abs=2e-5)


def test_eight_schools_uniform_prior_matches_brute_force(eight_schools):
    y, v = eight_schools
    _check_against(full_bayes(y, v), _brute_force(y, v, lambda t: 0.0))


def test_half_cauchy_prior_matches_brute_force():
    rng = np.random.default_rng(7)
    y = rng.normal(3.0, 4.0, 6)
    v = rng.uniform(4.0, 30.0, 6)
    fb = full_bayes(y, v, prior="half-cauchy", scale=5.0)
    _check_against(fb, _brute_force(y, v, lambda t: -math.log1p((t / 5.0) ** 2)))


def test_eight_schools_keeps_spread_where_empirical_bayes_collapses(eight_schools):
    # BDA3 section 5.5: tau_hat = 0 pools completely; full Bayes does not.
    y, v = eight_schools
    fb = full_bayes(y, v)
    pooled = complete_pool(y, v).theta
    assert np.ptp(fb.theta_mean) > 3.0 > np.ptp(pooled)
    assert 4.0 < fb.tau_quantiles(0.5) < 6.0  # BDA3 Table 5.3 reports a median near 5
    np.testing.assert_array_less(fb.tau_quantiles([0.025, 0.5]), fb.tau_quantiles([0.5, 0.975]))


def test_density_integrates_to_one(eight_schools):
    y, v = eight_schools
    fb = full_bayes(y, v)
    assert np.sum(fb.tau_weights * fb.tau_density) == pytest.approx(1.0, rel=1e-12)
    assert np.trapezoid(fb.tau_density, fb.tau_grid) == pytest.approx(1.0, rel=1e-4)
    assert fb.tau_cdf[0] == 0.0 and fb.tau_cdf[-1] == 1.0
    assert np.all(np.diff(fb.tau_cdf) >= 0)
    assert fb.tau_grid[0] == 0.0


def test_theta_means_lie_between_no_pool_and_complete_pool(eight_schools):
    y, v = eight_schools
    fb = full_bayes(y, v)
    mu = complete_pool(y, v).mu
    lo, hi = np.minimum(y, mu), np.maximum(y, mu)
    assert np.all((fb.theta_mean > lo) & (fb.theta_mean < hi))


def test_many_observations_per_group_approach_no_pooling():
    rng = np.random.default_rng(4)
    theta = rng.normal(0, 1, 10)
    v = np.full(10, 1e-6)  # sigma = 1, n = 10^6 per group
    y = theta + rng.normal(0, 1e-3, 10)
    fb = full_bayes(y, v)
    np.testing.assert_allclose(fb.theta_mean, y, atol=1e-5)
    np.testing.assert_allclose(fb.theta_sd, 1e-3, rtol=1e-3)


def test_tight_posterior_from_many_groups_is_resolved():
    # J = 5000 groups: p(tau | y) is narrow; the grid must zoom in on it.
    rng = np.random.default_rng(8)
    v = rng.uniform(0.5, 1.5, 5000)
    y = rng.normal(0, 1.0, 5000) + rng.normal(0, np.sqrt(v))
    fb = full_bayes(y, v)
    assert fb.tau_mean == pytest.approx(1.0, abs=0.05)
    assert np.sum(fb.tau_weights * fb.tau_density) == pytest.approx(1.0)
    width = np.diff(fb.tau_quantiles([0.16, 0.84]))[0]
    assert 0.005 < width < 0.05
    assert np.sum((fb.tau_grid > fb.tau_mean - width) & (fb.tau_grid < fb.tau_mean + width)) > 50


def test_grid_refinement_does_not_move_the_answer(eight_schools):
    y, v = eight_schools
    coarse, fine = full_bayes(y, v, grid_size=300), full_bayes(y, v, grid_size=5000)
    assert coarse.tau_mean == pytest.approx(fine.tau_mean, rel=1e-4)
    np.testing.assert_allclose(coarse.theta_mean, fine.theta_mean, rtol=1e-8)
    np.testing.assert_allclose(coarse.theta_sd, fine.theta_sd, rtol=1e-8)


@pytest.mark.parametrize("factor", [1e-8, 1e-3, 1.0, 1e4, 1e9])
def test_accurate_whatever_the_scale_of_y(eight_schools, factor):
    y, v = eight_schools
    base = full_bayes(y, v)
    fb = full_bayes(y * factor, v * factor**2)
    assert fb.tau_mean == pytest.approx(base.tau_mean * factor, rel=1e-9)
    np.testing.assert_allclose(fb.theta_mean, base.theta_mean * factor, rtol=1e-9)
    assert fb.tau_quantiles(0.5) == pytest.approx(base.tau_quantiles(0.5) * factor, rel=1e-9)


def test_missing_moments_are_infinite_not_truncated():
    y, v = np.array([0.0, 1.0, 3.0]), np.ones(3)
    fb3 = full_bayes(y, v)
    assert fb3.tau_mean == math.inf and fb3.mu_sd == math.inf
    assert np.all(np.isfinite(fb3.theta_mean)) and np.isfinite(fb3.mu_mean)
    fb4 = full_bayes(np.append(y, 2.0), np.ones(4))
    assert np.isfinite(fb4.tau_mean) and fb4.mu_sd == math.inf
    fb2 = full_bayes([0.0, 1.0], [1.0, 1.0], prior="half-cauchy", scale=1.0)
    assert np.isfinite(fb2.tau_mean) and fb2.mu_sd == math.inf


# --- invariants --------------------------------------------------------------------------------

finite = st.floats(-100, 100, allow_nan=False, allow_infinity=False)
positive = st.floats(0.01, 100, allow_nan=False, allow_infinity=False)


@st.composite
def groups(draw):
    J = draw(st.integers(5, 12))
    y = np.array(draw(st.lists(finite, min_size=J, max_size=J)))
    v = np.array(draw(st.lists(positive, min_size=J, max_size=J)))
    return y, v


@settings(max_examples=40)
@given(groups(), st.floats(-1e4, 1e4))
def test_shift_equivariance(data, c):
    y, v = data
    a, b = full_bayes(y, v), full_bayes(y + c, v)
    atol = 1e-7 * (np.abs(y).max() + abs(c) + np.sqrt(v.max()))
    np.testing.assert_allclose(b.theta_mean, a.theta_mean + c, atol=atol)
    assert b.tau_mean == pytest.approx(a.tau_mean, rel=1e-6)


@settings(max_examples=40)
@given(groups(), st.randoms(use_true_random=False))
def test_order_of_groups_does_not_matter(data, rnd):
    y, v = data
    order = list(range(y.size))
    rnd.shuffle(order)
    a, b = full_bayes(y, v), full_bayes(y[order], v[order])
    atol = 1e-8 * (np.abs(y).max() + np.sqrt(v.max()))
    np.testing.assert_allclose(b.theta_mean, a.theta_mean[order], atol=atol)
    np.testing.assert_allclose(b.theta_sd, a.theta_sd[order], rtol=1e-6)


@settings(max_examples=40)
@given(groups())
def test_posterior_is_a_distribution(data):
    y, v = data
    fb = full_bayes(y, v, prior="half-cauchy", scale=1.0)
    assert np.all(fb.tau_density >= 0)
    assert np.sum(fb.tau_weights * fb.tau_density) == pytest.approx(1.0, rel=1e-9)
    assert np.all(fb.theta_sd > 0)
    # mu_hat(tau) moves from the precision-weighted to the plain mean as tau grows, so theta_j
    # need not lie between y_j and the complete-pool mean, but it stays inside the data's hull.
    tol = 1e-6 * (np.abs(y).max() + 1)
    assert np.all(fb.theta_mean >= y.min() - tol)
    assert np.all(fb.theta_mean <= y.max() + tol)


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (
            ([1.0, 2.0], [1.0, 1.0]),
            {},
            "uniform prior on tau .* needs at least 3 groups; got J == 2",
        ),
        (([1.0, 2.0, 3.0], 1.0), {"prior": "half-cauchy"}, "needs a scale > 0"),
        (([1.0, 2.0, 3.0], 1.0), {"prior": "half-cauchy", "scale": -1.0}, "scale must be > 0"),
        (([1.0, 2.0, 3.0], 1.0), {"scale": 2.0}, "scale applies only to the half-cauchy prior"),
        (
            ([1.0, 2.0, 3.0], 1.0),
            {"prior": "gamma"},
            "unknown prior 'gamma'; valid are 'uniform', 'half-cauchy'",
        ),
        (([1.0, 2.0, 3.0], 1.0), {"grid_size": 10}, "grid_size must be >= 100"),
        (([1.0, 2.0, np.inf], 1.0), {}, "y must be finite"),
    ],
)
def test_bad_input_is_named(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        full_bayes(*args, **kwargs)


def test_bad_quantile_is_named(eight_schools):
    with pytest.raises(ValueError, match=r"quantiles must lie in \[0, 1\]"):
        full_bayes(*eight_schools).tau_quantiles(1.5)
