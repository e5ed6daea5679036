"""Shrinkage paths: each group's theta_hat_j(tau) against tau (BDA3 figure 5.6), and B_j against
the group's size: small groups are pulled harder."""

from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, HoverTool, LabelSet, Range1d
from bokeh.plotting import figure

from ..groupdata import GroupData
from ..pooling import shrinkage
from .css import CAPTION_CSS
from .panel_private import BokehPane
from .style import GRAND_MEAN, PARTIAL_POOL
from .tau_axis import TauMarks, TauView, fit_tau_range, tau_figure

MAX_LABELLED = 12
"""Paths are labelled with their group at the axis's end up to this many groups."""

LABEL_PIXELS = 12
"""The least vertical distance between two end labels of the paths."""

PATHS_PLOT_PIXELS = 200
"""The height of the paths' plot area (the figure's 270 pixels less title and axis)."""


def spread(y: np.ndarray, gap: float) -> np.ndarray:
    """Heights as near y as can be with at least `gap` between neighbours: sorted, each pushed
    up past the one below (z_i = max over k <= i of (y_k - k gap) + i gap), then the whole
    set shifted back onto y's mean."""
    order = np.argsort(y, kind="stable")
    steps = gap * np.arange(y.size)
    z = np.maximum.accumulate(y[order] - steps) + steps
    z += float(np.mean(y[order] - z))
    out = np.empty_like(z)
    out[order] = z
    return out


CURVE_POINTS = 200

PATHS_CAPTION = (
    "<p class='caption'>Each green line is one group's theta_hat_j(tau), from the pooled mean "
    "at tau = 0 (dashed: mu_hat(tau), for counts the rate it gives) to its own ybar_j as tau "
    "grows; circles sit at the slider's tau. Below: B_j at the slider's tau, se_j² / (se_j² + "
    "tau²) under the Normal population (the curve), 1 / (1 + tau² a_j) for counts (a_j the "
    "information of the group's counts), so the groups with the fewest observations are "
    "pulled hardest.</p>"
)


def _precision_axis(data: GroupData) -> tuple[np.ndarray, str, bool]:
    """x of each group in the shrinkage plot: n_j when the groups share sigma (then
    B_j = (sigma^2/n_j) / (sigma^2/n_j + tau^2) is one curve in n), the trials or exposure for
    counts, else se_j."""
    if data.counts is not None:
        label = "trials n_j" if data.counts.kind == "binomial" else "exposure t_j"
        return data.counts.n, label, False
    if data.n is not None and data.sigma is not None:
        return data.n.astype(float), "group size n_j", True
    return np.sqrt(data.v), "standard error se_j", False


