"""The numpy special functions of the core against scipy and exact sums."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from partialpool._special import (
    beta_cdf,
    beta_quantile,
    digamma,
    gamma_cdf,
    gamma_quantile,
    log_gamma_ratio,
    trigamma,
)

X = np.concatenate([np.geomspace(1e-4, 1e8, 500), [0.5, 1.0, 2.0, 9.99, 10.0]])


def test_digamma_and_trigamma_are_scipys():
    psi = special.digamma(X)
    np.testing.assert_allclose(
        digamma(X), psi, rtol=0, atol=1e-13 * np.maximum(1, np.abs(psi)).max()
    )
    assert np.max(np.abs(digamma(X) - psi) / np.maximum(1, np.abs(psi))) < 1e-13
    assert np.max(np.abs(trigamma(X) / special.polygamma(1, X) - 1)) < 1e-12


@pytest.mark.parametrize("k", [0, 1, 3, 17, 45, 1000])
def test_log_gamma_ratio_is_the_exact_sum_of_logs(k):
    # log Gamma(x + k) - log Gamma(x) = sum_{i < k} log(x + i); scipy's difference of two
    # gammaln loses digits at a large x, this sum does not
    x = np.geomspace(1e-3, 1e12, 200)
    exact = np.array([math.fsum(math.log(v + i) for i in range(k)) for v in x])
    assert np.max(np.abs(log_gamma_ratio(x, k) - exact) / np.maximum(1, np.abs(exact))) < 1e-14


def test_the_incomplete_beta_and_its_inverse_are_scipys():
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0.05, 500, 300), rng.uniform(0.05, 3000, 300)
    x = rng.uniform(0, 1, 300)
    np.testing.assert_allclose(beta_cdf(x, a, b), special.betainc(a, b, x), rtol=0, atol=1e-11)
    assert np.all(beta_cdf(np.array([0.0, 1.0]), 2.0, 3.0) == [0.0, 1.0])
    for p in (0.025, 0.5, 0.975):
        expected = special.betaincinv(a, b, p)
        np.testing.assert_allclose(beta_quantile(p, a, b), expected, rtol=1e-9, atol=1e-13)


def test_the_incomplete_gamma_and_its_inverse_are_scipys():
    rng = np.random.default_rng(2)
    a, x = rng.uniform(0.05, 500, 300), rng.uniform(0, 800, 300)
    np.testing.assert_allclose(gamma_cdf(x, a), special.gammainc(a, x), rtol=0, atol=1e-11)
    assert np.all(gamma_cdf(np.zeros(2), np.array([0.5, 3.0])) == 0.0)
    for p in (0.025, 0.5, 0.975):
        np.testing.assert_allclose(gamma_quantile(p, a), special.gammaincinv(a, p), rtol=1e-12)
