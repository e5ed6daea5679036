"""The views without a browser: sources hold the state's numbers; a tau move patches in place."""

from __future__ import annotations

import numpy as np
import panel as pn
import pytest

from partialpool.app import PoolingState
from partialpool.app.figure import ShrinkageFigure
from partialpool.app.score_table import MSETable
from partialpool.app.sidebar import SimulationSettings
from partialpool.app.tau_controls import TauControls
from partialpool.app.url import LIVE_DELAY_MS, URL_PARAMETERS, sync_url


@pytest.fixture
def state() -> PoolingState:
    return PoolingState()


def test_figure_sources_hold_the_state(state):
    view = ShrinkageFigure(state=state)
    groups = view._groups.data
    np.testing.assert_array_equal(groups["theta_hat"], state.fit.theta)
    np.testing.assert_array_equal(groups["ybar"], state.data.y)
    np.testing.assert_array_equal(groups["theta"], state.simulation.theta)
    assert len(view._observations.data["x"]) == state.simulation.values.size
    y = view._observations.data["y"]
    assert np.all(np.abs(y - state.order[state.simulation.groups]) <= 0.25)
    assert view._grand_mean.data["x"][0] == pytest.approx(
        np.average(state.data.y, weights=1 / state.data.v)
    )
    assert isinstance(view.__panel__(), pn.pane.Bokeh)


def test_tau_move_patches_without_touching_ranges_or_observations(state):
    view = ShrinkageFigure(state=state)
    figure, observations = view._figure, view._observations.data
    x_range = (view._x_range.start, view._x_range.end)
    state.tau = 0.05
    np.testing.assert_array_equal(view._groups.data["theta_hat"], state.fit.theta)
    np.testing.assert_array_equal(view._groups.data["shrinkage"], state.fit.shrinkage)
    assert (view._x_range.start, view._x_range.end) == x_range
    assert view._observations.data is observations and view._figure is figure


def test_new_data_replaces_data_not_the_figure(state):
    view = ShrinkageFigure(state=state)
    figure = view._figure
    state.param.update(J=30, seed=99)
    assert view._figure is figure
    assert len(view._groups.data["row"]) == 30
    assert view._figure.yaxis[0].ticker.ticks == list(range(30))
    lo, hi = view._x_range.start, view._x_range.end
    assert lo <= state.simulation.values.min() and hi >= state.simulation.values.max()


def test_mse_table_shows_each_number_and_marks_the_best(state):
    table = MSETable(state=state)
    state.tau = 0.0
    text = table._pane.object
    toggled = ("full_bayes", "james_stein", "james_stein_mean")
    for key in toggled:
        assert f"data-estimator='{key}'" not in text
    shown = {key: value for key, value in state.errors.items() if key not in toggled}
    for value in shown.values():
        assert f"{value:.4g}" in text
    best = min(shown, key=shown.get)
    assert f"class='best' data-estimator='{best}'" in text
    assert text.count("class='best'") == 1
    state.show_full_bayes = True
    text = table._pane.object
    assert "data-estimator='full_bayes'><td><span class='swatch'" in text
    assert f"{state.errors['full_bayes']:.4g}" in text
    state.show_james_stein = True
    text = table._pane.object
    for key in ("james_stein", "james_stein_mean"):
        assert f"data-estimator='{key}'><td><span class='swatch'" in text
        assert f"{state.errors[key]:.4g}" in text


def test_mse_table_scores_an_outlier_apart(state):
    state.param.update(outlier=True, outlier_shift=6.0)
    table = MSETable(state=state)
    text = table._pane.object
    assert "<th>outlier</th><th>the rest</th>" in text and "vs no pooling" not in text
    outlier, rest = state.outlier_errors["partial_pool"]
    assert f"<td class='outlier'>{outlier:.4g}</td><td class='rest'>{rest:.4g}</td>" in text


def test_tau_controls_follow_the_state(state):
    controls = TauControls(state=state)
    state.param.trigger("fit_tau")
    assert controls._slider.value == pytest.approx(state.tau_hat)
    assert f"{state.tau_hat:.4g}" in controls._readout.object
    controls._slider.value = 0.25
    assert state.tau == 0.25
    assert controls._marks.data["x"][0] == 0.25
    state.tau_true = 4.0
    assert controls._slider.end >= 4.0


def test_tau_controls_name_the_population_in_use(state):
    controls = TauControls(state=state)
    assert "(HE)" in controls._readout.object and not controls._method.disabled
    state.population = "student-t"
    assert "(marginal ML, Student-t population with nu = 4)" in controls._readout.object
    assert controls._method.disabled  # the tau^2 estimator is not used
    # with two groups the t cannot be fitted and the Normal is shown: say so, and let the
    # estimator be chosen again
    assert state.upload(b"group,estimate,se\nA,1,1\nB,3,1\n", "two.csv")
    assert state.population_problem and "(HE)" in controls._readout.object
    assert "Student-t" not in controls._readout.object and not controls._method.disabled


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


class FakeLocation:
    """The part of `pn.state.location` that sync_url uses, with Panel's all-or-nothing update."""

    def __init__(self, query: dict[str, object]) -> None:
        self.query_params = dict(query)
        self.synced: dict[str, str] = {}

    def sync(self, state, parameters, on_error) -> None:
        self.synced = parameters
        mapped = {n: self.query_params[k] for n, k in parameters.items() if k in self.query_params}
        try:
            state.param.update(**mapped)
        except Exception:
            on_error(mapped)

    def update_query(self, **values: str) -> None:
        self.query_params.update(values)


def test_bad_url_values_are_reported_escaped_and_the_rest_applied(state):
    messages = []
    location = FakeLocation({"tau": 0.3, "J": "<script>x</script>", "seed": 9, "sigma": -1})
    sync_url(state, location, messages.append, lambda callback, ms: None)
    assert location.synced == URL_PARAMETERS
    assert state.tau == 0.3 and state.J == 12 and state.seed == 9 and state.sigma == 1.0
    assert len(messages) == 1 and "J=" in messages[0] and "sigma=-1" in messages[0]
    assert "<script>" not in messages[0] and "&lt;script&gt;" in messages[0]


def test_tau_reaches_the_url_once_it_is_still(state):
    location, scheduled = FakeLocation({}), []
    sync_url(state, location, [].append, lambda callback, ms: scheduled.append((callback, ms)))
    for tau in (0.1, 0.2, 0.3):
        state.tau = tau
    assert len(scheduled) == 1 and "tau" not in location.query_params
    callback, ms = scheduled.pop()
    assert ms == LIVE_DELAY_MS
    callback()
    assert location.query_params["tau"] == "0.3"
    state.tau = 0.4
    assert len(scheduled) == 1


def test_switching_to_more_groups_redraws_once_with_matching_sizes(state):
    views = ShrinkageFigure(state=state), TauControls(state=state), MSETable(state=state)
    seen = []
    state.param.watch(lambda *events: seen.append(sorted(e.name for e in events)), ["fit"])
    for source, J in [("efron_morris", 18), ("eight_schools", 8), ("efron_morris", 18)]:
        state.source = source
        groups = views[0]._groups.data
        assert len(groups["theta_hat"]) == len(groups["label"]) == J
        np.testing.assert_array_equal(groups["theta_hat"], state.fit.theta)
    assert seen == [["fit"]] * 3  # one fit per switch, delivered with the new data
