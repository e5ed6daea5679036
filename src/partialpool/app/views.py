"""Views of a PoolingState: the group figure, the tau controls, the MSE table, the settings.

Each figure is built once. Callbacks change ColumnDataSource data in place inside `hold`: a tau
move patches two columns of the per-group source; new data replaces the sources' data and the
fixed axis ranges. No callback loops over groups in Python.
"""

from __future__ import annotations

import html
import math
from typing import ClassVar

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, FixedTicker, HoverTool, LabelSet, Range1d, Title
from bokeh.plotting import figure

from ..groupdata import GroupData
from ..results import Z_95
from .state import SORTS, PoolingState
from .style import (
    FITTED,
    FULL_BAYES,
    GRAND_MEAN,
    JAMES_STEIN,
    JAMES_STEIN_MEAN,
    NO_POOL,
    OBSERVATION,
    PARTIAL_POOL,
    TABLE_ROWS,
    TOGGLED_ROWS,
    TRUTH,
)
from .throttle import Throttled

CSS = """
.mse-table { border-collapse: collapse; width: 100%; font-size: 14px; }
.mse-table th, .mse-table td { padding: 4px 6px; border-bottom: 1px solid #ddd; text-align: right; }
.mse-table th:first-child, .mse-table td:first-child { text-align: left; white-space: nowrap; }
.mse-table tr.best { background: #e3f4e6; font-weight: 600; }
.mse-table .best-mark { color: #1a7a36; white-space: nowrap; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; }
.caption { color: #555; font-size: 12px; }
.tau-readout { font-size: 14px; line-height: 1.5; }
.problem { background: #fff3cd; border: 1px solid #e0c36a; padding: 6px 10px; border-radius: 4px; }
"""

TEXT_DELAY_MS = 40
"""Text beside the figure (readouts, MSE table) follows a burst of tau moves this much later,
at most once per this interval, so that the browser repaints the circles first: re-laying out
HTML costs about as much as the repaint."""

ROW_PIXELS = 30
"""Figure height per group row, before clipping to [360, 1400] pixels."""

MAX_DOTS = 20_000
"""The most raw observations drawn; beyond this an evenly spaced subset is drawn."""

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
"""Full-Bayes marks sit this far below a group's row, James-Stein marks this far above."""

FADED_ALPHA = 0.2
"""The opacity of the estimates that the chosen model structure does not use."""

STRUCTURE_USES = {
    "separate": {"no_pool"},
    "pooled": {"complete_pool"},
    "hierarchical": {"no_pool", "complete_pool", "partial_pool"},
}
"""The estimates the figure shows at full strength under each structure: the hierarchical model
is the compromise, so it keeps both extremes in view."""
"""The full-Bayes diamond and bar sit this far below the row's centre, clear of the circle."""


def _jitter(count: int) -> np.ndarray:
    """Offsets in [-0.25, 0.25) from the golden-ratio sequence: spread evenly, no randomness."""
    return ((np.arange(count) * 0.6180339887498949) % 1.0 - 0.5) * 0.5


def _x_extent(data: GroupData) -> tuple[float, float]:
    """The data's range: observations, or each y_j +/- 1.96 se_j without them, and the truth."""
    if data.values is not None:
        parts = [data.values]
    else:
        half = Z_95 * np.sqrt(data.v)
        parts = [data.y - half, data.y + half]
    if data.truth is not None:
        parts.append(data.truth)
    lo, hi = min(p.min() for p in parts), max(p.max() for p in parts)
    pad = 0.04 * (hi - lo) if hi > lo else max(abs(lo), 1.0)
    return float(lo - pad), float(hi + pad)


def _slider_format(end: float) -> str:
    """A number format with three digits below the slider end's leading digit."""
    return "0." + "0" * max(1, 3 - math.floor(math.log10(end)))


def _figure_subtitle(data: GroupData) -> str:
    """Say what the figure cannot show for these data."""
    missing = []
    if data.values is None:
        missing.append("no raw observations to draw (grey bars: y_j ± 1.96 se_j)")
    if data.truth is None:
        missing.append("no true theta_j")
    return f"Summary data: {'; '.join(missing)}." if missing else ""


