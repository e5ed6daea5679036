"""Figure 1: one row per group with its observations, no-pool mean, partial-pool estimate and
true mean, and optionally full Bayes and James-Stein.

The figure is built once. New data replace the sources' data and the fixed axis ranges inside
`hold`; a tau move reaches the per-group source in the page (`live_tau`), not from here. No
callback loops over groups in Python.
"""

from __future__ import annotations

import html
import math

import numpy as np
import panel as pn
import param
from bokeh.core.properties import value
from bokeh.models import (
    Column,
    ColumnDataSource,
    CustomJS,
    FixedTicker,
    GlyphRenderer,
    Grid,
    HBar,
    HoverTool,
    Legend,
    LegendItem,
    Line,
    LinearAxis,
    PanTool,
    Plot,
    Range1d,
    ResetTool,
    SaveTool,
    Scatter,
    Segment,
    Toolbar,
    WheelZoomTool,
)

from ..estimators import GroupEstimates
from ..groupdata import GroupData, own_interval
from .css import text_box
from .live_tau import row_of
from .panel_private import BokehPane
from .state import PoolingState, tau_move
from .style import (
    FULL_BAYES,
    GRAND_MEAN,
    JAMES_STEIN,
    JAMES_STEIN_MEAN,
    NO_POOL,
    OBSERVATION,
    PARTIAL_POOL,
    TOGGLES,
    TRUTH,
)

ROW_PIXELS = 34
"""Figure height per group row, before clipping to [360, MAX_HEIGHT] pixels."""

ROW_PIXELS_WITH_EXTRAS = 64
"""The same with full Bayes or James-Stein on: their marks take lanes of their own."""

MAX_HEIGHT = 1400

LABELLED_ROWS = 40
"""Beyond this many groups the rows carry no labels (hover names them) and the marks shrink
with the rows, so that no mark crosses into the next row."""

BASE_FRAME = 96
"""The figure's height outside its rows: legend and axis."""

HEADING_CSS = """
.figure-title { font-size: 14px; font-weight: normal; margin: 0 0 2px 0; }
.figure-note { color: #555; font-size: 12px; font-style: italic; margin: 0; }
"""

MAX_DOTS = 20_000
"""The most raw observations drawn; beyond this an evenly spaced subset is drawn."""

LEGEND_COLUMNS_JS = """
const columns = cb_obj.inner_width < 440 ? 1 : 3;
if (legend.ncols !== columns) legend.ncols = columns;
"""
"""The legend's columns follow the plot's width (in the page): three rows of labels need about
440 pixels, so a narrower plot (a phone) lists them in one column rather than cut them."""

TOOLTIPS = [
    ("group", "@label"),
    ("n_j", "@n"),
    ("ybar_j (no pooling)", "@ybar{0.000}"),
    ("theta_hat_j (partial pooling)", "@theta_hat{0.000}"),
    ("shrinkage B_j", "@shrinkage{0.000}"),
    ("true theta_j", "@theta{0.000}"),
    ("full Bayes E(theta_j | y)", "@fb_mean{0.000}"),
]
"""Bokeh escapes the @field values it shows, so group labels appear as text."""

FULL_BAYES_OFFSET = 0.3
"""Full-Bayes marks sit this far below a group's row."""

JAMES_STEIN_LANES = {"js_row": -0.22, "jsm_row": -0.5}
"""James-Stein toward 0 and toward the mean sit this far above a group's row, apart, so that
neither covers the other or the row's own marks."""

FADED_ALPHA = 0.2
"""The opacity of the estimates that the chosen model structure does not use."""

STRUCTURE_USES = {
    "separate": {"no_pool"},
    "pooled": {"complete_pool"},
    "hierarchical": {"no_pool", "complete_pool", "partial_pool"},
}
"""The estimates the figure shows at full strength under each structure: the hierarchical model
is the compromise, so it keeps both extremes in view."""


def _jitter(count: int) -> np.ndarray:
    """Offsets in [-0.25, 0.25) from the golden-ratio sequence: spread evenly, no randomness."""
    return ((np.arange(count) * 0.6180339887498949) % 1.0 - 0.5) * 0.5


X_LABELS = {
    None: "value",
    "binomial": "proportion y_j / n_j",
    "poisson": "rate y_j / t_j (per unit of exposure)",
}
"""The x axis's label: for estimates, successes out of trials, counts over an exposure."""

OWN_INTERVALS = {
    None: "y_j ± 1.96 se_j",
    "binomial": "own 95% interval",
    "poisson": "own 95% interval",
}
"""The legend of the grey bars (`groupdata.own_interval`)."""


def _kind(data: GroupData) -> str | None:
    return None if data.counts is None else data.counts.kind


