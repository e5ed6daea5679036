"""The app's state without a browser: it must show exactly what the core computes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from partialpool import complete_pool, estimate_tau2, mse, no_pool, partial_pool, simulate
from partialpool.app import SimulationState
from partialpool.app.state import row_order


def test_defaults_show_the_point():
    state = SimulationState()
    assert state.J == 12 and state.n_range == (2, 40) and state.tau_true == state.sigma / 2
    n = state.summary.n
    assert n.min() <= 5 and n.max() >= 30  # small and large groups coexist
    e = state.errors
    assert e["empirical_bayes"] < e["no_pool"] < e["complete_pool"]


def test_data_come_from_the_core():
    state = SimulationState(J=7, n_range=(3, 9), tau_true=0.8, sigma=2.0, mu=1.5, seed=5)
    sim = simulate(7, (3, 9), 0.8, 1.5, 2.0, seed=5)
    np.testing.assert_array_equal(state.simulation.values, sim.values)
    np.testing.assert_array_equal(state.summary.v, 4.0 / sim.n)


def test_moving_tau_changes_theta_hat_as_the_core_says():
    state = SimulationState()
    before = state.fit.theta.copy()
    state.tau = 0.123
    expected = partial_pool(state.summary.ybar, state.summary.v, 0.123**2)
    np.testing.assert_array_equal(state.fit.theta, expected.theta)
    np.testing.assert_array_equal(state.fit.shrinkage, expected.shrinkage)
    assert not np.allclose(state.fit.theta, before)


def test_tau_zero_and_large_reach_the_two_extremes():
    state = SimulationState()
    state.tau = 0.0
    grand_mean = complete_pool(state.summary.ybar, state.summary.v).mu
    np.testing.assert_allclose(state.fit.theta, grand_mean)
    assert math.isinf(state.ridge_penalty)
    state.tau = 1000.0
    np.testing.assert_allclose(state.fit.theta, state.summary.ybar, atol=1e-5)
    assert state.ridge_penalty == pytest.approx(state.sigma**2 / 1000.0**2)


@pytest.mark.parametrize("method", ["HE", "REML", "DL"])
def test_fit_sets_tau_to_the_cores_tau_hat(method):
    state = SimulationState(method=method, seed=8)
    state.tau = 2.0
    state.param.trigger("fit_tau")
    expected = math.sqrt(estimate_tau2(state.summary.ybar, state.summary.v, method))
    assert state.tau == state.tau_hat == pytest.approx(expected, rel=1e-15)


def test_mse_table_is_core_mse_of_each_estimator():
    state = SimulationState(seed=11)
    state.tau = 0.3
    y, v, theta = state.summary.ybar, state.summary.v, state.simulation.theta
    tau2_hat = estimate_tau2(y, v, "HE")
    assert state.errors == {
        "no_pool": mse(no_pool(y), theta),
        "complete_pool": mse(complete_pool(y, v), theta),
        "partial_pool": mse(partial_pool(y, v, 0.09), theta),
        "empirical_bayes": mse(partial_pool(y, v, tau2_hat), theta),
    }


def test_changing_method_refits_and_rescores():
    state = SimulationState(seed=3)
    he = state.tau_hat
    state.method = "REML"
    y, v = state.summary.ybar, state.summary.v
    assert state.tau_hat == pytest.approx(math.sqrt(estimate_tau2(y, v, "REML")))
    assert state.tau_hat != he
    eb = partial_pool(y, v, state.tau_hat**2)
    assert state.errors["empirical_bayes"] == pytest.approx(mse(eb, state.simulation.theta))


def test_same_seed_same_data_new_seed_new_data():
    a, b = SimulationState(seed=4), SimulationState(seed=4)
    np.testing.assert_array_equal(a.simulation.values, b.simulation.values)
    seed = a.seed
    a.param.trigger("new_data")
    assert a.seed != seed
    assert not np.array_equal(a.simulation.values, b.simulation.values)
    a.seed = 4
    np.testing.assert_array_equal(a.simulation.values, b.simulation.values)


def test_settings_resimulate_and_keep_tau():
    state = SimulationState()
    state.tau = 0.7
    state.param.update(J=40, n_range=(1, 3), sigma=2.0)
    assert state.summary.n.size == 40 and state.summary.n.max() <= 3
    assert state.tau == 0.7 and state.fit.theta.size == 40


def test_row_order_sorts_by_size_and_mean():
    state = SimulationState(seed=27)
    n, ybar = state.summary.n, state.summary.ybar
    np.testing.assert_array_equal(row_order(state.summary, "group"), np.arange(12))
    by_size = row_order(state.summary, "size")
    assert np.all(np.diff(n[np.argsort(by_size)]) >= 0)  # smallest group at the top
    by_mean = row_order(state.summary, "mean")
    assert np.all(np.diff(ybar[np.argsort(by_mean)]) <= 0)  # largest mean at the top
    state.sort = "size"
    np.testing.assert_array_equal(state.order, by_size)


@pytest.mark.parametrize(
    ("name", "value"),
    [("J", 2), ("J", 201), ("sigma", 0.0), ("tau", -0.1), ("n_range", (0, 5)), ("method", "X")],
)
def test_settings_out_of_range_are_refused(name, value):
    state = SimulationState()
    with pytest.raises(ValueError):
        setattr(state, name, value)
