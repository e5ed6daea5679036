"""Gamma-Poisson empirical Bayes: the pumps against R's glm.nb, the fit against scipy's
negative binomial, the posterior Gammas, complete pooling, and the order of the groups."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from partialpool import gamma_poisson

# George, Makov and Smith (1993); BUGS "Pumps": failures over thousands of hours
PUMPS = (
    np.array([5, 1, 5, 14, 3, 19, 1, 1, 4, 22.0]),
    np.array([94.3, 15.7, 62.9, 126, 5.24, 31.4, 1.05, 1.05, 2.1, 10.5]),
)


def scipy_log_likelihood(x, t, shape, rate):
    return float(stats.nbinom.logpmf(x, shape, rate / (rate + t)).sum())


def test_pumps_match_glm_nb():
    # MASS 7.3, glm.nb(failures ~ 1 + offset(log(time_khours)));
    # tests/reference/gamma_poisson_glm_nb.R
    fit = gamma_poisson(*PUMPS)
    assert fit.shape == pytest.approx(0.8229650786, rel=1e-6)
    assert fit.mean == pytest.approx(0.6522909990, rel=1e-6)
    assert fit.log_likelihood == pytest.approx(-32.2578363033, abs=1e-8)


def test_the_fit_is_scipys_maximum():
    x, t = PUMPS
    fit = gamma_poisson(x, t)
    assert fit.log_likelihood == pytest.approx(
        scipy_log_likelihood(x, t, fit.shape, fit.rate), abs=1e-9
    )
    best = optimize.minimize(
        lambda p: -scipy_log_likelihood(x, t, math.exp(p[0]), math.exp(p[1])),
        [0.0, 0.0],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 20_000},
    )
    assert fit.log_likelihood >= -best.fun - 1e-9


def test_each_group_gets_its_posterior_gamma():
    x, t = PUMPS
    fit = gamma_poisson(x, t)
    a, b = fit.shape + x, fit.rate + t
    np.testing.assert_allclose(fit.theta, a / b, rtol=1e-14)
    np.testing.assert_allclose(fit.lower, stats.gamma.ppf(0.025, a, scale=1 / b), rtol=1e-10)
    np.testing.assert_allclose(fit.upper, stats.gamma.ppf(0.975, a, scale=1 / b), rtol=1e-10)
    # theta_j lies B_j = rate / (rate + t_j) of the way from x_j / t_j to shape / rate
    np.testing.assert_allclose(fit.theta, x / t + fit.shrinkage * (fit.mean - x / t), rtol=1e-12)


def test_equal_rates_and_no_counts_pool_completely():
    fit = gamma_poisson([2, 4, 6], [1.0, 2.0, 3.0])
    assert fit.shape == math.inf
    np.testing.assert_allclose(fit.theta, 2.0, rtol=1e-15)
    expected = stats.poisson.logpmf([2, 4, 6], [2.0, 4.0, 6.0]).sum()
    assert fit.log_likelihood == pytest.approx(expected, rel=1e-12)
    np.testing.assert_array_equal(gamma_poisson([0, 0], [1.0, 2.0]).theta, 0.0)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.floats(0.1, 100.0)), min_size=2, max_size=10),
    st.randoms(use_true_random=False),
)
def test_the_order_of_the_groups_does_not_matter(groups, random):
    x = np.array([g[0] for g in groups], dtype=float)
    t = np.array([g[1] for g in groups])
    order = np.array(random.sample(range(x.size), x.size))
    fit, shuffled = gamma_poisson(x, t), gamma_poisson(x[order], t[order])
    assert shuffled.log_likelihood == pytest.approx(fit.log_likelihood, rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(shuffled.theta, fit.theta[order], rtol=1e-6, atol=1e-12)


def test_bad_counts_are_named():
    with pytest.raises(ValueError, match=r"exposure\[1\] must be > 0"):
        gamma_poisson([3, 1], [1.0, 0.0])
