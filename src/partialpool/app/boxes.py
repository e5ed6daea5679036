"""Box plots of per-replication errors, one row per estimator: box = middle half, thick line =
median, whiskers = 5% to 95%, diamond = mean. Shared by the Monte Carlo and Stein views."""

from __future__ import annotations

import numpy as np
from bokeh.models import BasicTickFormatter, ColumnDataSource, FactorRange, HoverTool, Range1d
from bokeh.plotting import figure

BOX_COLUMNS = ("name", "color", "q05", "q25", "q50", "q75", "q95", "mean")

BOX_KEY = (
    "<p class='caption'>Box: the middle half of the data sets, the thick line at the median; "
    "whiskers: 5% to 95%; ◇: the mean.</p>"
)


def box_stats(rows: list[tuple[str, str, np.ndarray]]) -> dict[str, list]:
    """Per (name, colour, errors) row: the 5%, 25%, 50%, 75%, 95% quantiles and the mean."""
    q = np.array([np.quantile(errors, [0.05, 0.25, 0.5, 0.75, 0.95]) for _, _, errors in rows])
    return {
        "name": [name for name, _, _ in rows],
        "color": [color for _, color, _ in rows],
        "q05": q[:, 0],
        "q25": q[:, 1],
        "q50": q[:, 2],
        "q75": q[:, 3],
        "q95": q[:, 4],
        "mean": [float(np.mean(errors)) for _, _, errors in rows],
    }


def empty_boxes(name: str) -> ColumnDataSource:
    return ColumnDataSource({k: [] for k in BOX_COLUMNS}, name=name)


def box_figure(
    name: str, rows: list[str], source: ColumnDataSource, x_range: Range1d, x_label: str
) -> figure:
    """A hidden figure of horizontal box plots, one per row name, top to bottom."""
    fig = figure(
        name=name,
        height=60 * len(rows) + 60,
        sizing_mode="stretch_width",
        y_range=FactorRange(*reversed(rows)),
        x_range=x_range,
        tools="",
        toolbar_location=None,
        x_axis_label=x_label,
    )
    fig.outline_line_color = None
    fig.min_border_right = 16
    fig.xaxis.formatter = BasicTickFormatter(power_limit_low=-6)
    fig.xaxis.ticker.desired_num_ticks = 5
    fig.segment("q05", "name", "q95", "name", source=source, line_color="color", line_width=2)
    boxes = fig.hbar(
        y="name",
        left="q25",
        right="q75",
        height=0.5,
        source=source,
        fill_color="color",
        fill_alpha=0.3,
        line_color="color",
    )
    fig.hbar(
        y="name",
        left="q50",
        right="q50",
        height=0.5,
        source=source,
        line_color="color",
        line_width=3,
    )
    fig.scatter(
        "mean",
        "name",
        source=source,
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
