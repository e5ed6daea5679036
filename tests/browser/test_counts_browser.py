"""Counts in Chromium: the surgical deaths under the binomial model on the proportion scale, the
slider moving the circles along the binomial path, the rankings and the predictive check, and
an upload of successes out of trials."""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import expect

from partialpool.app import PoolingState
from partialpool.app.state import SOURCES

from .conftest import SLIDER
from .test_data_browser import choose, upload, wait_for_labels
from .test_views_browser import open_tab

pytestmark = pytest.mark.browser


def test_surgical_deaths_on_the_proportion_scale(session):
    session.open("?data=surgical")
    state = PoolingState(source="surgical")
    assert state.model.key == "binomial"
    assert session.page.locator(".data-source select").input_value() == SOURCES["surgical"]
    x_label = session.page.evaluate(
        "() => Bokeh.documents[0].get_model_by_name('shrinkage_figure').below[0].axis_label"
    )
    assert x_label == "proportion y_j / n_j"
    np.testing.assert_allclose(session.column("groups", "ybar"), state.data.y, rtol=1e-15)
    np.testing.assert_allclose(
        session.column("groups", "theta_hat"), state.comparison.pooled.theta, rtol=1e-12
    )
    low = session.column("intervals", "low")
    assert low[0] == 0.0 and all(0.0 <= x < 1.0 for x in low)  # hospital A: 0 of 47
    readout = session.page.locator(".tau-readout")
    expect(readout).to_contain_text("on the logit scale, a rate of")
    session.drag_tau(200)
    tau = session.tau()
    assert tau > state.tau
    state.tau = tau
    session.page.wait_for_function(
        "(want) => Math.abs(Bokeh.documents[0].get_model_by_name('groups').data.theta_hat[0]"
        " - want) < 1e-12",
        arg=float(state.comparison.pooled.theta[0]),
    )
    np.testing.assert_allclose(
        session.column("groups", "theta_hat"), state.comparison.pooled.theta, rtol=1e-12
    )
    grid = state.comparison.path.tau
    expect(readout).to_contain_text(f"tau = {grid[np.argmin(np.abs(grid - tau))]:.4g}:")
    assert session.errors == []


def test_rankings_and_the_predictive_check_of_the_surgical_deaths(session):
    session.open("?data=surgical")
    state = PoolingState(source="surgical")
    rankings = state.comparison.rankings()
    open_tab(session, "Ranks", "caterpillar_figure")
    text = session.page.locator(".rankings-caption").inner_text()
    worst = state.data.labels[int(np.argmax(rankings.p_highest))]
    assert f"Highest: {worst} (probability {rankings.p_highest.max():.2f})" in text
    np.testing.assert_allclose(session.column("rankings", "p_highest"), rankings.p_highest)
    np.testing.assert_array_equal(session.column("rankings", "rank_upper"), rankings.rank_upper)
    open_tab(session, "Check", "check_figure")
    check = state.comparison.predictive_check()
    np.testing.assert_allclose(session.column("predictive_check", "p_value"), check.p_value)
    np.testing.assert_array_equal(session.column("predictive_check", "observed"), check.observed)
    caption = session.page.locator(".check-caption").inner_text()
    assert "replicated once per posterior draw" in caption
    assert session.errors == []


def test_an_upload_of_successes_out_of_trials_is_pooled_as_counts(session, tmp_path):
    session.open()
    choose(session, SOURCES["upload"])
    upload(
        session, tmp_path, "wards.csv", "group,successes,trials\nnorth,0,12\nsouth,7,30\neast,3,9\n"
    )
    wait_for_labels(session, ["north", "south", "east"])
    state = PoolingState()
    state.upload(b"group,successes,trials\nnorth,0,12\nsouth,7,30\neast,3,9\n", "wards.csv")
    assert state.model.key == "binomial"
    np.testing.assert_allclose(
        session.column("groups", "theta_hat"), state.comparison.pooled.theta, rtol=1e-12
    )
    assert session.errors == []


def test_a_slow_model_is_computed_off_the_loop_with_a_note(session, second_session):
    """200 simulated counts take the binomial path ~2 s to compute: meanwhile the page says
    so, and another session's Fit is answered (workers.off_the_loop)."""
    session.open("?J=200")
    second_session.open("?tau=2.0")
    choose(session, SOURCES["simulated_counts"])
    note = session.page.locator(".computing-note .computing")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Computing the estimates")
    second_session.page.locator(".fit-tau button").click()
    second_session.page.wait_for_function(f"() => {SLIDER}.value < 1.9")
    expect(note).to_be_hidden(timeout=60_000)
    state = PoolingState(J=200, source="simulated_counts")
    assert state.model.key == "binomial"
    np.testing.assert_allclose(
        session.column("groups", "theta_hat"), state.comparison.pooled.theta, rtol=1e-12
    )
    assert session.tau() == pytest.approx(state.tau, rel=1e-12)
    assert session.errors == [] and second_session.errors == []
