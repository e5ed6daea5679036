"""Binomial groups, logit-normal population: the fit against lme4, quadrature against scipy,
the boundary tau = 0, the global maximum, pooling at a tau, and bad counts."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from conftest import count_data
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, special, stats

from partialpool._link_normal import BINOMIAL, quadrature
from partialpool._special import log_gamma
from partialpool.binomial import (
    check_counts,
    fit_logit_normal,
    log_binomial_coefficient,
    partial_pool_logit_normal,
    partial_pool_logit_normal_path,
    profile_mu,
    saturated_log_likelihood,
)


def log_lik(y, n, mu, tau):
    """Our sum_j log L_j at (mu, tau), log C(n_j, y_j) included."""
    q = quadrature(BINOMIAL, y, n, mu, tau, np.zeros_like(y))
    return q.log_lik.sum() + log_binomial_coefficient(n, y).sum()


# lme4 1.1.31, glmer(cbind(y, n - y) ~ 1 + (1 | group), family = binomial, nAGQ = 25);
# tests/reference/link_normal_lme4.R. Its logLik is relative to the saturated model.
LME4 = {
    "rats": (-1.9390122518, 0.6741179629, -73.4107972475, 0.1220253791),
    "surgical": (-2.5439621172, 0.3577005510, -13.7739590505, 0.1349986533),
    "efron_morris": (-1.0194791999, 0.0815316944, -9.4403542599, 0.0824589429),
}


@pytest.mark.parametrize("name", LME4)
def test_fit_matches_lme4(name):
    y, n = count_data(name)
    mu, tau, log_lik, se = LME4[name]
    fit = fit_logit_normal(y, n)
    assert fit.mu == pytest.approx(mu, abs=1e-4)
    assert fit.tau == pytest.approx(tau, abs=1e-4)
    relative = fit.log_likelihood - saturated_log_likelihood(y, n)
    assert relative >= log_lik - 1e-9  # as high as lme4's optimum, or higher
    assert relative == pytest.approx(log_lik, abs=1e-6)
    assert fit.mu_se == pytest.approx(se, rel=1e-3)


def scipy_log_likelihood(y, n, mu, tau):
    """sum_j log of C(n_j, y_j) E_z[p^y (1 - p)^(n - y)], z ~ N(0, 1), by scipy's adaptive
    quadrature over the whole line, split at the integrand's peak."""
    total = 0.0
    for yj, nj in zip(y, n, strict=True):

        def log_f(z, yj=yj, nj=nj):
            eta = mu + tau * z
            return yj * -np.logaddexp(0, -eta) + (nj - yj) * -np.logaddexp(0, eta) - z * z / 2

        peak = optimize.minimize_scalar(lambda z: -log_f(z), bounds=(-40, 40), method="bounded")
        top = -peak.fun
        value = sum(
            integrate.quad(
                lambda z, top=top: math.exp(log_f(z) - top), a, b, epsabs=0, epsrel=1e-12
            )[0]
            for a, b in ((-np.inf, peak.x), (peak.x, np.inf))
        )
        total += top + math.log(value) - 0.5 * math.log(2 * math.pi)
        total += special.gammaln(nj + 1) - special.gammaln(yj + 1) - special.gammaln(nj - yj + 1)
    return total


def test_the_quadrature_is_scipys_integral():
    y, n = np.array([0.0, 3, 17, 40, 1]), np.array([47.0, 20, 30, 40, 2])
    for mu, tau in ((-1.0, 0.3), (0.5, 2.0), (-3.0, 5.0), (-12.4, 10.0)):
        assert log_lik(y, n, mu, tau) == pytest.approx(
            scipy_log_likelihood(y, n, mu, tau), abs=1e-8
        )


def test_the_saturated_likelihood_is_scipys():
    y, n = np.array([0.0, 3, 20, 1]), np.array([47.0, 20, 20, 2])
    expected = stats.binom.logpmf(y, n, y / n).sum()
    assert saturated_log_likelihood(y, n) == pytest.approx(expected, rel=1e-13)


def test_log_gamma_is_lgamma():
    x = np.concatenate([np.geomspace(1e-6, 1e8, 400), np.arange(1.0, 60.0), [0.5, 1.5, 9.99]])
    np.testing.assert_allclose(log_gamma(x), special.gammaln(x), rtol=1e-14, atol=1e-13)


def test_equal_rates_fit_tau_zero_at_the_pooled_rate():
    y, n = np.array([5.0, 10, 15]), np.array([50.0, 100, 150])
    fit = fit_logit_normal(y, n)
    assert fit.tau == 0.0 and fit.mu == pytest.approx(special.logit(0.1), abs=1e-14)
    rate = 0.1
    expected = (
        log_binomial_coefficient(n, y) + y * math.log(rate) + (n - y) * math.log1p(-rate)
    ).sum()
    assert fit.log_likelihood == pytest.approx(expected, rel=1e-14)


