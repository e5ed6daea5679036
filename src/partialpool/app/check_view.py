"""The posterior predictive check: each group's observed value against the 95% range of data
replicated from the posterior (`Comparison.predictive_check`), rows as in Figure 1."""

from __future__ import annotations

import html

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, HoverTool, Range1d

from ..compare import DRAWS
from .css import text_box
from .panel_private import BokehPane
from .row_axis import label_rows, row_figure, without_posterior
from .style import FULL_BAYES, NO_POOL
from .tau_axis import TauView

OUTLYING = "#d7191c"

X_LABELS = {
    "binomial": "successes y_j",
    "poisson": "count y_j",
    "normal": "y_j",
}

TOOLTIPS = [
    ("group", "@label"),
    ("observed", "@observed{0.000}"),
    ("replicates: mean", "@mean{0.000}"),
    ("replicates: 95%", "@lower{0.000} to @upper{0.000}"),
    ("P(y_rep >= y)", "@p_value{0.000}"),
]


class PredictiveCheckView(TauView):
    """Observed (blue x) against replicated data (purple bar: the middle 95%, dot: the mean);
    rows outside the middle 95% in red. The posterior averages over tau: a tau move changes
    nothing here."""

    redraw_on = ("order",)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._source = ColumnDataSource(
            {key: [] for key in ("row", "label", "observed", "mean", "lower", "upper", "p_value")}
            | {"colour": []},
            name="predictive_check",
        )
        self._x_range, self._y_range = Range1d(0.0, 1.0), Range1d(0.0, 1.0)
        self._figure = row_figure("check_figure", "", self._y_range, x_range=self._x_range)
        self._build()
        self._text = text_box("check-text")
        self._follow_state()

    def _build(self) -> None:
        fig, source = self._figure, self._source
        fig.segment(
            "lower",
            "row",
            "upper",
            "row",
            source=source,
            line_color="colour",
            line_width=4,
            line_alpha=0.45,
            legend_label="replicated data: middle 95%",
        )
        fig.scatter(
            "mean",
            "row",
            source=source,
            marker="circle",
            size=6,
            color=FULL_BAYES.color,
            legend_label="replicated data: mean",
        )
        observed = fig.scatter(
            "observed",
            "row",
            source=source,
            **{**NO_POOL.scatter(), "legend_label": "observed", "size": 11},
        )
        fig.legend.location = "top_right"
        fig.legend.label_text_font_size = "11px"
        fig.legend.background_fill_alpha = 0.8
        fig.add_tools(HoverTool(renderers=[observed], tooltips=TOOLTIPS))

    def _follow_tau(self) -> None:
        """Nothing moves with tau: the posterior averages over it."""

    def _refresh(self) -> None:
        c, row = self.state.comparison, self.state.order
        check = c.predictive_check()
        self._figure.visible = check is not None
        if check is None:
            needs = "The check replicates data from the exact full-Bayes posterior."
            without_posterior(self._text, "check-problem", needs, c.posterior_problem)
            return
        data, J = c.data, c.data.J
        outlying = np.zeros(J, dtype=bool)
        outlying[check.outlying] = True
        self._source.data = {
            "row": row,
            "label": data.labels,
            "observed": check.observed,
            "mean": check.mean,
            "lower": check.lower,
            "upper": check.upper,
            "p_value": check.p_value,
            "colour": np.where(outlying, OUTLYING, FULL_BAYES.color),
        }
        lo = float(min(check.lower.min(), check.observed.min()))
        hi = float(max(check.upper.max(), check.observed.max()))
        pad = 0.05 * (hi - lo) if hi > lo else 1.0
        self._x_range.update(start=lo - pad, end=hi + pad)
        label_rows([self._figure], self._y_range, row, data.labels, -1.5)
        self._figure.xaxis.axis_label = X_LABELS[check.kind]
        named = ", ".join(html.escape(str(data.labels[j])) for j in check.outlying[:5])
        more = "…" if check.outlying.size > 5 else ""
        verdict = (
            f"{check.outlying.size} of {J} groups lie outside the middle 95% of their "
            f"replicates (red: {named}{more})"
            if check.outlying.size
            else f"All {J} groups lie inside the middle 95% of their replicates"
        )
        self._text.text = (
            "<p class='caption check-caption'>A posterior predictive check: each group's data "
            f"replicated once per posterior draw ({DRAWS} draws), the observed value marked "
            f"against them. {verdict}. About 1 in 20 is expected outside by chance; many more "
            "say that the model does not explain the spread of these groups.</p>"
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            self._text,
            BokehPane(self._figure, sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
        )
