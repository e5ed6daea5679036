"""Every estimator on one data set, scored, in one result: what the app and the CLI render.

`compare(data, model, tau, tau_grid)` fits the model once, runs every registered estimator
(`estimators.ESTIMATORS`) that applies, scores each against the truth when the data carry one,
and, given a tau grid, pools along it so that a front end can show any tau on the grid by
selecting a row. The front ends format a `Comparison`; they compute nothing themselves.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from ._validation import as_vector, check_choice, check_groups, check_min_groups, check_scalar
from .bayes import PRIORS
from .checks import PredictiveCheck, predictive_check
from .estimators import ESTIMATORS, Context, GroupEstimates
from .groupdata import GroupData
from .models import HyperFit, Model, Normal, Posterior
from .pooling import PoolingEstimate, ShrinkagePath
from .rankings import Rankings, rank_draws
from .results import GroupTable, group_table
from .risk import mse

DRAWS = 4000
"""Posterior draws behind the rankings and the predictive check: Monte Carlo error at most
0.008 on a probability."""


@dataclass(frozen=True, eq=False)
class Comparison:
    """The estimators of one data set under one population model, at one tau and along a grid.

    Fields
    ------
    data : the groups compared.
    model : the population model (its `label` says which model and method).
    fit : the fitted mu, tau, se of mu and the method that produced them.
    tau2 : the tau^2 at which `partial_pool` (and `pooled`) is evaluated.
    pooled : the model's posterior of each theta_j at tau^2.
    estimates : estimator key -> its estimates, for every registered estimator that applies.
    mse : estimator key -> mean squared error against the truth; empty without a truth.
    outlier_mse : with a simulated outlier group, key -> (its squared error on the outlier,
        the MSE over the other groups); else empty.
    posterior : the exact full-Bayes posterior, or None (see `posterior_problem`).
    posterior_problem : why there is no posterior, or "".
    path : the model's pooling along `tau_grid` (row k equals `pooled` at tau_grid[k]), or None.
    path_mse : the MSE of each row of `path.theta` against the truth, or None.
    path_outlier_mse : with a simulated outlier group, shape (G, 2): each row's squared error
        on the outlier and MSE over the other groups (as `outlier_mse`); else None.
    prior, scale : the prior on tau asked for the posterior, and its scale (None unless
        "half-cauchy").
    """

    data: GroupData
    model: Model
    fit: HyperFit
    tau2: float
    pooled: PoolingEstimate
    estimates: dict[str, GroupEstimates]
    mse: dict[str, float]
    outlier_mse: dict[str, tuple[float, float]]
    posterior: Posterior | None
    posterior_problem: str
    path: ShrinkagePath | None
    path_mse: np.ndarray | None
    path_outlier_mse: np.ndarray | None = None
    prior: str = "uniform"
    scale: float | None = None

    @property
    def tau(self) -> float:
        """sqrt(tau2)."""
        return math.sqrt(self.tau2)

    @property
    def tau_method(self) -> str | None:
        """The method behind `tau2`: the fit's, when it is the fitted one; None when given."""
        return self.fit.method if self.tau2 == self.fit.tau2 else None

    def at(self, tau: float) -> Comparison:
        """The same comparison at another tau: the fit, the posterior and the path are kept,
        the estimators that move with tau (`Estimator.moves_with_tau`) rerun and all rescored.

        >>> from partialpool import datasets
        >>> c = compare(datasets.load("eight_schools"), tau=0.0)
        >>> moved = c.at(10.0)
        >>> moved.fit is c.fit, round(float(moved.pooled.theta[0]), 2)
        (True, 14.24)
        """
        tau2 = check_scalar(tau, "tau", low=0.0) ** 2
        context = Context(
            data=self.data, model=self.model, fit=self.fit, tau2=tau2, posterior=self.posterior
        )
        moving = [key for key in self.estimates if ESTIMATORS[key].moves_with_tau]
        estimates = {**self.estimates, **_run(context, moving)}
        overall, outlier = scores(self.data, {key: e.theta for key, e in estimates.items()})
        return replace(
            self,
            tau2=tau2,
            pooled=self.model.pool(self.data, tau2, self.fit),
            estimates=estimates,
            mse=overall,
            outlier_mse=outlier,
        )

    def same_fit(self, other: Comparison | None) -> bool:
        """Whether `other` differs from this comparison at most in tau (one came from the
        other by `at`): the same data, fit, posterior and path."""
        return (
            other is not None
            and other.data is self.data
            and other.fit is self.fit
            and other.posterior is self.posterior
            and other.path is self.path
        )

    def draws(self, size: int = DRAWS, seed: int = 0) -> np.ndarray | None:
        """`size` seeded draws of every theta_j from the full-Bayes posterior, shape (size, J);
        None without a posterior (`posterior_problem` says why)."""
        if self.posterior is None:
            return None
        return self.posterior.draws(size, seed).theta

    def rankings(self, size: int = DRAWS, seed: int = 0) -> Rankings | None:
        """Each group's rank with its uncertainty (`rank_draws`) from `draws`; None without a
        posterior."""
        theta = self.draws(size, seed)
        return None if theta is None else rank_draws(theta, seed)

    def predictive_check(self, size: int = DRAWS, seed: int = 0) -> PredictiveCheck | None:
        """The posterior predictive check (`checks.predictive_check`) on `draws`; None without
        a posterior."""
        theta = self.draws(size, seed)
        return None if theta is None else predictive_check(self.data, theta, seed)

    def table(self) -> GroupTable:
        """The per-group table at tau (`results.group_table`), naming the model and method."""
        model = self.model
        return group_table(
            self.data,
            self.pooled,
            self.tau_method,
            getattr(model, "nu", None),
            label=model.label_for(self.tau_method),
            kind=model.key,
            link=model.link,
        )


