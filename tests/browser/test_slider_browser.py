"""The tau slider runs in the page: each step shows the core's numbers at the slider's tau
with no update from the server while the handle moves."""

from __future__ import annotations

import numpy as np
import pytest

from partialpool import partial_pool, ridge_penalty
from partialpool.app import PoolingState

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("J", [12, 200])
def test_each_step_shows_partial_pool_at_the_sliders_tau_without_the_server(session, J):
    patches = []

    def record(socket: object) -> None:
        socket.on(
            "framereceived",
            lambda frame: (
                patches.append(frame)
                if isinstance(frame, str) and '"msgtype":"PATCH-DOC"' in frame
                else None
            ),
        )

    session.page.on("websocket", record)
    session.open(f"?J={J}")
    session.page.wait_for_timeout(500)
    state = PoolingState(J=J)
    y, v = state.data.y, state.data.v
    handle = session.page.locator(".tau-slider .noUi-handle").first
    box = handle.bounding_box()
    x, h = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    session.page.mouse.move(x, h)
    session.page.mouse.down()
    before = len(patches)
    for step in range(1, 6):
        session.page.mouse.move(x + 25 * step, h)
        tau = session.tau()
        theta = session.column("groups", "theta_hat")
        np.testing.assert_allclose(theta, partial_pool(y, v, tau**2).theta, rtol=1e-9, atol=1e-12)
        readout = session.page.locator(".tau-readout").inner_text()
        assert f"tau = {tau:.4g}:" in readout
        assert f"= {ridge_penalty(state.sigma, tau):.3g}" in readout
    session.page.wait_for_timeout(300)
    assert len(patches) == before, "the server sent updates while the handle moved"
    session.page.mouse.up()
    # the fast path writes the Divs' HTML into their BokehJS views (live_tau.SELECT_ROW)
    assert session.page.evaluate(
        "() => Bokeh.index.find_one(Bokeh.documents[0].get_model_by_name('mse_table'))"
        ".markup_el instanceof HTMLElement"
    )
    assert f"tau={tau}" in session.page.url or f"tau={tau!r}" in session.page.url
    assert session.errors == []


def test_tau_hat_is_marked_under_the_handle_when_the_slider_sits_there(session):
    session.open()
    session.page.locator(".fit-tau button").click()
    tau_hat = PoolingState().comparison.fit.tau
    session.wait_for_tau(tau_hat)
    session.page.wait_for_timeout(300)
    handle = session.page.locator(".tau-slider .noUi-handle").first.bounding_box()
    mark = session.page.locator(".tau-mark .symbol").first.bounding_box()
    handle_x, mark_x = handle["x"] + handle["width"] / 2, mark["x"] + mark["width"] / 2
    assert abs(handle_x - mark_x) <= 2.0, (handle_x, mark_x)
    assert session.errors == []
