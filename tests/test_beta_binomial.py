"""Beta-binomial empirical Bayes: the exact marginal ML against scipy on the rat tumours, the
surgical data and the batting averages, the posterior Betas, complete pooling at the boundary,
and the order of the groups."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import COUNT_DATA, count_data
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from partialpool import beta_binomial


def scipy_log_likelihood(y, n, alpha, beta):
    return float(stats.betabinom.logpmf(y, n, alpha, beta).sum())


@pytest.mark.parametrize("name", COUNT_DATA)
def test_the_fit_is_scipys_maximum_and_its_gradient_vanishes(name):
    y, n = count_data(name)
    fit = beta_binomial(y, n)
    assert fit.log_likelihood == pytest.approx(
        scipy_log_likelihood(y, n, fit.alpha, fit.beta), abs=1e-9
    )
    best = optimize.minimize(
        lambda p: -scipy_log_likelihood(y, n, math.exp(p[0]), math.exp(p[1])),
        [0.0, 1.0],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 20_000},
    )
    assert fit.log_likelihood >= -best.fun - 1e-9
    # converged on the gradient, not on a flat stretch of log L (the batting averages' is flat)
    h = 1e-4  # scipy's logpmf rounds at about 1e-11 here; a smaller step would see that
    for d in (np.array([h, 0.0]), np.array([0.0, h])):
        up = scipy_log_likelihood(y, n, *np.exp(np.log([fit.alpha, fit.beta]) + d))
        down = scipy_log_likelihood(y, n, *np.exp(np.log([fit.alpha, fit.beta]) - d))
        assert abs(up - down) / (2 * h) < 1e-5


def test_rat_tumours_published_estimates():
    # BDA3 section 5.3 gives the moment estimates alpha = 1.4, beta = 8.6 as a start; the
    # marginal ML estimate here agrees with scipy's maximum (above) at alpha = 2.34, beta = 14.1
    y, n = count_data("rats")
    fit = beta_binomial(y, n)
    assert fit.alpha == pytest.approx(2.3416, abs=1e-3)
    assert fit.beta == pytest.approx(14.1148, abs=1e-3)


def test_each_group_gets_its_posterior_beta():
    y, n = np.array([0.0, 3, 17, 40, 1, 9]), np.array([47.0, 20, 30, 40, 2, 60])
    fit = beta_binomial(y, n)
    a, b = fit.alpha + y, fit.beta + n - y
    np.testing.assert_allclose(fit.theta, a / (a + b), rtol=1e-14)
    np.testing.assert_allclose(fit.lower, stats.beta.ppf(0.025, a, b), rtol=1e-9)
    np.testing.assert_allclose(fit.upper, stats.beta.ppf(0.975, a, b), rtol=1e-9)
    np.testing.assert_allclose(fit.shrinkage, (fit.alpha + fit.beta) / (fit.alpha + fit.beta + n))
    # theta_j lies B_j of the way from y_j / n_j to the population mean
    np.testing.assert_allclose(fit.theta, y / n + fit.shrinkage * (fit.mean - y / n), rtol=1e-12)


def test_equal_rates_and_no_successes_pool_completely():
    fit = beta_binomial([5, 10, 15], [50, 100, 150])
    assert fit.alpha == math.inf and fit.beta == math.inf
    np.testing.assert_array_equal(fit.theta, 0.1)
    assert np.all(fit.shrinkage == 1.0)
    expected = stats.binom.logpmf([5, 10, 15], [50, 100, 150], 0.1).sum()
    assert fit.log_likelihood == pytest.approx(expected, rel=1e-12)
    empty = beta_binomial([0, 0, 0], [5, 6, 7])
    np.testing.assert_array_equal(empty.theta, 0.0)


def test_groups_all_at_zero_or_one_keep_their_own_rates():
    # log L grows without bound toward alpha + beta = 0: no pooling
    fit = beta_binomial([0, 1, 0, 3], [1, 1, 2, 3])
    assert fit.alpha == 0.0 and fit.beta == 0.0
    np.testing.assert_array_equal(fit.theta, [0.0, 1.0, 0.0, 1.0])
    assert fit.log_likelihood == pytest.approx(4 * math.log(0.5), rel=1e-12)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 80), st.floats(0.0, 1.0)), min_size=2, max_size=10),
    st.randoms(use_true_random=False),
)
def test_the_order_of_the_groups_does_not_matter(groups, random):
    n = np.array([g[0] for g in groups], dtype=float)
    y = np.round(np.array([g[1] for g in groups]) * n)
    order = np.array(random.sample(range(y.size), y.size))
    fit, shuffled = beta_binomial(y, n), beta_binomial(y[order], n[order])
    assert shuffled.log_likelihood == pytest.approx(fit.log_likelihood, rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(shuffled.theta, fit.theta[order], rtol=1e-6, atol=1e-9)


def test_bad_counts_are_named():
    with pytest.raises(ValueError, match=r"successes\[1\] = 11 exceeds trials\[1\] = 10"):
        beta_binomial([3, 11], [10, 10])
