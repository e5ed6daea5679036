"""The app in Chromium: it loads offline and clean, the glyphs are there, tau moves them."""

from __future__ import annotations

import math
import re
import time
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from playwright.sync_api import expect

from partialpool import estimate_tau2, partial_pool, simulate, summarize
from partialpool.app import PoolingState
from partialpool.app.state import SOURCES

from .conftest import SLIDER, Session, free_port, serve

pytestmark = pytest.mark.browser


def local(url: str) -> bool:
    hosts = ("http://127.0.0.1:", "ws://127.0.0.1:", "blob:http://127.0.0.1:", "data:")
    return url.startswith(hosts)


def test_page_loads_offline_with_no_console_errors(session):
    session.open()
    session.page.wait_for_timeout(500)
    assert session.errors == []
    assert session.requests and all(local(u) for u in session.requests), [
        u for u in session.requests if not local(u)
    ]
    assert not [u for u in session.requests if "mathjax" in u]  # no TeX on the page


def test_no_request_leaves_the_host_across_tab_and_data_switches(session):
    # Panel 1.9.4 restyled panes updated in a hidden tab with stylesheets from its CDN
    session.open()
    for tab in ("Guide", "Monte Carlo", "Stein", "Ridge", "Posterior", "Paths", "Risk"):
        session.page.locator(".views .view-tabs .bk-btn", has_text=tab).first.click()
        session.page.wait_for_timeout(300)
        for label in (*SOURCES.values(), SOURCES["simulated"]):
            if label == SOURCES["upload"]:
                continue
            session.page.locator(".data-source select").select_option(label=label)
            session.page.wait_for_timeout(400)
    assert [u for u in session.requests if not local(u)] == []
    assert session.errors == []


def test_figure_has_every_glyph_with_the_states_numbers(session):
    session.open()
    assert session.model("figure_legend", "ncols") == 3  # room for three columns
    state = PoolingState()
    np.testing.assert_allclose(session.column("groups", "ybar"), state.data.y, rtol=1e-12)
    np.testing.assert_allclose(
        session.column("groups", "theta_hat"), state.comparison.pooled.theta, rtol=1e-9
    )
    np.testing.assert_allclose(session.column("groups", "theta"), state.simulation.theta)
    assert len(session.column("observations", "x")) == state.simulation.values.size
    glyphs = session.page.evaluate(
        "() => Bokeh.documents[0].get_model_by_name('shrinkage_figure').renderers"
        ".map(r => [r.glyph.type, r.glyph.marker?.value ?? '', r.glyph.line_dash.value.length])"
    )
    kinds = {(kind, marker) for kind, marker, _ in glyphs}
    assert {("Scatter", "x"), ("Scatter", "circle"), ("Scatter", "triangle")} <= kinds
    assert ["Line", "", 1] in glyphs  # the dashed grand-mean line ("dashed" is the pattern [6])
    legend = session.page.evaluate(
        "() => Bokeh.documents[0].get_model_by_name('shrinkage_figure').above"
        ".filter(m => m.type === 'Legend')"
        ".flatMap(l => l.items.filter(i => i.visible).map(i => i.label.value))"
    )
    assert len(legend) == 5 and any("no pooling" in x for x in legend)
    cells = session.mse_cells()
    assert cells["no_pool"] == f"{state.comparison.mse['no_pool']:.4g}"


def test_dragging_the_slider_moves_the_circles_and_the_mse(session):
    session.open()
    before = session.column("groups", "theta_hat")
    session.drag_tau(200)
    tau = session.tau()  # the browser's value after the drag; the server catches up
    assert tau > 0.6
    state = PoolingState()
    state.tau = tau
    session.page.wait_for_function(
        "(want) => { const got = Bokeh.documents[0].get_model_by_name('groups').data.theta_hat;"
        " return want.every((w, i) => Math.abs(got[i] - w) < 1e-9 * (1 + Math.abs(w))); }",
        arg=state.comparison.pooled.theta.tolist(),
    )
    assert not np.allclose(session.column("groups", "theta_hat"), before)
    cell = session.page.locator(".mse-table tr[data-estimator='partial_pool'] .mse")
    expect(cell).to_have_text(f"{state.comparison.mse['partial_pool']:.4g}")
    assert session.mse_cells()["no_pool"] == f"{state.comparison.mse['no_pool']:.4g}"
    assert session.errors == []


def test_fit_button_moves_the_slider_to_tau_hat(session):
    session.open("?tau=2.0")
    assert session.tau() == 2.0
    session.page.locator(".fit-tau button").click()
    state = PoolingState()
    tau_hat = math.sqrt(estimate_tau2(state.data.y, state.data.v, "HE"))
    session.page.wait_for_function(f"() => {SLIDER}.value < 1.9")
    assert session.tau() == pytest.approx(tau_hat, rel=1e-12)
    assert f"tau_hat = {tau_hat:.4g}" in session.page.locator(".tau-readout").inner_text()


def test_url_restores_the_settings_and_follows_the_slider(session):
    session.open("?J=20&seed=5&tau=0.3&sort=size&sigma=2&n=%5B3%2C%2010%5D")
    assert session.tau() == 0.3
    sim = simulate(20, (3, 10), 0.5, 0.0, 2.0, seed=5)
    s = summarize(sim.values, sim.groups, sigma=2.0)
    np.testing.assert_allclose(session.column("groups", "ybar"), s.ybar, rtol=1e-12)
    np.testing.assert_allclose(
        session.column("groups", "theta_hat"), partial_pool(s.ybar, s.v, 0.09).theta, rtol=1e-9
    )
    rows = np.asarray(session.column("groups", "row"))
    assert np.all(np.diff(s.n[np.argsort(rows)]) >= 0)  # sorted by size
    session.drag_tau(100)
    session.page.wait_for_function(
        f"() => new URLSearchParams(location.search).get('tau') == String({SLIDER}.value)"
    )
    query = parse_qs(urlparse(session.page.url).query)
    assert float(query["tau"][0]) == pytest.approx(session.tau())
    assert query["J"] == ["20"]


