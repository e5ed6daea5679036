"""The risk curve without a browser: the core's MSE of partial pooling along the tau grid, the
two extremes, and a tau move that moves only the marks and the dot."""

from __future__ import annotations

import math

import numpy as np
import pytest

from partialpool import complete_pool, estimate_tau2, mse, no_pool, partial_pool
from partialpool.app import PoolingState
from partialpool.app.risk_view import FAR_ABOVE, RiskCurveView

from .layout import bokeh_model, column, html_text


@pytest.fixture
def state() -> PoolingState:
    return PoolingState(seed=5)


def test_the_curve_is_the_cores_mse_along_the_grid_beside_the_extremes(state):
    view = RiskCurveView(state=state)
    y, v, truth = state.data.y, state.data.v, state.data.truth
    tau, curve = np.array(column(view, "risk_curve", "tau")), column(view, "risk_curve", "mse")
    np.testing.assert_array_equal(tau, state.comparison.path.tau)
    assert tau[0] == 0.0 and tau[-1] == state.tau_max
    for k in (0, 57, tau.size - 1):
        assert curve[k] == pytest.approx(mse(partial_pool(y, v, tau[k] ** 2).theta, truth))
    assert column(view, "risk_limits", "y") == pytest.approx(
        [mse(no_pool(y).theta, truth), mse(complete_pool(y, v).theta, truth)], rel=1e-12
    )
    marks = column(view, "risk_marks", "x")
    assert marks[0] == state.tau
    assert marks[1] == pytest.approx(math.sqrt(estimate_tau2(y, v, "HE")), rel=1e-12)
    assert marks[2] == state.tau_true
    best = tau[int(np.argmin(curve))]
    assert f"<span class='best-tau'>{best:.3g}</span>" in html_text(view, "risk-caption")
    assert bokeh_model(view, "risk_figure").x_range.end == state.tau_max


def test_a_tau_move_on_the_grid_moves_the_marks_and_the_dot_only(state):
    view = RiskCurveView(state=state)
    curve = bokeh_model(view, "risk_curve")
    drawn = curve.data
    tau = float(state.comparison.path.tau[40])
    state.tau = tau
    assert curve.data is drawn  # not redrawn
    assert column(view, "risk_marks", "x")[0] == tau
    y, v, truth = state.data.y, state.data.v, state.data.truth
    at_tau = bokeh_model(view, "risk_at_tau").data
    assert list(at_tau["tau"]) == [tau]
    assert at_tau["mse"][0] == pytest.approx(mse(partial_pool(y, v, tau**2).theta, truth))


def test_a_tau_off_the_grid_joins_the_curve(state):
    view = RiskCurveView(state=state)
    state.tau = 0.1234
    assert 0.1234 in column(view, "risk_curve", "tau")
    assert column(view, "risk_marks", "x")[0] == 0.1234


def test_the_curve_says_why_it_is_missing_without_truth(state):
    view = RiskCurveView(state=state)
    state.source = "eight_schools"
    assert not bokeh_model(view, "risk_figure").visible
    assert "risk-no-truth" in html_text(view, "risk-caption")
    state.population = "normal"
    state.source = "efron_morris"
    assert bokeh_model(view, "risk_figure").visible
    y, v, truth = state.data.y, state.data.v, state.data.truth
    tau = column(view, "risk_curve", "tau")
    assert column(view, "risk_curve", "mse")[-1] == pytest.approx(
        mse(partial_pool(y, v, tau[-1] ** 2).theta, truth)
    )
    assert math.isnan(column(view, "risk_marks", "x")[2])  # no true tau to mark


def test_the_axis_keeps_the_dip_visible_when_complete_pooling_is_far_above():
    state = PoolingState(outlier=True)
    view = RiskCurveView(state=state)
    curve, mse_ = np.array(column(view, "risk_curve", "mse")), state.comparison.mse
    assert mse_["complete_pool"] > FAR_ABOVE * max(mse_["no_pool"], curve[np.argmin(curve) :].max())
    end = bokeh_model(view, "risk_figure").y_range.end
    assert end < mse_["complete_pool"] and end >= 1.3 * mse_["no_pool"]
    assert column(view, "risk_limits", "name")[1].endswith("above the axis)")
    state.outlier = False  # complete pooling close by: on the axis, named plainly
    assert column(view, "risk_limits", "name")[1] == "complete pooling"
    assert bokeh_model(view, "risk_figure").y_range.end >= state.comparison.mse["complete_pool"]
