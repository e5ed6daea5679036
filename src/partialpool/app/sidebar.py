"""The sidebar's settings: the simulation's (shown for simulated data) and the row order."""

from __future__ import annotations

import panel as pn
import param
from bokeh.models import Column, Slider

from .bokeh_widgets import (
    checkbox,
    choice_buttons,
    event_button,
    heading,
    number_input,
    slider,
)
from .panel_private import BokehPane
from .state import SIMULATED, SORTS, PoolingState
from .throttle import served_document

WIDE = {"sizing_mode": "stretch_width"}
"""Each setting takes the sidebar's width."""

COUNTS_TITLES = {"n_range": "Trials n_j (from, to)", "tau_true": "True tau (logit scale)"}
"""The titles of the settings that mean something else for simulated counts."""


class SimulationSettings(pn.viewable.Viewer):
    """The simulation's settings (shown for simulated data) and the row order, as Bokeh widgets
    kept in step with the parameters (`bokeh_widgets`): each slider's range is its parameter's
    (soft) bounds. In a served page the counts' mean rate and the outlier's settings are made
    when first shown."""

    state = param.ClassSelector(class_=PoolingState)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        state = self.state
        self.sliders = {
            name: slider(state, name, **WIDE) for name in ("J", "n_range", "tau_true", "sigma")
        }
        self.normal_only = Column(self.sliders["sigma"], number_input(state, "mu", **WIDE), **WIDE)
        self.outlier = checkbox(state, "outlier", css_classes=["outlier-toggle"])
        self.outlier_settings: Column | None = None
        """The outlier's shift and size, made the first time the outlier is on."""
        self.simulation = Column(
            heading("Simulation"),
            self.sliders["J"],
            self.sliders["n_range"],
            self.sliders["tau_true"],
            self.normal_only,
            number_input(state, "seed", **WIDE),
            event_button(state, "new_data", button_type="primary", **WIDE),
            self.outlier,
            **WIDE,
        )
        self.sort = choice_buttons(state, "sort", SORTS, orientation="vertical", **WIDE)
        if served_document() is None:  # Jupyter: Panel links a notebook's Bokeh callbacks
            self._mean_rate()  # only of the models there when the pane is first shown
            self._outlier_settings()
        self._show_for_source()
        state.param.watch(lambda _: self._show_for_source(), ["source", "outlier"])

    def _mean_rate(self) -> Slider:
        """The simulated counts' mean rate, made the first time they are chosen, under tau."""
        if "mean_rate" not in self.sliders:
            rate = slider(self.state, "mean_rate", css_classes=["mean-rate"], **WIDE)
            children = self.simulation.children
            children.insert(children.index(self.sliders["tau_true"]) + 1, rate)
            self.sliders["mean_rate"] = rate
        return self.sliders["mean_rate"]

    def _outlier_settings(self) -> Column:
        """The outlier's shift and size, made the first time the outlier is on, last."""
        if self.outlier_settings is None:
            for name, css in (("outlier_shift", ["outlier-shift"]), ("outlier_n", [])):
                self.sliders[name] = slider(self.state, name, css_classes=css, **WIDE)
            self.outlier_settings = Column(
                self.sliders["outlier_shift"], self.sliders["outlier_n"], **WIDE
            )
            self.simulation.children.append(self.outlier_settings)
        return self.outlier_settings

    def _show_for_source(self) -> None:
        """What the source simulates: a normal simulation's sigma, mu and outlier, or the
        simulated counts' mean rate, titles and all. A part never shown is never made."""
        source, p = self.state.source, self.state.param
        normal, counts = source == "simulated", source == "simulated_counts"
        self.simulation.visible = source in SIMULATED
        if counts or "mean_rate" in self.sliders:
            self._mean_rate().visible = counts
        self.normal_only.visible = self.outlier.visible = normal
        if (normal and self.state.outlier) or self.outlier_settings is not None:
            self._outlier_settings().visible = normal and self.state.outlier
        for name, title in COUNTS_TITLES.items():
            self.sliders[name].title = title if counts else p[name].label

    def __panel__(self) -> pn.viewable.Viewable:
        return BokehPane(
            Column(self.simulation, heading("View"), self.sort, sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
        )
