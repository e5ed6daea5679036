"""The risk curve: partial pooling's MSE against the truth as tau moves, beside the two extremes."""

from __future__ import annotations

import math

import numpy as np
import panel as pn
from bokeh.models import BasicTickFormatter, ColumnDataSource

from .css import text_box
from .panel_private import BokehPane
from .style import GRAND_MEAN, NO_POOL, PARTIAL_POOL, SLIDER
from .tau_axis import TauMarks, TauView, fit_tau_range, style_legend, tau_figure

FAR_ABOVE = 5.0
"""Complete pooling's MSE beyond this multiple of the rest is left above the Risk axis (the
default simulation's is about 3 times no pooling's; with its outlier group about 20 times)."""


def risk_axis_top(rising: np.ndarray, no_pool: float, complete_pool: float) -> float:
    """The highest MSE the axis must show: no pooling's and the curve from its lowest point on,
    and complete pooling's unless it is more than FAR_ABOVE times that (an outlier group, a
    large tau), when it would press the dip of partial pooling flat."""
    top = max(no_pool, float(rising.max()))
    return max(top, complete_pool) if complete_pool <= FAR_ABOVE * top else top


class RiskCurveView(TauView):
    """MSE(tau) of partial pooling along the comparison's tau grid, horizontal lines for no
    pooling and complete pooling, the MSE at the slider's tau as a dot, and the tau marks."""

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._curve = ColumnDataSource({"tau": [], "mse": []}, name="risk_curve")
        self._limits = ColumnDataSource({"y": [], "color": [], "name": []}, name="risk_limits")
        self._at_tau = ColumnDataSource({"tau": [], "mse": []}, name="risk_at_tau")
        self._figure, self._x_range, self._y_range = tau_figure(
            "risk_figure", "MSE against the truth", height=330
        )
        self._build()
        self._caption = text_box("risk-caption")
        self._follow_state()

    def _build(self) -> None:
        fig = self._figure
        fig.hspan(
            y="y",
            source=self._limits,
            line_color="color",
            line_dash="dashed",
            line_width=2,
            legend_field="name",
        )
        fig.line(
            "tau",
            "mse",
            source=self._curve,
            line_color=PARTIAL_POOL.color,
            line_width=3,
            legend_label="partial pooling at tau",
        )
        fig.scatter(
            "tau",
            "mse",
            source=self._at_tau,
            marker="circle",
            size=11,
            fill_color=SLIDER.color,
            line_color="#ffffff",
            line_width=2,
        )
        self._marks = TauMarks(fig, "risk_marks")
        fig.yaxis.formatter = BasicTickFormatter(power_limit_low=-6)
        style_legend(fig)

    def _follow_tau(self) -> None:
        state, mse = self.state, self.state.comparison.mse
        self._marks.move_slider(state.tau)
        if mse:
            self._at_tau.data = {"tau": [state.tau], "mse": [mse["partial_pool"]]}

    def _refresh(self) -> None:
        state, c = self.state, self.state.comparison
        self._figure.visible = c.path_mse is not None
        if c.path_mse is None:
            self._caption.text = (
                "<p class='caption risk-no-truth'>The risk curve scores estimates against the true "
                "theta_j, which these data do not have. The simulation, the batting averages "
                "or a file with a truth column draw it.</p>"
            )
            return
        tau, curve = c.path.tau, c.path_mse
        no_pool, complete_pool = c.mse["no_pool"], c.mse["complete_pool"]
        best = int(np.argmin(curve))
        top = risk_axis_top(curve[best:], no_pool, complete_pool)
        above = f" ({complete_pool:.3g}, above the axis)" if complete_pool > top else ""
        self._curve.data = {"tau": tau, "mse": curve}
        self._limits.data = {
            "y": [no_pool, complete_pool],
            "color": [NO_POOL.color, GRAND_MEAN.color],
            "name": ["no pooling", f"complete pooling{above}"],
        }
        self._y_range.update(start=0.0, end=1.3 * top)
        fit_tau_range(self._x_range, state)
        self._marks.draw(state)
        self._follow_tau()
        beyond = "" if best < tau.size - 1 else " (or beyond: the axis ends there)"
        ratio = curve[best] / no_pool if no_pool > 0 else math.nan
        self._caption.text = (
            "<p class='caption'>Lowest MSE on this axis at tau = "
            f"<span class='best-tau'>{tau[best]:.3g}</span>{beyond}: "
            f"{curve[best]:.4g}, {ratio:.2f} of no pooling's. This is one data set; the "
            "Monte Carlo tab averages over many.</p>"
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            BokehPane(self._figure, sizing_mode="stretch_width"),
            self._caption,
            sizing_mode="stretch_width",
        )