def test_no_success_anywhere_gives_a_zero_rate():
    fit = fit_logit_normal([0, 0, 0], [10, 20, 5])
    assert fit.mu == -math.inf and fit.tau == 0.0 and fit.rate == 0.0
    assert fit.log_likelihood == pytest.approx(0.0, abs=1e-12)  # every likelihood is 1
    pooled = partial_pool_logit_normal([0, 0, 0], [10, 20, 5], 1.0)
    assert np.all(pooled.rate == 0.0) and np.all(pooled.upper == 0.0)


def test_swapping_successes_and_failures_negates_mu():
    y, n = np.array([1.0, 4, 9, 2]), np.array([10.0, 12, 15, 30])
    fit, flipped = fit_logit_normal(y, n), fit_logit_normal(n - y, n)
    assert flipped.mu == pytest.approx(-fit.mu, abs=1e-9)
    assert flipped.tau == pytest.approx(fit.tau, abs=1e-9)


@st.composite
def count_groups(draw, max_groups=8):
    J = draw(st.integers(2, max_groups))
    n = np.array(draw(st.lists(st.integers(1, 60), min_size=J, max_size=J)), dtype=float)
    share = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=J, max_size=J)))
    return np.round(share * n), n


@settings(max_examples=15, deadline=None)
@given(count_groups())
def test_no_point_of_a_dense_grid_beats_the_fit(data):
    y, n = data
    fit = fit_logit_normal(y, n)
    if not math.isfinite(fit.mu):
        assert y.sum() in (0, n.sum())
        return
    best = -math.inf
    for mu in fit.mu + np.linspace(-3.0, 3.0, 31):
        for tau in np.linspace(0.0, 6.0, 31):
            best = max(best, log_lik(y, n, mu, tau))
    assert fit.log_likelihood >= best - 1e-9


@settings(max_examples=15, deadline=None)
@given(count_groups(), st.randoms(use_true_random=False))
def test_the_order_of_the_groups_does_not_matter(data, random):
    y, n = data
    order = np.array(random.sample(range(y.size), y.size))
    fit, shuffled = fit_logit_normal(y, n), fit_logit_normal(y[order], n[order])
    assert shuffled.log_likelihood == pytest.approx(fit.log_likelihood, rel=1e-10, abs=1e-10)
    if math.isfinite(fit.mu) and fit.tau > 0:
        pooled = partial_pool_logit_normal(y, n, fit.tau)
        again = partial_pool_logit_normal(y[order], n[order], fit.tau)
        np.testing.assert_allclose(again.rate, pooled.rate[order], rtol=1e-9)


def scipy_posterior(y, n, mu, tau):
    """(E p, 2.5% and 97.5% quantiles of p) of one group at (mu, tau) by scipy's adaptive
    quadrature in b = logit p - mu, split where the integrand bends (b = 0 and b = -mu)."""
    span = 12 * tau + 40

    def density(b):
        return math.exp(
            y * math.log(special.expit(mu + b))
            + (n - y) * math.log(special.expit(-(mu + b)))
            - b * b / (2 * tau**2)
        )

    def integral(g, a, b):
        edges = [a, *[c for c in sorted({0.0, -mu}) if a < c < b], b]
        return sum(
            integrate.quad(g, u, v, epsabs=0, epsrel=1e-12, limit=400)[0]
            for u, v in itertools.pairwise(edges)
        )

    mass = integral(density, -span, span)
    mean = integral(lambda b: special.expit(mu + b) * density(b), -span, span) / mass
    quantiles = [
        special.expit(
            mu
            + optimize.brentq(
                lambda c, p=p: integral(density, -span, c) / mass - p, -span, span, xtol=1e-13
            )
        )
        for p in (0.025, 0.975)
    ]
    return mean, *quantiles


@pytest.mark.parametrize(("tau", "tolerance"), [(0.8, 1e-9), (3.0, 1e-8), (8.0, 1e-7)])
def test_pooling_matches_scipy(tau, tolerance):
    y, n = np.array([0.0, 3, 17, 40, 1, 0]), np.array([47.0, 20, 30, 40, 2, 1])
    mu = profile_mu(y, n, tau)
    pooled = partial_pool_logit_normal(y, n, tau)
    assert pooled.mu == mu
    for j in range(y.size):
        mean, lower, upper = scipy_posterior(y[j], n[j], mu, tau)
        assert pooled.rate[j] == pytest.approx(mean, abs=tolerance)
        assert pooled.lower[j] == pytest.approx(lower, abs=tolerance)
        assert pooled.upper[j] == pytest.approx(upper, abs=tolerance)
        assert pooled.lower[j] < pooled.rate[j] < pooled.upper[j]


