"""Population models: each one's fit, pooling and path agree with the core functions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from partialpool import estimate_tau2, fit_t, partial_pool, partial_pool_path, partial_pool_t
from partialpool.models import Normal, StudentT


def test_normal_fit_is_estimate_tau2_and_the_gls_mean(eight_schools):
    y, v = eight_schools
    fit = Normal("REML").fit(y, v)
    assert fit.tau2 == pytest.approx(estimate_tau2(y, v, "REML"), abs=1e-12)
    pooled = partial_pool(y, v, fit.tau2)
    assert fit.mu == pytest.approx(pooled.mu, rel=1e-14)
    assert fit.mu_se == pytest.approx(pooled.mu_se, rel=1e-14)
    assert fit.method == "REML"
    assert Normal("reml").label == "Normal population, tau^2 by REML"


def test_student_t_fit_is_fit_t_and_pools_toward_its_mu():
    y = np.array([-0.4, 0.1, 0.3, -0.2, 0.5, 9.0])
    model = StudentT(4)
    fit = model.fit(y, np.full(6, 0.25))
    ref = fit_t(y, 0.25, 4)
    assert (fit.mu, fit.tau, fit.method) == (ref.mu, ref.tau, "marginal ML")
    pooled = model.pool(y, np.full(6, 0.25), 0.3**2, fit)
    np.testing.assert_allclose(pooled.theta, partial_pool_t(y, 0.25, 0.3, 4, ref.mu).theta)
    assert pooled.mu == ref.mu and model.min_groups == 3
    assert model.label == "Student-t(nu = 4) population, mu and tau by marginal ML"


@pytest.mark.parametrize("model", [Normal("HE"), Normal("ML"), StudentT(3)])
def test_every_row_of_the_path_is_pool_at_that_tau(model, eight_schools):
    y, v = eight_schools
    fit = model.fit(y, v)
    grid = np.linspace(0.0, 30.0, 7)
    path = model.path(y, v, grid, fit)
    for k, tau in enumerate(grid):
        pooled = model.pool(y, v, tau**2, fit)
        np.testing.assert_allclose(path.theta[k], pooled.theta, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(path.shrinkage[k], pooled.shrinkage, rtol=1e-9, atol=1e-15)


def test_normal_path_is_partial_pool_path(eight_schools):
    y, v = eight_schools
    grid = np.linspace(0.0, 10.0, 5)
    model = Normal()
    path = model.path(y, v, grid, model.fit(y, v))
    np.testing.assert_array_equal(path.theta, partial_pool_path(y, v, grid).theta)


def test_only_the_normal_model_has_an_exact_posterior(eight_schools):
    y, v = eight_schools
    assert Normal().posterior(y, v, "uniform", None).tau_mean > 0
    assert StudentT(4).posterior(y, v, "uniform", None) is None


def test_bad_model_arguments_are_named():
    with pytest.raises(ValueError, match="unknown method 'XX'"):
        Normal("XX")
    with pytest.raises(ValueError, match="nu must be >= 1"):
        StudentT(0.5)
    assert math.isinf(StudentT(math.inf).nu)
