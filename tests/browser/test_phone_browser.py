"""The app on a 390-pixel phone with touch: one column that fits the screen, the slider, Fit,
the figure and the MSE table first, the sidebar after them, and Fit answers a tap."""

from __future__ import annotations

import pytest

from partialpool.app import PoolingState

from .conftest import PHONE

pytestmark = pytest.mark.browser


def test_the_page_fits_a_phone_with_the_figure_first(phone):
    phone.open()
    phone.page.wait_for_timeout(500)
    assert (
        phone.page.locator("meta[name='viewport']")
        .get_attribute("content")
        .startswith("width=device-width")
    )
    width, client = phone.page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width <= client, "the page scrolls sideways"
    tops = {
        name: phone.page.locator(selector).first.bounding_box()
        for name, selector in {
            "slider": ".tau-slider",
            "fit": ".fit-tau",
            "figure": ".shrinkage-figure",
            "mse": ".mse-table",
            "sidebar": "#sidebar",
        }.items()
    }
    order = sorted(tops, key=lambda name: tops[name]["y"])
    assert order == ["slider", "fit", "figure", "mse", "sidebar"]
    for name in ("slider", "fit", "figure", "mse"):
        box = tops[name]
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, name
    assert phone.page.locator("#header").bounding_box()["height"] <= 64  # beside the menu
    heading = phone.page.locator(".figure-title").first.bounding_box()
    assert heading["x"] + heading["width"] <= PHONE["width"]  # wraps, not cut
    assert phone.errors == []


def test_fit_answers_a_tap(phone):
    phone.open("?tau=2.0")
    phone.page.locator(".fit-tau button").tap()
    tau_hat = PoolingState().comparison.fit.tau
    phone.wait_for_tau(tau_hat)
    assert phone.errors == []


def test_the_legend_fits_the_figure_on_a_phone(phone):
    phone.open()
    phone.page.wait_for_timeout(500)
    assert phone.model("figure_legend", "ncols") == 1  # three columns would be cut


def test_every_tab_title_fits_a_phone(phone):
    phone.open()
    tabs = phone.page.locator(".views .view-tabs .bk-btn")
    boxes = [tabs.nth(i).bounding_box() for i in range(tabs.count())]
    assert len(boxes) == 9
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] for box in boxes)
    assert len({round(box["y"]) for box in boxes}) == 2  # the header wraps into two rows


def test_a_tab_opened_on_a_phone_keeps_its_bar_on_screen(phone):
    # The Guide is long on a phone, the Risk tab that replaces it shorter: the per-group table
    # and the sidebar come into view, the table is built, and Chromium's scroll anchoring (on
    # the sidebar) then scrolled the page on, the tab bar out of sight.
    page = phone.page
    page.goto(phone.base_url)  # not `open`: the per-group table is not built yet
    page.wait_for_selector(".views .view-tabs", state="attached", timeout=30_000)
    page.wait_for_timeout(1000)
    page.locator(".views").first.scroll_into_view_if_needed()  # reading the Guide
    page.wait_for_timeout(500)
    page.locator(".views .view-tabs .bk-btn", has_text="Risk").first.tap()
    page.wait_for_function("() => Bokeh.documents[0].get_model_by_name('risk_figure') !== null")
    page.wait_for_timeout(1500)  # the Risk figure drawn, the per-group table built
    bar = page.locator(".views .view-tabs").first.bounding_box()
    assert bar["y"] >= 0 and bar["y"] + bar["height"] <= PHONE["height"]
