"""What the figures with tau on their x axis share: one fixed axis from 0 to the slider's end,
and vertical marks at the slider's tau, the fitted tau_hat and the true tau."""

from __future__ import annotations

import math

import panel as pn
import param
from bokeh.models import ColumnDataSource, LabelSet, Range1d
from bokeh.plotting import figure

from .state import SIMULATED, PoolingState, tau_move
from .style import FITTED, SLIDER, TRUTH
from .throttle import TEXT_DELAY_MS, Throttled


def tau_figure(name: str, y_label: str, height: int) -> tuple[figure, Range1d, Range1d]:
    """A figure with tau on the x axis and fixed ranges that new data set (never a drag)."""
    x_range, y_range = Range1d(0.0, 1.0), Range1d(0.0, 1.0)
    fig = figure(
        name=name,
        height=height,
        sizing_mode="stretch_width",
        x_range=x_range,
        y_range=y_range,
        tools="save",
        toolbar_location=None,
        x_axis_label="tau",
        y_axis_label=y_label,
    )
    fig.outline_line_color = None
    fig.min_border_right = 16
    fig.yaxis.minor_tick_line_color = None
    return fig, x_range, y_range


def style_legend(fig: figure) -> None:
    fig.legend.location = "top_right"
    fig.legend.label_text_font_size = "11px"
    fig.legend.background_fill_alpha = 0.8


def fit_tau_range(x_range: Range1d, state: PoolingState) -> None:
    x_range.update(start=-0.02 * state.tau_max, end=state.tau_max)


LABELS_FLIP = 0.66
"""Marks beyond this share of the tau axis carry their label on the left."""


class TauMarks:
    """Vertical lines labelled at the top: the slider's tau (always first, so a tau move patches
    one row), tau_hat, the true tau of simulated data, and any extra marks a view adds."""

    def __init__(self, fig: figure, name: str) -> None:
        self.source = ColumnDataSource(
            {
                "x": [],
                "color": [],
                "dash": [],
                "text": [],
                "label_y": [],
                "align": [],
                "offset": [],
            },
            name=name,
        )
        fig.vspan(x="x", source=self.source, line_color="color", line_width=2, line_dash="dash")
        fig.add_layout(
            LabelSet(
                x="x",
                y="label_y",
                y_units="screen",
                text="text",
                source=self.source,
                x_offset="offset",
                text_align="align",
                text_font_size="11px",
                text_color="color",
                background_fill_color="#ffffff",
                background_fill_alpha=0.7,
            )
        )
        self._top = fig.height - 86
        self._end = 1.0

    def _side(self, x: float) -> tuple[str, float]:
        """A label right of its line, or left of it in the axis's last third (not clipped)."""
        return ("right", -4.0) if x > LABELS_FLIP * self._end else ("left", 4.0)

    def draw(self, state: PoolingState, extra: list[tuple[float, str, str]] = ()) -> None:
        """All marks: (x, colour, text) for each extra mark after the standard three."""
        true_tau = state.tau_true if state.source in SIMULATED else math.nan
        tau_hat = state.comparison.fit.tau
        marks = [
            (state.tau, SLIDER.color, f"slider {state.tau:.3g}"),
            (tau_hat, FITTED.color, f"tau_hat {tau_hat:.3g}"),
            (true_tau, TRUTH.outline, f"true {true_tau:.3g}"),
            *extra,
        ]
        self._end = state.tau_max
        sides = [self._side(m[0]) for m in marks]
        self.source.data = {
            "x": [m[0] for m in marks],
            "align": [side[0] for side in sides],
            "offset": [side[1] for side in sides],
            "color": [m[1] for m in marks],
            "dash": ["solid"] + ["dashed"] * (len(marks) - 1),
            "text": [m[2] for m in marks],
            "label_y": [self._top - 14 * i for i in range(len(marks))],
        }

    def move_slider(self, tau: float) -> None:
        """Move only the slider's mark: one patch of one row (none while nothing is drawn)."""
        if not len(self.source.data["x"]):
            return
        align, offset = self._side(tau)
        self.source.patch(
            {
                "x": [(0, tau)],
                "text": [(0, f"slider {tau:.3g}")],
                "align": [(0, align)],
                "offset": [(0, offset)],
            }
        )


class TauView(pn.viewable.Viewer):
    """A view of the state's `comparison`: `_refresh` redraws it when the comparison changes in
    more than tau (new data, model or prior) or any of `redraw_on` changes; on a tau move alone
    `_follow_tau` moves its marks, at most every `throttle.TEXT_DELAY_MS`, so that the browser
    repaints the figure's circles first."""

    state = param.ClassSelector(class_=PoolingState)

    redraw_on: tuple[str, ...] = ()

    def _refresh(self) -> None:
        raise NotImplementedError

    def _follow_tau(self) -> None:
        raise NotImplementedError

    def _follow_state(self) -> None:
        """Draw now, then follow; call at the end of `__init__`."""
        self._refresh()
        self._follow_later = Throttled(self._follow_tau, TEXT_DELAY_MS)
        self.state.param.watch(self._on_state, ["comparison", *self.redraw_on])

    def _on_state(self, *events: param.parameterized.Event) -> None:
        with pn.io.hold():
            if all(tau_move(e) for e in events):
                self._follow_later()
            else:
                self._refresh()
