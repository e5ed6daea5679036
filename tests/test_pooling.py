"""No pooling, complete pooling, partial pooling: published numbers, limits, invariants."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from conftest import SCALES, unit_groups
from hypothesis import given
from hypothesis import strategies as st

from partialpool import complete_pool, no_pool, partial_pool, simulate, summarize

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
positive = st.floats(1e-3, 1e2, allow_nan=False, allow_infinity=False)
tau2s = st.floats(0.0, 1e4, allow_nan=False, allow_infinity=False)


@st.composite
def groups(draw, min_size=1, max_size=30):
    J = draw(st.integers(min_size, max_size))
    y = np.array(draw(st.lists(finite, min_size=J, max_size=J)))
    v = np.array(draw(st.lists(positive, min_size=J, max_size=J)))
    return y, v


def test_eight_schools_complete_pooling(eight_schools):
    # BDA3 section 5.5: precision-weighted mean 7.6856, standard error 4.0719.
    y, v = eight_schools
    pooled = complete_pool(y, v)
    assert round(pooled.mu, 4) == 7.6856
    assert round(pooled.mu_se, 4) == 4.0719
    np.testing.assert_array_equal(pooled.theta, np.full(8, pooled.mu))
    np.testing.assert_array_equal(pooled.shrinkage, np.ones(8))


def test_complete_pooling_is_the_mean_of_all_observations_when_sigma_is_common():
    sim = simulate(J=15, n=(2, 40), tau=1.0, sigma=2.0, seed=5)
    summary = summarize(sim.values, sim.groups, sigma=2.0)
    assert complete_pool(summary.ybar, summary.v).mu == pytest.approx(sim.values.mean(), rel=1e-12)


def test_no_pool_is_the_data():
    y = np.array([3.0, -1.0, 2.5])
    est = no_pool(y)
    np.testing.assert_array_equal(est.theta, y)
    np.testing.assert_array_equal(est.shrinkage, 0.0)
    assert est.var is None and est.mu is None
    np.testing.assert_array_equal(no_pool(y, [1.0, 2.0, 3.0]).var, [1.0, 2.0, 3.0])


def test_partial_pool_by_hand():
    # y = (0, 4), v = (1, 3), tau2 = 1: w = (1/2, 1/4), mu = (0 + 1) / (3/4) = 4/3,
    # B = (1/2, 3/4), theta = (0 + 1/2 * 4/3, 4 + 3/4 (4/3 - 4)) = (2/3, 2).
    est = partial_pool([0.0, 4.0], [1.0, 3.0], 1.0)
    assert est.mu == pytest.approx(4 / 3)
    assert est.mu_var == pytest.approx(4 / 3)
    np.testing.assert_allclose(est.shrinkage, [0.5, 0.75])
    np.testing.assert_allclose(est.theta, [2 / 3, 2.0])
    # V_j = v_j (1 - B_j) + B_j^2 Var(mu): (1/2 + 1/4 * 4/3, 3/4 + 9/16 * 4/3) = (5/6, 3/2)
    np.testing.assert_allclose(est.var, [5 / 6, 1.5])


def test_given_mu_uses_it_and_drops_its_variance():
    est = partial_pool([0.0, 4.0], [1.0, 3.0], 1.0, mu=10.0)
    assert est.mu == 10.0 and est.mu_var == 0.0
    np.testing.assert_allclose(est.theta, [5.0, 4.0 + 0.75 * 6.0])
    np.testing.assert_allclose(est.var, [0.5, 0.75])


def test_tau2_zero_is_complete_pooling_exactly(eight_schools):
    y, v = eight_schools
    est, pooled = partial_pool(y, v, 0.0), complete_pool(y, v)
    np.testing.assert_array_equal(est.theta, pooled.theta)
    np.testing.assert_array_equal(est.var, pooled.var)
    assert est.mu == pooled.mu


def test_tau2_infinite_is_no_pooling_exactly(eight_schools):
    y, v = eight_schools
    est = partial_pool(y, v, math.inf)
    np.testing.assert_array_equal(est.theta, y)
    np.testing.assert_array_equal(est.var, v)
    np.testing.assert_array_equal(est.shrinkage, 0.0)


def test_agrees_with_statsmodels_blups():
    # MixedLM's predicted random effects plus its intercept are the partial-pool estimates
    # at its own (tau^2, sigma^2), an independent implementation of the same formula.
    sm = pytest.importorskip("statsmodels.formula.api")
    import pandas as pd

    sim = simulate(J=30, n=(3, 20), tau=0.8, mu=1.0, sigma=1.2, seed=2)
    frame = pd.DataFrame({"y": sim.values, "g": sim.groups})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.mixedlm("y ~ 1", frame, groups="g").fit(reml=True, method="cg", gtol=1e-10)
    tau2, sigma2 = float(fit.cov_re.iloc[0, 0]), float(fit.scale)
    summary = summarize(sim.values, sim.groups, sigma=math.sqrt(sigma2))
    est = partial_pool(summary.ybar, summary.v, tau2)
    blup = float(fit.fe_params.iloc[0]) + np.array(
        [fit.random_effects[j].iloc[0] for j in range(30)]
    )
    np.testing.assert_allclose(est.theta, blup, rtol=1e-8)
    assert est.mu == pytest.approx(float(fit.fe_params.iloc[0]), rel=1e-8)


def test_estimate_converts_to_its_theta():
    est = partial_pool([1.0, 2.0, 3.0], 1.0, 0.5)
    np.testing.assert_array_equal(np.asarray(est), est.theta)


# --- invariants --------------------------------------------------------------------------------


@given(groups(), tau2s)
def test_shrinkage_in_unit_interval_and_theta_between_y_and_mu(data, tau2):
    y, v = data
    est = partial_pool(y, v, tau2)
    assert np.all((est.shrinkage >= 0) & (est.shrinkage <= 1))
    lo, hi = np.minimum(y, est.mu), np.maximum(y, est.mu)
    tol = 1e-9 * (np.abs(y) + abs(est.mu) + 1)
    assert np.all((est.theta >= lo - tol) & (est.theta <= hi + tol))
    assert np.all(est.var > 0) and np.all(np.isfinite(est.var))


@given(groups(min_size=2))
def test_limits_in_tau2(data):
    y, v = data
    scale = np.ptp(y) + 1.0
    tiny = partial_pool(y, v, 1e-12 * v.min())
    huge = partial_pool(y, v, 1e12 * (v.max() + scale**2))
    np.testing.assert_allclose(tiny.theta, complete_pool(y, v).theta, atol=1e-8 * scale)
    np.testing.assert_allclose(huge.theta, y, atol=1e-8 * scale)


@given(groups(), tau2s, st.randoms(use_true_random=False))
def test_order_of_groups_does_not_matter(data, tau2, rnd):
    y, v = data
    order = list(range(y.size))
    rnd.shuffle(order)
    a = partial_pool(y, v, tau2)
    b = partial_pool(y[order], v[order], tau2)
    np.testing.assert_allclose(b.theta, a.theta[order], rtol=1e-10, atol=1e-10 * (np.ptp(y) + 1))
    assert b.mu == pytest.approx(a.mu, rel=1e-10, abs=1e-10 * (np.ptp(y) + 1))


@given(groups(), tau2s, st.floats(-1e3, 1e3))
def test_shifting_data_shifts_every_estimate(data, tau2, c):
    y, v = data
    a = partial_pool(y, v, tau2)
    b = partial_pool(y + c, v, tau2)
    atol = 1e-9 * (np.abs(y).max() + abs(c) + 1)
    np.testing.assert_allclose(b.theta, a.theta + c, atol=atol)
    np.testing.assert_allclose(b.var, a.var, rtol=1e-12)
    np.testing.assert_allclose(complete_pool(y + c, v).mu, complete_pool(y, v).mu + c, atol=atol)


@given(groups(), tau2s, st.floats(1e-3, 1e3) | st.floats(-1e3, -1e-3))
def test_scaling_data_scales_every_estimate(data, tau2, a):
    y, v = data
    base = partial_pool(y, v, tau2)
    scaled = partial_pool(a * y, a * a * v, a * a * tau2)
    np.testing.assert_allclose(
        scaled.theta, a * base.theta, rtol=1e-9, atol=1e-9 * abs(a) * (np.abs(y).max() + 1)
    )
    np.testing.assert_allclose(scaled.shrinkage, base.shrinkage, rtol=1e-12, atol=1e-15)


@given(unit_groups(min_size=1), st.floats(0.0, 1e2), SCALES)
def test_any_scale_scales_every_estimate(data, tau2, c):
    # Before: subnormal or tiny v gave NaN, and large y overflowed sum(y / v).
    y, v = data
    base = partial_pool(y, v, tau2)
    scaled = partial_pool(c * y, c * c * v, c * c * tau2)
    size = np.abs(y).max() + np.sqrt(v.max())
    np.testing.assert_allclose(scaled.theta / c, base.theta, rtol=1e-10, atol=1e-12 * size)
    np.testing.assert_allclose(scaled.var / (c * c), base.var, rtol=1e-10)
    np.testing.assert_allclose(scaled.shrinkage, base.shrinkage, rtol=1e-12)
    assert scaled.mu / c == pytest.approx(base.mu, rel=1e-10, abs=1e-12 * size)
    pooled = complete_pool(c * y, c * c * v)
    assert pooled.mu / c == pytest.approx(complete_pool(y, v).mu, rel=1e-10, abs=1e-12 * size)


def test_tiny_and_huge_variances_give_finite_estimates():
    # v = 1e-300 (1 / v^2 overflows), and y = 1e200 with v = 1e-300 (sum(y / v) overflowed).
    for y, v in (([1e-150, 3e-150, 2e-150], 1e-300), ([1e200, 1e200, 1e200], 1e-300)):
        est = partial_pool(y, v, 0.5 * v)
        assert np.all(np.isfinite(est.theta)) and np.all(np.isfinite(est.var))
        np.testing.assert_allclose(est.shrinkage, 2.0 / 3.0, rtol=1e-15)
        assert min(y) <= est.mu <= max(y)


def test_subnormal_variance_is_refused_by_name():
    with pytest.raises(ValueError, match=r"v must be >= 1e-305 .*got v\[1\] == 1e-310"):
        partial_pool([1.0, 2.0], [1.0, 1e-310], 1.0)


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tau2": -1.0}, "tau2 must be >= 0; got tau2 == -1.0"),
        ({"tau2": math.nan}, "tau2 must be finite; got tau2 == nan"),
        ({"tau2": "big"}, "tau2 must be a number"),
        ({"tau2": 1.0, "mu": math.inf}, "mu must be finite"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        partial_pool([1.0, 2.0], [1.0, 1.0], **kwargs)


def test_complete_pool_rejects_zero_variance():
    with pytest.raises(ValueError, match=r"v must be > 0 .*v\[0\] == 0.0"):
        complete_pool([1.0, 2.0], [0.0, 1.0])
