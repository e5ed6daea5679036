"""mse, and the Monte Carlo claim the app is built on: partial pooling beats no pooling."""

from __future__ import annotations

import numpy as np
import pytest

from partialpool import (
    complete_pool,
    estimate_tau2,
    james_stein,
    mse,
    no_pool,
    partial_pool,
    partial_pool_path,
    partial_pool_t,
    partial_pool_t_path,
    path_risk,
    risk_curve,
    simulate,
    summarize,
)


def test_mse_is_the_mean_squared_difference():
    assert mse([1.0, 2.0, 4.0], [1.0, 0.0, 1.0]) == pytest.approx((0 + 4 + 9) / 3)


def test_mse_accepts_result_objects():
    y, v = np.array([1.0, 2.0, 3.0, 7.0]), np.ones(4)
    truth = np.zeros(4)
    assert mse(partial_pool(y, v, 1.0), truth) == mse(partial_pool(y, v, 1.0).theta, truth)
    assert mse(james_stein(y), truth) == mse(james_stein(y).theta, truth)


@pytest.mark.parametrize(
    ("estimate", "truth", "message"),
    [
        ([1.0, 2.0], [1.0], "same length; got 2 and 1"),
        ([], [], "estimate must not be empty"),
        ([1.0, np.nan], [1.0, 2.0], r"estimate must be finite; got estimate\[1\] == nan"),
    ],
)
def test_mse_bad_input_is_named(estimate, truth, message):
    with pytest.raises(ValueError, match=message):
        mse(estimate, truth)


@pytest.mark.parametrize("method", ["HE", "REML"])
def test_partial_pooling_with_estimated_tau_beats_no_pooling_on_average(method):
    # tau_true = sigma / 2 with 2..20 observations per group: the regime the app opens in.
    rng = np.random.default_rng(20261125)
    losses = {"none": [], "complete": [], "partial": []}
    for _ in range(400):
        sim = simulate(12, (2, 20), tau=0.5, mu=1.0, sigma=1.0, seed=rng)
        s = summarize(sim.values, sim.groups, sigma=1.0)
        tau2 = estimate_tau2(s.ybar, s.v, method=method)
        losses["none"].append(mse(no_pool(s.ybar), sim.theta))
        losses["complete"].append(mse(complete_pool(s.ybar, s.v), sim.theta))
        losses["partial"].append(mse(partial_pool(s.ybar, s.v, tau2), sim.theta))
    mean = {k: np.mean(x) for k, x in losses.items()}
    se = np.std(np.subtract(losses["none"], losses["partial"])) / np.sqrt(400)
    assert mean["none"] - mean["partial"] > 5 * se
    assert mean["partial"] < mean["complete"]


def test_risk_curve_is_the_mse_of_partial_pool_at_each_tau():
    sim = simulate(J=12, n=(2, 40), tau=0.5, seed=27)
    s = summarize(sim.values, sim.groups, sigma=1.0)
    tau = np.linspace(0.0, 3.0, 41)
    curve = risk_curve(s.ybar, s.v, sim.theta, tau)
    for k in (0, 7, 40):
        expected = mse(partial_pool(s.ybar, s.v, tau[k] ** 2), sim.theta)
        assert curve.mse[k] == pytest.approx(expected, rel=1e-12)
    assert curve.no_pool == mse(no_pool(s.ybar), sim.theta)
    assert curve.complete_pool == pytest.approx(mse(complete_pool(s.ybar, s.v), sim.theta))
    assert curve.mse[0] == pytest.approx(curve.complete_pool, rel=1e-14)
    assert curve.best_tau == tau[np.argmin(curve.mse)]


@pytest.mark.parametrize("seed", range(5))
def test_risk_curve_minimum_is_no_higher_than_either_extreme(seed):
    sim = simulate(J=10, n=(1, 30), tau=0.4, seed=seed)
    s = summarize(sim.values, sim.groups, sigma=1.0)
    curve = risk_curve(s.ybar, s.v, sim.theta, np.concatenate([np.linspace(0, 5, 200), [1e7]]))
    assert curve.mse[-1] == pytest.approx(curve.no_pool, rel=1e-6)
    assert curve.mse.min() <= min(curve.no_pool, curve.complete_pool) * (1 + 1e-12)


def test_risk_curve_on_the_batting_averages():
    # Efron and Morris (1975) table 1: 45 at-bats against the rest of the season; at
    # tau_hat (method of moments) partial pooling's TSE is 0.290 of the raw averages'.
    from partialpool import datasets

    data = datasets.load("efron_morris")
    tau_hat = np.sqrt(estimate_tau2(data.y, data.v, "HE"))
    curve = risk_curve(data.y, data.v, data.truth, [tau_hat])
    assert round(curve.mse[0] / curve.no_pool, 3) == 0.290


def test_risk_curve_rejects_a_truth_of_the_wrong_length():
    with pytest.raises(ValueError, match="y and truth must have the same length; got 3 and 2"):
        risk_curve([1.0, 2.0, 3.0], 1.0, [0.0, 0.0], [0.5])


def test_path_risk_scores_any_path_and_is_what_risk_curve_uses():
    y = np.array([0.3, -1.2, 2.0, 0.8, 9.0])
    v = np.array([0.5, 1.0, 2.0, 0.7, 1.0])
    truth = np.array([0.0, -1.0, 1.5, 1.0, 3.0])
    grid = np.linspace(0.0, 3.0, 31)
    curve = risk_curve(y, v, truth, grid)
    same = path_risk(partial_pool_path(y, v, grid), y, v, truth)
    np.testing.assert_array_equal(same.mse, curve.mse)
    assert (same.no_pool, same.complete_pool) == (curve.no_pool, curve.complete_pool)
    t_path = partial_pool_t_path(y, v, grid, 3.0, 0.5)
    t_risk = path_risk(t_path, y, v, truth)
    for k in (0, 10, 30):
        assert t_risk.mse[k] == mse(partial_pool_t(y, v, grid[k], 3.0, 0.5), truth)
    assert t_risk.no_pool == curve.no_pool
    with pytest.raises(ValueError, match="same length"):
        path_risk(t_path, y, v, truth[:4])
