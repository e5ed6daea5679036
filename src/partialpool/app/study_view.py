"""The Monte Carlo study's controls, progress and result: each estimator's MSE over R data sets
as a box plot, and how often partial pooling beat no pooling."""

from __future__ import annotations

import math

import numpy as np
import panel as pn
import param
from bokeh.models import BasicTickFormatter, ColumnDataSource, FactorRange, HoverTool, Range1d
from bokeh.plotting import figure

from ..montecarlo import ESTIMATORS, MonteCarloStudy
from .study import MonteCarloRun
from .style import FITTED, GRAND_MEAN, NO_POOL, TRUTH
from .tau_axis import CAPTION_CSS
from .throttle import Throttled

COLORS = {
    "no_pool": NO_POOL.color,
    "complete_pool": GRAND_MEAN.color,
    "empirical_bayes": FITTED.color,
    "true_tau": TRUTH.outline,
}

STALE_DELAY_MS = 200

BOX_COLUMNS = ("name", "color", "q05", "q25", "q50", "q75", "q95", "mean")


def box_stats(study: MonteCarloStudy) -> dict[str, list]:
    """Per estimator: 5%, 25%, 50%, 75%, 95% quantiles and the mean of its MSE."""
    keys = list(ESTIMATORS)
    q = np.array([np.quantile(study.errors(k), [0.05, 0.25, 0.5, 0.75, 0.95]) for k in keys])
    means = study.mean_mse()
    return {
        "name": [ESTIMATORS[k] for k in keys],
        "color": [COLORS[k] for k in keys],
        "q05": q[:, 0],
        "q25": q[:, 1],
        "q50": q[:, 2],
        "q75": q[:, 3],
        "q95": q[:, 4],
        "mean": [means[k] for k in keys],
    }


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
        self._status = pn.pane.HTML(
            sizing_mode="stretch_width", stylesheets=[CAPTION_CSS], css_classes=["mc-status"]
        )
        self._key = pn.pane.HTML(
            "<p class='caption'>Box: the middle half of the data sets, the thick line at the "
            "median; whiskers: 5% to 95%; ◇: the mean MSE.</p>",
            sizing_mode="stretch_width",
            stylesheets=[CAPTION_CSS],
            visible=False,
        )
        self._boxes = ColumnDataSource({k: [] for k in BOX_COLUMNS}, name="mc_boxes")
        self._x_range = Range1d(0.0, 1.0)
        self._figure = self._build()
        self._draw_result()
        self.run.param.watch(self._on_progress, ["running", "done"])
        self.run.param.watch(lambda *_: self._draw_result(), ["study", "message"])
        self.run.state.param.watch(Throttled(self._write_status, STALE_DELAY_MS), ["data", "fit"])

    def _build(self) -> figure:
        fig = figure(
            name="mc_figure",
            height=250,
            sizing_mode="stretch_width",
            y_range=FactorRange(*reversed(ESTIMATORS.values())),
            x_range=self._x_range,
            tools="",
            toolbar_location=None,
            x_axis_label="MSE of one data set",
        )
        fig.outline_line_color = None
        fig.min_border_right = 16
        fig.xaxis.formatter = BasicTickFormatter(power_limit_low=-6)
        fig.xaxis.ticker.desired_num_ticks = 5
        fig.segment(
            "q05", "name", "q95", "name", source=self._boxes, line_color="color", line_width=2
        )
        boxes = fig.hbar(
            y="name",
            left="q25",
            right="q75",
            height=0.5,
            source=self._boxes,
            fill_color="color",
            fill_alpha=0.3,
            line_color="color",
        )
        fig.hbar(
            y="name",
            left="q50",
            right="q50",
            height=0.5,
            source=self._boxes,
            line_color="color",
            line_width=3,
        )
        fig.scatter(
            "mean",
            "name",
            source=self._boxes,
            marker="diamond",
            size=12,
            fill_color="#ffffff",
            line_color="color",
            line_width=2,
        )
        fig.add_tools(
            HoverTool(
                renderers=[boxes],
                tooltips=[("", "@name"), ("mean", "@mean{0.0000}"), ("median", "@q50{0.0000}")],
            )
        )
        fig.visible = False
        return fig

    def _on_progress(self, *_: param.parameterized.Event) -> None:
        run = self.run
        with pn.io.hold():
            self._start.disabled = run.running
            self._replications.disabled = run.running
            self._progress.visible = run.running
            self._progress.value = int(100 * run.done / run.target)
            if run.running:
                self._status.object = _paragraph(
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
            self._status.object = _paragraph(
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
        self._status.object = _paragraph(
            f"Partial pooling at the method-of-moments tau_hat beat no pooling in {how_often} "
            f"{study.replications:,} data sets; its mean MSE is {ratio:.2f} of no pooling's. "
            f"Model: {model}.{stale}"
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            pn.Row(self._replications, self._start, self._stop, align="end"),
            self._progress,
            self._status,
            pn.pane.Bokeh(self._figure, sizing_mode="stretch_width"),
            self._key,
            sizing_mode="stretch_width",
        )
