"""The posterior of tau from the exact grid (`full_bayes`), its prior drawn faintly beneath."""

from __future__ import annotations

import html
import math

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource

from ..bayes import FullBayes
from .css import text_box
from .panel_private import BokehPane
from .style import FULL_BAYES
from .tau_axis import TauMarks, TauView, fit_tau_range, style_legend, tau_figure

PRIOR_NAMES = {"flat on tau (uniform)": "uniform", "half-Cauchy(0, scale)": "half-cauchy"}

DISPLAY_POINTS = 301
"""Points on which the density is drawn across the axis."""

PRIOR_COLOR = "#8c8c8c"


def _prior_density(tau: np.ndarray, fb: FullBayes, height: float) -> np.ndarray:
    """The half-Cauchy density 2 / (pi s (1 + (tau/s)^2)) on tau >= 0; the flat prior is
    improper, so it is drawn as a level line at `height` (its shape, not its scale)."""
    if fb.prior == "uniform":
        return np.full_like(tau, height)
    s = fb.scale
    return 2.0 / (math.pi * s * (1.0 + (tau / s) ** 2))


class PosteriorView(TauView):
    """p(tau | y) with its 95% interval shaded, the median, tau_hat and the slider's tau marked,
    and a selector for the prior on tau."""

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._density = ColumnDataSource({"tau": [], "density": [], "prior": []}, name="posterior")
        self._interval = ColumnDataSource({"tau": [], "density": []}, name="posterior_interval")
        self._figure, self._x_range, self._y_range = tau_figure(
            "posterior_figure", "density p(tau | y)", height=300
        )
        self._build()
        self._prior = pn.widgets.Select.from_param(
            self.state.param.prior, options=PRIOR_NAMES, width=190, css_classes=["prior-select"]
        )
        self._scale = pn.widgets.FloatInput.from_param(
            self.state.param.prior_scale,
            start=1e-12,
            width=130,
            visible=self.state.param.prior.rx() == "half-cauchy",
            css_classes=["prior-scale"],
        )
        self._caption = text_box("posterior-text")
        self._follow_state()

    def _build(self) -> None:
        fig = self._figure
        fig.varea(
            x="tau",
            y1=0.0,
            y2="density",
            source=self._interval,
            fill_color=FULL_BAYES.color,
            fill_alpha=0.18,
            legend_label="95% posterior interval",
        )
        fig.line(
            "tau",
            "prior",
            source=self._density,
            line_color=PRIOR_COLOR,
            line_dash="dotted",
            line_width=2,
            line_alpha=0.8,
            legend_label="prior",
        )
        fig.line(
            "tau",
            "density",
            source=self._density,
            line_color=FULL_BAYES.color,
            line_width=3,
            legend_label="posterior",
        )
        self._marks = TauMarks(fig, "posterior_marks")
        style_legend(fig)

    def _follow_tau(self) -> None:
        self._marks.move_slider(self.state.tau)

    def _refresh(self) -> None:
        state, c = self.state, self.state.comparison
        fb = c.posterior
        self._figure.visible = fb is not None
        if fb is None:
            self._caption.text = (
                f"<p class='caption posterior-problem'>{html.escape(c.posterior_problem)}</p>"
            )
            return
        tau = np.linspace(0.0, state.tau_max, DISPLAY_POINTS)
        density = np.interp(tau, fb.tau_grid, fb.tau_density, left=0.0, right=0.0)
        peak = float(density.max())
        prior = _prior_density(tau, fb, 0.25 * peak)
        low, median, high = fb.tau_quantiles([0.025, 0.5, 0.975])
        inside = (tau >= low) & (tau <= high)
        edges = np.array([low, high])
        shade_tau = np.concatenate([edges[:1], tau[inside], edges[1:]])
        shade = np.interp(shade_tau, fb.tau_grid, fb.tau_density)
        self._density.data = {"tau": tau, "density": density, "prior": prior}
        self._interval.data = {"tau": shade_tau, "density": shade}
        self._y_range.update(start=0.0, end=1.35 * max(peak, min(float(prior.max()), 2 * peak)))
        fit_tau_range(self._x_range, state)
        self._marks.draw(state, [(median, FULL_BAYES.color, f"median {median:.3g}")])
        beyond = 1.0 - float(np.interp(state.tau_max, fb.tau_grid, fb.tau_cdf, right=1.0))
        prior_text = (
            "a flat prior on tau (dotted: its shape only; it is improper)"
            if fb.prior == "uniform"
            else f"a half-Cauchy(0, {fb.scale:.3g}) prior on tau (dotted)"
        )
        tail = (
            f" P(tau > {state.tau_max:.3g} | y) = {beyond:.3f} lies past the axis."
            if (beyond >= 0.001)
            else ""
        )
        self._caption.text = (
            f"<p class='caption posterior-caption'>Under {prior_text}: posterior median tau = "
            f"<b class='tau-median'>{median:.3g}</b>, 95% interval "
            f"<span class='tau-interval'>[{low:.3g}, {high:.3g}]</span>; empirical Bayes "
            f"plugs in tau_hat = {c.fit.tau:.3g} ({c.fit.method}) and treats it as known, "
            f"full Bayes averages over this whole curve.{tail}</p>"
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            pn.Row(self._prior, self._scale),
            BokehPane(self._figure, sizing_mode="stretch_width"),
            self._caption,
            sizing_mode="stretch_width",
        )
