"""The sidebar's simulation settings without a browser: shown for simulated data only, and
each slider spans its parameter's range."""

from __future__ import annotations

import panel as pn
import param
import pytest

from partialpool.app import PoolingState
from partialpool.app.sidebar import SimulationSettings

SLIDERS = (pn.widgets.IntSlider, pn.widgets.FloatSlider, pn.widgets.IntRangeSlider)


@pytest.fixture
def state() -> PoolingState:
    return PoolingState()


def test_simulation_settings_show_only_for_simulated_data(state):
    simulation = SimulationSettings(state=state).__panel__().objects[0]
    assert len(simulation.objects) == 10 and simulation.visible
    outlier_settings = simulation.objects[-1]
    assert not outlier_settings.visible
    state.outlier = True
    assert outlier_settings.visible and state.data.labels[-1] == "outlier"
    state.source = "eight_schools"
    assert not simulation.visible
    state.source = "simulated"
    assert simulation.visible


def test_each_slider_spans_its_parameters_soft_bounds_and_sets_it(state):
    layout = SimulationSettings(state=state).__panel__()
    sliders = {w.name: w for w in layout.select(lambda w: isinstance(w, SLIDERS))}
    assert len(sliders) == 7
    for name in ("J", "n_range", "tau_true", "sigma", "outlier_shift", "outlier_n", "mean_rate"):
        parameter = state.param[name]
        slider = sliders[parameter.label]
        assert (slider.start, slider.end) == parameter.get_soft_bounds()
        assert slider.value == getattr(state, name)
    assert (sliders["True tau"].start, sliders["True tau"].end) == (0.0, 5.0)
    sigma = sliders["sigma (within-group sd)"]
    with param.edit_constant(sigma):  # what the browser reports when the slider is let go
        sigma.value_throttled = 2.0
    assert state.sigma == 2.0 and state.data.sigma == 2.0


def test_simulated_counts_show_their_own_settings(state):
    simulation = SimulationSettings(state=state).__panel__().objects[0]
    rate = simulation.select(lambda w: "mean-rate" in getattr(w, "css_classes", []))[0]
    trials = simulation.objects[2]
    assert not rate.visible and trials.name == "Group sizes n_j (from, to)"
    state.source = "simulated_counts"
    assert simulation.visible and rate.visible
    assert trials.name == "Trials n_j (from, to)"
    assert simulation.objects[3].name == "True tau (logit scale)"
    sigma_and_mu, outlier = simulation.objects[5], simulation.objects[8]
    assert not sigma_and_mu.visible and not outlier.visible
