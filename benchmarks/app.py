"""App benchmarks, in one run in Chromium: the tau slider's latency to pixels, the server
messages it causes, the first render against a bare Panel page, and the bytes per data change.

- Slider -> repaint, at J = 12 and J = 200: arrow keys on the focused handle and a mouse drag;
  from each input event (keydown / pointermove, capture phase) to the first animation frame
  after the figure's `groups` source changed, in ms and in animation frames. Goal: p95 <= 2
  frames, and no update from the server per step (the server's acks of the slider's value,
  Bokeh "OK" messages, are counted apart from its document patches).
- First render: `app.py` and `benchmarks/bare_page.py` (one figure, 12 points) from the same
  `panel serve` process; navigation start to the first animation frame after the figure's view
  has finished rendering; 1 cold + 10 warm loads each, alternating, each app page closed only
  once its deferred part has arrived (so that it does not slow the next load). Goal: app /
  bare <= 1.5.
- Payload per data change at J = 200: the websocket bytes after "New data" in the browser, and
  `LiveTau.payload_bytes` in this process. Goal: <= 2 MB.
- Server: the Python work of one tau move (on the tau grid, as the slider's release sends it)
  and of new data, with the page's views built outside a served session.

Run: python benchmarks/app.py [--screenshot assets/app.png]   (needs the test extras and
Debian's Chromium). Prints medians and 95th percentiles; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from pathlib import Path

import numpy as np
import panel as pn
from bokeh.document import Document

from partialpool.app import PoolingState
from partialpool.app.live_tau import LiveTau
from partialpool.app.local_server import CHROMIUM, CHROMIUM_FLAGS, free_port, serve
from partialpool.app.main_views import main_views
from partialpool.app.paths_view import ShrinkagePathsView
from partialpool.app.posterior_view import PosteriorView
from partialpool.app.results_table import ResultsTable
from partialpool.app.ridge_view import RidgeView
from partialpool.app.risk_view import RiskCurveView
from partialpool.app.stein_view import SteinView
from partialpool.app.structure_view import StructureChooser
from partialpool.app.study import MonteCarloRun
from partialpool.app.study_view import MonteCarloView

VIEWPORT = {"width": 1500, "height": 1100}


def summary(values: list[float], digits: int = 1, unit: str = "ms") -> str:
    if not values:
        return "no samples"
    median, p95 = statistics.median(values), float(np.percentile(values, 95))
    return f"median {median:.{digits}f} {unit}, p95 {p95:.{digits}f} {unit} (n = {len(values)})"


# --- server side -------------------------------------------------------------------------


def page_views(state: PoolingState, with_tabs: bool) -> list[object]:
    """The app's views on `state`, linked to the slider as app.py links them."""
    main = main_views(state)
    views = [main.controls, main.figure, main.mse_table, ResultsTable(state=state), main.live]
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
    return views


def server_callback(moves: int = 200) -> None:
    """One tau move on the grid at J = 100 x 100 observations: core + every view's update
    (outside a served session deferred updates run at once, so they count)."""
    for with_tabs, population in ((False, "normal"), (True, "normal"), (True, "student-t")):
        state = PoolingState(
            J=100,
            n_range=(100, 100),
            show_full_bayes=with_tabs,
            show_james_stein=with_tabs,
            population=population,
            outlier=population != "normal",
        )
        views = page_views(state, with_tabs)
        doc = Document()
        pn.Column(*(v for v in views if not isinstance(v, LiveTau))).get_root(doc)
        pn.state.curdoc = doc
        grid = state.comparison.path.tau
        which = "every view, tabs included" if with_tabs else "figure, controls and tables only"
        if population != "normal":
            which += ", Student-t population, an outlier group"
        times, resimulate = [], []
        try:
            for tau in grid[np.linspace(1, len(grid) - 1, moves).astype(int)]:
                start = time.perf_counter()
                state.tau = float(tau)
                times.append((time.perf_counter() - start) * 1e3)
            for seed in range(20):
                start = time.perf_counter()
                state.seed = seed + 100
                resimulate.append((time.perf_counter() - start) * 1e3)
        except Exception as error:  # a view's bug: report it, time the other settings
            print(f"server, J = 100 x 100, {which}: failed: {type(error).__name__}: {error}")
            continue
        print(f"server, one tau move on the grid, J = 100 x 100, {which}: {summary(times, 2)}")
        print(f"server, new data, J = 100 x 100, {which}: {summary(resimulate, 2)}")
    pn.state.curdoc = None


