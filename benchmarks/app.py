"""App benchmarks: the server's work per tau move, browser latency to pixels, first render.

Run: python benchmarks/app.py [--screenshot assets/app.png]   (needs the test extras and
Debian's Chromium). Prints medians and 95th percentiles measured in this one run; nothing here
is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import panel as pn
from bokeh.document import Document

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from partialpool.app import PoolingState  # noqa: E402
from partialpool.app.figure import ShrinkageFigure  # noqa: E402
from partialpool.app.paths_view import ShrinkagePathsView  # noqa: E402
from partialpool.app.posterior_view import PosteriorView  # noqa: E402
from partialpool.app.results_table import ResultsTable  # noqa: E402
from partialpool.app.ridge_view import RidgeView  # noqa: E402
from partialpool.app.risk_view import RiskCurveView  # noqa: E402
from partialpool.app.score_table import MSETable  # noqa: E402
from partialpool.app.stein_view import SteinView  # noqa: E402
from partialpool.app.structure_view import StructureChooser  # noqa: E402
from partialpool.app.study import MonteCarloRun  # noqa: E402
from partialpool.app.study_view import MonteCarloView  # noqa: E402
from partialpool.app.tau_controls import TauControls  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, Session, free_port, serve_app  # noqa: E402


def summary(ms: list[float]) -> str:
    median, p95 = statistics.median(ms), np.percentile(ms, 95)
    return f"median {median:.2f} ms, p95 {p95:.2f} ms (n = {len(ms)})"


def server_callback(moves: int = 300) -> None:
    """One tau move at J = 100 groups x 100 observations: core + every view's in-place update
    (outside a served session the deferred text and table updates run at once, so they count),
    with the figure's views alone, with the tabs' views added, and with every view under a
    Student-t population and an outlier group, in this one run."""
    for with_tabs, population in ((False, "normal"), (True, "normal"), (True, "student-t")):
        state = PoolingState(
            J=100,
            n_range=(100, 100),
            show_full_bayes=with_tabs,
            show_james_stein=with_tabs,
            population=population,
            outlier=population != "normal",
        )
        views = [
            ShrinkageFigure(state=state),
            TauControls(state=state),
            MSETable(state=state),
            ResultsTable(state=state),
        ]
        if with_tabs:
            views += [
                RiskCurveView(state=state),
                PosteriorView(state=state),
                ShrinkagePathsView(state=state),
                MonteCarloView(run=MonteCarloRun(state=state)),
                SteinView(state=state),
                RidgeView(state=state),
                StructureChooser(state=state),
            ]
        layout = pn.Column(*views)
        doc = Document()
        layout.get_root(doc)
        pn.state.curdoc = doc
        times = []
        for tau in np.linspace(0.05, 2.0, moves):
            start = time.perf_counter()
            state.tau = float(tau)
            times.append((time.perf_counter() - start) * 1e3)
        resimulate = []
        for seed in range(20):
            start = time.perf_counter()
            state.seed = seed + 100
            resimulate.append((time.perf_counter() - start) * 1e3)
        which = "every view, tabs included" if with_tabs else "figure, controls and tables only"
        if population != "normal":
            which += ", Student-t population, an outlier group"
        print(f"server, one tau move, J = 100 x 100, {which}: {summary(times)} (target < 10 ms)")
        print(f"server, new data, J = 100 x 100, {which}: {summary(resimulate)}")
    run = MonteCarloRun(state=PoolingState(), replications=10_000)
    start = time.perf_counter()
    run.param.trigger("run")
    elapsed = time.perf_counter() - start
    print(f"Monte Carlo study from the app, R = 10,000, J = 12: {elapsed * 1e3:.0f} ms (< 2 s)")


MEASURE = """
(handle) => {
  // keydown on the tau handle -> the server's patch of the circles arrives -> the next
  // animation frame, in which BokehJS has repainted (it asked for that frame first).
  window.__latencies = [];
  const src = Bokeh.documents[0].get_model_by_name('groups');
  let t0 = null;
  handle.addEventListener('keydown', (event) => { t0 = performance.now(); }, true);
  src.connect(src.patching, () => {
    if (t0 === null) return;
    const start = t0;
    t0 = null;
    requestAnimationFrame(() => window.__latencies.push(performance.now() - start));
  });
  return true;
}
"""


def browser(presses: int, screenshot: Path | None) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = serve_app(port)
    url = f"http://127.0.0.1:{port}/app"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            loads = []
            for _ in range(6):
                session = Session(chromium, url).open()
                loads.append(session.load_seconds * 1e3)
                if screenshot is not None and len(loads) == 1:
                    session.page.wait_for_timeout(800)
                    session.page.screenshot(path=str(screenshot), full_page=True)
                    print(f"screenshot: {screenshot}")
                session.close()
            print(
                f"first render, page request to figure drawn: cold {loads[0]:.0f} ms; "
                f"warm {summary(loads[1:])} (target < 1500 ms)"
            )

            session = Session(chromium, url).open("?J=50&tau=0.05")
            session.page.wait_for_timeout(500)
            handle = session.page.locator(".tau-slider .noUi-handle").first
            session.page.evaluate(MEASURE, handle.element_handle())
            handle.focus()
            for _ in range(presses):
                session.page.keyboard.press("ArrowRight")
                session.page.wait_for_timeout(120)
            session.page.wait_for_timeout(500)
            latencies = session.page.evaluate("() => window.__latencies")
            print(
                f"browser, slider key press to repainted circles, J = 50: {summary(latencies)}, "
                f"{presses - len(latencies)} lost (target < 50 ms); "
                f"console errors: {len(session.errors)}"
            )
            session.close()
            chromium.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshot", type=Path, help="save a full-page PNG of the app here")
    parser.add_argument("--presses", type=int, default=60)
    args = parser.parse_args()
    server_callback()
    browser(args.presses, args.screenshot)
