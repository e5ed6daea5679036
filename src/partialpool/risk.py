"""Scoring estimates against the truth: one estimate, or partial pooling along a tau grid."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_vector, check_groups
from .pooling import ShrinkagePath, partial_pool_path, precision_weighted_mean


def mse(estimate: object, truth: object) -> float:
    """Mean squared error, mean((estimate_j - truth_j)^2).

    `estimate` may be an array or any result with `.theta` that converts to one
    (`PoolingEstimate`, `JamesStein`).
    """
    est = as_vector(np.asarray(estimate), "estimate")
    true = as_vector(truth, "truth")
    if est.size != true.size:
        raise ValueError(
            f"estimate and truth must have the same length; got {est.size} and {true.size}"
        )
    return float(np.mean((est - true) ** 2))


@dataclass(frozen=True, eq=False)
class RiskCurve:
    """The MSE of partial pooling against the truth as a function of tau, for one data set.

    Fields
    ------
    tau : the grid, length G.
    mse : mean_j (theta_hat_j(tau) - theta_j)^2 at each tau of the grid.
    no_pool : the MSE of y_j, the limit as tau -> inf.
    complete_pool : the MSE of the precision-weighted grand mean, the value at tau = 0.
    """

    tau: np.ndarray
    mse: np.ndarray
    no_pool: float
    complete_pool: float

    @property
    def best_tau(self) -> float:
        """The grid's tau with the smallest MSE (the first, on ties)."""
        return float(self.tau[np.argmin(self.mse)])


def risk_curve(y: object, v: object, truth: object, tau: object) -> RiskCurve:
    """MSE of partial pooling against the truth over a grid of tau, vectorised over the grid.

    mse(tau) = mean_j (theta_hat_j(tau) - theta_j)^2 with theta_hat_j(tau) from
    `partial_pool_path`: the realised loss on these data (its average over data sets is the
    risk, which `montecarlo` estimates). Efron and Morris (1975), *JASA* 70:311-319, compare
    the same three totals for the batting averages.
    """
    y, v = check_groups(y, v)
    return path_risk(partial_pool_path(y, v, tau), y, v, truth)


def path_risk(path: ShrinkagePath, y: object, v: object, truth: object) -> RiskCurve:
    """The MSE against the truth at each tau of a path of estimates (from `partial_pool_path`,
    or any pooling rule along a grid, e.g. `partial_pool_t_path`), with the no-pooling and
    complete-pooling (precision-weighted grand mean) MSE of the same data."""
    y, v = check_groups(y, v)
    true = as_vector(truth, "truth")
    if true.size != y.size:
        raise ValueError(f"y and truth must have the same length; got {y.size} and {true.size}")
    grand_mean, _ = precision_weighted_mean(y, v)
    return RiskCurve(
        tau=path.tau,
        mse=np.mean((path.theta - true) ** 2, axis=1),
        no_pool=float(np.mean((y - true) ** 2)),
        complete_pool=float(np.mean((grand_mean - true) ** 2)),
    )
