"""Serve the app on 127.0.0.1 and drive it with Debian's Chromium through Playwright.

Without Chromium the browser tests skip locally; with CI set they fail instead.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from partialpool.app.local_server import CHROMIUM, CHROMIUM_FLAGS, ROOT, free_port, serve

__all__ = ["CHROMIUM", "CHROMIUM_FLAGS", "ROOT", "free_port", "serve_app"]


def serve_app(port: int) -> subprocess.Popen:
    """Start `panel serve app.py` on 127.0.0.1:port and wait until it answers."""
    return serve(port, "app.py")


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    port = free_port()
    server = serve_app(port)
    yield f"http://127.0.0.1:{port}/app"
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI=true but {CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium); runs in CI")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


SLIDER = (
    "[...Bokeh.documents[0]._all_models.values()]"
    ".find(m => m.type === 'Slider' && String(m.title).startsWith('tau:'))"
)
"""The tau slider's model in the page (JavaScript)."""


class Session:
    """One browser tab on the app, with its console errors and requested URLs recorded."""

    def __init__(
        self,
        browser: object,
        base_url: str,
        viewport: dict[str, int] | None = None,
        **device: object,
    ) -> None:
        self.context = browser.new_context(
            viewport=viewport or {"width": 1500, "height": 1100}, **device
        )
        self.page = self.context.new_page()
        self.base_url = base_url
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, query: str = "") -> Session:
        start = time.perf_counter()
        self.page.goto(self.base_url + query)
        self.page.wait_for_function(
            "() => window.Bokeh && Bokeh.documents.length > 0"
            " && Bokeh.documents[0].get_model_by_name('groups') !== null",
            timeout=30_000,
        )
        self.page.wait_for_selector(".tau-slider .noUi-handle", timeout=30_000)
        self.load_seconds = time.perf_counter() - start
        # the rest of the page follows the figure (page.py's `deferred`)
        for deferred in (".mse-table, .no-truth", ".views", ".data-select, select"):
            self.page.wait_for_selector(deferred, state="attached", timeout=30_000)
        self.show_results_table()
        self.show_model_section()
        self.page.locator(".tau-slider").first.scroll_into_view_if_needed()  # back to the top
        return self

    def show(self, part: str) -> None:
        """Scroll to the lazy part of the page that will hold `part` (`lazy.when_seen`: built
        when first scrolled to) until it is there."""
        from playwright.sync_api import expect

        markers = self.page.locator(".when-seen")  # a filled part's marker is gone
        for left in range(markers.count(), 0, -1):
            if self.page.locator(part).count():
                break
            markers.first.scroll_into_view_if_needed()  # no scroll if it is in view:
            self.page.evaluate("document.dispatchEvent(new Event('scroll'))")  # as a reader's
            expect(markers).to_have_count(left - 1, timeout=30_000)
        self.page.wait_for_selector(part, state="attached", timeout=30_000)

    def show_results_table(self) -> None:
        self.show(".results-table")

    def show_model_section(self) -> None:
        self.show(".structure-select")

    def column(self, source: str, name: str) -> list[float]:
        return self.page.evaluate(
            "([s, c]) => Array.from(Bokeh.documents[0].get_model_by_name(s).data[c])",
            [source, name],
        )

    def model(self, name: str, attribute: str) -> object:
        return self.page.evaluate(
            "([n, a]) => Bokeh.documents[0].get_model_by_name(n)[a]", [name, attribute]
        )

    def tau(self) -> float:
        """The tau slider's value as the browser holds it (the handle shows it rounded)."""
        return self.page.evaluate(f"() => {SLIDER}.value")

    def wait_for_tau(self, tau: float) -> None:
        """Wait until the browser's tau slider holds exactly `tau` (after Fit, say)."""
        self.page.wait_for_function(f"t => {SLIDER}.value === t", arg=tau)

    def mse_cells(self) -> dict[str, str]:
        rows = self.page.locator(".mse-table tbody tr")
        return {
            rows.nth(i).get_attribute("data-estimator"): rows.nth(i).locator(".mse").inner_text()
            for i in range(rows.count())
        }

    def drag_tau(self, dx: float) -> None:
        handle = self.page.locator(".tau-slider .noUi-handle").first
        box = handle.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        self.page.mouse.move(x, y)
        self.page.mouse.down()
        for step in range(1, 11):
            self.page.mouse.move(x + dx * step / 10, y)
        self.page.mouse.up()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser, app_url) -> Iterator[Session]:
    s = Session(browser, app_url)
    yield s
    s.close()


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, app_url) -> Iterator[Session]:
    """The app on a 390 x 844 phone with touch."""
    s = Session(browser, app_url, viewport=PHONE, is_mobile=True, has_touch=True)
    yield s
    s.close()


@pytest.fixture
def second_session(browser, app_url) -> Iterator[Session]:
    s = Session(browser, app_url)
    yield s
    s.close()
