"""The ridge view: ridge at lambda = sigma^2 / tau^2 and the hierarchical posterior mean, drawn
on the same design, follow the tau slider together."""

from __future__ import annotations

import math

import numpy as np
import pytest

from partialpool.app import PoolingState
from partialpool.app.ridge_view import COEFFICIENTS, OBSERVATIONS, RidgeView
from partialpool.ridge import hierarchical_posterior, ridge, simulate_design


@pytest.mark.parametrize("tau", [0.05, 0.5, 2.0])
def test_ridge_and_the_posterior_mean_coincide_at_the_sliders_tau(tau):
    state = PoolingState(seed=5)
    view = RidgeView(state=state)
    state.tau = tau
    columns = view._coefficients.data
    design = simulate_design(OBSERVATIONS, COEFFICIENTS, tau=1.0, sigma=1.0, seed=5)
    np.testing.assert_array_equal(columns["truth"], design.beta)
    expected = ridge(design.X, design.y, 1.0 / tau**2)
    np.testing.assert_allclose(columns["ridge"], expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(columns["post"], expected, rtol=1e-10, atol=1e-12)
    post = hierarchical_posterior(design.X, design.y, 1.0, tau)
    np.testing.assert_allclose(columns["high"] - columns["low"], 2 * 1.959963984540054 * post.sd)
    np.testing.assert_allclose(columns["ols"], np.linalg.lstsq(design.X, design.y)[0])
    assert f"{1.0 / tau**2:.3g}" in view._caption.object
    assert "lasso" in view._caption.object


def test_tau_zero_is_an_infinite_penalty_and_every_coefficient_zero():
    state = PoolingState()
    view = RidgeView(state=state)
    state.tau = 0.0
    assert not np.any(view._coefficients.data["ridge"])
    assert "∞" in view._caption.object


def test_the_design_follows_the_datas_noise_scale_and_the_range_holds_during_a_drag():
    state = PoolingState(source="eight_schools")
    view = RidgeView(state=state)
    scale = math.sqrt(float(np.median(state.data.v)))
    assert view._design.sigma == pytest.approx(scale)
    start, end = view._y_range.start, view._y_range.end
    state.tau = 3.0
    assert (view._y_range.start, view._y_range.end) == (start, end)
    assert f"{scale**2 / 9.0:.3g}" in view._caption.object
