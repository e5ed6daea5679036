"""The shrinkage paths without a browser: the core's partial pooling along the tau grid, and
at the slider's tau the pooled estimates and B_j on the curve they lie on."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partialpool import fit_t, partial_pool, partial_pool_path
from partialpool.app import PoolingState
from partialpool.app.paths_view import (
    LABEL_PIXELS,
    MAX_LABELLED,
    PATHS_PLOT_PIXELS,
    ShrinkagePathsView,
    spread,
)
from partialpool.student_t import partial_pool_t_path

from .layout import bokeh_model, column


@pytest.fixture
def state() -> PoolingState:
    return PoolingState(seed=5)


def test_the_paths_are_the_cores_pooling_along_the_grid(state):
    view = ShrinkagePathsView(state=state)
    y, v = state.data.y, state.data.v
    grid = np.array(column(view, "paths_mu", "tau"))
    np.testing.assert_array_equal(grid, state.comparison.path.tau)
    expected = partial_pool_path(y, v, grid)
    np.testing.assert_allclose(np.array(column(view, "paths", "ys")), expected.theta.T, rtol=1e-12)
    np.testing.assert_allclose(column(view, "paths_mu", "mu"), expected.mu, rtol=1e-12)
    assert len(column(view, "paths_ends", "label")) == state.data.J <= MAX_LABELLED


def test_a_tau_move_moves_the_circles_and_the_shrinkage_not_the_paths(state):
    view = ShrinkagePathsView(state=state)
    paths = bokeh_model(view, "paths")
    drawn = paths.data
    tau = float(state.comparison.path.tau[60])
    state.tau = tau
    assert paths.data is drawn
    assert column(view, "paths_marks", "x")[0] == tau
    fit = partial_pool(state.data.y, state.data.v, tau**2)
    np.testing.assert_allclose(column(view, "paths_now", "theta"), fit.theta, rtol=1e-12)
    np.testing.assert_allclose(column(view, "shrinkage_points", "b"), fit.shrinkage, rtol=1e-12)
    # the drawn curve B(n) passes through every group's (n_j, B_j)
    x, b = column(view, "shrinkage_curve", "x"), column(view, "shrinkage_curve", "b")
    np.testing.assert_allclose(np.interp(state.data.n, x, b), fit.shrinkage, atol=2e-3)


def test_a_tau_move_leaves_the_comparison_another_session_shares_as_it_was(state):
    ShrinkagePathsView(state=state).__panel__().get_root()
    shared = state.comparison
    before = shared.pooled.shrinkage.copy()
    state.tau = float(shared.path.tau[60])
    other = PoolingState(seed=5).comparison  # a new session: shared with this one
    assert other.pooled is shared.pooled
    np.testing.assert_array_equal(other.pooled.shrinkage, before)


def test_at_tau_zero_every_group_is_pooled_fully(state):
    view = ShrinkagePathsView(state=state)
    state.tau = 0.0
    assert set(column(view, "shrinkage_points", "b")) == {1.0}
    assert set(column(view, "shrinkage_curve", "b")) == {1.0}


def test_the_shrinkage_axis_is_se_without_a_common_sigma(state):
    view = ShrinkagePathsView(state=state)
    state.source = "eight_schools"
    np.testing.assert_array_equal(column(view, "shrinkage_points", "x"), np.sqrt(state.data.v))
    assert bokeh_model(view, "shrinkage_b_figure").xaxis[0].axis_label == "standard error se_j"
    assert column(view, "paths_ends", "label") == list(state.data.labels)


def test_under_a_student_t_population_the_paths_are_the_ts(state):
    view = ShrinkagePathsView(state=state)
    state.population = "student-t"
    y, v = state.data.y, state.data.v
    grid = np.array(column(view, "paths_mu", "tau"))
    expected = partial_pool_t_path(y, v, grid, 4.0, fit_t(y, v, 4.0).mu)
    np.testing.assert_allclose(np.array(column(view, "paths", "ys")), expected.theta.T, rtol=1e-9)


@given(
    st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=12),
    st.floats(1e-3, 10.0),
)
def test_spread_labels_keep_their_order_and_gap_and_stay_centred(y, gap):
    y = np.array(y)
    z = spread(y, gap)
    order = np.argsort(y, kind="stable")
    assert np.all(np.diff(z[order]) >= gap * (1 - 1e-9) - 1e-9 * np.abs(z).max())
    assert np.mean(z) == pytest.approx(np.mean(y), abs=1e-9 * (1 + np.abs(y).max() + gap * y.size))
    if y.size > 1 and np.all(np.diff(np.sort(y)) >= gap):
        np.testing.assert_allclose(z, y, atol=1e-9 * (1 + np.abs(y).max()))  # far apart already


def test_end_labels_of_close_paths_do_not_overlap():
    view = ShrinkagePathsView(state=PoolingState(seed=3))
    ends = column(view, "paths_ends", "y")
    y_range = bokeh_model(view, "paths_figure").y_range
    pixels = np.diff(np.sort(ends)) / (y_range.end - y_range.start) * PATHS_PLOT_PIXELS
    assert np.all(pixels >= LABEL_PIXELS - 1e-6)