def payload_in_process(J: int = 200) -> None:
    state = PoolingState(J=J)
    live = page_views(state, with_tabs=False)[-1]
    rows, groups = len(live.rows.data["tau"]), len(live.rows.data["theta"][0])
    print(
        f"payload per data change, in process (LiveTau.payload_bytes), J = {J}: "
        f"{live.payload_bytes / 1e6:.3f} MB for {rows} grid rows x {groups} groups (goal <= 2 MB)"
    )


# --- browser -------------------------------------------------------------------------------

MEASURE = """
() => {
  // A rAF loop counts animation frames; each input event (keydown, or pointermove with the
  // button down, capture phase) starts a sample, which ends in the first animation frame
  // after the figure's `groups` source changed (BokehJS asked for that frame first, so it has
  // repainted by then). A later input before the change restarts the sample.
  if (window.__bench) return;
  const b = window.__bench = {frame: 0, stamps: [], pending: null, samples: [], inputs: 0};
  const loop = (ts) => { b.frame += 1; b.stamps.push(ts); requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
  const start = (kind) => {
    b.inputs += 1;
    b.pending = {kind, t0: performance.now(), f0: b.frame};
  };
  document.addEventListener('keydown', () => start('key'), true);
  document.addEventListener('pointermove', (e) => { if (e.buttons & 1) start('drag'); }, true);
  const groups = Bokeh.documents[0].get_model_by_name('groups');
  groups.change.connect(() => {
    const p = b.pending;
    if (p === null) return;
    b.pending = null;
    const changed = performance.now() - p.t0;
    requestAnimationFrame((ts) => b.samples.push({
      kind: p.kind, ms: performance.now() - p.t0, frames: b.frame - p.f0,
      changed, frame_start: ts - p.t0}));
  });
}
"""

FIRST_PAINT = """
// Navigation start (performance.now() = 0) to the first animation frame after the named
// figure's view has finished rendering.
(() => {
  const name = %s;
  const poll = () => {
    let done = false;
    try {  // Bokeh, its document and its views appear in turn
      const fig = Bokeh.documents[0].get_model_by_name(name);
      const view = fig === null ? null : Bokeh.index.find_one(fig);
      done = view !== null && view.has_finished();
    } catch (error) {}
    if (done) {
      requestAnimationFrame(() => { window.__painted = performance.now(); });
      return;
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
})();
"""


class Socket:
    """The page's websocket traffic, grouped into Bokeh protocol messages: a header, metadata
    and content frame, then a header and a binary frame per buffer."""

    def __init__(self, page: object) -> None:
        self.messages: list[dict] = []  # msgtype, bytes, the content's events
        self.frames = 0
        self.sent = 0
        self._part = 0  # frames of the current message seen
        page.on("websocket", self._attach)

    def _attach(self, ws: object) -> None:
        ws.on("framereceived", self._received)
        ws.on("framesent", self._sent)

    def _sent(self, payload: str | bytes) -> None:
        self.sent += 1

    def _received(self, payload: str | bytes) -> None:
        self.frames += 1
        size = len(payload.encode() if isinstance(payload, str) else payload)
        if self._part == 0 or self._part >= self._expected:
            try:
                header = json.loads(payload)
            except (TypeError, ValueError):
                header = {}
            if isinstance(header, dict) and "msgtype" in header:
                self._part, self._expected = 0, 3 + 2 * int(header.get("num_buffers", 0))
                self.messages.append({"type": header["msgtype"], "bytes": 0, "events": []})
        if not self.messages:
            return
        message = self.messages[-1]
        message["bytes"] += size
        if self._part == 2 and isinstance(payload, str):  # the content
            try:
                content = json.loads(payload)
            except ValueError:
                content = {}
            for event in content.get("events", []) if isinstance(content, dict) else []:
                model = event.get("model", {})
                message["events"].append((model.get("id"), event.get("attr", event.get("kind"))))
        self._part += 1

    def mark(self) -> tuple[int, int, int]:
        return len(self.messages), self.frames, self.sent

    def since(self, mark: tuple[int, int, int]) -> tuple[list[dict], int, int]:
        """The messages received since `mark`, and the frames received and sent."""
        return self.messages[mark[0] :], self.frames - mark[1], self.sent - mark[2]


