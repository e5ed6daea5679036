"""The tau slider at frame rate: the page holds one precomputed row per grid tau and the slider
selects one, with no message from the server per step.

Per data or model change the server sends `rows`: for every tau of the comparison's grid
(`Comparison.path`), the partial-pool estimates and shrinkage of each group (two grid x J
arrays, one binary buffer each; the page reads row k at [k J, (k + 1) J)), and the readout
and the MSE table as HTML, all computed by the core and formatted by the views in Python. A
slider step runs `SELECT_ROW` in the browser: it finds the grid row of the slider's value
(within 1e-12 of the grid's end, as `state.on_grid`) and copies it into the figure's source,
the readout and the MSE table in place, without syncing them back (BokehJS
`setv(..., {sync: false})`), and writes tau into the URL. On a page still loading the rows
follow its first render. The server hears of tau when the slider is let go
(`value_throttled`), to update the tabs and the results table.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, CustomJS, Div, Slider

from ..compare import Comparison
from .state import PoolingState, grid_row, tau_move
from .style import TOGGLES

Rows = Callable[[Comparison], list[str]]
"""A view's HTML (or text) for each row of the comparison's tau grid."""

SELECT_ROW = """
const show = (div, html) => {
  const view = Bokeh.index.find_one(div);
  if (view != null && view.markup_el instanceof HTMLElement) {
    div.setv({text: html}, {silent: true});
    view.markup_el.innerHTML = html;
  } else {
    div.setv({text: html}, {sync: false});
  }
};
const t = rows.data;
const n = t.tau.length;
if (n === 0) return;
const x = slider.value;
let lo = 0, hi = n - 1;
while (hi - lo > 1) {
  const mid = (lo + hi) >> 1;
  if (t.tau[mid] <= x) lo = mid; else hi = mid;
}
const k = Math.abs(t.tau[hi] - x) < Math.abs(t.tau[lo] - x) ? hi : lo;
if (Math.abs(t.tau[k] - x) > 1e-12 * t.tau[n - 1]) return;
const g = groups.data;
const J = g.theta_hat.length;
if (t.theta.shape == null || t.theta.shape[1] !== J) return;
for (let j = 0, i = k * J; j < J; j++, i++) {
  g.theta_hat[j] = t.theta[i];
  g.shrinkage[j] = t.shrinkage[i];
}
groups.change.emit();
show(readout, t.readout[k]);
show(mse, t.mse[k]);
const url = new URL(window.location.href);
if (url.searchParams.get("tau") !== String(x)) {
  url.searchParams.set("tau", String(x));
  window.history.replaceState(window.history.state, "", url);
}
"""
"""Runs in the browser on each slider step and whenever new rows or groups arrive (whichever
comes last then sees a consistent page; a row of another size is skipped).

`show` writes a Div's HTML into its view's content element (`MarkupView.markup_el`, BokehJS
BOKEH_CHECKED_WITH) and sets the model's text silently: a text change through the model makes
BokehJS rerender the Div and lay out the whole page, about 40 ms a step (benchmarks/app.py).
Without that element it falls back to the model. tests/browser asserts the element is there."""

BOKEH_CHECKED_WITH = "3.9.2"
"""The BokehJS version whose MarkupView internals `SELECT_ROW` was read against."""


def _page_loading() -> bool:
    """Whether a served page is still loading: its rows then follow the first render
    (`pn.state.onload`), as the slider is of no use before the page is drawn."""
    doc = pn.state.curdoc
    return doc is not None and doc.session_context is not None and not pn.state.loaded


def row_of(comparison: Comparison) -> int:
    """The grid row nearest the comparison's tau: the row the page shows."""
    return grid_row(comparison.path.tau, comparison.tau)


class LiveTau(param.Parameterized):
    """Keeps the page's table of rows in step with the state, and links the slider to it.

    The views give the rows (`Rows`) and own the models; this object computes the rows once per
    data, model or toggle change and writes the readout's and MSE table's text."""

    state = param.ClassSelector(class_=PoolingState)

    def __init__(
        self,
        *,
        slider: Slider,
        groups: ColumnDataSource,
        readout: tuple[Div, Rows],
        mse: tuple[Div, Rows],
        **params: object,
    ) -> None:
        super().__init__(**params)
        self._parts = {"readout": readout[1], "mse": mse[1]}
        self._divs = {"readout": readout[0], "mse": mse[0]}
        self.rows = ColumnDataSource(name="tau_rows")
        self._fill()
        select = CustomJS(
            args={
                "rows": self.rows,
                "slider": slider,
                "groups": groups,
                "readout": readout[0],
                "mse": mse[0],
            },
            code=SELECT_ROW,
        )
        slider.js_on_change("value", select)
        self.rows.js_on_change("data", select)
        groups.js_on_change("data", select)
        self.state.param.watch(self._on_state, ["comparison", *TOGGLES])

    def _on_state(self, *events: param.parameterized.Event) -> None:
        if all(tau_move(e) for e in events):
            return  # the page has it already
        self._fill()

    def _fill(self) -> None:
        """Send the rows, and show the comparison's own row in the Divs (the page does so on
        its own only once a row or the slider changes)."""
        c = self.state.comparison
        path = c.path
        texts = {name: rows(c) for name, rows in self._parts.items()}
        data = {
            "tau": path.tau,
            "theta": np.ascontiguousarray(path.theta, dtype=float),
            "shrinkage": np.ascontiguousarray(path.shrinkage, dtype=float),
            **texts,
        }
        if _page_loading():
            pn.state.onload(lambda: setattr(self.rows, "data", data))
        else:
            self.rows.data = data
        k = row_of(c)
        for name, div in self._divs.items():
            div.text = texts[name][k]

    @property
    def payload_bytes(self) -> int:
        """The size of the rows sent per data or model change: 8 bytes per number, 1 per
        character of text."""
        data = self.rows.data
        numbers = sum(np.asarray(data[k]).size for k in ("tau", "theta", "shrinkage")) * 8
        text = sum(len(s) for k in self._parts for s in data[k])
        return int(numbers + text)
