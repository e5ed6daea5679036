"""The standalone page's state (`export.copy_state`): the session's settings, data and tau, in a
state of its own."""

from __future__ import annotations

import numpy as np

from partialpool.app import PoolingState
from partialpool.app.export import SETTINGS, copy_state


def test_a_copy_has_the_settings_data_and_tau_and_leaves_the_session_alone():
    state = PoolingState(J=20, seed=5, method="REML", population="student-t", nu=3.0)
    state.tau = 0.8
    watchers = dict(state.param.watchers)
    copy = copy_state(state)
    assert copy is not state
    assert all(getattr(copy, name) == getattr(state, name) for name in SETTINGS)
    assert copy.tau == 0.8 and copy.comparison.tau == state.comparison.tau
    np.testing.assert_array_equal(copy.data.y, state.data.y)
    np.testing.assert_allclose(copy.comparison.pooled.theta, state.comparison.pooled.theta)
    assert dict(state.param.watchers) == watchers


def test_a_copy_of_an_upload_shows_the_uploaded_data():
    state = PoolingState()
    assert state.upload(b"study,yi,vi\nA,1.5,0.25\nB,3.0,0.64\nC,2.0,0.16\n", "c.csv")
    copy = copy_state(state)
    assert copy.source == "upload" and copy.data is state.data
    assert copy.columns_used == state.columns_used
    assert copy.tau == state.tau