class ShrinkagePathsView(TauView):
    """theta_hat_j(tau) for every group with mu_hat(tau) dashed and the slider's tau as a vertical
    line; below, B_j at the slider's tau against n_j (or se_j) with the curve it lies on."""

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._paths = ColumnDataSource({"xs": [], "ys": [], "label": []}, name="paths")
        self._mu = ColumnDataSource({"tau": [], "mu": []}, name="paths_mu")
        self._now = ColumnDataSource({"tau": [], "theta": []}, name="paths_now")
        self._ends = ColumnDataSource({"x": [], "y": [], "label": []}, name="paths_ends")
        self._points = ColumnDataSource({"x": [], "b": [], "label": []}, name="shrinkage_points")
        self._curve = ColumnDataSource({"x": [], "b": []}, name="shrinkage_curve")
        self._paths_fig, self._x_range, self._y_range = tau_figure(
            "paths_figure", "theta_hat_j(tau)", height=270
        )
        self._b_range = Range1d(0.0, 1.0)
        self._b_fig = self._build_shrinkage()
        self._build_paths()
        self._follow_state()

    def _build_paths(self) -> None:
        fig = self._paths_fig
        lines = fig.multi_line(
            "xs",
            "ys",
            source=self._paths,
            line_color=PARTIAL_POOL.color,
            line_alpha=0.55,
            line_width=1.5,
            hover_line_alpha=1.0,
            hover_line_width=3,
        )
        fig.line(
            "tau",
            "mu",
            source=self._mu,
            line_color=GRAND_MEAN.color,
            line_dash="dashed",
            line_width=1.5,
        )
        fig.scatter(
            "tau",
            "theta",
            source=self._now,
            marker="circle",
            size=7,
            fill_color="#ffffff",
            line_color=PARTIAL_POOL.color,
            line_width=2,
        )
        fig.add_layout(
            LabelSet(
                x="x",
                y="y",
                text="label",
                source=self._ends,
                x_offset=-4,
                y_offset=-5,
                text_align="right",
                text_font_size="10px",
                text_color="#333333",
            )
        )
        fig.add_tools(HoverTool(renderers=[lines], tooltips=[("group", "@label")]))
        fig.toolbar_location = None
        self._marks = TauMarks(fig, "paths_marks")

    def _build_shrinkage(self) -> figure:
        fig = figure(
            name="shrinkage_b_figure",
            height=210,
            sizing_mode="stretch_width",
            x_range=Range1d(0.0, 1.0),
            y_range=Range1d(-0.03, 1.03),
            tools="",
            toolbar_location=None,
            y_axis_label="shrinkage B_j",
        )
        fig.outline_line_color = None
        fig.min_border_right = 16
        fig.line(
            "x",
            "b",
            source=self._curve,
            line_color=PARTIAL_POOL.color,
            line_alpha=0.5,
            line_width=2,
        )
        points = fig.scatter(
            "x",
            "b",
            source=self._points,
            marker="circle",
            size=8,
            fill_color=PARTIAL_POOL.color,
            fill_alpha=0.6,
            line_color="#ffffff",
        )
        fig.add_tools(
            HoverTool(renderers=[points], tooltips=[("group", "@label"), ("B_j", "@b{0.000}")])
        )
        return fig

    def _follow_tau(self) -> None:
        state, fit = self.state, self.state.comparison.pooled
        J = fit.theta.size
        everything = slice(0, J)
        self._marks.move_slider(state.tau)
        self._now.data = {"tau": np.full(J, state.tau), "theta": fit.theta}
        self._points.patch({"b": [(everything, fit.shrinkage)]})
        if state.model.key == "normal":  # B_j = v_j / (v_j + tau^2): one curve in v
            x = self._curve_x
            self._curve.data = {"x": x, "b": shrinkage(self._curve_v(x), state.tau**2)}
        else:  # under a t population or for counts B_j also depends on where y_j lies
            self._curve.data = {"x": [], "b": []}

    def _curve_v(self, x: np.ndarray) -> np.ndarray:
        """v as a function of the shrinkage plot's x: sigma^2 / n or se^2."""
        data = self.state.data
        return data.sigma**2 / x if self._by_size else x**2

    def _refresh(self) -> None:
        state, c = self.state, self.state.comparison
        path, data = c.path, c.data
        J = data.J
        self._paths.data = {"xs": [path.tau] * J, "ys": list(path.theta.T), "label": data.labels}
        self._mu.data = {"tau": path.tau, "mu": path.centre}
        lo, hi = float(path.theta.min()), float(path.theta.max())
        pad = 0.05 * (hi - lo) if hi > lo else 1.0
        self._y_range.update(start=lo - pad, end=hi + 2.5 * pad)
        fit_tau_range(self._x_range, state)
        labelled = J <= MAX_LABELLED
        gap = LABEL_PIXELS * (hi - lo + 3.5 * pad) / PATHS_PLOT_PIXELS
        self._ends.data = {
            "x": [path.tau[-1]] * J if labelled else [],
            "y": spread(path.theta[-1], gap) if labelled else [],
            "label": data.labels if labelled else [],
        }
        x, x_label, self._by_size = _precision_axis(data)
        self._b_fig.xaxis.axis_label = x_label
        span = float(x.max() - x.min())
        x_lo, x_hi = (0.0, float(x.max()) * 1.05) if span > 0 else (0.0, 2.0 * float(x.max()))
        self._b_fig.x_range.update(start=x_lo, end=x_hi)
        low = max(x_lo, 1.0) if self._by_size else max(x_hi * 1e-3, 1e-300)
        self._curve_x = np.linspace(low, x_hi, CURVE_POINTS)
        b = c.pooled.shrinkage.copy()  # patched in place below; the comparison is shared
        self._points.data = {"x": x, "b": b, "label": data.labels}
        self._marks.draw(state)
        self._follow_tau()

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            BokehPane(self._paths_fig, sizing_mode="stretch_width"),
            pn.pane.HTML(PATHS_CAPTION, stylesheets=[CAPTION_CSS], sizing_mode="stretch_width"),
            BokehPane(self._b_fig, sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
        )
