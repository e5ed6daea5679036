"""The Monte Carlo study's controls, progress and result: each estimator's MSE over R data sets
as a box plot, and how often partial pooling beat no pooling."""

from __future__ import annotations

import math

import numpy as np
import panel as pn
import param
from bokeh.models import Range1d

from ..montecarlo import ESTIMATORS, MonteCarloStudy
from . import boxes
from .css import text_box
from .panel_private import BokehPane
from .study import MonteCarloRun
from .style import FITTED, GRAND_MEAN, NO_POOL, TRUTH
from .throttle import Throttled

COLORS = {
    "no_pool": NO_POOL.color,
    "complete_pool": GRAND_MEAN.color,
    "empirical_bayes": FITTED.color,
    "true_tau": TRUTH.outline,
}

STALE_DELAY_MS = 200


def box_stats(study: MonteCarloStudy) -> dict[str, list]:
    """Per estimator: the quantiles and mean of its MSE over the replications."""
    return boxes.box_stats([(ESTIMATORS[k], COLORS[k], study.errors(k)) for k in ESTIMATORS])


def _paragraph(html: str) -> str:
    return f"<p class='caption mc-status-text'>{html}</p>"


class MonteCarloView(pn.viewable.Viewer):
    """Run / Cancel, a progress bar while the study runs, then box plots and the win rate."""

    run = param.ClassSelector(class_=MonteCarloRun)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        p = self.run.param
        self._replications = pn.widgets.IntInput.from_param(
            p.replications, width=120, css_classes=["mc-replications"]
        )
        self._start = pn.widgets.Button.from_param(
            p.run, color="primary", width=110, css_classes=["mc-run"]
        )
        self._stop = pn.widgets.Button.from_param(p.cancel, width=90, css_classes=["mc-cancel"])
        self._progress = pn.indicators.Progress(
            value=0,
            max=100,
            bar_color="success",
            sizing_mode="stretch_width",
            visible=False,
            css_classes=["mc-progress"],
        )
        self._status = text_box("mc-status")
        self._key = text_box("mc-key", boxes.BOX_KEY, visible=False)
        self._boxes = boxes.empty_boxes("mc_boxes")
        self._x_range = Range1d(0.0, 1.0)
        self._figure = boxes.box_figure(
            "mc_figure",
            list(ESTIMATORS.values()),
            self._boxes,
            self._x_range,
            "MSE of one data set",
        )
        self._draw_result()
        self.run.param.watch(self._on_progress, ["running", "done"])
        self.run.param.watch(lambda *_: self._draw_result(), ["study", "message"])
        self.run.state.param.watch(Throttled(self._write_status, STALE_DELAY_MS), ["comparison"])

    def _on_progress(self, *_: param.parameterized.Event) -> None:
        run = self.run
        with pn.io.hold():
            self._start.disabled = run.running
            self._replications.disabled = run.running
            self._progress.visible = run.running
            self._progress.value = int(100 * run.done / run.target)
            if run.running:
                self._status.text = _paragraph(
                    f"Running: {run.done:,} of {run.target:,} data sets…"
                )

    def _draw_result(self) -> None:
        study = self.run.study
        self._figure.visible = self._key.visible = study is not None
        if study is not None:
            stats = box_stats(study)
            self._boxes.data = stats
            self._x_range.update(start=0.0, end=1.05 * float(np.max(stats["q95"])))
        self._write_status()

    def _write_status(self) -> None:
        run, study = self.run, self.run.study
        if run.running:
            return
        v, tau, mu = run.settings()
        source = run.state.source
        model = (
            f"J = {v.size} groups with the simulation's n_j, true tau = {tau:.3g}, mu = {mu:.3g}"
            if source == "simulated"
            else f"J = {v.size} groups with these data's se_j, tau = the slider's "
            f"{tau:.3g}, mu = mu_hat = {mu:.3g}"
        )
        if study is None:
            text = run.message or "Press Run to repeat the experiment."
            self._status.text = _paragraph(
                f"{text} Each data set draws new theta_j ~ N(mu, tau²) and group means "
                f"ybar_j ~ N(theta_j, se_j²) from the model: {model}."
            )
            return
        share = study.partial_beats_no_pool
        if 0.0 < share < 1.0:
            se = math.sqrt(share * (1 - share) / study.replications)
            how_often = f"<b class='mc-share'>{100 * share:.1f}%</b> (± {100 * se:.1f}%) of"
        else:
            how_often = f"<b class='mc-share'>{100 * share:.0f}%</b> of"
        means = study.mean_mse()
        ratio = means["empirical_bayes"] / means["no_pool"]
        stale = (
            ""
            if run.is_current()
            else "<br><b>The settings have changed since this run: run it again.</b>"
        )
        self._status.text = _paragraph(
            f"Partial pooling at the method-of-moments tau_hat beat no pooling in {how_often} "
            f"{study.replications:,} data sets; its mean MSE is {ratio:.2f} of no pooling's. "
            f"Model: {model}.{stale}"
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            pn.Row(self._replications, self._start, self._stop, align="end"),
            self._progress,
            self._status,
            BokehPane(self._figure, sizing_mode="stretch_width"),
            self._key,
            sizing_mode="stretch_width",
        )
