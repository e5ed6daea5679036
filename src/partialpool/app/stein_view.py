"""Stein's paradox: J unrelated true means, no common population, and still the James-Stein
estimators beat the raw means on total squared error, on average over many data sets."""

from __future__ import annotations

import math

import numpy as np
import panel as pn
import param
from bokeh.models import Range1d

from ..stein_study import ESTIMATORS, SteinStudy, stein_study, unrelated_means
from . import boxes
from .css import text_box
from .panel_private import BokehPane
from .state import PoolingState
from .style import JAMES_STEIN, NO_POOL

COLORS = {
    "raw": NO_POOL.color,
    "james_stein": JAMES_STEIN.color,
    "james_stein_mean": "#fdb863",
}
NAMES = {"raw": "Raw means", "james_stein": "James-Stein → 0", "james_stein_mean": "JS+ → mean"}

SPREAD = 10.0
"""|theta_j| between 1/SPREAD and SPREAD: unrelated quantities in their own units."""


class SteinView(pn.viewable.Viewer):
    """J and R, a Run button, then the unrelated theta_j, each estimator's total squared error
    as a box plot, its mean and how often James-Stein beat the raw means."""

    state = param.ClassSelector(class_=PoolingState)
    J = param.Integer(10, bounds=(3, 100), label="Unrelated means J")
    replications = param.Integer(2000, bounds=(200, 10_000), label="Data sets R")
    run = param.Event(label="Run")
    study = param.ClassSelector(class_=SteinStudy, allow_None=True, precedence=-1)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._boxes = boxes.empty_boxes("stein_boxes")
        self._x_range = Range1d(0.0, 1.0)
        self._figure = boxes.box_figure(
            "stein_figure",
            list(NAMES.values()),
            self._boxes,
            self._x_range,
            "total squared error of one data set",
        )
        self._text = text_box("stein-text")
        self._key = text_box("stein-key", boxes.BOX_KEY, visible=False)
        self._draw()
        self.state.param.watch(lambda _: self._draw(), ["seed"])

    def theta(self) -> np.ndarray:
        """The unrelated true means, drawn from the simulation's seed."""
        return unrelated_means(self.J, seed=self.state.seed, spread=SPREAD)

    @param.depends("run", watch=True)
    def _run(self) -> None:
        self.study = stein_study(self.theta(), 1.0, self.replications, seed=self.state.seed)

    @param.depends("study", "J", watch=True)
    def _draw(self) -> None:
        study, theta = self.study, self.theta()
        current = study is not None and np.array_equal(study.theta, theta)
        self._figure.visible = self._key.visible = current
        shown = ", ".join(f"{t:.3g}" for t in theta[:6]) + (", …" if theta.size > 6 else "")
        intro = (
            f"{self.J} true means with no common population (|theta_j| from {1 / SPREAD:g} to "
            f"{SPREAD:g}, random signs: {shown}), each observed once with noise sd 1. Raw means "
            f"have risk J = {self.J}."
        )
        if not current:
            self._text.text = f"<p class='caption'>{intro} Press Run to draw R data sets.</p>"
            return
        rows = [(NAMES[k], COLORS[k], study.errors(k)) for k in ESTIMATORS]
        if self.J < 4:
            rows = rows[:2]
        stats = boxes.box_stats(rows)
        self._boxes.data = stats
        self._x_range.update(start=0.0, end=1.05 * float(np.max(stats["q95"])))
        risk, se = study.risk(), study.risk_se()
        share = study.share_better("james_stein")
        mean_part = (
            ""
            if math.isnan(risk["james_stein_mean"])
            else f", James-Stein+ toward the mean {risk['james_stein_mean']:.3f}"
        )
        self._text.text = (
            f"<p class='caption'>{intro} Mean total squared error over "
            f"{study.replications:,} data sets: raw {risk['raw']:.3f} (± {se['raw']:.3f}), "
            f"James-Stein toward 0 <b class='stein-risk'>{risk['james_stein']:.3f}</b> "
            f"(± {se['james_stein']:.3f}){mean_part}. James-Stein beat the raw means in "
            f"<b class='stein-share'>{100 * share:.1f}%</b> of data sets: shrinking every "
            "estimate by one common factor helps even when the quantities have nothing to do "
            "with one another (Stein 1956; James and Stein 1961).</p>"
        )

    def __panel__(self) -> pn.viewable.Viewable:
        p = self.param
        return pn.Column(
            pn.Row(
                pn.widgets.IntInput.from_param(p.J, width=110, css_classes=["stein-j"]),
                pn.widgets.IntInput.from_param(
                    p.replications, width=110, css_classes=["stein-replications"]
                ),
                pn.widgets.Button.from_param(
                    p.run, color="primary", width=90, align="end", css_classes=["stein-run"]
                ),
            ),
            self._text,
            BokehPane(self._figure, sizing_mode="stretch_width"),
            self._key,
            sizing_mode="stretch_width",
        )