def test_bad_url_value_is_reported_not_a_traceback(session):
    session.open("?J=abc&tau=0.25")
    message = session.page.locator(".problem").inner_text()
    assert "J='abc'" in message and "ignored" in message
    assert session.tau() == 0.25
    assert "Traceback" not in session.page.content()
    assert session.errors == []


@pytest.mark.parametrize(
    "query, words",
    [
        ("?mu=true", "mu='true': mu must be a number between -100 and 100"),
        ("?tau_true=true", "tau_true='true': tau_true must be a number between 0 and 10"),
        ("?tau=1e100", "tau='1e100': tau must be a number between 0 and 3"),
        ("?tau=" + "9" * 10_000, "the link is 10,004 characters long; up to 4,096 are read"),
        ("?x=" + "9" * 5_000 + "&tau=1", "the link is 5,008 characters long"),
    ],
)
def test_a_hostile_link_gets_the_whole_page_and_a_message(session, query, words):
    session.open(query)
    expect(session.page.locator(".problem")).to_contain_text(words)
    assert session.tau() == 0.5 and session.page.evaluate(f"() => {SLIDER}.end") == 3.0
    assert len(session.column("groups", "theta_hat")) == 12
    expect(session.page.locator(".results-table .slick-row")).to_have_count(12)
    session.page.wait_for_function("() => !location.search.includes('999')")  # rewritten
    assert session.errors == []


def test_a_tiny_tau_in_a_link_is_the_slider_at_zero(session):
    session.open("?tau=1e-300")
    assert session.page.evaluate(f"() => {SLIDER}.value") == pytest.approx(0.0, abs=1e-200)
    np.testing.assert_allclose(session.column("groups", "shrinkage"), 1.0)
    assert session.errors == []


def test_hover_on_a_row_names_the_group(session):
    session.open()
    canvas = session.page.locator(".shrinkage-figure .bk-Canvas").first
    box = canvas.bounding_box()
    session.page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    tooltip = session.page.locator(".bk-tooltip-content").first
    tooltip.wait_for(timeout=5000)
    text = tooltip.inner_text()
    for field in ("group", "n_j", "ybar_j", "theta_hat_j", "shrinkage B_j", "true theta_j"):
        assert field in text


def test_two_sessions_do_not_share_state(session, second_session):
    session.open("?J=30&tau=1.5")
    second_session.open()
    assert len(second_session.column("groups", "theta_hat")) == 12
    assert second_session.tau() == 0.5
    second_session.drag_tau(-60)
    second_session.page.wait_for_timeout(500)
    assert session.tau() == 1.5
    assert len(session.column("groups", "theta_hat")) == 30


def test_the_first_visit_hint_stays_away_once_dismissed(session):
    session.open()
    hint = session.page.locator(".first-visit-hint")
    expect(hint).to_be_visible()
    hint.locator("button.dismiss").click()
    expect(hint).to_be_hidden()
    session.open()  # the same browser again: the hint stays away
    session.page.wait_for_timeout(500)
    assert not session.model("first_visit_hint", "visible")
    expect(hint).to_be_hidden()
    assert session.errors == []


def test_a_page_slow_to_connect_loads_nothing_from_outside(browser):
    """A page whose scripts arrive after its session expired (a busy server in a class): the
    server makes a new session when it connects, which must not link Panel's CDN either."""
    port = free_port()
    expiry = ["--unused-session-lifetime", "1000", "--check-unused-sessions", "500"]
    server = serve(port, "app.py", options=expiry)
    session = Session(browser, f"http://127.0.0.1:{port}/app")

    def late(route) -> None:
        time.sleep(3)  # the session has expired by now
        route.continue_()

    try:
        session.page.route(re.compile(r".*/static/js/bokeh\.min\.js.*"), late)
        session.open()
        assert session.column("groups", "label")[0] == "group 1"
        assert [url for url in session.requests if not local(url)] == []
        assert session.errors == []
    finally:
        session.close()
        server.terminate()
        server.wait(timeout=20)


def test_the_sidebar_settings_follow_the_link_and_set_the_simulation(session):
    session.open("?J=20&seed=5")
    assert session.model("setting_J", "value") == 20
    handle = session.page.locator(".setting-J .noUi-handle")
    handle.focus()
    handle.press("ArrowRight")  # one step, reported as a release
    session.page.wait_for_function(
        "() => Bokeh.documents[0].get_model_by_name('groups').data.label.length === 21"
    )
    session.page.wait_for_function("() => new URLSearchParams(location.search).get('J') == '21'")
    seed = session.page.locator(".setting-seed input")
    seed.fill("9")
    seed.press("Enter")
    sim = simulate(21, (2, 40), 0.5, 0.0, 1.0, seed=9)
    want = summarize(sim.values, sim.groups, sigma=1.0).ybar
    session.page.wait_for_function(
        "(want) => { const got = Bokeh.documents[0].get_model_by_name('groups').data.ybar;"
        " return want.every((w, i) => Math.abs(got[i] - w) < 1e-9 * (1 + Math.abs(w))); }",
        arg=want.tolist(),
    )
    session.page.locator(".setting-sort button", has_text="group size n_j").click()
    session.page.wait_for_function(
        "() => new URLSearchParams(location.search).get('sort') == 'size'"
    )
    session.page.locator(".setting-new_data button").click()
    session.page.wait_for_function("() => new URLSearchParams(location.search).get('seed') != '9'")
    assert session.errors == []
