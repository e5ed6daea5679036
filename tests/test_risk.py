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
