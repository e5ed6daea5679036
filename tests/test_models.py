"""Population models: each one's fit, pooling and path agree with the core functions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from partialpool import (
    datasets,
    estimate_tau2,
    fit_log_normal_poisson,
    fit_logit_normal,
    fit_t,
    partial_pool,
    partial_pool_log_normal_poisson,
    partial_pool_logit_normal,
    partial_pool_path,
    partial_pool_t,
)
from partialpool.groupdata import from_estimates
from partialpool.models import Binomial, Normal, Poisson, StudentT


def test_normal_fit_is_estimate_tau2_and_the_gls_mean(eight_schools):
    y, v = eight_schools
    fit = Normal("REML").fit(from_estimates(y, v))
    assert fit.tau2 == pytest.approx(estimate_tau2(y, v, "REML"), abs=1e-12)
    pooled = partial_pool(y, v, fit.tau2)
    assert fit.mu == pytest.approx(pooled.mu, rel=1e-14)
    assert fit.mu_se == pytest.approx(pooled.mu_se, rel=1e-14)
    assert fit.method == "REML"
    assert Normal("reml").label == "Normal population, tau^2 by REML"


def test_student_t_fit_is_fit_t_and_pools_toward_its_mu():
    y = np.array([-0.4, 0.1, 0.3, -0.2, 0.5, 9.0])
    model = StudentT(4)
    data = from_estimates(y, np.full(6, 0.25))
    fit = model.fit(data)
    ref = fit_t(y, 0.25, 4)
    assert (fit.mu, fit.tau, fit.method) == (ref.mu, ref.tau, "marginal ML")
    pooled = model.pool(data, 0.3**2, fit)
    np.testing.assert_allclose(pooled.theta, partial_pool_t(y, 0.25, 0.3, 4, ref.mu).theta)
    assert pooled.mu == ref.mu and model.min_groups == 3
    assert model.label == "Student-t(nu = 4) population, mu and tau by marginal ML"


@pytest.mark.parametrize("model", [Normal("HE"), Normal("ML"), StudentT(3)])
def test_every_row_of_the_path_is_pool_at_that_tau(model, eight_schools):
    data = from_estimates(*eight_schools)
    fit = model.fit(data)
    grid = np.linspace(0.0, 30.0, 7)
    path = model.path(data, grid, fit)
    for k, tau in enumerate(grid):
        pooled = model.pool(data, tau**2, fit)
        np.testing.assert_allclose(path.theta[k], pooled.theta, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(path.shrinkage[k], pooled.shrinkage, rtol=1e-9, atol=1e-15)


def test_normal_path_is_partial_pool_path(eight_schools):
    y, v = eight_schools
    data = from_estimates(y, v)
    grid = np.linspace(0.0, 10.0, 5)
    model = Normal()
    path = model.path(data, grid, model.fit(data))
    np.testing.assert_array_equal(path.theta, partial_pool_path(y, v, grid).theta)


def test_only_the_normal_model_has_an_exact_posterior(eight_schools):
    data = from_estimates(*eight_schools)
    assert Normal().posterior(data, "uniform", None).tau_mean > 0
    assert StudentT(4).posterior(data, "uniform", None) is None


def test_bad_model_arguments_are_named():
    with pytest.raises(ValueError, match="unknown method 'XX'"):
        Normal("XX")
    with pytest.raises(ValueError, match="nu must be >= 1"):
        StudentT(0.5)
    assert math.isinf(StudentT(math.inf).nu)


# --- counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "name", "fit_counts", "pool_counts"),
    [
        (Binomial(), "surgical", fit_logit_normal, partial_pool_logit_normal),
        (Poisson(), "pumps", fit_log_normal_poisson, partial_pool_log_normal_poisson),
    ],
)
def test_count_models_are_the_core_functions_on_the_counts(model, name, fit_counts, pool_counts):
    data = datasets.load(name)
    fit = model.fit(data)
    ref = fit_counts(data.counts.y, data.counts.n)
    assert (fit.mu, fit.tau, fit.mu_se, fit.method) == (ref.mu, ref.tau, ref.mu_se, "marginal ML")
    pooled = model.pool(data, 0.3**2, fit)
    own = pool_counts(data.counts.y, data.counts.n, 0.3)
    np.testing.assert_array_equal(pooled.theta, own.rate)
    np.testing.assert_array_equal(pooled.interval()[0], own.lower)
    np.testing.assert_array_equal(pooled.sd, own.sd)
    assert pooled.mu == own.mu and math.isnan(pooled.mu_var)
    assert model.pool(data, fit.tau2, fit).mu_se == fit.mu_se
    grid = np.array([0.0, 0.3, 2.0])
    path = model.path(data, grid, fit)
    np.testing.assert_allclose(path.theta[1], own.rate, rtol=1e-12)


def test_count_models_say_what_they_need():
    schools = datasets.load("eight_schools")
    assert Binomial().problem(schools) == (
        "The Binomial counts model needs successes out of trials; "
        "Eight schools (Rubin 1981) has only estimates."
    )
    assert "needs counts over an exposure" in Poisson().problem(datasets.load("surgical"))
    assert Binomial().problem(datasets.load("surgical")) == ""
    with pytest.raises(ValueError, match="needs successes out of trials"):
        Binomial().fit(schools)
    assert Binomial().label == "Binomial counts, logit-normal population, mu and tau by marginal ML"
    assert Binomial().label_for(None).endswith("tau given, mu by marginal ML")
    assert (Binomial().link, Poisson().link, Normal().link) == ("logit", "log", "identity")


def test_the_link_variance_is_on_the_scale_of_tau():
    surgical, schools = datasets.load("surgical"), datasets.load("eight_schools")
    y, n = surgical.counts.y, surgical.counts.n
    np.testing.assert_allclose(
        Binomial().link_variance(surgical), 1 / (y + 0.5) + 1 / (n - y + 0.5), rtol=1e-15
    )
    np.testing.assert_array_equal(Normal().link_variance(schools), schools.v)
    np.testing.assert_array_equal(StudentT(4).link_variance(schools), schools.v)
    pumps = datasets.load("pumps")
    np.testing.assert_allclose(Poisson().link_variance(pumps), 1 / (pumps.counts.y + 0.5))
