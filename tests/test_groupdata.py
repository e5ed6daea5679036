"""GroupData from a simulation: sigma known, the truth kept."""

from __future__ import annotations

import numpy as np
import pytest

from partialpool import simulate
from partialpool.groupdata import from_counts, from_estimates, from_simulation


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
