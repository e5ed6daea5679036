"""The posterior of tau without a browser: the core's exact posterior (`full_bayes`) under the
chosen prior, its interval and median, and why there is none when there is none."""

from __future__ import annotations

import math

import numpy as np
import pytest

from partialpool import estimate_tau2, full_bayes
from partialpool.app import PoolingState
from partialpool.app.posterior_view import DISPLAY_POINTS, PosteriorView

from .layout import bokeh_model, column, html_text


@pytest.fixture
def state() -> PoolingState:
    return PoolingState(seed=5)


def caption(view: PosteriorView) -> str:
    return html_text(view, "posterior-text")


def test_the_density_and_interval_are_the_cores_posterior(state):
    state.source = "eight_schools"
    view = PosteriorView(state=state)
    y, v = state.data.y, state.data.v
    fb = full_bayes(y, v, "uniform")
    tau, density = np.array(column(view, "posterior", "tau")), column(view, "posterior", "density")
    assert tau.size == DISPLAY_POINTS and tau[0] == 0.0 and tau[-1] == state.tau_max
    np.testing.assert_allclose(density, np.interp(tau, fb.tau_grid, fb.tau_density), rtol=1e-12)
    inside = float(np.interp(state.tau_max, fb.tau_grid, fb.tau_cdf))
    assert np.trapezoid(density, tau) == pytest.approx(inside, rel=2e-3)
    low, median, high = fb.tau_quantiles([0.025, 0.5, 0.975])
    shade = column(view, "posterior_interval", "tau")
    assert shade[0] == pytest.approx(low) and shade[-1] == pytest.approx(high)
    marks = column(view, "posterior_marks", "x")
    assert marks[1] == pytest.approx(math.sqrt(estimate_tau2(y, v, "HE")), rel=1e-12)
    assert marks[3] == pytest.approx(median)
    text = caption(view)
    assert f"<b class='tau-median'>{median:.3g}</b>" in text
    assert f"tau_hat = {marks[1]:.3g} (HE)" in text


def test_a_half_cauchy_prior_is_drawn_and_the_posterior_follows_it(state):
    state.source = "eight_schools"
    view = PosteriorView(state=state)
    state.prior = "half-cauchy"
    s = state.prior_scale
    assert column(view, "posterior", "prior")[0] == pytest.approx(2 / (np.pi * s))
    fb = full_bayes(state.data.y, state.data.v, "half-cauchy", s)
    median = fb.tau_quantiles(0.5)
    assert column(view, "posterior_marks", "x")[3] == pytest.approx(median)
    assert f"half-Cauchy(0, {s:.3g})" in caption(view)


def test_a_tau_move_moves_only_the_sliders_mark(state):
    view = PosteriorView(state=state)
    density = bokeh_model(view, "posterior")
    drawn = density.data
    tau = float(state.comparison.path.tau[30])
    state.tau = tau
    assert column(view, "posterior_marks", "x")[0] == tau
    assert density.data is drawn


def test_a_missing_posterior_is_explained(state):
    view = PosteriorView(state=state)
    state.upload(b"group,estimate,se\na,1.0,0.5\nb,3.0,0.8\n", "two.csv")
    assert not bokeh_model(view, "posterior_figure").visible
    assert "half-Cauchy" in caption(view)
    state.prior = "half-cauchy"
    assert bokeh_model(view, "posterior_figure").visible


def test_a_student_t_population_has_no_posterior_and_says_so(state):
    view = PosteriorView(state=state)
    state.population = "student-t"
    assert not bokeh_model(view, "posterior_figure").visible
    assert state.comparison.posterior_problem in caption(view)
    assert "no exact full-Bayes posterior" in caption(view)
    state.population = "normal"
    assert bokeh_model(view, "posterior_figure").visible
    assert "tau-median" in caption(view)


def test_a_tau_move_without_a_posterior_draws_nothing_and_raises_nothing():
    state = PoolingState(population="student-t", outlier=True)
    view = PosteriorView(state=state)
    assert state.comparison.posterior is None and not view._figure.visible
    state.tau = float(state.comparison.path.tau[9])
    assert "no exact full-Bayes posterior" in view._caption.text
