"""The ridge view: ridge at lambda = sigma^2 / tau^2 and the hierarchical posterior mean, drawn
on the same design, follow the tau slider together."""

from __future__ import annotations

import math

import numpy as np
import pytest

from partialpool import ridge_penalty
from partialpool.app import PoolingState
from partialpool.app.ridge_view import COEFFICIENTS, OBSERVATIONS, RidgeView
from partialpool.pooling import Z_95
from partialpool.ridge import hierarchical_posterior, ridge, simulate_design

from .layout import bokeh_model, html_text


def coefficients(view: RidgeView) -> dict[str, np.ndarray]:
    return {k: np.asarray(c) for k, c in bokeh_model(view, "ridge_coefficients").data.items()}


def caption(view: RidgeView) -> str:
    return html_text(view, "ridge-caption")


@pytest.mark.parametrize("tau", [0.05, 0.5, 2.0])
def test_ridge_and_the_posterior_mean_coincide_at_the_sliders_tau(tau):
    state = PoolingState(seed=5)
    view = RidgeView(state=state)
    state.tau = tau
    columns = coefficients(view)
    design = simulate_design(OBSERVATIONS, COEFFICIENTS, tau=1.0, sigma=1.0, seed=5)
    np.testing.assert_array_equal(columns["truth"], design.beta)
    expected = ridge(design.X, design.y, ridge_penalty(1.0, tau))
    np.testing.assert_allclose(columns["ridge"], expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(columns["post"], expected, rtol=1e-10, atol=1e-12)
    post = hierarchical_posterior(design.X, design.y, 1.0, tau)
    np.testing.assert_allclose(columns["high"] - columns["low"], 2 * Z_95 * post.sd)
    np.testing.assert_allclose(columns["ols"], np.linalg.lstsq(design.X, design.y)[0])
    text = caption(view)
    assert f"<span class='ridge-lambda'>{ridge_penalty(1.0, tau):.3g}</span>" in text
    assert "lasso" in text


def test_tau_zero_is_an_infinite_penalty_and_every_coefficient_zero():
    state = PoolingState()
    view = RidgeView(state=state)
    state.tau = 0.0
    columns = coefficients(view)
    assert not np.any(columns["ridge"]) and not np.any(columns["high"] - columns["low"])
    assert "∞" in caption(view)


def test_the_design_follows_the_datas_noise_scale_and_the_range_holds_during_a_drag():
    state = PoolingState(source="eight_schools")
    view = RidgeView(state=state)
    scale = math.sqrt(float(np.median(state.data.v)))
    design = simulate_design(OBSERVATIONS, COEFFICIENTS, tau=scale, sigma=scale, seed=state.seed)
    np.testing.assert_array_equal(coefficients(view)["truth"], design.beta)
    assert f"noise sd sigma = {scale:.3g}" in caption(view)
    y_range = bokeh_model(view, "ridge_figure").y_range
    start, end = y_range.start, y_range.end
    state.tau = 3.0
    assert (y_range.start, y_range.end) == (start, end)
    assert f"{ridge_penalty(scale, 3.0):.3g}" in caption(view)


def test_a_new_seed_draws_a_new_design_for_any_data():
    state = PoolingState(source="eight_schools", seed=5)
    view = RidgeView(state=state)
    state.seed = 6
    scale = math.sqrt(float(np.median(state.data.v)))
    design = simulate_design(OBSERVATIONS, COEFFICIENTS, tau=scale, sigma=scale, seed=6)
    np.testing.assert_array_equal(coefficients(view)["truth"], design.beta)
