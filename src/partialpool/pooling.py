"""No pooling, complete pooling and partial pooling of group means.

Model (Gelman et al. 2013, *Bayesian Data Analysis*, 3rd ed., section 5.4):
y_j | theta_j ~ N(theta_j, v_j) with known sampling variances v_j = sigma^2 / n_j,
theta_j ~ N(mu, tau^2). The three estimators are the posterior means of theta_j for
tau^2 = inf (no pooling), tau^2 = 0 (complete pooling) and a given tau^2 (partial pooling).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validation import as_vector, check_groups, check_scalar, check_tau_grid

Z_95 = 1.959963984540054
"""The 0.975 quantile of N(0, 1)."""


@dataclass(frozen=True, eq=False)
class PoolingEstimate:
    """Estimates of the group means theta_j under one pooling rule.

    Fields
    ------
    theta : the estimate of each theta_j.
    shrinkage : B_j = v_j / (v_j + tau2), the weight on the common mean (0 = none, 1 = all).
    var : posterior variance of each theta_j given tau2 (None when no v was given).
    mu : the common mean shrunk toward (None for no pooling).
    mu_var : Var(mu | y, tau2) under a flat prior on mu; 0 when mu was given.
    tau2 : the between-group variance used.
    lower, upper : the 95% posterior interval of each theta_j where it is not symmetric
        (rates from counts), else None: then `interval` is theta_j +- 1.96 sd_j.

    `np.asarray(estimate)` is `estimate.theta`, so an estimate can be passed where an array is.
    """

    theta: np.ndarray
    shrinkage: np.ndarray
    var: np.ndarray | None
    mu: float | None
    mu_var: float
    tau2: float
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None

    def interval(self) -> tuple[np.ndarray, np.ndarray]:
        """The 95% interval of each theta_j: (lower, upper) where given, else theta_j +- 1.96
        sd_j, the normal posterior's."""
        if self.lower is not None and self.upper is not None:
            return self.lower, self.upper
        half = Z_95 * self.sd
        return self.theta - half, self.theta + half

    @property
    def sd(self) -> np.ndarray | None:
        """Posterior standard deviation of each theta_j, sqrt(var)."""
        return None if self.var is None else np.sqrt(self.var)

    @property
    def mu_se(self) -> float:
        """Standard error of mu, sqrt(mu_var)."""
        return math.sqrt(self.mu_var)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return np.asarray(self.theta, dtype=dtype)


def no_pool(y: object, v: object | None = None) -> PoolingEstimate:
    """No pooling: theta_hat_j = y_j, each group on its own (tau^2 = inf).

    Parameters
    ----------
    y : group means (or effect estimates), length J.
    v : optional sampling variances; when given, `.var` is v (the sampling variance of y_j).

    Returns a PoolingEstimate with shrinkage 0 and mu None.
    """
    if v is None:
        y = as_vector(y, "y")
        var = None
    else:
        y, var = check_groups(y, v)
        var = var.copy()
    return PoolingEstimate(
        theta=y.copy(),
        shrinkage=np.zeros_like(y),
        var=var,
        mu=None,
        mu_var=math.inf,
        tau2=math.inf,
    )


def precision_weighted_mean(y: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """(mu_hat, Var(mu_hat)) = (sum(y/v) / sum(1/v), 1 / sum(1/v)) for validated arrays.

    Computed as y_0 + sum(w (y - y_0)) / sum(w) with w = v_0 / v <= 1, where group 0 has the
    smallest v: neither the weights nor the products overflow or underflow at any scale.
    """
    i = int(np.argmin(v))
    centre, v_min = float(y[i]), float(v[i])
    w = v_min / v
    sw = float(w.sum())
    return centre + float((w * (y - centre)).sum()) / sw, v_min / sw


def complete_pool(y: object, v: object) -> PoolingEstimate:
    """Complete pooling: every theta_j is the precision-weighted grand mean (tau^2 = 0).

    mu_hat = sum(y_j / v_j) / sum(1 / v_j), with Var(mu_hat) = 1 / sum(1 / v_j). When all
    groups share sigma (v_j = sigma^2 / n_j) this is the mean of all observations.
    `.var` is Var(mu_hat) for every group, `.shrinkage` is 1, `.mu_se` the standard error.
    """
    y, v = check_groups(y, v)
    mu, mu_var = precision_weighted_mean(y, v)
    return PoolingEstimate(
        theta=np.full_like(y, mu),
        shrinkage=np.ones_like(y),
        var=np.full_like(y, mu_var),
        mu=mu,
        mu_var=mu_var,
        tau2=0.0,
    )


def shrinkage(v: np.ndarray, tau2: float) -> np.ndarray:
    """B_j = v_j / (v_j + tau2): 1 at tau2 = 0, 0 at tau2 = inf (both exactly)."""
    if tau2 == 0.0:
        return np.ones_like(v)
    if math.isinf(tau2):
        return np.zeros_like(v)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + tau2 / v)


