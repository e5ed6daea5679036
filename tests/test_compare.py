"""compare(): every registered estimator, scored, in one result; a new estimator is one entry."""

from __future__ import annotations

import math

import numpy as np
import pytest

from partialpool import datasets, mse, partial_pool, rank_draws, simulate
from partialpool.checks import predictive_check
from partialpool.compare import DRAWS, compare
from partialpool.estimators import ESTIMATORS, Estimator, GroupEstimates
from partialpool.groupdata import from_simulation
from partialpool.models import Binomial, Normal, StudentT
from partialpool.simulate import with_outlier


@pytest.fixture
def simulated():
    return from_simulation(simulate(12, (2, 40), tau=0.5, seed=27))


def test_every_estimator_is_run_and_scored_against_the_truth(simulated):
    c = compare(simulated, Normal("REML"), tau=0.3, tau_grid=np.linspace(0, 2, 11))
    assert list(c.estimates) == list(ESTIMATORS)
    for key, estimate in c.estimates.items():
        assert c.mse[key] == mse(estimate.theta, simulated.truth)
    np.testing.assert_array_equal(
        c.estimates["partial_pool"].theta, partial_pool(simulated.y, simulated.v, 0.09).theta
    )
    assert c.tau2 == 0.09 and c.tau_method is None


def test_the_path_rows_are_partial_pool_at_each_tau_and_scored(simulated):
    grid = np.linspace(0.0, 2.0, 21)
    c = compare(simulated, Normal(), tau_grid=grid)
    for k, tau in enumerate(grid):
        row = partial_pool(simulated.y, simulated.v, tau**2)
        np.testing.assert_allclose(c.path.theta[k], row.theta, rtol=1e-9, atol=1e-12)
        assert c.path_mse[k] == pytest.approx(mse(row.theta, simulated.truth), rel=1e-9)


def test_default_tau_is_the_fit_and_the_table_names_model_and_method():
    data = datasets.load("eight_schools")
    c = compare(data, Normal("REML"))
    assert c.tau2 == c.fit.tau2 == 0.0 and c.tau_method == "REML"
    assert c.mse == {} and c.path is None
    assert c.table().model == "Normal population, tau^2 by REML"
    t = compare(data, StudentT(4))
    assert t.table().model.startswith("Student-t(nu = 4) population")
    assert t.posterior is None and "no exact full-Bayes posterior" in t.posterior_problem
    assert "full_bayes" not in t.estimates


def test_too_few_groups_for_the_model_is_named():
    data = datasets.load("eight_schools")
    two = type(data)(title="two", labels=data.labels[:2], y=data.y[:2], v=data.v[:2])
    with pytest.raises(ValueError, match=r"Student-t.* needs at least 3 groups; got J == 2"):
        compare(two, StudentT(4))
    c = compare(two, Normal())
    assert c.posterior is None and "improper" in c.posterior_problem
    assert "james_stein" not in c.estimates


def test_a_toy_estimator_is_one_registry_entry(simulated, monkeypatch):
    # Registering an estimator is the only change: compare runs it, scores it, keeps order.
    toy = Estimator(
        key="midpoint",
        label="Halfway to the mean",
        legend="halfway",
        marker="star",
        colour="#999999",
        min_groups=2,
        estimate=lambda c: GroupEstimates(theta=0.5 * (c.y + c.fit.mu)),
    )
    monkeypatch.setitem(ESTIMATORS, toy.key, toy)
    c = compare(simulated, Normal())
    expected = 0.5 * (simulated.y + c.fit.mu)
    np.testing.assert_array_equal(c.estimates["midpoint"].theta, expected)
    assert c.mse["midpoint"] == mse(expected, simulated.truth)
    assert list(c.estimates)[-1] == "midpoint"


def test_estimators_can_be_chosen_and_the_posterior_is_skipped(simulated):
    c = compare(simulated, Normal(), estimators=["no_pool", "partial_pool"])
    assert list(c.estimates) == ["no_pool", "partial_pool"] and c.posterior is None
    with pytest.raises(ValueError, match="unknown estimator 'nope'"):
        compare(simulated, Normal(), estimators=["nope"])
    with pytest.raises(ValueError, match="give tau or tau2, not both"):
        compare(simulated, Normal(), tau=1.0, tau2=1.0)
    assert math.isclose(compare(simulated, tau2=0.5).tau2, 0.5)


def test_outlier_is_scored_apart():
    sim = with_outlier(simulate(12, (2, 40), tau=0.5, seed=3), 4.0, 20, 3)
    c = compare(from_simulation(sim), Normal(), tau=0.5)
    j = sim.outlier
    for key, (alone, rest) in c.outlier_mse.items():
        theta = c.estimates[key].theta
        assert alone == pytest.approx((theta[j] - sim.theta[j]) ** 2)
        keep = np.arange(sim.theta.size) != j
        assert rest == pytest.approx(mse(theta[keep], sim.theta[keep]))


def test_rankings_and_the_check_come_from_seeded_posterior_draws():
    c = compare(datasets.load("eight_schools"))
    theta = c.posterior.draws(DRAWS, 0).theta
    np.testing.assert_array_equal(c.draws(), theta)
    np.testing.assert_array_equal(c.rankings().p_highest, rank_draws(theta).p_highest)
    check = predictive_check(c.data, theta, 0)
    np.testing.assert_array_equal(c.predictive_check().p_value, check.p_value)
    assert c.rankings(seed=1).p_highest.tolist() != c.rankings().p_highest.tolist()
    t = compare(datasets.load("eight_schools"), StudentT(4))
    assert t.posterior is None and t.rankings() is None and t.predictive_check() is None


def test_a_model_that_cannot_use_the_data_is_refused_in_words():
    with pytest.raises(ValueError, match="needs successes out of trials; Eight schools"):
        compare(datasets.load("eight_schools"), Binomial())
    c = compare(datasets.load("surgical"), Binomial(), tau_grid=[0.0, 0.5])
    np.testing.assert_allclose(c.path.theta[0], 208 / 2814, rtol=1e-12)  # the pooled rate
    assert c.table().model.startswith("Binomial counts, logit-normal population")