class LiveFloatSlider(pn.widgets.FloatSlider):
    """A FloatSlider whose moves reach the server almost at once.

    Panel waits 50 ms (`Syncable._debounce`) before handling a change from the browser, which
    alone would use up the 50 ms budget from a slider move to repainted circles. 2 ms rather
    than 0 lets Bokeh finish acknowledging the change first; handling it at once collides with
    that reply on the socket's write lock, and Panel then retries its write 10 ms later
    (measured with benchmarks/app.py).
    """

    _debounce: ClassVar[int] = 2


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
        self._figure = self._build()
        self._refresh()
        self._emphasise()
        self.state.param.watch(
            self._on_state,
            ["data", "order", "fit", "posterior", "show_full_bayes", "show_james_stein"],
        )
        self.state.param.watch(lambda _: self._emphasise(), ["structure"])

    def _build(self) -> figure:
        fig = figure(
            name="shrinkage_figure",
            css_classes=["shrinkage-figure"],
            title="Each row is a group: partial pooling pulls its mean toward the grand mean",
            x_range=self._x_range,
            y_range=self._y_range,
            height=400,
            sizing_mode="stretch_width",
            tools="xpan,xwheel_zoom,reset,save",
            toolbar_location="right",
            x_axis_label="value",
        )
        fig.ygrid.grid_line_color = None
        fig.yaxis.ticker = FixedTicker(ticks=[])
        fig.yaxis.major_label_text_font_size = "11px"
        bands = fig.hbar(
            y="row",
            height=1.0,
            left="band_left",
            right="band_right",
            source=self._groups,
            fill_color="#000000",
            fill_alpha="band_alpha",
            line_alpha=0.0,
            hover_fill_color="#1a9641",
            hover_fill_alpha=0.08,
            hover_line_alpha=0.0,
        )
        pull = {"line_color": PARTIAL_POOL.color, "line_alpha": 0.6, "line_width": 2}
        pull_line = fig.segment("ybar", "row", "theta_hat", "row", source=self._groups, **pull)
        fig.scatter("x", "y", source=self._observations, **OBSERVATION.scatter())
        interval = {"line_color": OBSERVATION.color, "line_alpha": 0.5, "line_width": 3}
        fig.segment("low", "row", "high", "row", source=self._intervals, **interval)
        grand_mean = fig.line(
            "x",
            "y",
            source=self._grand_mean,
            line_dash="dashed",
            line_color=GRAND_MEAN.color,
            line_width=1.5,
            legend_label=GRAND_MEAN.name,
        )
        marks = {
            column: fig.scatter(column, "row", source=self._groups, **glyph.scatter())
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
        bar = {"line_color": FULL_BAYES.color, "line_width": 2, "line_alpha": 0.8}
        self._toggled = {
            "show_full_bayes": [
                fig.segment("fb_low", "fb_row", "fb_high", "fb_row", source=self._groups, **bar),
                fig.scatter("fb_mean", "fb_row", source=self._groups, **FULL_BAYES.scatter()),
            ],
            "show_james_stein": [
                fig.scatter(column, "js_row", source=self._groups, **glyph.scatter())
                for column, glyph in (("js0", JAMES_STEIN), ("js_mean", JAMES_STEIN_MEAN))
            ],
        }
        fig.add_tools(HoverTool(renderers=[bands], tooltips=TOOLTIPS, mode="mouse"))
        fig.legend.orientation = "horizontal"
        fig.legend.ncols = 3
        fig.legend.label_text_font_size = "12px"
        fig.legend.click_policy = "hide"
        fig.add_layout(fig.legend[0], "above")
        self._subtitle = Title(
            text="", text_font_size="12px", text_font_style="italic", visible=False
        )
        fig.add_layout(self._subtitle, "above")
        return fig

    def _on_state(self, *events: param.parameterized.Event) -> None:
        names = {e.name for e in events}
        with pn.io.hold():
            if names == {"fit"}:
                self._draw_fit()
            elif names <= {"show_full_bayes", "show_james_stein"}:
                self._show_toggled()
            elif names <= {"posterior", "show_full_bayes", "show_james_stein"}:
                self._groups.patch(
                    {k: [(slice(0, self.state.data.J), v)] for k, v in self._posterior().items()}
                )
                self._show_toggled()
            else:
                self._refresh()

    def _posterior(self) -> dict[str, np.ndarray]:
        """The full-Bayes columns: posterior mean and mean ± 1.96 sd (NaN without a posterior)."""
        fb, J = self.state.posterior, self.state.data.J
        if fb is None:
            nan = np.full(J, np.nan)
            return {"fb_mean": nan, "fb_low": nan, "fb_high": nan}
        half = Z_95 * fb.theta_sd
        return {
            "fb_mean": fb.theta_mean,
            "fb_low": fb.theta_mean - half,
            "fb_high": fb.theta_mean + half,
        }

    def _james_stein(self) -> dict[str, np.ndarray]:
        """The James-Stein columns (NaN where J is too small for the estimator)."""
        estimates, J = self.state.james_stein_estimates, self.state.data.J
        nan = np.full(J, np.nan)
        return {
            "js0": estimates.get("james_stein", nan),
            "js_mean": estimates.get("james_stein_mean", nan),
        }

    def _show_toggled(self) -> None:
        """Full Bayes and James-Stein glyphs, with their legend items, follow their toggles."""
        items = self._figure.legend[0].items
        for toggle, renderers in self._toggled.items():
            shown = getattr(self.state, toggle)
            for renderer in renderers:
                renderer.visible = shown
            for item in items:
                if item.renderers[0] in renderers:
                    item.visible = shown

    def _emphasise(self) -> None:
        """The chosen structure's estimate at full strength, the other two faded."""
        used = STRUCTURE_USES[self.state.structure]
        for estimator, renderers in self._estimators.items():
            fade = 1.0 if estimator in used else FADED_ALPHA
            for renderer, alpha in renderers:
                renderer.glyph.line_alpha = fade * alpha

    def _draw_fit(self) -> None:
        fit = self.state.fit
        everything = slice(0, fit.theta.size)
        self._groups.patch(
            {
                "theta_hat": [(everything, fit.theta)],
                "shrinkage": [(everything, fit.shrinkage)],
            }
        )

    def _refresh(self) -> None:
        state = self.state
        data, fit, row = state.data, state.fit, state.order
        J = data.J
        lo, hi = _x_extent(data)
        n = data.n if data.n is not None else np.full(J, -1)
        self._groups.data = {
            "row": row,
            "label": data.labels,
            "n": n,
            "ybar": data.y,
            "theta_hat": fit.theta,
            "shrinkage": fit.shrinkage,
            "theta": data.truth if data.truth is not None else np.full(J, np.nan),
            "band_left": np.full(J, lo),
            "band_right": np.full(J, hi),
            "band_alpha": np.where(row % 2 == 0, 0.035, 0.0),
            "fb_row": row + FULL_BAYES_OFFSET,
            "js_row": row - FULL_BAYES_OFFSET,
            **self._posterior(),
            **self._james_stein(),
        }
        self._show_toggled()
        if data.values is not None:
            stride = max(1, math.ceil(data.values.size / MAX_DOTS))
            values, groups = data.values[::stride], data.groups[::stride]
            dots = {"x": values, "y": row[groups] + _jitter(values.size)}
            intervals = {"low": [], "high": [], "row": []}
        else:
            half = Z_95 * np.sqrt(data.v)
            dots = {"x": [], "y": []}
            intervals = {"low": data.y - half, "high": data.y + half, "row": row}
        self._observations.data = dots
        self._intervals.data = intervals
        grand_mean = float(np.average(data.y, weights=1.0 / data.v))
        self._grand_mean.data = {"x": [grand_mean, grand_mean], "y": [-0.5, J - 0.5]}
        self._x_range.update(start=lo, end=hi)
        self._y_range.update(start=J - 0.5, end=-0.5 - FULL_BAYES_OFFSET)
        axis = self._figure.yaxis[0]
        axis.ticker.ticks = list(range(J))
        sizes = [f" (n={k})" for k in n] if data.n is not None else [""] * J
        axis.major_label_overrides = {
            int(r): f"{label}{size}" for r, label, size in zip(row, data.labels, sizes, strict=True)
        }
        self._figure.title.text = f"{data.title}: each row is a group"
        subtitle = _figure_subtitle(data)
        self._subtitle.update(text=subtitle, visible=bool(subtitle))
        self._figure.height = int(np.clip(120 + ROW_PIXELS * J, 360, 1400))

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.pane.Bokeh(self._figure, sizing_mode="stretch_width")


class TauControls(pn.viewable.Viewer):
    """The tau slider, the fit button, the shrinkage and ridge readouts, and a ruler that marks
    the slider's tau, the fitted tau_hat and the true tau."""

    state = param.ClassSelector(class_=PoolingState)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        end = self.state.tau_max
        self._slider = LiveFloatSlider.from_param(
            self.state.param.tau,
            name="tau: the spread of the true group means assumed by partial pooling",
            start=0.0,
            end=end,
            step=end / 400,
            format=_slider_format(end),
            sizing_mode="stretch_width",
            css_classes=["tau-slider"],
        )
        self._fit = pn.widgets.Button.from_param(
            self.state.param.fit_tau, color="success", width=170, css_classes=["fit-tau"]
        )
        self._method = pn.widgets.Select.from_param(
            self.state.param.method,
            options={
                "method of moments (HE)": "HE",
                "DerSimonian-Laird (DL)": "DL",
                "Paule-Mandel (PM)": "PM",
                "maximum likelihood (ML)": "ML",
                "restricted ML (REML)": "REML",
                "Sidik-Jonkman (SJ)": "SJ",
                "Hunter-Schmidt (HS)": "HS",
            },
            width=210,
            # the estimator is unused while a Student-t population is in use (not when it fell
            # back to the Normal, see population_problem)
            disabled=(self.state.param.population.rx() != "normal").rx.and_(
                self.state.param.population_problem.rx() == ""
            ),
        )
        self._toggles = pn.Column(
            pn.widgets.Checkbox.from_param(
                self.state.param.show_full_bayes, css_classes=["show-full-bayes"], margin=(4, 10)
            ),
            pn.widgets.Checkbox.from_param(
                self.state.param.show_james_stein, css_classes=["show-james-stein"], margin=(4, 10)
            ),
            align="center",
        )
        self._readout = pn.pane.HTML(
            sizing_mode="stretch_width", name="tau_readout", stylesheets=[CSS]
        )
        self._marks = ColumnDataSource(name="tau_marks")
        self._ruler_range = Range1d(-0.02 * end, end)
        self._ruler = self._build_ruler()
        self._redraw(full=True)
        self._write_later = Throttled(self._write_readout, TEXT_DELAY_MS)
        self.state.param.watch(self._on_state, ["fit", "tau_hat", "data", "tau_max"])

    def _build_ruler(self) -> figure:
        fig = figure(
            name="tau_ruler",
            height=120,
            sizing_mode="stretch_width",
            x_range=self._ruler_range,
            y_range=Range1d(-0.6, 2.6),
            toolbar_location=None,
            tools="",
            x_axis_label="tau",
        )
        fig.yaxis.visible = False
        fig.ygrid.grid_line_color = None
        fig.outline_line_color = None
        fig.scatter(
            "x",
            "y",
            source=self._marks,
            marker="marker",
            size=13,
            fill_color="color",
            line_color="line",
        )
        fig.add_layout(
            LabelSet(
                x="x",
                y="y",
                text="text",
                source=self._marks,
                x_offset=8,
                y_offset=-7,
                text_font_size="12px",
                text_color="line",
            )
        )
        return fig

    def _on_state(self, *events: param.parameterized.Event) -> None:
        with pn.io.hold():
            self._redraw(full=any(e.name != "fit" for e in events))

    def _redraw(self, full: bool) -> None:
        self._draw_marks(full)
        if full:
            self._write_readout()
        else:
            self._write_later()

    def _draw_marks(self, full: bool) -> None:
        state = self.state
        if full:
            end = state.tau_max
            self._slider.param.update(end=end, step=end / 400, format=_slider_format(end))
            self._ruler_range.update(start=-0.02 * end, end=end)
        true_tau = state.tau_true if state.source == "simulated" else math.nan
        self._marks.data = {
            "x": [state.tau, state.tau_hat, true_tau],
            "y": [2.0, 1.0, 0.0],
            "marker": ["inverted_triangle", FITTED.marker, TRUTH.marker],
            "color": ["#000000", FITTED.color, TRUTH.color],
            "line": ["#000000", FITTED.color, TRUTH.outline],
            "text": [
                f"slider tau = {state.tau:.4g}",
                f"tau_hat = {state.tau_hat:.4g}",
                f"true tau = {true_tau:.4g}",
            ],
        }

    def _write_readout(self) -> None:
        state = self.state
        b = state.fit.shrinkage
        small, large = int(np.argmax(b)), int(np.argmin(b))
        n = state.data.n
        which = (
            (f"(n = {n[small]})", f"(n = {n[large]})")
            if n is not None
            else ("(largest se)", "(smallest se)")
        )
        penalty = state.ridge_penalty
        if penalty is None:
            penalty_text = ""
        else:
            shown = "∞ (complete pooling)" if math.isinf(penalty) else f"{penalty:.3g}"
            penalty_text = (
                f"; ridge penalty &lambda; = sigma&sup2;/tau&sup2; = "
                f"<span class='lambda'>{shown}</span>"
            )
        truth = f"; true tau = {state.tau_true:.4g}" if state.source == "simulated" else ""
        if state.nu_in_use is None:
            groups = (f"the least precise group {which[0]}", f"the most precise {which[1]}")
        else:  # under a t population B_j also falls with the distance from mu
            labels = state.data.labels
            groups = (html.escape(str(labels[small])), html.escape(str(labels[large])))
        self._readout.object = (
            f"<div class='tau-readout'><b>tau = {state.tau:.4g}</b>: shrinkage B_j = "
            f"<span class='b-small'>{b[small]:.3f}</span> for {groups[0]} "
            f"to <span class='b-large'>{b[large]:.3f}</span> for {groups[1]}"
            f"{penalty_text}; mu_hat = {state.fit.mu:.4g}."
            f"<br>Fitted tau_hat = "
            f"<span class='tau-hat'>{state.tau_hat:.4g}</span> "
            f"({html.escape(self._tau_hat_source())}){truth}.</div>"
        )

    def _tau_hat_source(self) -> str:
        nu = self.state.nu_in_use
        if nu is None:
            return self._method.value
        return f"marginal ML, Student-t population with nu = {nu:g}"

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            self._slider,
            pn.Row(self._fit, self._method, self._toggles, align="start"),
            self._readout,
            self._ruler,
            sizing_mode="stretch_width",
        )


