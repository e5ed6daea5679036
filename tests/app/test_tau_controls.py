"""The tau controls without a browser: the slider follows the state and sets it when let go,
its steps are the grid's, the readout rows are the core's numbers, and tau_hat and the true tau
are marked under the slider's track."""

from __future__ import annotations

import math

import numpy as np
import pytest

from partialpool import ridge_penalty
from partialpool.app import PoolingState
from partialpool.app.main_views import main_views
from partialpool.app.state import TAU_STEPS
from partialpool.app.style import FITTED, TRUTH
from partialpool.app.tau_controls import TauControls, scale_marks


@pytest.fixture
def state() -> PoolingState:
    return PoolingState()


def test_the_slider_follows_the_state_and_sets_it_when_let_go(state):
    controls = main_views(state).controls  # the readout's text comes with the page's rows
    state.param.trigger("fit_tau")
    assert controls.slider.value == state.comparison.fit.tau
    assert f"{state.comparison.fit.tau:.4g}" in controls.readout.text
    controls.slider.trigger("value_throttled", None, 0.25)  # what the page sends on release
    assert state.tau == 0.25
    state.tau_true = 4.0
    assert controls.slider.end == state.tau_max >= 4.0
    assert controls.slider.step == pytest.approx(state.tau_max / TAU_STEPS)
    # every slider step is a row of the grid the page looks up
    steps = np.arange(TAU_STEPS + 1) * controls.slider.step
    grid = state.comparison.path.tau
    assert np.all(np.min(np.abs(steps[:, None] - grid[None, :]), axis=1) <= 1e-12 * grid[-1])


def test_each_readout_row_is_the_cores_shrinkage_penalty_and_mean(state):
    controls = TauControls(state=state)
    c = state.comparison
    rows = controls.readout_rows(c)
    assert len(rows) == c.path.tau.size
    i, j = int(np.argmax(state.data.v)), int(np.argmin(state.data.v))
    for k in (0, 40, len(rows) - 1):
        tau, b = c.path.tau[k], c.path.shrinkage[k]
        assert f"<b>tau = {tau:.4g}</b>" in rows[k]
        assert f"<span class='b-small'>{b[i]:.3f}</span>" in rows[k]
        assert f"<span class='b-large'>{b[j]:.3f}</span>" in rows[k]
        assert f"(n = {state.data.n[j]})" in rows[k]
        lam = ridge_penalty(state.sigma, tau)
        assert ("∞" if math.isinf(lam) else f"{lam:.3g}") in rows[k]
        assert f"mu_hat = {c.path.mu[k]:.4g}" in rows[k]


def test_the_readout_names_the_population_in_use(state):
    controls = main_views(state).controls
    assert "(HE)" in controls.readout.text and not controls._method.disabled
    state.population = "student-t"
    assert "(marginal ML, Student-t population with nu = 4)" in controls.readout.text
    assert controls._method.disabled  # the tau^2 estimator is not used
    # with two groups the t cannot be fitted and the Normal is shown: say so, and let the
    # estimator be chosen again
    assert state.upload(b"group,estimate,se\nA,1,1\nB,3,1\n", "two.csv")
    assert state.population_problem and "(HE)" in controls.readout.text
    assert "Student-t" not in controls.readout.text and not controls._method.disabled


def test_tau_hat_and_the_true_tau_are_marked_at_their_share_of_the_slider(state):
    controls = TauControls(state=state)
    end, tau_hat = state.tau_max, state.comparison.fit.tau
    assert f"left: {100 * tau_hat / end:.4f}%; top: 0px" in controls.scale.text
    assert f"left: {100 * state.tau_true / end:.4f}%; top: 16px" in controls.scale.text
    assert f"tau_hat = {tau_hat:.4g}" in controls.scale.text
    state.seed = 3  # new data: a new tau_hat, marked anew
    assert f"tau_hat = {state.comparison.fit.tau:.4g}" in controls.scale.text
    assert state.upload(b"group,estimate,se\nA,1,1\nB,3,1\nC,-2,1\n", "three.csv")
    assert "true tau" not in controls.scale.text  # uploads have no truth


def test_scale_marks_flip_their_label_past_the_middle_and_escape_it():
    html = scale_marks(4.0, [(1.0, FITTED, "a<b"), (3.0, TRUTH, "c"), (float("nan"), TRUTH, "d")])
    assert "class='tau-mark right' style='left: 25.0000%" in html
    assert "class='tau-mark left' style='left: 75.0000%" in html
    assert "a&lt;b" in html and ">d<" not in html
    assert "left: 100.0000%" in scale_marks(1.0, [(7.0, FITTED, "beyond the end")])


def test_at_tau_zero_a_t_population_names_two_groups_not_one():
    state = PoolingState(population="student-t", outlier=True)
    controls = TauControls(state=state)
    first = controls.readout_rows(state.comparison)[0]  # the grid starts at tau = 0
    labels = state.data.labels
    least, most = labels[np.argmax(state.data.v)], labels[np.argmin(state.data.v)]
    assert f"1.000</span> for {least} to" in first and f"1.000</span> for {most};" in first
