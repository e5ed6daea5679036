"""The MSE table beside the figure: each estimator's mean squared error against the true
theta_j, the best row marked, or a note saying why nothing can be scored.

The table is HTML in a Bokeh `Div`; `rows` gives it for every tau of the comparison's grid, and
`live_tau` shows the row of the slider's tau (in the page, by lookup).
"""

from __future__ import annotations

import math

import panel as pn
import param
from bokeh.models import Div

from ..compare import Comparison
from ..estimators import ESTIMATORS
from .css import CSS
from .panel_private import BokehPane
from .state import PoolingState
from .style import TOGGLED_ROWS

NO_TRUTH = (
    "<p class='caption no-truth'>No true theta_j is known for these data, so no estimator can "
    "be scored. Data with a truth column, the batting averages or the simulation fill this "
    "table.</p>"
)


class MSETable(pn.viewable.Viewer):
    """Mean squared error of each estimator against the true theta_j, the best row marked."""

    state = param.ClassSelector(class_=PoolingState)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self.pane = Div(name="mse_table", sizing_mode="stretch_width", stylesheets=[CSS])

    def rows(self, c: Comparison) -> list[str]:
        """The table at each tau of the grid: only partial pooling's row moves with tau."""
        state = self.state
        hidden = {key for key, toggle in TOGGLED_ROWS.items() if not getattr(state, toggle)}
        keys = [key for key in c.mse if key not in hidden]
        if not keys or c.path_mse is None:
            return [NO_TRUTH] * c.path.tau.size
        truth = "true theta_j" if state.source != "efron_morris" else "rest-of-season average"
        split = c.path_outlier_mse is not None
        heads = "<th>outlier</th><th>the rest</th>" if split else "<th>vs no pooling</th>"
        apart = (
            " Outlier: its squared error; the rest: the MSE of the other groups." if split else ""
        )
        head = (
            f"<table class='mse-table'><thead><tr><th>Estimator</th><th>MSE</th>{heads}"
            "</tr></thead><tbody>"
        )
        tail = (
            "</tbody></table>"
            f"<p class='caption mse-caption'>MSE = mean over the groups of (estimate - {truth})². "
            f"It updates as tau moves.{apart}</p>"
        )
        fixed = {key: c.mse[key] for key in keys if key != "partial_pool"}
        tables = []
        for k in range(c.path.tau.size):
            errors = dict(fixed)
            outlier = dict(c.outlier_mse)
            if "partial_pool" in keys:
                errors["partial_pool"] = float(c.path_mse[k])
                if split:
                    outlier["partial_pool"] = tuple(c.path_outlier_mse[k])
            ordered = {key: errors[key] for key in keys}
            tables.append(head + self._body(ordered, outlier if split else None) + tail)
        return tables

    @staticmethod
    def _body(errors: dict[str, float], split: dict[str, tuple] | None) -> str:
        best = min(errors, key=errors.get)
        baseline = errors["no_pool"]
        rows = []
        for key, value in errors.items():
            entry = ESTIMATORS[key]
            if split is not None:
                numbers = "".join(
                    f"<td class='{c}'>{x:.4g}</td>"
                    for c, x in zip(("outlier", "rest"), split[key], strict=True)
                )
            else:
                ratio = value / baseline if baseline > 0 else math.nan
                numbers = f"<td class='ratio'>{ratio:.2f}</td>"
            mark = ("✓" if split is not None else "✓ best") if key == best else ""
            rows.append(
                f"<tr class='{'best' if key == best else ''}' data-estimator='{key}'>"
                f"<td><span class='estimator'><span class='swatch' "
                f"style='background:{entry.colour}'></span>{entry.label}</span> "
                f"<b class='best-mark'>{mark}</b></td>"
                f"<td class='mse'>{value:.4g}</td>{numbers}</tr>"
            )
        return "".join(rows)

    def __panel__(self) -> pn.viewable.Viewable:
        return BokehPane(self.pane, sizing_mode="stretch_width")
