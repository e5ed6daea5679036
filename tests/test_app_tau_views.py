"""The views along tau (risk curve, posterior of tau, shrinkage paths) and the full-Bayes glyph,
without a browser: each source holds the state's numbers and a tau move updates them in place."""

from __future__ import annotations

import numpy as np
import pytest

from partialpool import james_stein
from partialpool.app import PoolingState
from partialpool.app.figure import FADED_ALPHA, FULL_BAYES_OFFSET, ShrinkageFigure
from partialpool.app.paths_view import ShrinkagePathsView
from partialpool.app.posterior_view import PosteriorView
from partialpool.app.risk_view import RiskCurveView
from partialpool.results import Z_95


@pytest.fixture
def state() -> PoolingState:
    return PoolingState(seed=5)


def test_risk_curve_holds_the_states_curve_and_the_tables_value(state):
    view = RiskCurveView(state=state)
    np.testing.assert_array_equal(view._curve.data["mse"], state.risk.mse)
    assert list(view._limits.data["y"]) == [state.risk.no_pool, state.risk.complete_pool]
    state.tau = 1.234
    assert view._marks.source.data["x"][0] == 1.234
    assert view._at_tau.data == {"tau": [1.234], "mse": [state.errors["partial_pool"]]}
    assert view._x_range.end == state.tau_max
    assert f"{state.risk.tau[np.argmin(state.risk.mse)]:.3g}" in view._caption.object


def test_risk_curve_says_why_it_is_missing_without_truth(state):
    view = RiskCurveView(state=state)
    state.source = "eight_schools"
    assert not view._figure.visible
    assert "risk-no-truth" in view._caption.object
    state.source = "efron_morris"
    assert view._figure.visible
    np.testing.assert_array_equal(view._curve.data["mse"], state.risk.mse)


def test_posterior_view_draws_the_cores_density_and_interval(state):
    state.source = "eight_schools"
    view = PosteriorView(state=state)
    fb = state.posterior
    tau, density = view._density.data["tau"], view._density.data["density"]
    assert tau[-1] == state.tau_max
    inside = float(np.interp(state.tau_max, fb.tau_grid, fb.tau_cdf))
    assert np.trapezoid(density, tau) == pytest.approx(inside, rel=2e-3)
    low, median, high = fb.tau_quantiles([0.025, 0.5, 0.975])
    shade = view._interval.data["tau"]
    assert shade[0] == pytest.approx(low) and shade[-1] == pytest.approx(high)
    assert view._marks.source.data["x"][3] == pytest.approx(median)
    assert f"{median:.3g}" in view._caption.object
    state.prior = "half-cauchy"
    prior = view._density.data["prior"]
    s = state.prior_scale
    assert prior[0] == pytest.approx(2 / (np.pi * s))
    state.tau = 12.0
    assert view._marks.source.data["x"][0] == 12.0


def test_posterior_view_explains_a_missing_posterior(state):
    view = PosteriorView(state=state)
    state.upload(b"group,estimate,se\na,1.0,0.5\nb,3.0,0.8\n", "two.csv")
    assert not view._figure.visible
    assert "half-Cauchy" in view._caption.object
    state.prior = "half-cauchy"
    assert view._figure.visible


def test_paths_follow_the_state_and_the_slider(state):
    view = ShrinkagePathsView(state=state)
    ys = np.array(view._paths.data["ys"])
    np.testing.assert_array_equal(ys, state.path.theta.T)
    state.tau = 0.8
    assert view._marks.source.data["x"][0] == 0.8
    np.testing.assert_array_equal(view._now.data["theta"], state.fit.theta)
    np.testing.assert_array_equal(view._points.data["b"], state.fit.shrinkage)
    # the drawn curve B(n) passes through every group's (n_j, B_j)
    curve = np.interp(state.data.n, view._curve.data["x"], view._curve.data["b"])
    np.testing.assert_allclose(curve, state.fit.shrinkage, atol=2e-3)


def test_paths_use_se_without_a_common_sigma(state):
    view = ShrinkagePathsView(state=state)
    state.source = "eight_schools"
    np.testing.assert_array_equal(view._points.data["x"], np.sqrt(state.data.v))
    assert view._b_fig.xaxis[0].axis_label == "standard error se_j"
    assert list(view._ends.data["label"]) == list(state.data.labels)


def test_full_bayes_glyph_is_the_posterior_and_follows_the_toggle(state):
    view = ShrinkageFigure(state=state)
    renderers = view._toggled["show_full_bayes"]
    assert not any(r.visible for r in renderers)
    state.show_full_bayes = True
    assert all(r.visible for r in renderers)
    fb = state.posterior
    groups = view._groups.data
    np.testing.assert_array_equal(groups["fb_mean"], fb.theta_mean)
    np.testing.assert_allclose(groups["fb_high"], fb.theta_mean + Z_95 * fb.theta_sd)
    state.prior = "half-cauchy"
    np.testing.assert_array_equal(view._groups.data["fb_mean"], state.posterior.theta_mean)
    items = [i for i in view._figure.legend[0].items if i.renderers[0] in renderers]
    assert items and all(i.visible for i in items)


def test_james_stein_glyphs_are_the_cores_estimates_and_follow_the_toggle(state):
    view = ShrinkageFigure(state=state)
    renderers = view._toggled["show_james_stein"]
    assert not any(r.visible for r in renderers)
    state.show_james_stein = True
    assert all(r.visible for r in renderers)
    y, v = state.data.y, state.data.v
    groups = view._groups.data
    np.testing.assert_array_equal(groups["js0"], james_stein(y, v, "zero").theta)
    np.testing.assert_array_equal(groups["js_mean"], james_stein(y, v, "mean").theta)
    np.testing.assert_array_equal(groups["js_row"], state.order - FULL_BAYES_OFFSET)
    items = [i for i in view._figure.legend[0].items if i.renderers[0] in renderers]
    assert len(items) == 2 and all(i.visible for i in items)


@pytest.mark.parametrize("structure", ["separate", "pooled", "hierarchical"])
def test_the_structure_fades_the_estimates_it_does_not_use(state, structure):
    view = ShrinkageFigure(state=state)
    state.structure = structure
    shown = {"separate": ["no_pool"], "pooled": ["complete_pool"]}.get(
        structure, ["no_pool", "complete_pool", "partial_pool"]
    )
    for name, renderers in view._estimators.items():
        for renderer, alpha in renderers:
            expected = alpha if name in shown else FADED_ALPHA * alpha
            assert renderer.glyph.line_alpha == pytest.approx(expected)


def test_the_posterior_says_it_is_the_normal_models_under_a_t_population(state):
    view = PosteriorView(state=state)
    assert "normal-only" not in view._caption.object
    state.population = "student-t"
    assert "normal-only" in view._caption.object
    assert "Student-t marginal ML" in view._caption.object
    # two groups: the t falls back to the Normal, whose posterior this then is
    state.prior = "half-cauchy"
    assert state.upload(b"group,estimate,se\nA,1,1\nB,3,1\n", "two.csv")
    assert state.population_problem
    assert "normal-only" not in view._caption.object
    assert f"({state.method})" in view._caption.object
