"""partial_pool_path: partial pooling along a tau grid, the same numbers as partial_pool."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partialpool import complete_pool, partial_pool, partial_pool_path
from tests.test_pooling import groups

grids = st.lists(st.floats(0.0, 1e2, allow_nan=False), min_size=1, max_size=20).map(np.array)


def test_each_row_is_partial_pool_at_that_tau(eight_schools):
    y, v = eight_schools
    tau = np.array([0.0, 0.5, 3.0, 10.0, 25.0, 1e3])
    path = partial_pool_path(y, v, tau)
    assert path.theta.shape == path.shrinkage.shape == (6, 8)
    for k, t in enumerate(tau):
        fit = partial_pool(y, v, t**2)
        np.testing.assert_allclose(path.theta[k], fit.theta, rtol=1e-13, atol=1e-12)
        np.testing.assert_allclose(path.shrinkage[k], fit.shrinkage, rtol=1e-14)
        assert path.mu[k] == pytest.approx(fit.mu, rel=1e-13)


def test_tau_zero_is_complete_pooling_exactly(eight_schools):
    y, v = eight_schools
    path = partial_pool_path(y, v, [0.0])
    np.testing.assert_array_equal(path.shrinkage[0], np.ones(8))
    np.testing.assert_allclose(path.theta[0], complete_pool(y, v).theta, rtol=1e-15)


def test_huge_tau_is_no_pooling(eight_schools):
    y, v = eight_schools
    path = partial_pool_path(y, v, [1e8])
    np.testing.assert_allclose(path.theta[0], y, atol=1e-10)


def test_bda3_figure_5_6_school_a_rises_from_the_pooled_mean():
    # BDA3 fig. 5.6: school A's conditional posterior mean climbs monotonically from 7.69
    # (tau = 0) toward its own 28 as tau grows.
    y = np.array([28.0, 8, -3, 7, -1, 1, 18, 12])
    v = np.array([15.0, 10, 16, 11, 9, 11, 10, 18]) ** 2
    path = partial_pool_path(y, v, np.linspace(0, 30, 61))
    assert round(path.theta[0, 0], 2) == 7.69
    assert np.all(np.diff(path.theta[:, 0]) > 0)
    assert path.theta[-1, 0] < 28.0


@given(groups(), grids)
def test_shrinkage_in_unit_interval_and_estimates_between_y_and_mu(data, tau):
    y, v = data
    path = partial_pool_path(y, v, tau)
    assert np.all((path.shrinkage >= 0) & (path.shrinkage <= 1))
    lo = np.minimum(y, path.mu[:, None])
    hi = np.maximum(y, path.mu[:, None])
    slack = 1e-9 * (1 + np.abs(y).max())
    assert np.all((path.theta >= lo - slack) & (path.theta <= hi + slack))


@given(groups(), grids, st.randoms(use_true_random=False))
def test_order_of_groups_does_not_matter(data, tau, rnd):
    y, v = data
    perm = np.array(rnd.sample(range(y.size), y.size))
    a, b = partial_pool_path(y, v, tau), partial_pool_path(y[perm], v[perm], tau)
    np.testing.assert_allclose(b.theta, a.theta[:, perm], rtol=1e-9, atol=1e-9)


@given(groups(), grids, st.floats(-1e3, 1e3))
def test_shifting_data_shifts_every_estimate(data, tau, c):
    y, v = data
    a, b = partial_pool_path(y, v, tau), partial_pool_path(y + c, v, tau)
    np.testing.assert_allclose(b.theta, a.theta + c, rtol=1e-9, atol=1e-8)


@pytest.mark.parametrize(
    ("tau", "message"),
    [([-1.0], r"tau must be >= 0; got tau\[0\] == -1.0"), ([np.nan], "tau must be finite")],
)
def test_bad_grid(tau, message):
    with pytest.raises(ValueError, match=message):
        partial_pool_path([1.0, 2.0], [1.0, 1.0], tau)