def ws_report(messages: list[dict], frames: int, sent: int) -> str:
    counts = Counter(m["type"] for m in messages)
    kinds = ", ".join(f"{n} {t}" for t, n in sorted(counts.items())) or "none"
    size = sum(m["bytes"] for m in messages)
    return (
        f"server -> page: {frames} frames, {size / 1e3:.1f} kB in messages: {kinds}; "
        f"page -> server: {sent} frames"
    )


def largest_changes(page: object, messages: list[dict], top: int = 6) -> str:
    """The models and attributes of the largest messages, named as the page names them."""
    parts = []
    for m in sorted(messages, key=lambda m: -m["bytes"])[:top]:
        names = page.evaluate(
            "(events) => events.map(([id, attr]) => {"
            " const m = id ? Bokeh.documents[0].get_model_by_id(id) : null;"
            " return (m ? (m.name || m.type) : '?') + '.' + attr; })",
            m["events"][:4],
        )
        more = f" +{len(m['events']) - 4}" if len(m["events"]) > 4 else ""
        parts.append(f"{m['bytes'] / 1e3:.1f} kB {m['type']} [{', '.join(names)}{more}]")
    return "; ".join(parts)


def open_app(context: object, url: str) -> tuple[object, Socket, list[str]]:
    page = context.new_page()
    socket = Socket(page)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function(
        "() => window.Bokeh && Bokeh.documents.length > 0"
        " && Bokeh.documents[0].get_model_by_name('groups') !== null"
        " && Bokeh.documents[0].get_model_by_name('tau_rows') !== null",
        timeout=60_000,
    )
    page.wait_for_selector(".tau-slider .noUi-handle", timeout=60_000)
    page.wait_for_timeout(1000)  # let the page settle: deferred updates, layout
    return page, socket, errors


