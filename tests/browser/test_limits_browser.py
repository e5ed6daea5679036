"""Where the Gaussian story breaks and where it comes from, in Chromium: the outlier control and
the population prior change the figure, James-Stein joins it, the structure selector switches
the emphasis and draws its graph, and the Stein and Ridge tabs show the core's numbers."""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import expect

from partialpool.app import PoolingState
from partialpool.app.figure import FADED_ALPHA

pytestmark = pytest.mark.browser


def open_tab(session, title: str, model: str) -> None:
    session.page.locator(".views .view-tabs .bk-btn", has_text=title).first.click()
    session.page.wait_for_function(
        "(n) => Bokeh.documents[0].get_model_by_name(n) !== null", arg=model
    )


def glyph_alpha(session, column: str) -> float:
    """line_alpha of the scatter glyph that draws `column` of the figure's groups."""
    return session.page.evaluate(
        "(c) => [...Bokeh.documents[0]._all_models.values()].find(m => m.type === 'GlyphRenderer'"
        " && m.glyph.type === 'Scatter' && m.glyph.x.field === c).glyph.line_alpha.value",
        column,
    )


def test_the_outlier_control_adds_a_group_that_is_scored_apart(session):
    session.open()
    assert len(session.column("groups", "row")) == 12
    session.page.locator(".outlier-toggle input").check()
    session.page.wait_for_function(
        "() => Bokeh.documents[0].get_model_by_name('groups').data.row.length === 13"
    )
    state = PoolingState(outlier=True)
    np.testing.assert_allclose(session.column("groups", "ybar"), state.data.y, rtol=1e-12)
    np.testing.assert_allclose(
        session.column("groups", "theta_hat"), state.comparison.pooled.theta, rtol=1e-9
    )
    header = session.page.locator(".mse-table thead")
    expect(header).to_contain_text("outlier")
    row = session.page.locator(".mse-table tr[data-estimator='partial_pool']")
    expect(row.locator(".outlier")).to_have_text(
        f"{state.comparison.outlier_mse['partial_pool'][0]:.4g}"
    )
    assert session.errors == []


def test_james_stein_joins_the_figure_and_the_table(session):
    session.open()
    rows = session.page.locator(".mse-table tr[data-estimator^='james_stein']")
    expect(rows).to_have_count(0)
    session.page.locator(".show-james-stein input").check()
    expect(rows).to_have_count(2)
    state = PoolingState()
    np.testing.assert_allclose(
        session.column("groups", "js_mean"),
        state.comparison.estimates["james_stein_mean"].theta,
        rtol=1e-12,
    )
    visible = session.page.evaluate(
        "() => [...Bokeh.documents[0]._all_models.values()].filter(m => m.type === "
        "'GlyphRenderer' && m.glyph.type === 'Scatter'"
        " && ['js_row', 'jsm_row'].includes(m.glyph.y.field))"
        ".map(m => m.visible)"
    )
    assert visible == [True, True]
    assert session.errors == []


def test_the_structure_selector_switches_the_emphasis_and_draws_the_graph(session):
    session.open()
    graph = session.page.locator(".structure [data-structure]")
    expect(graph).to_have_attribute("data-structure", "hierarchical")
    assert glyph_alpha(session, "theta_hat") == 1.0
    session.page.locator(".structure-select button", has_text="Separate").click()
    expect(graph).to_have_attribute("data-structure", "separate")
    expect(session.page.locator(".structure svg circle")).to_have_count(8)
    session.page.wait_for_function(
        "(a) => [...Bokeh.documents[0]._all_models.values()].find(m => m.type === "
        "'GlyphRenderer' && m.glyph.type === 'Scatter' && m.glyph.x.field === 'theta_hat')"
        ".glyph.line_alpha.value === a",
        arg=FADED_ALPHA,
    )
    assert glyph_alpha(session, "ybar") == 1.0
    session.page.locator(".structure-select button", has_text="Pooled").click()
    expect(graph).to_have_attribute("data-structure", "pooled")
    expect(session.page.locator(".structure svg circle")).to_have_count(5)
    expect(session.page.locator(".structure")).to_contain_text("identity")
    assert session.errors == []


def test_the_stein_tab_runs_its_study(session):
    session.open()
    open_tab(session, "Stein", "stein_boxes")
    session.page.locator(".stein-run button").click()
    share = session.page.locator(".stein-share")
    expect(share).to_be_visible(timeout=20_000)
    means = session.column("stein_boxes", "mean")
    assert means[1] < means[0]  # James-Stein below the raw means
    assert session.errors == []


def test_the_ridge_tab_follows_the_slider(session):
    session.open()
    open_tab(session, "Ridge", "ridge_coefficients")
    before = session.column("ridge_coefficients", "ridge")
    session.drag_tau(-50)
    tau = session.tau()
    assert 0 < tau < 0.5
    session.page.wait_for_function(
        "(b) => Bokeh.documents[0].get_model_by_name('ridge_coefficients').data.ridge[0] !== b",
        arg=before[0],
    )
    ridge = np.array(session.column("ridge_coefficients", "ridge"))
    post = np.array(session.column("ridge_coefficients", "post"))
    np.testing.assert_allclose(ridge, post, rtol=1e-9, atol=1e-12)
    assert np.linalg.norm(ridge) < np.linalg.norm(before)  # a smaller tau shrinks harder
    expect(session.page.locator(".ridge-lambda")).to_have_text(f"{1 / tau**2:.3g}")
    assert session.errors == []


def test_the_student_t_prior_lets_the_outlier_keep_its_mean(session):
    session.open()
    session.page.locator(".outlier-toggle input").check()
    session.page.wait_for_function(
        "() => Bokeh.documents[0].get_model_by_name('groups').data.row.length === 13"
    )
    state = PoolingState(outlier=True)
    normal = session.column("groups", "theta_hat")
    np.testing.assert_allclose(normal, state.comparison.pooled.theta, rtol=1e-9)
    session.page.locator(".population-select select").select_option(label="Student-t")
    expect(session.page.locator(".nu-slider")).to_be_visible()
    state.population = "student-t"
    session.page.wait_for_function(
        "(want) => Math.abs(Bokeh.documents[0].get_model_by_name('groups').data.theta_hat[12]"
        " - want) < 1e-9",
        arg=float(state.comparison.pooled.theta[12]),
    )
    t = np.array(session.column("groups", "theta_hat"))
    np.testing.assert_allclose(t, state.comparison.pooled.theta, rtol=1e-9)
    ybar = state.data.y[12]
    assert abs(t[12] - ybar) < 0.2 * abs(normal[12] - ybar)  # the outlier keeps its own mean
    expect(session.page.locator(".tau-readout")).to_contain_text("Student-t population")
    assert session.errors == []


def test_a_link_sets_the_outlier_the_population_and_the_structure(session):
    session.open("?outlier=true&outlier_shift=5&population=student-t&nu=3&structure=pooled")
    state = PoolingState(outlier=True, outlier_shift=5.0, population="student-t", nu=3.0)
    session.page.wait_for_function(
        "() => Bokeh.documents[0].get_model_by_name('groups').data.row.length === 13"
    )
    np.testing.assert_allclose(
        session.column("groups", "theta_hat"), state.comparison.pooled.theta, rtol=1e-9
    )
    expect(session.page.locator(".structure [data-structure]")).to_have_attribute(
        "data-structure", "pooled"
    )
    assert session.errors == []