class MSETable(pn.viewable.Viewer):
    """Mean squared error of each estimator against the true theta_j, the best row marked."""

    state = param.ClassSelector(class_=PoolingState)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._pane = pn.pane.HTML(sizing_mode="stretch_width", name="mse_table", stylesheets=[CSS])
        self._draw()
        self.state.param.watch(Throttled(self._draw, TEXT_DELAY_MS), ["errors", "outlier_errors"])
        self.state.param.watch(lambda _: self._draw(), ["show_full_bayes", "show_james_stein"])

    def _draw(self) -> None:
        state = self.state
        hidden = {key for key, toggle in TOGGLED_ROWS.items() if not getattr(state, toggle)}
        errors = {key: value for key, value in state.errors.items() if key not in hidden}
        if not errors:
            self._pane.object = (
                "<p class='caption no-truth'>No true theta_j is known for these data, so no "
                "estimator can be scored. Data with a truth column, the batting averages or "
                "the simulation fill this table.</p>"
            )
            return
        best = min(errors, key=errors.get)
        baseline = errors["no_pool"]
        split = state.outlier_errors
        rows = []
        for key, (name, glyph) in TABLE_ROWS.items():
            if key not in errors:
                continue
            if split:
                numbers = "".join(
                    f"<td class='{c}'>{x:.4g}</td>"
                    for c, x in zip(("outlier", "rest"), split[key], strict=True)
                )
            else:
                ratio = errors[key] / baseline if baseline > 0 else math.nan
                numbers = f"<td class='ratio'>{ratio:.2f}</td>"
            mark = (" ✓" if split else " ✓ best") if key == best else ""
            rows.append(
                f"<tr class='{'best' if key == best else ''}' data-estimator='{key}'>"
                f"<td><span class='swatch' style='background:{glyph.color}'></span>{name}"
                f"<b class='best-mark'>{mark}</b></td>"
                f"<td class='mse'>{errors[key]:.4g}</td>{numbers}</tr>"
            )
        truth = "true theta_j" if state.source != "efron_morris" else "rest-of-season average"
        heads = "<th>outlier</th><th>the rest</th>" if split else "<th>vs no pooling</th>"
        apart = (
            " Outlier: its squared error; the rest: the MSE of the other groups." if split else ""
        )
        self._pane.object = (
            f"<table class='mse-table'><thead><tr><th>Estimator</th><th>MSE</th>{heads}"
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            f"<p class='caption mse-caption'>MSE = mean over the groups of (estimate - {truth})². "
            f"It updates as tau moves.{apart}</p>"
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return self._pane


class SimulationSettings(pn.viewable.Viewer):
    """The simulation's settings (shown for simulated data) and the row order, as widgets made
    from the parameters."""

    state = param.ClassSelector(class_=PoolingState)

    def __panel__(self) -> pn.viewable.Viewable:
        p = self.state.param
        wide = {"sizing_mode": "stretch_width"}
        simulation = pn.Column(
            "### Simulation",
            pn.widgets.IntSlider.from_param(p.J, start=3, end=200, throttled=True, **wide),
            pn.widgets.IntRangeSlider.from_param(
                p.n_range, start=1, end=200, throttled=True, **wide
            ),
            pn.widgets.FloatSlider.from_param(
                p.tau_true, start=0.0, end=5.0, throttled=True, **wide
            ),
            pn.widgets.FloatSlider.from_param(p.sigma, start=0.1, end=5.0, throttled=True, **wide),
            pn.widgets.FloatInput.from_param(p.mu, **wide),
            pn.widgets.IntInput.from_param(p.seed, **wide),
            pn.widgets.Button.from_param(p.new_data, color="primary", **wide),
            pn.widgets.Checkbox.from_param(p.outlier, css_classes=["outlier-toggle"]),
            pn.Column(
                pn.widgets.FloatSlider.from_param(
                    p.outlier_shift,
                    start=-10.0,
                    end=10.0,
                    throttled=True,
                    css_classes=["outlier-shift"],
                    **wide,
                ),
                pn.widgets.IntSlider.from_param(
                    p.outlier_n, start=1, end=200, throttled=True, **wide
                ),
                visible=p.outlier,
                **wide,
            ),
            visible=p.source.rx() == "simulated",
            **wide,
        )
        return pn.Column(
            simulation,
            "### View",
            pn.widgets.RadioButtonGroup.from_param(
                p.sort,
                options={label: key for key, label in SORTS.items()},
                orientation="vertical",
                **wide,
            ),
            **wide,
        )


GUIDE = """
### What to look for
1. **Every green circle sits between its blue x and the population mean.** Partial pooling
   is a compromise: theta_hat_j = ybar_j + B_j (mu_hat - ybar_j). mu_hat weighs each group by
   1 / (sigma_j² + tau²); at tau = 0 it is the dashed grand mean, and it stays close to it.
2. **Small groups are pulled harder.** B_j = sigma_j² / (sigma_j² + tau²) is large when n_j is
   small, so a noisy mean of 2 observations moves far, a mean of 40 barely moves. Sort by
   group size to see it.
3. **tau is the dial between the two extremes.** Drag it to 0 and every circle collapses onto
   the grand mean (complete pooling); drag it up and they settle on the blue x's (no pooling).
4. **The data can choose tau.** "Fit tau from data" sets tau to its empirical-Bayes estimate;
   there the circles are usually closer to the gold triangles (the truth) than either extreme:
   watch the MSE table.
5. **The tabs say why.** Risk: the MSE for every tau, lowest between the two extremes.
   Posterior: how sure the data are about tau. Paths: every estimate as tau moves. Monte Carlo:
   is this one data set typical? Repeat it a thousand times.
6. **The story has limits and a family.** Add an outlier group: the Normal population drags
   it in, a Student-t one lets it keep its mean. Stein: shrinkage helps even unrelated means.
   Ridge: the same prior as a penalty. Model structure: when to pool at all.
"""
