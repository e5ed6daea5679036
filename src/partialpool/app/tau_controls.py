"""The tau controls above the figure: the slider with the fitted tau_hat and the true tau marked
under its track, the Fit button and the tau^2 estimator, the full-Bayes and James-Stein toggles,
and the shrinkage and ridge readout.

The slider is a Bokeh `Slider`: its steps are the rows of the comparison's tau grid, and the
page moves the handle and the readout by itself (`live_tau`); the server sets tau when the
slider is let go, and moves the slider when tau changes there (Fit, a link, new data).
"""

from __future__ import annotations

import html
import math

import numpy as np
import panel as pn
import param
from bokeh.models import Column, Div, Row, Slider

from ..compare import Comparison
from ..models import Model
from ..ridge import ridge_penalty
from .bokeh_widgets import checkbox, event_button, select
from .css import CSS
from .panel_private import BokehPane
from .state import SIMULATED, TAU_STEPS, PoolingState
from .style import FITTED, TRUTH, Glyph
from .throttle import Throttled

TAU2_LABELS = {
    "HE": "method of moments (HE)",
    "DL": "DerSimonian-Laird (DL)",
    "PM": "Paule-Mandel (PM)",
    "ML": "maximum likelihood (ML)",
    "REML": "restricted ML (REML)",
    "SJ": "Sidik-Jonkman (SJ)",
    "HS": "Hunter-Schmidt (HS)",
}
"""The tau^2 estimators as the drop-down names them."""

REST_DELAY_MS = 250
"""The server hears of tau when the slider is let go, and of a run of arrow-key steps (each of
which Bokeh reports as a release) at most this often: the page shows each step by itself."""


def _not_normal(comparison: Comparison) -> bool:
    return comparison.model.key != "normal"


def _slider_format(end: float) -> str:
    """A number format with three digits below the slider end's leading digit."""
    return "0." + "0" * max(1, 3 - math.floor(math.log10(end)))


SCALE_CSS = """
.bk-clearfix { display: block !important; }
.tau-scale { position: relative; height: 34px; margin: 0 1px; font-size: 12px; }
.tau-mark { position: absolute; white-space: nowrap; line-height: 16px; }
.tau-mark .symbol { display: inline-block; width: 1em; text-align: center; }
.tau-mark.right { transform: translateX(-0.5em); }
.tau-mark.left { transform: translateX(calc(0.5em - 100%)); }
"""
"""The marks sit under the slider's track (inset 1 px by its border): a mark's symbol is
centred at tau / end of the width, its label runs right of it, or left past the middle."""


def scale_marks(end: float, marks: list[tuple[float, Glyph, str]]) -> str:
    """HTML marks under the slider's track, one lane each: (tau, glyph, label) for every
    finite tau."""
    spans = []
    for lane, (tau, glyph, label) in enumerate(marks):
        if not math.isfinite(tau):
            continue
        left = 100.0 * min(max(tau / end, 0.0), 1.0)
        side = "left" if left > 55.0 else "right"
        symbol = f"<span class='symbol' style='color: {glyph.color}'>{glyph.symbol}</span>"
        text = html.escape(label)
        content = f"{symbol}{text}" if side == "right" else f"{text}{symbol}"
        spans.append(
            f"<span class='tau-mark {side}' style='left: {left:.4f}%; top: {16 * lane}px; "
            f"color: {glyph.outline or glyph.color}'>{content}</span>"
        )
    return f"<div class='tau-scale'>{''.join(spans)}</div>"


