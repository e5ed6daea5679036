"""The tau controls above the figure: the slider, the Fit button and the tau^2 estimator, the
full-Bayes and James-Stein toggles, the shrinkage and ridge readout, and a ruler that marks the
slider's tau, the fitted tau_hat and the true tau."""

from __future__ import annotations

import html
import math

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, LabelSet, Range1d
from bokeh.plotting import figure

from .css import CSS
from .panel_private import LiveFloatSlider
from .state import PoolingState
from .style import FITTED, TRUTH
from .throttle import TEXT_DELAY_MS, Throttled


def _slider_format(end: float) -> str:
    """A number format with three digits below the slider end's leading digit."""
    return "0." + "0" * max(1, 3 - math.floor(math.log10(end)))


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