def partial_pool(y: object, v: object, tau2: float, mu: float | None = None) -> PoolingEstimate:
    """Partial pooling: theta_hat_j = y_j + B_j (mu - y_j), B_j = v_j / (v_j + tau2).

    Gelman et al. (2013), BDA3 eqs. 5.17 and 5.20. When `mu` is None it is estimated by
    generalised least squares, mu_hat = sum(y_j / (v_j + tau2)) / sum(1 / (v_j + tau2)), the
    posterior mean of mu given tau under a flat prior, with
    Var(mu | y, tau) = 1 / sum(1 / (v_j + tau2)).

    `.var` is the posterior variance of theta_j given tau:
    V_j = v_j (1 - B_j) when mu is given, and V_j + B_j^2 Var(mu | y, tau) when mu is
    estimated (the uncertainty of mu_hat carried into each group, BDA3 section 5.4).

    Limits, exact in floating point: tau2 = 0 returns complete pooling (theta_j = mu_hat,
    var = 1 / sum(1/v)); tau2 = inf returns no pooling (theta_j = y_j, var = v_j).

    Parameters
    ----------
    y : group means, length J.
    v : sampling variances (> 0), length J or one number.
    tau2 : between-group variance, 0 <= tau2 <= inf.
    mu : the population mean to shrink toward; None to estimate it.
    """
    y, v = check_groups(y, v)
    tau2 = check_scalar(tau2, "tau2", low=0.0, allow_inf=True)
    if mu is not None:
        mu = check_scalar(mu, "mu")
        mu_var = 0.0
    elif math.isinf(tau2):
        mu, mu_var = float(y.mean()), math.inf
    else:
        mu, mu_var = precision_weighted_mean(y, v + tau2)
    b = shrinkage(v, tau2)
    with np.errstate(over="ignore"):
        one_minus_b = 1.0 / (1.0 + v / tau2) if 0.0 < tau2 < math.inf else 1.0 - b
    theta = one_minus_b * y + b * mu
    var = v * one_minus_b
    if mu_var and not math.isinf(mu_var):
        var = var + b**2 * mu_var
    return PoolingEstimate(theta=theta, shrinkage=b, var=var, mu=mu, mu_var=mu_var, tau2=tau2)


@dataclass(frozen=True, eq=False)
class ShrinkagePath:
    """Partial pooling along a grid of tau values (BDA3 figure 5.6).

    Fields
    ------
    tau : the grid, length G.
    mu : mu_hat(tau), the GLS mean at each tau, length G.
    theta : theta_hat_j(tau), shape (G, J): row k is `partial_pool(y, v, tau[k]**2).theta`.
    shrinkage : B_j(tau) = v_j / (v_j + tau^2), shape (G, J).
    rate : for counts, where mu is on the logit or log scale, the rate it gives at each tau
        (the population's median rate; at tau = 0 the pooled rate), else None.
    """

    tau: np.ndarray
    mu: np.ndarray
    theta: np.ndarray
    shrinkage: np.ndarray
    rate: np.ndarray | None = None

    @property
    def centre(self) -> np.ndarray:
        """mu_hat(tau) on the scale of theta: `rate` for counts, else `mu`."""
        return self.mu if self.rate is None else self.rate


def partial_pool_path(y: object, v: object, tau: object) -> ShrinkagePath:
    """Partial pooling at every tau of a grid at once: theta_hat_j(tau) = y_j + B_j (mu_hat - y_j).

    The same estimate as `partial_pool(y, v, tau**2)` for each tau (mu estimated by GLS),
    vectorised over the grid and the groups. Gelman et al. (2013), BDA3 section 5.5, figure 5.6.

    Parameters
    ----------
    y : group means, length J.
    v : sampling variances (> 0), length J or one number.
    tau : the grid of between-group sds, each finite and >= 0.
    """
    y, v = check_groups(y, v)
    tau = check_tau_grid(tau)
    tau2 = (tau**2)[:, None]
    i = int(np.argmin(v))
    # Weights relative to the most precise group's, w <= 1, and y centred on its mean, so that
    # nothing over- or underflows at any scale.
    w = (v[i] + tau2) / (v + tau2)
    mu = y[i] + (w @ (y - y[i])) / w.sum(axis=1)
    with np.errstate(divide="ignore", over="ignore"):
        b = 1.0 / (1.0 + tau2 / v)
        theta = y / (1.0 + v / tau2) + b * mu[:, None]
    return ShrinkagePath(tau=tau, mu=mu, theta=theta, shrinkage=b)
