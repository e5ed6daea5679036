"""What the per-group figures of the Ranks and Check tabs share: one row per group, labelled
on the y axis while there are few, the height growing with J, and the text when there is no
posterior to draw from."""

from __future__ import annotations

import html

import numpy as np
from bokeh.models import Div, FixedTicker, Range1d
from bokeh.plotting import figure

ROW_PIXELS = 22
"""Height per group; the figures grow with J up to MAX_HEIGHT."""
MAX_HEIGHT = 1400
FRAME = 70
LABELLED_ROWS = 40
"""Beyond this many groups the rows carry no labels (the hover names them)."""


def row_figure(name: str, x_label: str, y_range: Range1d, **options: object) -> figure:
    """A figure with one row per group on its y axis (`y_range` set by `label_rows`)."""
    fig = figure(
        name=name,
        height=360,
        sizing_mode="stretch_width",
        y_range=y_range,
        tools="",
        toolbar_location=None,
        x_axis_label=x_label,
        **options,
    )
    fig.outline_line_color = None
    fig.ygrid.grid_line_color = None
    fig.yaxis.ticker = FixedTicker(ticks=[])
    fig.yaxis.major_label_text_font_size = "11px"
    return fig


def label_rows(
    figures: list[figure], y_range: Range1d, row: np.ndarray, labels: np.ndarray, top: float
) -> None:
    """Group j on row[j] (0 at the top, `top` above it): the y range, the heights and the
    first figure's row labels."""
    J = labels.size
    y_range.update(start=J - 0.5, end=top)
    height = int(np.clip(FRAME + ROW_PIXELS * J, 260, MAX_HEIGHT))
    for fig in figures:
        fig.height = height
    axis = figures[0].yaxis[0]
    axis.ticker.ticks = list(range(J)) if J <= LABELLED_ROWS else []
    axis.major_label_overrides = {int(r): str(label) for r, label in zip(row, labels, strict=True)}


def without_posterior(text: Div, css_class: str, needs: str, problem: str) -> None:
    """Say in `text` that the view needs the full-Bayes posterior, and why there is none."""
    text.text = f"<p class='caption {css_class}'>{needs} {html.escape(problem)}</p>"