def _x_extent(data: GroupData) -> tuple[float, float]:
    """The data's range: observations, or each group's own 95% interval without them, and the
    truth."""
    parts = [data.values] if data.values is not None else list(own_interval(data))
    if data.truth is not None:
        parts.append(data.truth)
    lo, hi = min(p.min() for p in parts), max(p.max() for p in parts)
    pad = 0.04 * (hi - lo) if hi > lo else max(abs(lo), 1.0)
    return float(lo - pad), float(hi + pad)


def _figure_subtitle(data: GroupData) -> str:
    """Say what the figure cannot show for these data."""
    if data.counts is not None:
        truth = "" if data.truth is not None else " No true rates for these data."
        return f"Counts: grey bars are each group's 95% interval alone (Jeffreys).{truth}"
    if data.values is None:
        missing = "no raw observations to draw (grey bars: y_j ± 1.96 se_j)"
        truth = "; no true theta_j" if data.truth is None else ""
        return f"Summary data: {missing}{truth}."
    return "No true theta_j for these data." if data.truth is None else ""


class ShrinkageFigure(pn.viewable.Viewer):
    """One row per group: raw observations, no-pool mean, partial-pool estimate, true mean."""

    state = param.ClassSelector(class_=PoolingState)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._groups = ColumnDataSource(name="groups")
        self._observations = ColumnDataSource(name="observations")
        self._intervals = ColumnDataSource(name="intervals")
        self._grand_mean = ColumnDataSource(name="grand_mean")
        self._x_range = Range1d(0.0, 1.0, name="x_range")
        self._y_range = Range1d(0.0, 1.0, name="y_range")
        self.heading = text_box("figure-heading", stylesheet=HEADING_CSS)
        """The figure's title and what it cannot show, as HTML that wraps on a phone."""
        self._figure = self._build()
        self._refresh()
        self._emphasise()
        self.state.param.watch(self._on_state, ["comparison", "order", *TOGGLES])
        self.state.param.watch(lambda _: self._emphasise(), ["structure"])

    def _build(self) -> Plot:
        """A `Plot` with only the models it shows: `bokeh.plotting.figure` would also make a
        y grid and a y ticker that the rows replace."""
        tools = [PanTool(dimensions="width"), WheelZoomTool(dimensions="width")]
        fig = Plot(
            name="shrinkage_figure",
            css_classes=["shrinkage-figure"],
            x_range=self._x_range,
            y_range=self._y_range,
            height=400,
            sizing_mode="stretch_width",
            toolbar=Toolbar(tools=[*tools, ResetTool(), SaveTool()]),
            toolbar_location="right",
        )
        x_axis = LinearAxis(axis_label="value")
        fig.add_layout(x_axis, "below")
        fig.add_layout(
            LinearAxis(ticker=FixedTicker(ticks=[]), major_label_text_font_size="11px"), "left"
        )
        fig.add_layout(Grid(dimension=0, ticker=x_axis.ticker))
        legend = Legend(
            name="figure_legend",
            orientation="horizontal",
            ncols=3,
            label_text_font_size="12px",
            click_policy="hide",
            margin=0,
            padding=2,
            spacing=2,
            label_height=16,
            glyph_height=16,
            border_line_alpha=0.0,
        )
        fig.add_layout(legend, "above")
        fig.js_on_change("inner_width", CustomJS(args={"legend": legend}, code=LEGEND_COLUMNS_JS))
        self._legend, self._scatters = legend, {}

        def draw(source: ColumnDataSource, glyph: object, label: str = "", **kw: object):
            return self._draw(fig, source, glyph, label, **kw)

        band = {"y": "row", "height": 1.0, "left": "band_left", "right": "band_right"}
        bands = draw(
            self._groups,
            HBar(**band, fill_color="#000000", fill_alpha="band_alpha", line_alpha=0.0),
            hover_glyph=HBar(**band, fill_color="#1a9641", fill_alpha=0.08, line_alpha=0.0),
        )
        pull = {"line_color": PARTIAL_POOL.color, "line_alpha": 0.6, "line_width": 2}
        pull_line = draw(
            self._groups, Segment(x0="ybar", y0="row", x1="theta_hat", y1="row", **pull)
        )
        self._spreads: dict[bool, GlyphRenderer] = {}
        self._pull_line = pull_line
        grand_mean = draw(
            self._grand_mean,
            Line(x="x", y="y", line_dash="dashed", line_color=GRAND_MEAN.color, line_width=1.5),
            GRAND_MEAN.name,
        )
        marks = {
            column: draw(self._groups, glyph.marks(column, "row"), glyph.name)
            for column, glyph in (("theta", TRUTH), ("ybar", NO_POOL), ("theta_hat", PARTIAL_POOL))
        }
        self._estimators = {
            estimator: [(r, r.glyph.line_alpha) for r in renderers]
            for estimator, renderers in (
                ("no_pool", [marks["ybar"]]),
                ("complete_pool", [grand_mean]),
                ("partial_pool", [marks["theta_hat"], pull_line]),
            )
        }
        self._toggled: dict[str, list[GlyphRenderer]] = {}
        self._truth = marks["theta"]
        fig.add_tools(HoverTool(renderers=[bands], tooltips=TOOLTIPS, mode="mouse"))
        return fig

    def _draw(
        self,
        fig: Plot,
        source: ColumnDataSource,
        glyph: object,
        label: str,
        *,
        under_marks: bool = False,
        **kw: object,
    ) -> GlyphRenderer:
        """One renderer, on top and last in the legend, or with `under_marks` over the shrinkage
        lines and first in the legend. BokehJS derives its faded and muted copies ("auto"),
        which bokeh.plotting would build and send as two more models each."""
        renderer = GlyphRenderer(data_source=source, glyph=glyph, **kw)
        renderers, items = fig.renderers, self._legend.items
        if under_marks:
            renderers.insert(renderers.index(self._pull_line) + 1, renderer)
        else:
            renderers.append(renderer)
        if label:
            items.insert(
                0 if under_marks else len(items), LegendItem(label=label, renderers=[renderer])
            )
        if isinstance(glyph, Scatter):
            self._scatters[renderer] = glyph.size
        return renderer

    def _spread(self, raw: bool) -> GlyphRenderer:
        """The observations' dots (`raw` data) or, for estimates, their own intervals: drawn the
        first time data of that kind are shown (most pages show one kind only)."""
        if raw not in self._spreads:
            if raw:
                source, glyph = self._observations, OBSERVATION.marks("x", "y")
                label = OBSERVATION.name
            else:
                interval = {"line_color": OBSERVATION.color, "line_alpha": 0.5, "line_width": 3}
                source = self._intervals
                glyph = Segment(x0="low", y0="row", x1="high", y1="row", **interval)
                label = OWN_INTERVALS[_kind(self.state.data)]
            self._spreads[raw] = self._draw(self._figure, source, glyph, label, under_marks=True)
        return self._spreads[raw]

    def _extras(self, toggle: str) -> list[GlyphRenderer]:
        """The renderers a toggle shows, drawn the first time it is on (not with the page)."""
        if toggle not in self._toggled:
            fig, groups = self._figure, self._groups
            if toggle == "show_full_bayes":
                bar = {"line_color": FULL_BAYES.color, "line_width": 2, "line_alpha": 0.8}
                interval = Segment(x0="fb_low", y0="fb_row", x1="fb_high", y1="fb_row", **bar)
                marks = [(interval, ""), (FULL_BAYES.marks("fb_mean", "fb_row"), FULL_BAYES.name)]
            else:
                marks = [
                    (JAMES_STEIN.marks("js0", "js_row"), JAMES_STEIN.name),
                    (JAMES_STEIN_MEAN.marks("js_mean", "jsm_row"), JAMES_STEIN_MEAN.name),
                ]
            self._toggled[toggle] = [self._draw(fig, groups, g, label) for g, label in marks]
        return self._toggled[toggle]

    @property
    def groups(self) -> ColumnDataSource:
        """One row per group: what the page's tau lookup (`live_tau`) writes into."""
        return self._groups

    def _on_state(self, *events: param.parameterized.Event) -> None:
        names = {e.name for e in events if not tau_move(e)}
        if not names:
            return  # a tau move: the page has moved the circles (`live_tau`)
        with pn.io.hold():
            if names <= set(TOGGLES):
                self._show_drawn()
            else:
                self._refresh()

    def _posterior(self) -> dict[str, np.ndarray]:
        """The full-Bayes columns: posterior mean and 95% interval (NaN without a posterior)."""
        fb, J = self.state.comparison.posterior, self.state.data.J
        if fb is None:
            nan = np.full(J, np.nan)
            return {"fb_mean": nan, "fb_low": nan, "fb_high": nan}
        low, high = fb.interval()
        return {"fb_mean": fb.theta_mean, "fb_low": low, "fb_high": high}

    def _james_stein(self) -> dict[str, np.ndarray]:
        """The James-Stein columns (NaN where J is too small for the estimator)."""
        estimates, J = self.state.comparison.estimates, self.state.data.J
        nan = GroupEstimates(theta=np.full(J, np.nan))
        return {
            "js0": estimates.get("james_stein", nan).theta,
            "js_mean": estimates.get("james_stein_mean", nan).theta,
        }

    def _show_drawn(self) -> None:
        """Each glyph, and its legend item, only where it has something to draw: observations,
        or for summary data their intervals; the truth where known; full Bayes and James-Stein
        when toggled on. Rows grow to make room for the extra marks."""
        state, data = self.state, self.state.data
        raw = data.values is not None
        drawn = {self._spread(raw): True, self._truth: data.truth is not None}
        if (not raw) in self._spreads:
            drawn[self._spreads[not raw]] = False
        for toggle in TOGGLES:
            if getattr(state, toggle) or toggle in self._toggled:
                drawn.update(dict.fromkeys(self._extras(toggle), getattr(state, toggle)))
        for renderer, shown in drawn.items():
            renderer.visible = shown
        for item in self._legend.items:
            item.visible = drawn.get(item.renderers[0], True)
        self._size_rows()

    def _size_rows(self) -> None:
        """Height grows with J (up to MAX_HEIGHT); beyond LABELLED_ROWS the marks shrink with
        the rows and the row labels give way to the hover."""
        J = self.state.data.J
        extras = any(getattr(self.state, toggle) for toggle in TOGGLES)
        per_row = ROW_PIXELS_WITH_EXTRAS if extras else ROW_PIXELS
        height = int(np.clip(BASE_FRAME + per_row * J, 360, MAX_HEIGHT))
        scale = min(1.0, (height - BASE_FRAME) / J / per_row)
        for renderer, size in self._scatters.items():
            renderer.glyph.size = max(3.0, size * scale)
        labelled = J <= LABELLED_ROWS
        self._figure.yaxis[0].update(
            major_label_text_font_size="11px" if labelled else "0px",
            major_tick_line_color="black" if labelled else None,
        )
        self._figure.height = height

    def _emphasise(self) -> None:
        """The chosen structure's estimate at full strength, the other two faded."""
        used = STRUCTURE_USES[self.state.structure]
        for estimator, renderers in self._estimators.items():
            fade = 1.0 if estimator in used else FADED_ALPHA
            for renderer, alpha in renderers:
                renderer.glyph.line_alpha = fade * alpha

    def _refresh(self) -> None:
        state = self.state
        c = state.comparison
        data, row, k = c.data, state.order, row_of(c)
        J = data.J
        lo, hi = _x_extent(data)
        n = data.n if data.n is not None else np.full(J, -1)
        self._groups.data = {
            "row": row,
            "label": data.labels,
            "n": n,
            "ybar": data.y,
            "theta_hat": c.path.theta[k],
            "shrinkage": c.path.shrinkage[k],
            "theta": data.truth if data.truth is not None else np.full(J, np.nan),
            "band_left": np.full(J, lo),
            "band_right": np.full(J, hi),
            "band_alpha": np.where(row % 2 == 0, 0.035, 0.0),
            "fb_row": row + FULL_BAYES_OFFSET,
            **{lane: row + offset for lane, offset in JAMES_STEIN_LANES.items()},
            **self._posterior(),
            **self._james_stein(),
        }
        self._show_drawn()
        if data.values is not None:
            stride = max(1, math.ceil(data.values.size / MAX_DOTS))
            values, groups = data.values[::stride], data.groups[::stride]
            dots = {"x": values, "y": row[groups] + _jitter(values.size)}
            intervals = {"low": [], "high": [], "row": []}
        else:
            low, high = own_interval(data)
            dots = {"x": [], "y": []}
            intervals = {"low": low, "high": high, "row": row}
        self._observations.data = dots
        self._intervals.data = intervals
        grand_mean = float(c.estimates["complete_pool"].theta[0])
        self._grand_mean.data = {"x": [grand_mean, grand_mean], "y": [-0.5, J - 0.5]}
        self._x_range.update(start=lo, end=hi)
        self._figure.xaxis[0].axis_label = X_LABELS[_kind(data)]
        bars = self._spreads.get(False)
        for item in self._legend.items:
            if bars is not None and item.renderers[0] is bars:
                item.label = value(OWN_INTERVALS[_kind(data)])
        self._y_range.update(start=J - 0.5, end=-0.5 - FULL_BAYES_OFFSET)
        axis = self._figure.yaxis[0]
        axis.ticker.ticks = list(range(J))
        sizes = [f" (n={k})" for k in n] if data.n is not None else [""] * J
        axis.major_label_overrides = {
            int(r): f"{label}{size}" for r, label, size in zip(row, data.labels, sizes, strict=True)
        }
        note = _figure_subtitle(data)
        if J > LABELLED_ROWS:
            note = f"{note} Hover over a row to see its group.".strip()
        self.heading.text = (
            f"<div class='figure-title'><b>{html.escape(data.title)}</b>: each row is a group"
            "</div>" + (f"<p class='caption figure-note'>{html.escape(note)}</p>" if note else "")
        )

    def block(self, **layout: object) -> Column:
        """The heading over the figure, as one Bokeh column."""
        return Column(self.heading, self._figure, **{"sizing_mode": "stretch_width", **layout})

    def __panel__(self) -> pn.viewable.Viewable:
        return BokehPane(self.block(), sizing_mode="stretch_width")
