"""Posterior predictive checks: replicates drawn from the right distribution, p-values
against scipy's exact tail probabilities, bad draws refused."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from partialpool import datasets
from partialpool.checks import predictive_check
from partialpool.groupdata import from_counts, from_estimates

S = 40_000


def tolerance(p: np.ndarray) -> np.ndarray:
    """Five Monte Carlo standard errors of a proportion from S independent replicates."""
    return 5.0 * np.sqrt(np.maximum(p * (1.0 - p), 1e-4) / S)


def test_binomial_p_values_are_scipys_mid_p_at_a_fixed_rate():
    data = datasets.load("surgical")
    rate = np.full((S, data.J), 0.07)
    check = predictive_check(data, rate, seed=3)
    y, n = data.counts.y, data.counts.n
    exact = stats.binom.sf(y, n, 0.07) + 0.5 * stats.binom.pmf(y, n, 0.07)
    assert check.kind == "binomial"
    np.testing.assert_array_equal(check.observed, y)
    np.testing.assert_array_less(np.abs(check.p_value - exact), tolerance(exact))
    np.testing.assert_allclose(check.mean, n * 0.07, rtol=0.02)
    # hospital A: 0 of 47 at 7%, P(Y >= 0) - P(Y = 0) / 2 = 0.983, in the upper tail;
    # B, H and K (18/148, 31/215, 29/256) far above 7%; C (8/119) typical
    assert check.p_value[0] == pytest.approx(1 - 0.5 * 0.93**47, abs=0.01)
    assert list(check.outlying) == [0, 1, 7, 10]


def test_poisson_and_normal_replicates_follow_their_distributions():
    pumps = datasets.load("pumps")
    check = predictive_check(pumps, np.full((S, pumps.J), 0.5), seed=4)
    mean = pumps.counts.n * 0.5
    exact = stats.poisson.sf(pumps.counts.y, mean) + 0.5 * stats.poisson.pmf(pumps.counts.y, mean)
    np.testing.assert_array_less(np.abs(check.p_value - exact), tolerance(exact))
    schools = datasets.load("eight_schools")
    check = predictive_check(schools, np.full((S, 8), 8.0), seed=5)
    exact = stats.norm.sf(schools.y, 8.0, np.sqrt(schools.v))
    np.testing.assert_array_less(np.abs(check.p_value - exact), tolerance(exact))
    np.testing.assert_allclose(check.lower, 8.0 - 1.96 * np.sqrt(schools.v), rtol=0.05)


def test_the_replicates_carry_the_posterior_spread():
    # theta_j ~ N(0, 1) across draws and y_rep ~ N(theta_j, 1): the replicates' sd is sqrt(2)
    data = from_estimates([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])
    theta = np.random.default_rng(6).standard_normal((S, 3))
    check = predictive_check(data, theta, seed=7)
    np.testing.assert_allclose(check.replicated.std(axis=0), np.sqrt(2.0), rtol=0.02)
    assert predictive_check(data, theta, seed=7).replicated.tobytes() == check.replicated.tobytes()


@pytest.mark.parametrize(
    ("theta", "message"),
    [
        (np.full((200, 2), 0.5), "theta has 2 groups"),
        (np.full((200, 3), 1.5), "probabilities in"),
        (np.full((20, 3), 0.5), "at least 100 draws"),
    ],
)
def test_bad_draws_are_refused(theta, message):
    data = from_counts("binomial", ["a", "b", "c"], [1, 2, 3], [5, 5, 5], "three")
    with pytest.raises(ValueError, match=message):
        predictive_check(data, theta)
