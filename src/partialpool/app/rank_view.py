"""Rankings with uncertainty: a caterpillar plot of each group's posterior (sorted by its mean)
beside its 95% rank interval, and which group is the highest and the lowest, how surely
(`Comparison.rankings`)."""

from __future__ import annotations

import html

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, HoverTool, Range1d

from ..compare import DRAWS
from .css import text_box
from .panel_private import BokehPane
from .row_axis import label_rows, row_figure, without_posterior
from .style import FULL_BAYES
from .tau_axis import TauView

TOOLTIPS = [
    ("group", "@label"),
    ("posterior mean", "@mean{0.0000}"),
    ("95% interval", "@lower{0.0000} to @upper{0.0000}"),
    ("rank (1 = highest)", "@rank_lower to @rank_upper, mean @rank_mean{0.0}"),
    ("P(highest)", "@p_highest{0.000}"),
    ("P(lowest)", "@p_lowest{0.000}"),
]
"""Bokeh escapes the @field values it shows, so group labels appear as text."""


def _most(p: np.ndarray, labels: np.ndarray) -> str:
    j = int(np.argmax(p))
    return f"<b>{html.escape(str(labels[j]))}</b> (probability {p[j]:.2f})"


class RankingsView(TauView):
    """Which group is highest and lowest, and how sure: the caterpillar plot and rank intervals
    from posterior draws. Rankings integrate over tau, so a tau move changes nothing here."""

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._source = ColumnDataSource(
            {
                key: []
                for key in (
                    "row",
                    "label",
                    "mean",
                    "lower",
                    "upper",
                    "rank_mean",
                    "rank_lower",
                    "rank_upper",
                    "p_highest",
                    "p_lowest",
                )
            },
            name="rankings",
        )
        self._y_range = Range1d(0.0, 1.0)
        self._x_range = Range1d(0.0, 1.0)
        self._ranks_x = Range1d(0.5, 1.5)
        self._caterpillar = row_figure(
            "caterpillar_figure", "theta_j", self._y_range, x_range=self._x_range, min_width=240
        )
        self._ranks = row_figure(
            "rank_figure", "rank (1 = highest)", self._y_range, x_range=self._ranks_x, min_width=160
        )
        self._build()
        self._text = text_box("rankings-text")
        self._follow_state()

    def _build(self) -> None:
        bar = {"line_color": FULL_BAYES.color, "line_width": 3, "line_alpha": 0.6}
        cat = self._caterpillar
        cat.segment("lower", "row", "upper", "row", source=self._source, **bar)
        means = cat.scatter(
            "mean", "row", source=self._source, marker="circle", size=8, color=FULL_BAYES.color
        )
        ranks = self._ranks
        ranks.segment("rank_lower", "row", "rank_upper", "row", source=self._source, **bar)
        marks = ranks.scatter(
            "rank_mean", "row", source=self._source, marker="diamond", size=10, color="#333333"
        )
        cat.add_tools(HoverTool(renderers=[means], tooltips=TOOLTIPS))
        ranks.add_tools(HoverTool(renderers=[marks], tooltips=TOOLTIPS))

    def _follow_tau(self) -> None:
        """Nothing moves with tau: the posterior averages over it."""

    def _refresh(self) -> None:
        c = self.state.comparison
        rankings = c.rankings()
        for fig in (self._caterpillar, self._ranks):
            fig.visible = rankings is not None
        if rankings is None:
            needs = "Rankings need the exact full-Bayes posterior."
            without_posterior(self._text, "rankings-problem", needs, c.posterior_problem)
            return
        data, J = c.data, c.data.J
        row = np.empty(J, dtype=int)
        row[rankings.order] = np.arange(J)
        self._source.data = {
            "row": row,
            "label": data.labels,
            "mean": rankings.theta_mean,
            "lower": rankings.theta_lower,
            "upper": rankings.theta_upper,
            "rank_mean": rankings.rank_mean,
            "rank_lower": rankings.rank_lower,
            "rank_upper": rankings.rank_upper,
            "p_highest": rankings.p_highest,
            "p_lowest": rankings.p_lowest,
        }
        lo, hi = float(rankings.theta_lower.min()), float(rankings.theta_upper.max())
        pad = 0.04 * (hi - lo) if hi > lo else 1.0
        self._x_range.update(start=lo - pad, end=hi + pad)
        self._ranks_x.update(start=0.5, end=J + 0.5)
        label_rows([self._caterpillar, self._ranks], self._y_range, row, data.labels, -0.5)
        self._caterpillar.xaxis.axis_label = "rate" if data.counts is not None else "theta_j"
        anywhere = int(np.sum((rankings.rank_lower == 1) & (rankings.rank_upper == J)))
        self._text.text = (
            "<p class='caption rankings-caption'>Each group's posterior (mean and 95% interval, "
            "sorted by the mean) and the 95% interval of its rank among all "
            f"{J}, from {DRAWS} draws of the exact full-Bayes posterior (Monte Carlo error at "
            f"most 0.008). Highest: {_most(rankings.p_highest, data.labels)}; lowest: "
            f"{_most(rankings.p_lowest, data.labels)}. {anywhere} of {J} groups could rank "
            "anywhere from first to last. For death or failure rates the highest is the worst."
            "</p>"
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            self._text,
            pn.Row(
                BokehPane(self._caterpillar, sizing_mode="stretch_width"),
                BokehPane(self._ranks, sizing_mode="stretch_width"),
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
