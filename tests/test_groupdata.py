"""GroupData from a simulation: sigma known, the truth kept."""

from __future__ import annotations

import numpy as np

from partialpool import simulate
from partialpool.groupdata import from_simulation


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
