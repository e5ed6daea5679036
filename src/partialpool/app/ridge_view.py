"""Ridge regression is the hierarchical prior in disguise: on a small simulated design, the
ridge coefficients at lambda = sigma^2 / tau^2 and the posterior mean under beta_k ~ N(0, tau^2)
are drawn on top of each other as the tau slider moves."""

from __future__ import annotations

import math

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, Range1d
from bokeh.plotting import figure

from ..pooling import Z_95
from ..ridge import RidgeDesign, hierarchical_posterior, ridge, ridge_penalty, simulate_design
from .css import text_box
from .panel_private import BokehPane
from .style import FULL_BAYES, NO_POOL, PARTIAL_POOL, TRUTH
from .tau_axis import TauView, style_legend

OBSERVATIONS, COEFFICIENTS = 20, 8
"""The design's size: few observations for its coefficients, so the prior matters."""

LASSO_NOTE = (
    "A Laplace (double-exponential) prior on beta_k instead gives the lasso as its posterior "
    "mode (Tibshirani 1996, section 5): it sets small coefficients exactly to 0, which no "
    "posterior mean does."
)


def design_scale(sigma: float | None, v: np.ndarray) -> float:
    """The design's noise sd: the data's sigma, or their median se_j, so the slider's tau range
    means the same on both."""
    return sigma if sigma is not None else math.sqrt(float(np.median(v)))


class RidgeView(TauView):
    """Least squares, ridge at lambda = sigma^2 / tau^2 and the posterior mean (± 1.96 sd) of
    each coefficient of a simulated regression, with the true coefficients."""

    redraw_on = ("seed",)
    """The design is drawn from the seed (and the data's noise scale, which come with a new
    comparison)."""

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._coefficients = ColumnDataSource(
            {k: [] for k in ("k", "truth", "ols", "ridge", "post", "low", "high")},
            name="ridge_coefficients",
        )
        self._y_range = Range1d(-1.0, 1.0)
        self._figure = self._build()
        self._caption = text_box("ridge-caption")
        self._follow_state()

    def _build(self) -> figure:
        fig = figure(
            name="ridge_figure",
            height=380,
            sizing_mode="stretch_width",
            x_range=Range1d(0.4, COEFFICIENTS + 0.6),
            y_range=self._y_range,
            tools="save",
            toolbar_location=None,
            x_axis_label="coefficient k",
            y_axis_label="beta_k",
        )
        fig.outline_line_color = None
        fig.xaxis.ticker = list(range(1, COEFFICIENTS + 1))
        fig.xgrid.grid_line_color = None
        source = self._coefficients
        fig.segment("k", "low", "k", "high", source=source, line_color=FULL_BAYES.color)
        fig.scatter(
            "k", "truth", source=source, **{**TRUTH.scatter(), "legend_label": "true beta_k"}
        )
        fig.scatter(
            "k", "ols", source=source, **{**NO_POOL.scatter(), "legend_label": "least squares"}
        )
        fig.scatter(
            "k",
            "ridge",
            source=source,
            **{**PARTIAL_POOL.scatter(), "size": 16, "legend_label": "ridge, λ = σ²/τ²"},
        )
        fig.scatter(
            "k",
            "post",
            source=source,
            **{
                **FULL_BAYES.scatter(),
                "marker": "circle",
                "size": 6,
                "legend_label": "posterior mean ± 1.96 sd, β ~ N(0, τ²)",
            },
        )
        style_legend(fig)
        fig.legend.ncols = 2
        fig.legend.border_line_color = None
        fig.add_layout(fig.legend[0], "below")
        return fig

    def _refresh(self) -> None:
        data = self.state.data
        scale = design_scale(data.sigma, data.v)
        self._design: RidgeDesign = simulate_design(
            OBSERVATIONS, COEFFICIENTS, tau=scale, sigma=scale, seed=self.state.seed
        )
        d = self._design
        self._ols = ridge(d.X, d.y, 0.0)
        values = np.concatenate([d.beta, self._ols, [0.0]])
        pad = 0.1 * float(np.ptp(values)) or 1.0
        self._y_range.update(start=float(values.min()) - pad, end=float(values.max()) + pad)
        self._follow_tau()

    def _follow_tau(self) -> None:
        d, tau = self._design, self.state.tau
        penalty = ridge_penalty(d.sigma, tau)
        if math.isinf(penalty):  # tau = 0: every coefficient pooled to 0
            ridge_beta = post = half = np.zeros(COEFFICIENTS)
        else:
            ridge_beta = ridge(d.X, d.y, penalty)
            posterior = hierarchical_posterior(d.X, d.y, d.sigma, tau)
            post, half = posterior.mean, Z_95 * posterior.sd
        self._coefficients.data = {
            "k": np.arange(1, COEFFICIENTS + 1),
            "truth": d.beta,
            "ols": self._ols,
            "ridge": ridge_beta,
            "post": post,
            "low": post - half,
            "high": post + half,
        }
        gap = float(np.max(np.abs(ridge_beta - post)))
        shown = "∞ (every beta_k = 0)" if math.isinf(penalty) else f"{penalty:.3g}"
        self._caption.text = (
            f"<p class='caption'>{OBSERVATIONS} observations, {COEFFICIENTS} coefficients, "
            f"noise sd sigma = {d.sigma:.3g}. At tau = {tau:.3g}: ridge penalty "
            f"λ = sigma²/tau² = <span class='ridge-lambda'>{shown}</span>; ridge and the "
            f"posterior mean differ by at most <span class='ridge-gap'>{gap:.1e}</span>. "
            f"{LASSO_NOTE}</p>"
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            BokehPane(self._figure, sizing_mode="stretch_width"),
            self._caption,
            sizing_mode="stretch_width",
        )
