"""The Monte Carlo run in the app: the core's study, in blocks, with progress and cancel."""

from __future__ import annotations

import numpy as np
import pytest

from partialpool import partial_pool
from partialpool.app import PoolingState
from partialpool.app.study import MonteCarloRun
from partialpool.app.study_view import MonteCarloView, box_stats
from partialpool.montecarlo import monte_carlo


class Stepper:
    """Holds the run's next step until the test lets it go, as the event loop would."""

    def __init__(self) -> None:
        self.waiting = []

    def __call__(self, callback) -> None:
        self.waiting.append(callback)

    def step(self) -> None:
        self.waiting.pop(0)()


def test_a_run_is_the_cores_study_of_the_simulation():
    state = PoolingState(seed=9)
    run = MonteCarloRun(state=state, replications=1200)
    run.param.trigger("run")
    expected = monte_carlo(state.data.v, state.tau_true, state.mu, 1200, seed=9)
    assert not run.running and run.done == 1200
    np.testing.assert_array_equal(run.study.empirical_bayes, expected.empirical_bayes)
    assert run.is_current()
    state.tau_true = 1.0
    assert not run.is_current()


def test_real_data_use_the_sliders_tau_and_mu_hat():
    state = PoolingState(source="eight_schools")
    state.tau = 6.0
    run = MonteCarloRun(state=state, replications=200)
    v, tau, mu = run.settings()
    assert tau == 6.0 and mu == pytest.approx(partial_pool(state.data.y, state.data.v, 36.0).mu)
    np.testing.assert_array_equal(v, state.data.v)


def test_progress_then_result_block_by_block():
    stepper = Stepper()
    state = PoolingState()
    run = MonteCarloRun(state=state, replications=1200, step=stepper)
    view = MonteCarloView(run=run)
    run.param.trigger("run")
    assert run.running and run.done == 0 and len(stepper.waiting) == 1
    assert view._progress.visible and view._start.disabled
    stepper.step()
    assert run.done == 500 and view._progress.value == 41
    assert "500 of 1,200" in view._status.text
    run.param.trigger("run")  # ignored while running
    assert len(stepper.waiting) == 1
    run.replications = 5000  # the run keeps the R it started with
    assert view._replications.disabled
    stepper.step()
    stepper.step()
    assert not run.running and run.study.replications == 1200 and not stepper.waiting
    assert not view._progress.visible and view._figure.visible and view._key.visible
    share = f"{100 * run.study.partial_beats_no_pool:.1f}%"
    assert share in view._status.text
    assert list(view._boxes.data["mean"]) == list(run.study.mean_mse().values())


def test_cancel_stops_between_blocks():
    stepper = Stepper()
    run = MonteCarloRun(state=PoolingState(), replications=2000, step=stepper)
    view = MonteCarloView(run=run)
    run.param.trigger("run")
    stepper.step()
    run.param.trigger("cancel")
    stepper.step()
    assert not run.running and run.study is None and not stepper.waiting
    assert "Cancelled after 500 of 2,000" in view._status.text
    assert not view._figure.visible and not view._key.visible and view._start.disabled is False


def test_box_stats_are_the_quantiles():
    study = monte_carlo(np.full(12, 0.1), 0.3, replications=400, seed=1)
    stats = box_stats(study)
    assert stats["q50"][0] == np.median(study.no_pool)
    assert stats["q95"][3] == np.quantile(study.true_tau, 0.95)


def test_view_marks_a_study_of_other_settings_as_stale():
    state = PoolingState()
    run = MonteCarloRun(state=state, replications=200)
    view = MonteCarloView(run=run)
    run.param.trigger("run")
    assert "changed" not in view._status.text
    state.seed = 99
    assert "The settings have changed since this run" in view._status.text