class TauControls(pn.viewable.Viewer):
    """The tau slider with tau_hat and the true tau marked under it, the fit button, and the
    shrinkage and ridge readouts."""

    state = param.ClassSelector(class_=PoolingState)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self.slider = Slider(
            title="tau: the spread of the true group means assumed by partial pooling",
            start=0.0,
            end=1.0,
            step=0.01,
            value=self.state.tau,
            sizing_mode="stretch_width",
            css_classes=["tau-slider"],
            stylesheets=[".bk-slider-title { white-space: normal; }"],
            tooltips=False,
        )
        self._send_tau = Throttled(self._set_tau, REST_DELAY_MS)
        self.slider.on_change("value_throttled", self._on_slider)
        self._fit = event_button(
            self.state, "fit_tau", button_type="success", width=170, css_classes=["fit-tau"]
        )
        self._method = select(self.state, "method", TAU2_LABELS, width=210)
        self._toggles = Column(
            checkbox(
                self.state, "show_full_bayes", css_classes=["show-full-bayes"], margin=(4, 10)
            ),
            checkbox(
                self.state, "show_james_stein", css_classes=["show-james-stein"], margin=(4, 10)
            ),
            align="center",
        )
        self.readout = Div(
            name="tau_readout", sizing_mode="stretch_width", stylesheets=[CSS], margin=(0, 10)
        )
        self.scale = Div(
            name="tau_scale", sizing_mode="stretch_width", stylesheets=[SCALE_CSS], margin=(0, 5)
        )
        self._method.disabled = _not_normal(self.state.comparison)
        self._redraw()
        self.state.param.watch(self._on_state, ["comparison"])
        self.state.param.watch(self._on_tau, ["tau"])

    def _on_slider(self, attr: str, old: float, new: float) -> None:
        self._released = new
        self._send_tau()

    def _set_tau(self) -> None:
        self.state.tau = self._released

    def _on_tau(self, event: param.parameterized.Event) -> None:
        if self.slider.value != event.new:
            self.slider.value = event.new

    def _on_state(self, event: param.parameterized.Event) -> None:
        self._method.disabled = _not_normal(event.new)  # the estimator is unused then
        if not event.old.same_fit(event.new):
            with pn.io.hold():
                self._redraw()

    def _redraw(self) -> None:
        """The slider's range and steps (the grid's) and the marks under it (the readout's text
        comes from `live_tau`, which computes every row once)."""
        state, c = self.state, self.state.comparison
        end = state.tau_max
        self.slider.update(
            end=end, step=end / TAU_STEPS, format=_slider_format(end), value=state.tau
        )
        true_tau = state.tau_true if state.source in SIMULATED else math.nan
        self.scale.text = scale_marks(
            end,
            [
                (c.fit.tau, FITTED, f"tau_hat = {c.fit.tau:.4g}"),
                (true_tau, TRUTH, f"true tau = {true_tau:.4g}"),
            ],
        )

    def readout_rows(self, c: Comparison) -> list[str]:
        """The readout at each grid tau: the shrinkage of the least and most pooled group, the
        ridge penalty (when the groups share a sigma), mu_hat, and tau_hat with its source."""
        state, data, path = self.state, c.data, c.path
        sigma = data.sigma
        normal = c.model.key == "normal"
        truth = f"; true tau = {state.tau_true:.4g}" if state.source in SIMULATED else ""
        fitted = (
            f"<br>Fitted tau_hat = <span class='tau-hat'>{c.fit.tau:.4g}</span> "
            f"({html.escape(self._tau_hat_source(c.model))}){truth}.</div>"
        )
        n, labels = data.n, data.labels
        if normal:  # B_j = v_j / (v_j + tau^2) orders the groups by v_j at every tau
            small = np.full(path.tau.size, np.argmax(data.v))
            large = np.full(path.tau.size, np.argmin(data.v))
        else:  # under a t population or for counts B_j also depends on where y_j lies
            small, large = np.argmax(path.shrinkage, axis=1), np.argmin(path.shrinkage, axis=1)
            tied = np.ptp(path.shrinkage, axis=1) <= 1e-12  # tau = 0: every B_j is 1
            small = np.where(tied, np.argmax(data.v), small)
            large = np.where(tied, np.argmin(data.v), large)
        rows = []
        for k, tau in enumerate(path.tau):
            b = path.shrinkage[k]
            i, j = small[k], large[k]
            if not normal:
                groups = (html.escape(str(labels[i])), html.escape(str(labels[j])))
            elif n is not None:
                groups = (f"the least precise group (n = {n[i]})", f"the most precise (n = {n[j]})")
            else:
                groups = ("the least precise group (largest se)", "the most precise (smallest se)")
            if sigma is None or not normal:
                penalty = ""
            else:
                lam = ridge_penalty(sigma, float(tau))
                shown = "∞ (complete pooling)" if math.isinf(lam) else f"{lam:.3g}"
                penalty = (
                    f"; ridge penalty &lambda; = sigma&sup2;/tau&sup2; = "
                    f"<span class='lambda'>{shown}</span>"
                )
            rows.append(
                f"<div class='tau-readout'><b>tau = {tau:.4g}</b>: shrinkage B_j = "
                f"<span class='b-small'>{b[i]:.3f}</span> for {groups[0]} "
                f"to <span class='b-large'>{b[j]:.3f}</span> for {groups[1]}"
                f"{penalty}; mu_hat = {path.mu[k]:.4g}{self._rate(c, k)}.{fitted}"
            )
        return rows

    @staticmethod
    def _rate(c: Comparison, k: int) -> str:
        """For counts, the scale of mu_hat and the rate it gives at grid row k."""
        if c.path.rate is None:
            return ""
        return f" on the {c.model.link} scale, a rate of {c.path.rate[k]:.4g}"

    def _tau_hat_source(self, model: Model) -> str:
        if model.key == "normal":
            return self.state.method
        if model.key == "student-t":
            return f"marginal ML, Student-t population with nu = {model.nu:g}"
        return f"marginal ML, {model.name.lower()}, tau on the {model.link} scale"

    def actions(self, **layout: object) -> Row:
        """The Fit button, the tau^2 estimator and the two toggles, in a row that wraps
        (`layout`: the row's own settings; its `styles` join the wrapping)."""
        styles = {"flex-wrap": "wrap", **layout.pop("styles", {})}
        return Row(
            self._fit,
            self._method,
            self._toggles,
            **{"sizing_mode": "stretch_width", "styles": styles, **layout},
        )

    def controls(self, **layout: object) -> Column:
        """The slider, the marks under it and the readout (`layout`: the column's settings)."""
        return Column(
            self.slider, self.scale, self.readout, **{"sizing_mode": "stretch_width", **layout}
        )

    def layout(self) -> pn.viewable.Viewable:
        """The slider, the marks under it and the readout, as a Panel pane."""
        return BokehPane(self.controls(), sizing_mode="stretch_width")

    def __panel__(self) -> pn.viewable.Viewable:
        return BokehPane(
            Column(self.controls(), self.actions(), sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
        )
