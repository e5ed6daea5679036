"""The sidebar's simulation settings without a browser: shown for simulated data only, each
slider spans its parameter's range and sets it when let go; in a served page the counts' and
the outlier's settings are made when first shown, in Jupyter with the rest."""

from __future__ import annotations

import pytest
from bokeh.document import Document
from bokeh.models import RangeSlider, Slider
from conftest import let_go
from panel.io.state import set_curdoc

from partialpool.app import PoolingState
from partialpool.app.sidebar import SimulationSettings

from .served import served_document


@pytest.fixture
def state() -> PoolingState:
    return PoolingState()


def served_settings(state: PoolingState) -> SimulationSettings:
    """The settings as a served page's session makes them."""
    with set_curdoc(served_document()):
        return SimulationSettings(state=state)


def test_simulation_settings_show_only_for_simulated_data(state):
    settings = served_settings(state)
    assert settings.simulation.visible and settings.outlier_settings is None  # made when on
    state.outlier = True
    assert settings.outlier_settings.visible and state.data.labels[-1] == "outlier"
    assert settings.simulation.children[-1] is settings.outlier_settings
    state.outlier = False
    assert not settings.outlier_settings.visible
    state.outlier = True
    state.source = "eight_schools"
    assert not settings.simulation.visible
    state.source = "simulated"
    assert settings.simulation.visible


def test_each_slider_spans_its_parameters_soft_bounds_and_sets_it(state):
    settings = served_settings(state)
    names = ("J", "n_range", "tau_true", "sigma", "outlier_shift", "outlier_n", "mean_rate")
    assert set(settings.sliders) == set(names[:4])
    state.outlier = True
    state.source = "simulated_counts"
    state.source = "simulated"
    assert set(settings.sliders) == set(names)
    for name in names:
        parameter, widget = state.param[name], settings.sliders[name]
        assert isinstance(widget, RangeSlider if name == "n_range" else Slider)
        assert (widget.start, widget.end) == parameter.get_soft_bounds()
        assert widget.value == getattr(state, name) and widget.title == parameter.label
        assert f"setting-{name}" in widget.css_classes  # beside any class of its own
    assert (settings.sliders["tau_true"].start, settings.sliders["tau_true"].end) == (0.0, 5.0)
    let_go(settings.sliders["sigma"], 2.0)
    assert state.sigma == 2.0 and state.data.sigma == 2.0


def test_simulated_counts_show_their_own_settings(state):
    settings = served_settings(state)
    trials = settings.sliders["n_range"]
    assert "mean_rate" not in settings.sliders and trials.title == "Group sizes n_j (from, to)"
    state.source = "simulated_counts"
    rate = settings.sliders["mean_rate"]
    assert settings.simulation.visible and rate.visible
    children = settings.simulation.children
    assert children.index(rate) == children.index(settings.sliders["tau_true"]) + 1
    assert trials.title == "Trials n_j (from, to)"
    assert settings.sliders["tau_true"].title == "True tau (logit scale)"
    assert not settings.normal_only.visible and not settings.outlier.visible
    state.source = "simulated"
    assert not rate.visible and settings.sliders["mean_rate"] is rate


def test_the_row_order_buttons_set_the_sort(state):
    settings = SimulationSettings(state=state)
    assert settings.sort.labels[settings.sort.active] == "order in the data"
    settings.sort.active = 1
    assert state.sort == "size"
    state.sort = "mean"
    assert settings.sort.active == 2


def test_the_settings_are_one_bokeh_layout_in_the_page(state):
    pane = served_settings(state).__panel__()
    root = pane.get_root(Document())
    assert sum(isinstance(m, Slider | RangeSlider) for m in root.references()) == 4


def test_settings_made_late_show_the_values_set_before_in_their_place(state):
    settings = served_settings(state)
    state.param.update(mean_rate=0.3, outlier_shift=5.0, outlier=True)
    assert settings.sliders["outlier_shift"].value == 5.0
    state.source = "simulated_counts"
    rate = settings.sliders["mean_rate"]
    assert rate.value == 0.3 and rate.visible and not settings.outlier_settings.visible
    children = settings.simulation.children
    assert children[-1] is settings.outlier_settings  # after the outlier's checkbox
    assert children.index(settings.outlier) < children.index(settings.outlier_settings)


def test_in_jupyter_every_setting_is_made_at_once(state):
    # a notebook's Bokeh callbacks are linked when the pane is first shown: later ones not
    settings = SimulationSettings(state=state)
    assert len(settings.sliders) == 7 and settings.outlier_settings is not None
    assert not settings.outlier_settings.visible and not settings.sliders["mean_rate"].visible
    root = settings.__panel__().get_root(Document())
    assert sum(isinstance(m, Slider | RangeSlider) for m in root.references()) == 7