def test_pooling_spans_complete_to_no_pooling():
    y, n = np.array([0.0, 3, 17, 40, 1]), np.array([47.0, 20, 30, 40, 2])
    complete = partial_pool_logit_normal(y, n, 0.0)  # tau = 0: the pooled rate
    np.testing.assert_allclose(complete.rate, y.sum() / n.sum(), rtol=1e-14)
    inner = (y > 0) & (y < n)
    wide = partial_pool_logit_normal(y, n, 1e3)  # a large tau: each group's own rate
    np.testing.assert_allclose(wide.rate[inner], (y / n)[inner], rtol=0.05)


def test_more_trials_shrink_less():
    # the same observed rate 0.5 with 4 and with 400 trials, the others near 0.1
    y, n = np.array([2.0, 200, 1, 2, 3]), np.array([4.0, 400, 20, 20, 20])
    pooled = partial_pool_logit_normal(y, n, 0.5)
    assert abs(pooled.rate[1] - 0.5) < abs(pooled.rate[0] - 0.5)
    assert pooled.shrinkage[1] < pooled.shrinkage[0]


@given(count_groups(), st.floats(0.0, 20.0))
def test_shrinkage_is_a_weight_from_one_to_zero(data, tau):
    y, n = data
    b = partial_pool_logit_normal(y, n, tau).shrinkage
    assert np.all((b >= 0.0) & (b <= 1.0))
    if tau == 0.0:
        np.testing.assert_array_equal(b, 1.0)


def test_shrinkage_is_the_normal_weight_at_the_mode():
    # B_j = 1 / (1 + tau^2 n p (1 - p)) with p at the mode of eta_j's posterior, which for a
    # group of 10000 trials is its own rate: the normal model's v / (v + tau^2).
    y, n = np.array([3000.0, 5, 8]), np.array([10000.0, 40, 40])
    pooled = partial_pool_logit_normal(y, n, 0.4)
    v = 1.0 / (10000 * 0.3 * 0.7)
    assert pooled.shrinkage[0] == pytest.approx(v / (v + 0.16), rel=2e-3)


def test_the_path_is_pooling_at_each_tau():
    y, n = count_data("surgical")
    grid = np.array([0.0, 0.05, 0.3, 1.0, 3.0, 0.2])
    path = partial_pool_logit_normal_path(y, n, grid)
    for k, tau in enumerate(grid):
        pooled = partial_pool_logit_normal(y, n, tau)
        np.testing.assert_allclose(path.theta[k], pooled.rate, rtol=1e-9)
        np.testing.assert_allclose(path.shrinkage[k], pooled.shrinkage, rtol=1e-9)
        assert path.mu[k] == pytest.approx(pooled.mu, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize(
    ("successes", "trials", "message"),
    [
        ([3, 11], [10, 10], r"successes\[1\] = 11 exceeds trials\[1\] = 10"),
        ([3, -1], [10, 10], r"successes\[1\] must be a whole number >= 0"),
        ([3, 1.5], [10, 10], r"successes\[1\] must be a whole number >= 0; got 1.5"),
        ([3, 0], [10, 0], r"trials\[1\] must be a whole number >= 1"),
        ([3, 1], [10], r"one length"),
    ],
)
def test_bad_counts_are_named(successes, trials, message):
    with pytest.raises(ValueError, match=message):
        check_counts(successes, trials)
    with pytest.raises(ValueError, match=message):
        fit_logit_normal(successes, trials)


def test_the_fit_is_the_maximum_of_scipys_likelihood_where_quadrature_is_hard():
    # seven groups of one trial and one of 19: at a large tau the groups of one trial bend
    # their posteriors out of shape, and a 25-point Gauss-Hermite rule invents a second,
    # higher maximum near (mu, tau) = (-12.4, 10); the exact likelihood has none there
    y, n = np.array([0.0, 0, 0, 0, 0, 0, 0, 10]), np.array([1.0, 1, 1, 1, 1, 1, 1, 19])
    fit = fit_logit_normal(y, n)
    assert fit.log_likelihood == pytest.approx(
        scipy_log_likelihood(y, n, fit.mu, fit.tau), abs=1e-9
    )
    for start in ((fit.mu, fit.tau), (-12.4, 10.0), (-5.0, 5.0)):
        best = optimize.minimize(
            lambda t: -scipy_log_likelihood(y, n, t[0], abs(t[1])),
            start,
            method="Nelder-Mead",
            options={"xatol": 1e-7, "fatol": 1e-10, "maxiter": 2000},
        )
        assert fit.log_likelihood >= -best.fun - 1e-7


def test_the_path_runs_from_the_pooled_rate_along_expit_of_mu_hat():
    y, n = count_data("surgical")
    path = partial_pool_logit_normal_path(y, n, np.array([0.0, 0.4, 2.0]))
    assert path.centre[0] == pytest.approx(y.sum() / n.sum(), rel=1e-12)
    np.testing.assert_allclose(path.centre, special.expit(path.mu), rtol=1e-14)
    none = partial_pool_logit_normal_path(np.zeros(3), np.full(3, 5.0), np.array([0.0, 1.0]))
    np.testing.assert_array_equal(none.centre, [0.0, 0.0])
