"""The results table and the sidebar's Model section, below the fold, are built when the reader
scrolls to them, not with the page (`lazy.when_seen`): the server builds nothing nobody looks
at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import Session

pytestmark = pytest.mark.browser


def test_the_results_table_is_built_when_scrolled_to(browser, app_url):
    s = Session(browser, app_url, viewport={"width": 1440, "height": 900})
    try:
        s.page.goto(s.base_url)
        s.page.wait_for_selector(".views", state="attached", timeout=30_000)
        s.page.wait_for_timeout(1500)  # the page settled, nothing scrolled
        assert s.page.locator(".results-table").count() == 0
        s.show_results_table()
        expect(s.page.locator(".results-table .slick-row")).to_have_count(12)
        assert s.errors == []
    finally:
        s.close()


def test_the_sidebars_model_section_is_built_when_scrolled_to(browser, app_url):
    s = Session(browser, app_url, viewport={"width": 1440, "height": 900})
    try:
        s.page.goto(s.base_url)
        s.page.wait_for_selector(".views", state="attached", timeout=30_000)
        s.page.wait_for_timeout(1500)
        assert s.page.locator(".structure-select").count() == 0
        s.show_model_section()
        expect(s.page.locator(".structure svg")).to_be_visible()
        assert s.errors == []
    finally:
        s.close()
