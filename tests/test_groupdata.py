"""GroupData from a simulation: sigma known, the truth kept."""

from __future__ import annotations

import numpy as np
import pytest

from partialpool import simulate
from partialpool.groupdata import (
    from_count_simulation,
    from_counts,
    from_estimates,
    from_simulation,
    own_interval,
)
from partialpool.simulate import simulate_binomial


def test_from_simulation_keeps_everything_known():
    sim = simulate(5, (2, 6), tau=0.7, mu=1.0, sigma=2.0, seed=4)
    data = from_simulation(sim)
    assert data.J == 5 and data.sigma == 2.0
    np.testing.assert_array_equal(data.n, sim.n)
    np.testing.assert_allclose(data.v, 4.0 / sim.n)
    np.testing.assert_array_equal(data.truth, sim.theta)
    np.testing.assert_array_equal(data.values, sim.values)
    np.testing.assert_allclose(data.y, np.bincount(sim.groups, weights=sim.values) / sim.n)
    assert list(data.labels) == [f"group {j}" for j in range(1, 6)]


def test_from_counts_weights_by_trials_and_guards_zero_rates():
    data = from_counts("binomial", ["a", "b", "c"], [0, 0, 0], [10, 20, 40], "none")
    assert np.all(data.v > 0) and np.all(data.y == 0)
    p = 0.5 / 71
    np.testing.assert_allclose(data.v, p * (1 - p) / np.array([10, 20, 40]))
    everything = from_counts("binomial", ["a", "b"], [3, 5], [3, 5], "all")
    assert np.all(everything.v > 0) and np.all(everything.y == 1)
    none = from_counts("poisson", ["a", "b"], [0, 0], [2.0, 3.0], "no events")
    np.testing.assert_allclose(none.v, 0.5 / 5 / np.array([2.0, 3.0]))


@pytest.mark.parametrize(
    ("kind", "counts", "size", "message"),
    [
        ("binomial", [1, 5], [3, 4], r"successes\[1\] = 5 exceeds trials\[1\] = 4"),
        ("binomial", [1, 2.5], [3, 4], r"successes\[1\] must be a whole number"),
        ("binomial", [1, 2], [3, 0], r"trials\[1\] must be a whole number >= 1"),
        ("poisson", [-1, 2], [3, 4], r"counts\[0\] must be a whole number >= 0"),
        ("poisson", [1, 2], [3, 0], r"exposure\[1\] must be > 0"),
        ("gaussian", [1, 2], [3, 4], "unknown kind of counts 'gaussian'"),
    ],
)
def test_from_counts_names_the_bad_group(kind, counts, size, message):
    with pytest.raises(ValueError, match=message):
        from_counts(kind, ["a", "b"], counts, size, "bad")


def test_from_estimates_labels_and_checks():
    data = from_estimates([1.0, 2.0], [0.5, 0.25])
    assert list(data.labels) == ["group 1", "group 2"] and data.counts is None
    with pytest.raises(ValueError):
        from_estimates([1.0, 2.0], [0.5, -1.0])


def test_own_intervals_are_jeffreys_for_counts_and_normal_for_estimates():
    from scipy import stats

    data = from_counts("binomial", ["a", "b", "c"], [0, 18, 7], [47, 148, 7], "three")
    lower, upper = own_interval(data)
    y, n = np.array([0, 18, 7]), np.array([47, 148, 7])
    # Brown, Cai and DasGupta (2001): Beta(y + 1/2, n - y + 1/2) quantiles, 0 (1) at y = 0 (n)
    np.testing.assert_allclose(lower[1:2], stats.beta.ppf(0.025, 18.5, 130.5), rtol=1e-9)
    np.testing.assert_allclose(upper[:2], stats.beta.ppf(0.975, y[:2] + 0.5, n[:2] - y[:2] + 0.5))
    assert lower[0] == 0.0 and upper[2] == 1.0
    rates = from_counts("poisson", ["a", "b"], [0, 5], [2.0, 94.3], "two")
    lower, upper = own_interval(rates)
    assert lower[0] == 0.0
    np.testing.assert_allclose(upper, stats.gamma.ppf(0.975, [0.5, 5.5]) / [2.0, 94.3], rtol=1e-9)
    estimates = from_estimates([1.0, 2.0], [4.0, 1.0])
    lower, upper = own_interval(estimates)
    np.testing.assert_allclose(upper - lower, 2 * 1.959963984540054 * np.array([2.0, 1.0]))


def test_simulated_counts_keep_their_true_rates():
    sim = simulate_binomial(40, (5, 50), tau=0.8, mean_rate=0.3, seed=2)
    data = from_count_simulation(sim)
    np.testing.assert_array_equal(data.truth, sim.rate)
    np.testing.assert_array_equal(data.counts.y, sim.successes)
    assert np.all((sim.successes >= 0) & (sim.successes <= sim.trials))
    assert np.all((sim.trials >= 5) & (sim.trials <= 50))
    same = simulate_binomial(40, (5, 50), tau=0.8, mean_rate=0.3, seed=2)
    np.testing.assert_array_equal(same.successes, sim.successes)
    pooled = simulate_binomial(2000, 100, tau=0.0, mean_rate=0.3, seed=3)
    np.testing.assert_allclose(pooled.rate, 0.3, rtol=1e-15)
    assert pooled.successes.mean() == pytest.approx(30.0, abs=0.3)  # sd of the mean 0.1
    with pytest.raises(ValueError, match="mean_rate must be between 0 and 1"):
        simulate_binomial(5, 10, tau=0.5, mean_rate=1.0)