def compare(
    data: GroupData,
    model: Model | None = None,
    tau: float | None = None,
    tau_grid: object | None = None,
    *,
    tau2: float | None = None,
    prior: str = "uniform",
    scale: float | None = None,
    estimators: Iterable[str] | None = None,
    fit: HyperFit | None = None,
) -> Comparison:
    """Fit `model` to `data` and run, score and tabulate every registered estimator.

    Parameters
    ----------
    data : the groups (`GroupData`: y, v, and the truth where known).
    model : a population model (`models.Normal`, `models.StudentT`); default `Normal("HE")`.
    tau : the tau for partial pooling (the slider's); default the fitted tau.
    tau2 : tau^2 instead of tau (exactly as given); not both.
    tau_grid : optional grid of tau >= 0 along which to pool (one row per tau).
    prior, scale : the prior on tau for the full-Bayes posterior (see `full_bayes`).
    estimators : keys of ESTIMATORS to run (default all); the posterior is computed only
        when "full_bayes" is among them.
    fit : `model.fit(data.y, data.v)` when the caller has it already (e.g. to place the grid).

    Returns a `Comparison`. Raises ValueError when the data have fewer groups than the model
    needs, naming the model.
    """
    model = Normal() if model is None else model
    y, _ = check_groups(data.y, data.v)
    check_min_groups(y, model.min_groups, model.label)
    problem = model.problem(data)
    if problem:
        raise ValueError(problem)
    fit = model.fit(data) if fit is None else fit
    if tau is not None and tau2 is not None:
        raise ValueError("give tau or tau2, not both")
    if tau2 is None:
        tau2 = fit.tau2 if tau is None else check_scalar(tau, "tau", low=0.0) ** 2
    tau2 = check_scalar(tau2, "tau2", low=0.0)
    keys = (
        list(ESTIMATORS)
        if estimators is None
        else [check_choice(k, "estimator", ESTIMATORS) for k in estimators]
    )
    posterior, posterior_problem = (
        posterior_or_reason(model, data, prior, scale)
        if "full_bayes" in keys
        else (None, "not asked for")
    )
    context = Context(data=data, model=model, fit=fit, tau2=tau2, posterior=posterior)
    estimates = _run(context, keys)
    pooled = model.pool(data, tau2, fit)
    path = path_mse = path_outlier = None
    if tau_grid is not None:
        grid = as_vector(tau_grid, "tau_grid")
        if np.any(grid < 0):
            raise ValueError("tau_grid must be >= 0 at every point")
        path = model.path(data, grid, fit)
        path_mse, path_outlier = _path_scores(data, path.theta)
    overall, outlier = scores(data, {key: e.theta for key, e in estimates.items()})
    return Comparison(
        data=data,
        model=model,
        fit=fit,
        tau2=tau2,
        pooled=pooled,
        estimates=estimates,
        mse=overall,
        outlier_mse=outlier,
        posterior=posterior,
        posterior_problem=posterior_problem,
        path=path,
        path_mse=path_mse,
        path_outlier_mse=path_outlier,
        prior=prior,
        scale=scale if prior == "half-cauchy" else None,
    )


def _run(context: Context, keys: Iterable[str]) -> dict[str, GroupEstimates]:
    """The estimates of the registered estimators `keys` that apply: enough groups, and a
    result (an estimator returns None where it has none, e.g. full Bayes without a posterior)."""
    return {
        key: result
        for key in keys
        if ESTIMATORS[key].min_groups <= context.data.J
        and (result := ESTIMATORS[key].estimate(context)) is not None
    }


def _path_scores(data: GroupData, theta: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """`scores` of every row of a (G, J) path at once: the MSE per row and, with an outlier,
    (G, 2) of its squared error and the MSE of the rest."""
    if data.truth is None:
        return None, None
    error2 = (theta - data.truth) ** 2
    if data.outlier is None:
        return error2.mean(axis=1), None
    rest = np.arange(data.J) != data.outlier
    return error2.mean(axis=1), np.column_stack(
        [error2[:, data.outlier], error2[:, rest].mean(axis=1)]
    )


def posterior_or_reason(
    model: Model, data: GroupData, prior: str, scale: float | None
) -> tuple[Posterior | None, str]:
    """The model's exact posterior under `prior` (the scale used only for "half-cauchy"), and
    "" ; or None and why there is none, in words for the page."""
    if prior not in PRIORS:
        raise ValueError(f"unknown prior {prior!r}; valid are {', '.join(map(repr, PRIORS))}")
    if prior == "uniform" and data.J < 3:
        return None, (
            "With 2 groups a flat prior on tau gives an improper posterior; choose the "
            "half-Cauchy prior."
        )
    try:
        posterior = model.posterior(data, prior, scale if prior == "half-cauchy" else None)
    except ValueError as err:  # an improper posterior (e.g. no count between 0 and n_j)
        return None, str(err)
    if posterior is None:
        return None, f"The {model.label.split(',')[0]} has no exact full-Bayes posterior here."
    return posterior, ""


def scores(
    data: GroupData, estimates: Mapping[str, np.ndarray]
) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """The MSE of each estimate (key -> theta) against the truth and, with a simulated outlier
    group, key -> (its squared error on the outlier, the MSE over the other groups); empty
    dicts where the truth (or the outlier) is unknown."""
    if data.truth is None:
        return {}, {}
    overall = {key: mse(theta, data.truth) for key, theta in estimates.items()}
    if data.outlier is None:
        return overall, {}
    j = data.outlier
    rest = np.arange(data.J) != j
    outlier = {
        key: (float((theta[j] - data.truth[j]) ** 2), mse(theta[rest], data.truth[rest]))
        for key, theta in estimates.items()
    }
    return overall, outlier
