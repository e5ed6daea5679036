"""The views beside the figure in Chromium: each tab renders the state's numbers, the slider
moves their marks, full Bayes joins the figure, and the Monte Carlo study runs and cancels."""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import expect

from partialpool.app import PoolingState
from partialpool.app.state import SOURCES
from partialpool.montecarlo import monte_carlo

pytestmark = pytest.mark.browser

TABS = {
    "Risk": "risk_figure",
    "Posterior": "posterior_figure",
    "Paths": "paths_figure",
}


def open_tab(session, title: str, model: str | None = None) -> None:
    """Click a tab; the tabs render on demand, so wait for `model` to reach the browser."""
    session.page.locator(".views .view-tabs .bk-btn", has_text=title).first.click()
    if model is not None:
        session.page.wait_for_function(
            "(n) => Bokeh.documents[0].get_model_by_name(n) !== null", arg=model
        )


@pytest.mark.parametrize("title", list(TABS))
def test_each_view_renders_the_states_numbers(session, title):
    session.open()
    figure = TABS[title]
    open_tab(session, title, figure)
    state = PoolingState()
    assert session.model(figure, "visible")
    canvas = session.page.locator(".views .bk-Canvas >> visible=true").first
    canvas.wait_for()
    box = canvas.bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    if title == "Risk":
        np.testing.assert_allclose(
            session.column("risk_curve", "mse"), state.comparison.path_mse, rtol=1e-12
        )
    elif title == "Posterior":
        assert len(session.column("posterior", "density")) == 301
        text = session.page.locator(".posterior-caption").inner_text()
        assert f"{state.comparison.posterior.tau_quantiles(0.5):.3g}" in text
    else:
        ys = session.page.evaluate(
            "() => Bokeh.documents[0].get_model_by_name('paths').data.ys.map(a => Array.from(a))"
        )
        np.testing.assert_allclose(
            np.array(ys), state.comparison.path.theta.T, rtol=1e-12, atol=1e-15
        )
    assert session.errors == []


def wait_for_slider_mark(session, marks: str, tau: float) -> None:
    session.page.wait_for_function(
        "([n, t]) => Bokeh.documents[0].get_model_by_name(n).data.x[0] === t", arg=[marks, tau]
    )


def test_the_slider_moves_the_risk_marker_and_the_path_line(session):
    session.open()
    open_tab(session, "Risk", "risk_marks")
    session.drag_tau(150)
    tau = session.tau()
    assert tau > 0.6
    wait_for_slider_mark(session, "risk_marks", tau)
    state = PoolingState()
    state.tau = tau
    session.page.wait_for_function(
        "(want) => Math.abs(Bokeh.documents[0].get_model_by_name('risk_at_tau').data.mse[0]"
        " - want) < 1e-12",
        arg=state.comparison.mse["partial_pool"],
    )

    open_tab(session, "Paths", "paths_marks")
    wait_for_slider_mark(session, "paths_marks", tau)
    session.drag_tau(-100)
    tau = session.tau()
    assert tau < state.tau
    wait_for_slider_mark(session, "paths_marks", tau)
    state.tau = tau
    session.page.wait_for_function(
        "(want) => Math.abs(Bokeh.documents[0].get_model_by_name('paths_now').data.theta[0]"
        " - want) < 1e-12",
        arg=float(state.comparison.pooled.theta[0]),
    )
    np.testing.assert_allclose(
        session.column("paths_now", "theta"), state.comparison.pooled.theta, rtol=1e-12
    )
    np.testing.assert_allclose(
        session.column("shrinkage_points", "b"), state.comparison.pooled.shrinkage, rtol=1e-12
    )

    open_tab(session, "Posterior", "posterior_marks")
    wait_for_slider_mark(session, "posterior_marks", tau)
    assert session.errors == []


def test_full_bayes_toggle_adds_its_glyph_and_table_row(session):
    session.open("?data=eight_schools")
    session.page.locator(".show-full-bayes input").check()
    row = session.page.locator(".mse-table tr[data-estimator='full_bayes']")
    session.page.wait_for_function(
        "() => Bokeh.documents[0].get_model_by_name('shrinkage_figure').renderers"
        ".filter(r => r.glyph.type === 'Scatter' && r.glyph.marker.value === 'diamond')"
        ".every(r => r.visible)"
    )
    state = PoolingState(source="eight_schools")
    np.testing.assert_allclose(
        session.column("groups", "fb_mean"), state.comparison.posterior.theta_mean, rtol=1e-12
    )
    expect(row).to_have_count(0)  # eight schools: no truth, no MSE table
    session.page.locator(".data-source select").select_option(label=SOURCES["efron_morris"])
    expect(row).to_have_count(1)
    state = PoolingState(source="efron_morris")
    expect(row.locator(".mse")).to_have_text(f"{state.comparison.mse['full_bayes']:.4g}")
    assert session.errors == []


def test_monte_carlo_shows_progress_then_its_result(session):
    session.open()
    open_tab(session, "Monte Carlo", "mc_boxes")
    session.page.evaluate(
        "() => { window.__progress = [];"
        " const bar = [...Bokeh.documents[0]._all_models.values()]"
        ".find(m => m.type.endsWith('.Progress'));"
        " Bokeh.documents[0].on_change((e) => {"
        " if (e.model === bar && e.attr === 'value') window.__progress.push(e.value); }); }"
    )
    replications = session.page.locator(".mc-replications input")
    replications.fill("2000")
    replications.press("Enter")
    session.page.wait_for_timeout(300)  # Panel applies a typed value 50 ms later, a click at once
    session.page.locator(".mc-run button").click()
    share = session.page.locator(".mc-share")
    expect(share).to_be_visible(timeout=20_000)
    state = PoolingState()
    study = monte_carlo(state.data.v, state.tau_true, state.mu, 2000, seed=state.seed)
    assert share.inner_text() == f"{100 * study.partial_beats_no_pool:.1f}%"
    progress = session.page.evaluate("() => window.__progress")
    assert [p for p in progress if 0 < p < 100], progress  # 500, 1000, 1500 of 2000 shown
    means = session.column("mc_boxes", "mean")
    np.testing.assert_allclose(means, list(study.mean_mse().values()), rtol=1e-12)
    assert session.errors == []


def test_monte_carlo_can_be_cancelled(session):
    session.open("?J=200")
    open_tab(session, "Monte Carlo", "mc_boxes")
    replications = session.page.locator(".mc-replications input")
    replications.fill("10000")
    replications.press("Enter")
    session.page.wait_for_timeout(300)
    # Both clicks in one task, so Cancel reaches the server while the run's first blocks do.
    session.page.evaluate(
        "() => { const deep = (root, sel) => root.querySelector(sel) ?? [...root.querySelectorAll"
        "('*')].filter(e => e.shadowRoot).map(e => deep(e.shadowRoot, sel)).find(Boolean);"
        " for (const name of ['.mc-run', '.mc-cancel'])"
        " deep(document, name).shadowRoot.querySelector('button').click(); }"
    )
    status = session.page.locator(".mc-status-text")
    expect(status).to_contain_text("Cancelled after", timeout=20_000)
    assert "of 10,000 data sets" in status.inner_text()
    assert session.page.locator(".mc-share").count() == 0
    expect(session.page.locator(".mc-run button")).to_be_enabled()
    assert session.errors == []
