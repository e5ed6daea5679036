"""New comparisons computed elsewhere (`PoolingState.run_with`, `workers`): the old comparison
stays on show until the new one is back, only the last one asked for is shown, and a worker
process computes exactly what the state would have computed itself."""

from __future__ import annotations

import pickle
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import numpy as np
import pytest

from partialpool import datasets
from partialpool._link_normal import BINOMIAL, POISSON
from partialpool.app import PoolingState, shared
from partialpool.app.shared import SHARED_COMPARISONS
from partialpool.app.state import compare_on_grid
from partialpool.app.workers import at_once, off_the_loop, submit


class Later:
    """A runner that keeps each job until the test runs it."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Callable[[], Any], Callable, Callable]] = []
        self.args: list[tuple] = []

    def __call__(self, job, args, then, failed) -> None:
        self.jobs.append((lambda: job(*args), then, failed))
        self.args.append(args)
        return None

    def run(self, k: int = 0) -> None:
        compute, then, _ = self.jobs.pop(k)
        then(pickle.loads(pickle.dumps(compute())))  # as a worker process sends it back

    def fail(self, error: Exception) -> None:
        _, _, failed = self.jobs.pop(0)
        failed(error)


@pytest.fixture(autouse=True)
def nothing_shared(monkeypatch) -> None:
    """Each test starts with no comparison kept from another session (`shared._kept`)."""
    monkeypatch.setattr(shared, "_kept", OrderedDict())


@pytest.fixture
def later_state() -> tuple[PoolingState, Later]:
    state, later = PoolingState(), Later()
    state.run_with(later)
    return state, later


def test_the_old_comparison_stays_until_the_new_one_is_back(later_state):
    state, later = later_state
    before = state.comparison
    state.source = "eight_schools"
    assert state.computing and state.comparison is before and len(later.jobs) == 1
    later.run()
    assert not state.computing
    assert state.data is later.args[0][0]  # the groups held, not the worker's copy
    assert state.tau == state.comparison.fit.tau  # a new source starts at tau_hat
    reference = PoolingState(source="eight_schools").comparison
    np.testing.assert_array_equal(state.comparison.path.theta, reference.path.theta)


def test_only_the_last_comparison_asked_for_is_shown(later_state):
    state, later = later_state
    state.source = "eight_schools"
    state.source = "pumps"
    later.run(1)  # the last one comes back first
    assert state.data.J == datasets.load("pumps").J and not state.computing
    later.run(0)  # then the first: too late, not shown
    assert state.data.J == datasets.load("pumps").J


def test_a_model_chosen_meanwhile_applies_to_the_data_on_their_way(later_state):
    state, later = later_state
    state.source = "eight_schools"
    state.population = "student-t"
    later.run(1)
    later.run(0)
    assert state.data.J == 8 and state.model.key == "student-t"
    assert state.tau == state.comparison.fit.tau  # still a new source: tau_hat


def test_a_tau_moved_meanwhile_is_kept(later_state):
    state, later = later_state
    state.prior = "half-cauchy"
    target = float(state.comparison.path.tau[7])
    state.tau = target  # on the old grid: moves the old comparison at once
    assert state.comparison.tau2 == target**2
    later.run()
    assert state.comparison.prior == "half-cauchy"
    assert state.tau == target and state.comparison.tau2 == target**2


def test_a_failed_computation_says_so_and_keeps_the_data(later_state):
    state, later = later_state
    before = state.comparison
    state.population = "student-t"
    later.fail(ValueError("no convergence"))
    assert not state.computing and state.comparison is before
    assert state.problem == "The estimates could not be computed: no convergence"


def test_at_once_is_the_default_and_lets_errors_through():
    state = PoolingState()
    state.population = "student-t"
    assert not state.computing and state.model.key == "student-t"
    with pytest.raises(ZeroDivisionError):
        at_once(lambda: 1 / 0, (), print, print)


def test_a_link_is_applied_at_once_even_when_served_later(later_state):
    state, later = later_state
    with state.computing_at_once():
        state.source = "eight_schools"
    assert later.jobs == [] and state.data.J == 8


def test_off_the_loop_outside_a_server_is_at_once():
    shown = []
    off_the_loop(pow, (2, 10), shown.append, shown.append)
    assert shown == [1024]


def test_fits_of_counts_pickle_to_the_same_family():
    for family in (BINOMIAL, POISSON):
        assert pickle.loads(pickle.dumps(family)) is family


def test_a_worker_process_computes_what_the_state_computes():
    state = PoolingState(source="surgical")
    c = state.comparison
    args = (c.data, c.model, "half-cauchy", 0.5, None, 0.0)
    there = submit(compare_on_grid, *args).result(timeout=120)
    here = compare_on_grid(*args)
    np.testing.assert_array_equal(there.path.theta, here.path.theta)
    assert there.estimates.keys() == here.estimates.keys()
    for key, estimate in here.estimates.items():
        np.testing.assert_array_equal(there.estimates[key].theta, estimate.theta)
    assert there.posterior is not None and there.prior == "half-cauchy"


def test_a_prior_chosen_and_unchosen_meanwhile_leaves_the_comparison_on_show(later_state):
    state, later = later_state
    before = state.comparison
    state.prior = "half-cauchy"
    state.prior = "uniform"  # back to what is on show: nothing to wait for
    assert not state.computing
    later.run()
    assert state.comparison is before and state.prior == "uniform"


def test_sessions_share_the_comparisons_of_simulated_and_bundled_data():
    first, second = PoolingState(J=40), PoolingState(J=40)
    assert second.comparison.path is first.comparison.path  # computed once
    assert second.data is not first.data  # each session holds its own groups
    assert PoolingState(J=41).comparison.path is not first.comparison.path
    first.source = second.source = "surgical"
    assert second.comparison.path is first.comparison.path


def test_a_later_session_gets_a_shared_comparison_without_waiting():
    PoolingState(source="eight_schools")
    state, later = PoolingState(), Later()
    state.run_with(later)
    state.source = "eight_schools"
    assert later.jobs == [] and not state.computing and state.data.J == 8


def test_uploads_are_never_shared():
    content = "group,estimate,se\nA,1,1\nB,2,1\nC,4,2\n"
    first, second = PoolingState(), PoolingState()
    first.upload(content, "a.csv")
    second.upload(content, "a.csv")
    assert second.comparison.path is not first.comparison.path
    np.testing.assert_array_equal(second.comparison.path.theta, first.comparison.path.theta)


def test_the_shared_comparisons_are_bounded():
    state = PoolingState()
    for seed in range(SHARED_COMPARISONS + 5):
        state.seed = seed
    assert len(shared._kept) == SHARED_COMPARISONS


def test_an_upload_refused_meanwhile_keeps_its_message(later_state):
    state, later = later_state
    state.population = "student-t"
    assert not state.upload("group,value\nA,x\n", "bad.csv")
    later.run()
    assert state.model.key == "student-t" and "bad.csv" in state.problem


def test_choosing_an_upload_before_any_file_drops_the_data_on_their_way(later_state):
    state, later = later_state
    before = state.comparison
    state.source = "pumps"
    state.source = "upload"
    assert not state.computing and "Choose a CSV file" in state.problem
    later.run()
    assert state.comparison is before


def test_a_superseded_job_is_cancelled():
    futures: list[Future] = []

    def runner(job, args, then, failed) -> Future:
        futures.append(Future())
        return futures[-1]

    state = PoolingState()
    state.run_with(runner)
    state.source = "pumps"
    state.source = "surgical"
    assert futures[0].cancelled() and not futures[1].cancelled() and state.computing
