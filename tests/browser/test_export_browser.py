"""The standalone page (`partialpool export --html`, the app's "Download page (HTML)"): opened from
file:// with every request off the disk refused, its slider moves Figure 1, the readout and the
MSE table by itself, to the numbers of the core."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from playwright.sync_api import expect

from partialpool.app import PoolingState

from .conftest import ROOT, SLIDER

pytestmark = pytest.mark.browser


def open_offline(browser, path):
    """A tab on the file with the network cut off: (page, requests off the disk, errors)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    refused: list[str] = []

    def route(r):
        if r.request.url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function(
        "() => window.Bokeh && Bokeh.documents.length > 0"
        " && Bokeh.documents[0].get_model_by_name('groups') !== null",
        timeout=30_000,
    )
    return page, refused, errors


def groups(page, column):
    return page.evaluate(
        "c => Array.from(Bokeh.documents[0].get_model_by_name('groups').data[c])", column
    )


def test_the_exported_page_works_from_disk_with_no_network(browser, tmp_path):
    path = tmp_path / "class.html"
    subprocess.run(
        [sys.executable, "-m", "partialpool.cli", "export", "--html", str(path), "--tau", "1"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    state = PoolingState()
    state.tau = 1.0
    path_rows = state.comparison.path
    page, refused, errors = open_offline(browser, path)
    assert page.evaluate(f"() => {SLIDER}.value") == 1.0
    np.testing.assert_allclose(groups(page, "theta_hat"), state.comparison.pooled.theta, rtol=1e-12)
    expect(page.locator(".mse-table")).to_contain_text("Partial, slider's tau")
    readout = page.locator(".tau-readout").inner_text()
    handle = page.locator(".noUi-handle").first
    handle.focus()
    for _ in range(30):
        page.keyboard.press("ArrowLeft")
    tau = page.evaluate(f"() => {SLIDER}.value")
    assert tau < 1.0
    k = int(np.argmin(np.abs(path_rows.tau - tau)))
    np.testing.assert_allclose(groups(page, "theta_hat"), path_rows.theta[k], rtol=1e-12)
    np.testing.assert_allclose(groups(page, "shrinkage"), path_rows.shrinkage[k], rtol=1e-12)
    assert page.locator(".tau-readout").inner_text() != readout
    assert refused == [] and errors == []


def test_the_app_downloads_the_page_for_its_data_and_tau(session, browser, tmp_path):
    session.open("?data=eight_schools&tau=6")
    with session.page.expect_download() as download:
        session.page.locator(".download-html button").click()
    path = tmp_path / "page.html"
    download.value.save_as(path)
    assert download.value.suggested_filename == "partialpool-page.html"
    page, refused, errors = open_offline(browser, path)
    assert page.evaluate(f"() => {SLIDER}.value") == 6.0
    assert groups(page, "label") == session.column("groups", "label")
    np.testing.assert_allclose(
        groups(page, "theta_hat"), session.column("groups", "theta_hat"), rtol=1e-12
    )
    expect(page.locator("body")).to_contain_text("Eight schools (Rubin 1981)")
    assert refused == [] and errors == [] and session.errors == []
