"""The page's rows for the tau slider: every row is the core's partial pooling at its tau, one
row per grid point, sent once per data or model change and never on a tau move."""

from __future__ import annotations

import numpy as np
import pytest

from partialpool import partial_pool
from partialpool.app import PoolingState
from partialpool.app.live_tau import LiveTau
from partialpool.app.main_views import main_views
from partialpool.student_t import partial_pool_t


def live(state: PoolingState) -> LiveTau:
    return main_views(state).live


@pytest.mark.parametrize("population", ["normal", "student-t"])
def test_every_row_is_the_cores_pooling_at_its_tau(population):
    state = PoolingState(J=40, population=population, outlier=True)
    rows = live(state).rows.data
    y, v = state.data.y, state.data.v
    mu = state.comparison.fit.mu
    assert state.comparison.fit.tau in rows["tau"] and state.tau in rows["tau"]
    for k in range(0, len(rows["tau"]), 17):
        tau = rows["tau"][k]
        if population == "normal":
            expected = partial_pool(y, v, tau**2)
        else:
            expected = partial_pool_t(y, v, tau, 4.0, mu)
        np.testing.assert_allclose(rows["theta"][k], expected.theta, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(rows["shrinkage"][k], expected.shrinkage, rtol=1e-9, atol=1e-12)


def test_rows_are_sent_on_new_data_or_toggles_not_on_a_tau_move():
    state = PoolingState()
    lookup = live(state)
    data = lookup.rows.data
    state.tau = float(state.comparison.path.tau[30])
    assert lookup.rows.data is data
    state.show_full_bayes = True
    assert lookup.rows.data is not data and "full_bayes" in lookup.rows.data["mse"][0]
    data = lookup.rows.data
    state.seed = 8
    assert lookup.rows.data is not data
    assert lookup.rows.data["readout"][0].startswith("<div class='tau-readout'><b>tau = 0</b>")


def test_the_payload_at_200_groups_is_under_2_mb():
    lookup = live(PoolingState(J=200))
    assert 200 * 201 * 16 < lookup.payload_bytes < 2_000_000
