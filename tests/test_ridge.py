"""Ridge: equal to the hierarchical posterior mean, the least-squares limit, the path, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partialpool import (
    RidgeDesign,
    RidgePosterior,
    hierarchical_posterior,
    ridge,
    ridge_path,
    simulate_design,
)

LAMS = [1e-3, 0.1, 1.0, 10.0, 1e3]

# (n, p, tau, sigma, seed): tall, square-ish, wide (p > n), and one with a single column.
DESIGNS = [(50, 5, 2.0, 1.5, 1), (30, 25, 0.5, 1.0, 2), (10, 30, 1.0, 1.0, 3), (40, 1, 3.0, 0.7, 4)]


def correlated_design() -> RidgeDesign:
    """Columns with correlation 0.9, which makes X'X ill-conditioned (condition number ~ 100)."""
    d = simulate_design(60, 6, tau=1.0, sigma=1.0, seed=5)
    X = 0.9 * d.X[:, [0]] + np.sqrt(1 - 0.81) * d.X
    return RidgeDesign(X=X, y=X @ d.beta + d.y - d.X @ d.beta, beta=d.beta, sigma=1.0, tau=1.0)


def all_designs() -> list[RidgeDesign]:
    return [simulate_design(*args) for args in DESIGNS] + [correlated_design()]


@pytest.mark.parametrize("lam", LAMS)
@pytest.mark.parametrize("design", range(len(DESIGNS) + 1))
def test_ridge_is_the_posterior_mean_at_lam_sigma2_over_tau2(design, lam):
    # BDA3 section 14.8, ESL section 3.4: posterior mean under beta_k ~ N(0, tau^2) is
    # ridge at lam = sigma^2 / tau^2. Here tau is set from lam, sigma from the design.
    d = all_designs()[design]
    tau = d.sigma / np.sqrt(lam)
    beta = ridge(d.X, d.y, d.sigma**2 / tau**2)
    post = hierarchical_posterior(d.X, d.y, d.sigma, tau)
    assert isinstance(post, RidgePosterior)
    np.testing.assert_allclose(post.mean, beta, rtol=0, atol=1e-10 * max(1.0, np.abs(beta).max()))


def test_posterior_covariance_is_the_inverse_precision():
    d = simulate_design(50, 5, tau=2.0, sigma=1.5, seed=1)
    post = hierarchical_posterior(d.X, d.y, 1.5, 2.0)
    precision = d.X.T @ d.X / 1.5**2 + np.eye(5) / 2.0**2
    np.testing.assert_allclose(post.cov @ precision, np.eye(5), atol=1e-12)
    np.testing.assert_array_equal(post.cov, post.cov.T)
    np.testing.assert_allclose(post.sd, np.sqrt(np.diag(np.linalg.inv(precision))), rtol=1e-12)


def test_one_coefficient_is_the_normal_normal_update():
    # One column: precision sum(x^2) / sigma^2 + 1 / tau^2, mean sum(x y) / sigma^2 / precision.
    x = np.array([1.0, 2.0, -1.0, 0.5])
    y = np.array([2.0, 3.5, -2.5, 1.0])
    precision = np.sum(x**2) / 4.0 + 1 / 9.0
    post = hierarchical_posterior(x[:, None], y, sigma=2.0, tau=3.0)
    assert post.mean[0] == pytest.approx(np.sum(x * y) / 4.0 / precision, rel=1e-14)
    assert post.cov[0, 0] == pytest.approx(1 / precision, rel=1e-14)


def test_orthonormal_design_shrinks_least_squares_by_one_over_one_plus_lam():
    # ESL Table 3.4: with X'X = I, ridge is the least-squares estimate X'y divided by 1 + lam.
    q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((20, 4)))
    y = np.random.default_rng(1).standard_normal(20)
    for lam in LAMS:
        np.testing.assert_allclose(ridge(q, y, lam), q.T @ y / (1 + lam), rtol=1e-12)


@pytest.mark.parametrize("lam", [0.0, 1e-12])
def test_ridge_at_lam_to_zero_is_least_squares(lam):
    d = simulate_design(50, 5, seed=1)
    expected = np.linalg.lstsq(d.X, d.y, rcond=None)[0]
    np.testing.assert_allclose(ridge(d.X, d.y, lam), expected, rtol=1e-9)
    np.testing.assert_allclose(ridge_path(d.X, d.y, [lam])[0], expected, rtol=1e-9)


def test_wide_design_at_lam_zero_is_the_minimum_norm_solution():
    d = simulate_design(10, 30, seed=3)
    expected = np.linalg.lstsq(d.X, d.y, rcond=None)[0]
    np.testing.assert_allclose(ridge(d.X, d.y, 0.0), expected, rtol=1e-10)
    np.testing.assert_allclose(ridge_path(d.X, d.y, [0.0])[0], expected, rtol=1e-10)
    # The limit from above: ridge(lam) -> the minimum-norm interpolant, with error O(lam).
    np.testing.assert_allclose(ridge(d.X, d.y, 1e-9), expected, rtol=1e-6)
    np.testing.assert_allclose(d.X @ expected, d.y, rtol=1e-10)


def test_flat_prior_posterior_is_least_squares():
    d = simulate_design(50, 5, tau=2.0, sigma=1.5, seed=1)
    post = hierarchical_posterior(d.X, d.y, 1.5, np.inf)
    np.testing.assert_allclose(post.mean, np.linalg.lstsq(d.X, d.y, rcond=None)[0], rtol=1e-10)
    np.testing.assert_allclose(post.cov, 1.5**2 * np.linalg.inv(d.X.T @ d.X), rtol=1e-10)


