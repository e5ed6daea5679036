"""The MSE table beside the figure: each estimator's mean squared error against the true
theta_j, the best row marked, or a note saying why nothing can be scored."""

from __future__ import annotations

import math

import panel as pn
import param

from .css import CSS
from .state import PoolingState
from .style import TABLE_ROWS, TOGGLED_ROWS
from .throttle import TEXT_DELAY_MS, Throttled


class MSETable(pn.viewable.Viewer):
    """Mean squared error of each estimator against the true theta_j, the best row marked."""

    state = param.ClassSelector(class_=PoolingState)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._pane = pn.pane.HTML(sizing_mode="stretch_width", name="mse_table", stylesheets=[CSS])
        self._draw()
        self.state.param.watch(Throttled(self._draw, TEXT_DELAY_MS), ["errors", "outlier_errors"])
        self.state.param.watch(lambda _: self._draw(), ["show_full_bayes", "show_james_stein"])

    def _draw(self) -> None:
        state = self.state
        hidden = {key for key, toggle in TOGGLED_ROWS.items() if not getattr(state, toggle)}
        errors = {key: value for key, value in state.errors.items() if key not in hidden}
        if not errors:
            self._pane.object = (
                "<p class='caption no-truth'>No true theta_j is known for these data, so no "
                "estimator can be scored. Data with a truth column, the batting averages or "
                "the simulation fill this table.</p>"
            )
            return
        best = min(errors, key=errors.get)
        baseline = errors["no_pool"]
        split = state.outlier_errors
        rows = []
        for key, (name, glyph) in TABLE_ROWS.items():
            if key not in errors:
                continue
            if split:
                numbers = "".join(
                    f"<td class='{c}'>{x:.4g}</td>"
                    for c, x in zip(("outlier", "rest"), split[key], strict=True)
                )
            else:
                ratio = errors[key] / baseline if baseline > 0 else math.nan
                numbers = f"<td class='ratio'>{ratio:.2f}</td>"
            mark = (" ✓" if split else " ✓ best") if key == best else ""
            rows.append(
                f"<tr class='{'best' if key == best else ''}' data-estimator='{key}'>"
                f"<td><span class='swatch' style='background:{glyph.color}'></span>{name}"
                f"<b class='best-mark'>{mark}</b></td>"
                f"<td class='mse'>{errors[key]:.4g}</td>{numbers}</tr>"
            )
        truth = "true theta_j" if state.source != "efron_morris" else "rest-of-season average"
        heads = "<th>outlier</th><th>the rest</th>" if split else "<th>vs no pooling</th>"
        apart = (
            " Outlier: its squared error; the rest: the MSE of the other groups." if split else ""
        )
        self._pane.object = (
            f"<table class='mse-table'><thead><tr><th>Estimator</th><th>MSE</th>{heads}"
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            f"<p class='caption mse-caption'>MSE = mean over the groups of (estimate - {truth})². "
            f"It updates as tau moves.{apart}</p>"
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return self._pane
