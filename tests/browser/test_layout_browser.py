"""The page at 1440 x 900: Figure 1 takes the width, Fit and the MSE table beside it, nothing
cut at the right edge, and the tabs below."""

from __future__ import annotations

import pytest

from .conftest import Session

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def desktop(browser, app_url):
    s = Session(browser, app_url, viewport=DESKTOP)
    yield s
    s.close()


def box(session: Session, selector: str) -> dict[str, float]:
    return session.page.locator(selector).first.bounding_box()


def test_the_figure_is_the_widest_part_with_the_mse_table_beside_it(desktop):
    desktop.open()
    desktop.page.wait_for_timeout(500)
    main, figure = box(desktop, "#main"), box(desktop, ".shrinkage-figure")
    fit, table, tabs = box(desktop, ".fit-tau"), box(desktop, ".mse-table"), box(desktop, ".views")
    assert figure["width"] >= 0.6 * main["width"]
    assert figure["y"] + figure["height"] <= DESKTOP["height"], "the figure ends below the fold"
    for beside in (fit, table):
        assert beside["x"] >= figure["x"] + figure["width"]
        assert beside["x"] + beside["width"] <= DESKTOP["width"], "cut at the right edge"
    assert table["y"] < figure["y"] + figure["height"]
    assert tabs["y"] >= figure["y"] + figure["height"]
    assert desktop.errors == []