def test_tiny_tau_pools_every_coefficient_at_zero():
    d = simulate_design(50, 5, tau=2.0, sigma=1.5, seed=1)
    post = hierarchical_posterior(d.X, d.y, 1.5, 1e-6)
    assert np.abs(post.mean).max() < 1e-9
    np.testing.assert_allclose(post.cov, 1e-12 * np.eye(5), rtol=1e-6, atol=1e-20)


def test_huge_lam_shrinks_to_zero():
    d = simulate_design(50, 5, seed=1)
    assert np.abs(ridge(d.X, d.y, 1e12)).max() < 1e-9


@pytest.mark.parametrize("design", range(len(DESIGNS) + 1))
def test_path_equals_ridge_row_by_row(design):
    d = all_designs()[design]
    lams = [0.0, *LAMS, 1e6]
    path = ridge_path(d.X, d.y, lams)
    assert path.shape == (len(lams), d.X.shape[1])
    for row, lam in zip(path, lams, strict=True):
        expected = ridge(d.X, d.y, lam)
        np.testing.assert_allclose(row, expected, atol=1e-10 * max(1.0, np.abs(expected).max()))


def test_statsmodels_ridge_agrees_with_alpha_lam_over_n():
    # statsmodels minimises RSS / (2 n) + alpha / 2 ||beta||^2 (OLS.fit_regularized with
    # L1_wt=0, solved by its own SVD code), so alpha = lam / n gives our ridge.
    sm = pytest.importorskip("statsmodels.api")
    d = simulate_design(50, 5, tau=2.0, sigma=1.5, seed=1)
    for lam in LAMS:
        fit = sm.OLS(d.y, d.X).fit_regularized(alpha=lam / 50, L1_wt=0.0)
        np.testing.assert_allclose(ridge(d.X, d.y, lam), fit.params, rtol=1e-10)


@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 30),
    p=st.integers(1, 12),
    lams=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=2, max_size=8),
)
def test_the_norm_never_grows_with_lam(seed, n, p, lams):
    # ||beta(lam)||^2 = sum_k (d_k u_k'y / (d_k^2 + lam))^2, each term non-increasing in lam.
    d = simulate_design(n, p, seed=seed)
    lams = sorted(lams)
    norms = np.linalg.norm(ridge_path(d.X, d.y, lams), axis=1)
    assert np.all(np.diff(norms) <= 1e-12 * norms[0])
    direct = [np.linalg.norm(ridge(d.X, d.y, lam)) for lam in (lams[0], lams[-1])]
    assert direct[1] <= direct[0] * (1 + 1e-10)


def test_simulate_design_follows_its_recipe():
    d = simulate_design(20, 3, tau=2.0, sigma=0.5, seed=9)
    rng = np.random.default_rng(9)
    X = rng.standard_normal((20, 3))
    beta = 2.0 * rng.standard_normal(3)
    np.testing.assert_array_equal(d.X, X)
    np.testing.assert_array_equal(d.beta, beta)
    np.testing.assert_array_equal(d.y, X @ beta + 0.5 * rng.standard_normal(20))
    assert (d.sigma, d.tau) == (0.5, 2.0)
    np.testing.assert_array_equal(simulate_design(20, 3, 2.0, 0.5, 9).y, d.y)
    assert not np.array_equal(simulate_design(20, 3, 2.0, 0.5, 10).y, d.y)


def test_simulate_design_with_tau_zero_has_no_signal():
    d = simulate_design(20, 3, tau=0.0, sigma=1.0, seed=9)
    np.testing.assert_array_equal(d.beta, 0.0)


X = np.ones((4, 2))
Y = np.ones(4)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ridge(X, Y, -1.0), "lam must be >= 0; got lam == -1.0"),
        (lambda: ridge(X, Y, float("nan")), "lam must be finite"),
        (lambda: ridge(X, np.ones(3), 1.0), "same number of rows; got X of shape (4, 2) and y"),
        (lambda: ridge(np.ones(4), Y, 1.0), "X must be two-dimensional (n x p); got shape (4,)"),
        (lambda: ridge(np.ones((4, 0)), Y, 1.0), "X must not be empty"),
        (lambda: ridge([[1, 2], [3, np.inf]], [1, 2], 1.0), "got X[1, 1] == inf"),
        (lambda: ridge([["a", 1]], [1], 1.0), "X must be numeric"),
        (lambda: ridge(X, [1, 2, np.nan, 4], 1.0), "y must be finite; got y[2] == nan"),
        (lambda: ridge_path(X, Y, [1.0, -2.0]), "lams must be >= 0; got lams[1] == -2.0"),
        (lambda: ridge_path(X, Y, []), "lams must not be empty"),
        (lambda: hierarchical_posterior(X, Y, 0.0, 1.0), "sigma must be > 0; got sigma == 0.0"),
        (lambda: hierarchical_posterior(X, Y, 1.0, -1.0), "tau must be > 0; got tau == -1.0"),
        (lambda: hierarchical_posterior(X, Y, 1.0, np.inf), "rank 1 < p == 2"),
        (lambda: simulate_design(0, 2), "n must be a whole number >= 1; got n == 0"),
        (lambda: simulate_design(5, 2, tau=-1.0), "tau must be >= 0; got tau == -1.0"),
        (lambda: simulate_design(5, 2, seed=-1), "seed must be a whole number >= 0"),
    ],
)
def test_bad_input_is_rejected_with_a_message(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert message in str(err.value)