def latency(chromium: object, base: str, J: int, presses: int) -> None:
    context = chromium.new_context(viewport=VIEWPORT)
    page, socket, errors = open_app(context, f"{base}/app?J={J}")
    rows = page.evaluate(
        "() => { const d = Bokeh.documents[0].get_model_by_name('tau_rows').data;"
        " return [d.tau.length, d.theta.shape[1]]; }"
    )
    page.evaluate(MEASURE)
    handle = page.locator(".tau-slider .noUi-handle").first
    results = {}

    # arrow keys: right then left, one slider step each
    handle.focus()
    page.wait_for_timeout(300)
    mark = socket.mark()
    inputs0 = page.evaluate("() => window.__bench.inputs")
    for key in ("ArrowRight", "ArrowLeft"):
        for _ in range(presses // 2):
            page.keyboard.press(key)
            page.wait_for_timeout(50)
    page.wait_for_timeout(1500)
    results["key"] = (socket.since(mark), page.evaluate("() => window.__bench.inputs") - inputs0)

    # mouse drag: ~1.5 slider steps per pointermove, right then half way back
    track = page.locator(".tau-slider .noUi-base").first.bounding_box()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    dx = 1.5 * track["width"] / 200
    moves = presses // 2
    if x + dx * moves > track["x"] + track["width"]:
        dx = -dx  # no room on the right: drag left first
    mark = socket.mark()
    inputs0 = page.evaluate("() => window.__bench.inputs")
    page.mouse.move(x, y)
    page.mouse.down()
    for step in [*range(1, moves + 1), *range(moves - 1, moves // 2 - 1, -1)]:
        page.mouse.move(x + dx * step, y)
        page.wait_for_timeout(50)
    page.mouse.up()
    page.wait_for_timeout(1500)
    results["drag"] = (socket.since(mark), page.evaluate("() => window.__bench.inputs") - inputs0)

    bench = page.evaluate(
        "() => ({samples: window.__bench.samples, stamps: window.__bench.stamps})"
    )
    interval = float(np.median(np.diff(bench["stamps"])))
    print(
        f"browser, J = {J} ({rows[0]} grid rows x {rows[1]} groups), "
        f"animation frame interval: median {interval:.2f} ms"
    )
    for kind, label in (("key", "arrow key"), ("drag", "mouse drag")):
        samples = [s for s in bench["samples"] if s["kind"] == kind]
        ms = [s["ms"] for s in samples]
        frames = [float(s["frames"]) for s in samples]
        ws, inputs = results[kind]
        print(
            f"  {label} -> repainted figure: {summary(ms)}; "
            f"rAF callbacks counted: {summary(frames, 1, 'frames')}; "
            f"in frame intervals (ms / {interval:.1f}): "
            f"median {statistics.median(ms) / interval:.2f}, "
            f"p95 {np.percentile(ms, 95) / interval:.2f} "
            f"(goal p95 <= 2 frames); {inputs} input events, {len(samples)} repaints"
        )
        changed = [s["changed"] for s in samples]
        frame_start = [s["frame_start"] for s in samples]
        print(
            f"    of which input -> groups.change: {summary(changed)}; "
            f"input -> start of the repainting frame: {summary(frame_start)}"
        )
        print(f"  during the {label}s: {ws_report(*ws)} (goal: no update per step)")
        patches = [m for m in ws[0] if m["type"] != "OK"]
        if patches:
            print(f"    largest: {largest_changes(page, patches, 3)}")
    print(f"  console errors: {len(errors)}" + (f": {errors[:3]}" if errors else ""))

    if J == 200:  # payload per data change, as the browser receives it
        mark = socket.mark()
        page.locator("button", has_text="New data").first.click()
        page.wait_for_timeout(4000)
        messages, frames, sent = socket.since(mark)
        print(
            f"payload per data change, in the browser, J = {J} ({rows[0]} grid rows x "
            f"{rows[1]} groups): 'New data' -> {ws_report(messages, frames, sent)} "
            f"(goal <= 2 MB)"
        )
        print(f"  largest messages: {largest_changes(page, messages)}")
    context.close()


def first_render(chromium: object, base: str, warm: int, screenshot: Path | None) -> None:
    pages = {"app": "shrinkage_figure", "bare_page": "bare_figure"}
    contexts = {}
    for name, figure_name in pages.items():
        contexts[name] = chromium.new_context(viewport=VIEWPORT)
        contexts[name].add_init_script(FIRST_PAINT % json.dumps(figure_name))
    times: dict[str, list[float]] = {name: [] for name in pages}
    for load in range(1 + warm):
        for name in pages:  # alternating; the first load in each context is cold
            page = contexts[name].new_page()
            page.goto(f"{base}/{name}")
            page.wait_for_function("() => window.__painted !== undefined", timeout=60_000)
            times[name].append(page.evaluate("() => window.__painted"))
            if name == "app":  # let its deferred part finish, so the next load has the server
                page.wait_for_selector(".views", state="attached", timeout=60_000)
                page.wait_for_timeout(500)
            if screenshot is not None and name == "app" and load == 0:
                page.wait_for_timeout(1000)
                page.screenshot(path=str(screenshot), full_page=True)
                print(f"screenshot: {screenshot}")
            page.close()
    for context in contexts.values():
        context.close()
    app, bare = times["app"], times["bare_page"]
    for name, label in (("app", "app"), ("bare_page", "bare one-figure page")):
        t = times[name]
        print(
            f"first render, navigation to figure painted, {label}: cold {t[0]:.0f} ms; "
            f"warm {summary(t[1:], 0)}"
        )
    print(
        f"first render, app / bare: cold {app[0] / bare[0]:.2f}, "
        f"warm medians {statistics.median(app[1:]) / statistics.median(bare[1:]):.2f} "
        f"(goal <= 1.5)"
    )


def browser(presses: int, warm: int, screenshot: Path | None) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = serve(port, "app.py", "benchmarks/bare_page.py")
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            first_render(chromium, base, warm, screenshot)
            for J in (12, 200):
                latency(chromium, base, J, presses)
            chromium.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshot", type=Path, help="save a full-page PNG of the app here")
    parser.add_argument("--presses", type=int, default=60, help="arrow keys (and drag moves)")
    parser.add_argument("--warm", type=int, default=10, help="warm loads of each page")
    parser.add_argument("--no-server", action="store_true", help="skip the in-process timing")
    args = parser.parse_args()
    browser(args.presses, args.warm, args.screenshot)
    payload_in_process()
    if not args.no_server:
        server_callback()
