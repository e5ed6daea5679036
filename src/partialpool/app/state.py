"""The app's model: simulation settings and tau in, the core's estimates out. No layout here."""

from __future__ import annotations

import math

import numpy as np
import param

from .. import (
    TAU2_METHODS,
    complete_pool,
    estimate_tau2,
    mse,
    no_pool,
    partial_pool,
    simulate,
    summarize,
)
from ..pooling import PoolingEstimate
from ..simulate import Simulation, Summary

SORTS = {"group": "group number", "size": "group size n_j", "mean": "no-pool mean ybar_j"}


def row_order(summary: Summary, sort: str) -> np.ndarray:
    """Row of each group in the figure, 0 at the top: in group order, smallest n_j first, or
    largest ybar_j first."""
    J = summary.n.size
    if sort == "group":
        return np.arange(J)
    key = summary.n if sort == "size" else -summary.ybar
    order = np.empty(J, dtype=int)
    order[np.argsort(key, kind="stable")] = np.arange(J)
    return order


class SimulationState(param.Parameterized):
    """Simulate J groups, then pool them at the slider's tau.

    sigma is treated as known, as in the model: v_j = sigma^2 / n_j. tau_hat is the core's
    `estimate_tau2(ybar, v, method)` (the method of moments by default), and `errors` holds the
    core's `mse` of each estimator against the simulated theta_j.
    """

    J = param.Integer(12, bounds=(3, 200), label="Number of groups J")
    n_range = param.Range((2, 40), bounds=(1, 200), step=1, label="Group sizes n_j (from, to)")
    tau_true = param.Number(0.5, bounds=(0.0, 10.0), step=0.05, label="True tau")
    sigma = param.Number(1.0, bounds=(0.1, 10.0), step=0.05, label="sigma (within-group sd)")
    mu = param.Number(0.0, bounds=(-100.0, 100.0), step=0.1, label="mu (population mean)")
    seed = param.Integer(27, bounds=(0, 2**31 - 1), label="Random seed")
    new_data = param.Event(label="New data")

    tau = param.Number(0.5, bounds=(0.0, 1000.0), step=0.005, label="tau")
    fit_tau = param.Event(label="Fit tau from data")
    method = param.Selector(default="HE", objects=list(TAU2_METHODS), label="Estimator of tau")
    sort = param.Selector(default="group", objects=list(SORTS), label="Sort rows by")

    simulation = param.ClassSelector(class_=Simulation, precedence=-1, doc="the simulated data")
    summary = param.ClassSelector(class_=Summary, precedence=-1, doc="n_j, ybar_j, v_j")
    tau_hat = param.Number(0.0, precedence=-1, doc="the fitted tau, sqrt(tau2_hat)")
    order = param.Array(precedence=-1, doc="row of each group in the figure, 0 at the top")
    fit = param.ClassSelector(class_=PoolingEstimate, precedence=-1, doc="partial pool at tau")
    errors = param.Dict(
        precedence=-1,
        doc="MSE against theta: no_pool, complete_pool, partial_pool (at tau), empirical_bayes",
    )

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._resimulate()

    @param.depends("J", "n_range", "tau_true", "sigma", "mu", "seed", watch=True)
    def _resimulate(self) -> None:
        low, high = (round(b) for b in self.n_range)
        sim = simulate(self.J, (low, high), self.tau_true, self.mu, self.sigma, seed=self.seed)
        summary = summarize(sim.values, sim.groups, sigma=self.sigma)
        self._fixed = {
            "no_pool": mse(no_pool(summary.ybar), sim.theta),
            "complete_pool": mse(complete_pool(summary.ybar, summary.v), sim.theta),
        }
        tau_hat = self._fit_tau_hat(sim, summary)
        fit, errors = self._pool(sim, summary)
        self.param.update(
            simulation=sim,
            summary=summary,
            tau_hat=tau_hat,
            order=row_order(summary, self.sort),
            fit=fit,
            errors=errors,
        )

    def _fit_tau_hat(self, sim: Simulation, summary: Summary) -> float:
        tau2 = estimate_tau2(summary.ybar, summary.v, self.method)
        eb = partial_pool(summary.ybar, summary.v, tau2)
        self._fixed["empirical_bayes"] = mse(eb, sim.theta)
        return math.sqrt(tau2)

    def _pool(self, sim: Simulation, summary: Summary) -> tuple[PoolingEstimate, dict[str, float]]:
        fit = partial_pool(summary.ybar, summary.v, self.tau**2)
        return fit, {**self._fixed, "partial_pool": mse(fit, sim.theta)}

    @param.depends("method", watch=True)
    def _on_method(self) -> None:
        tau_hat = self._fit_tau_hat(self.simulation, self.summary)
        self.param.update(tau_hat=tau_hat, errors={**self.errors, **self._fixed})

    @param.depends("sort", watch=True)
    def _on_sort(self) -> None:
        self.order = row_order(self.summary, self.sort)

    @param.depends("tau", watch=True)
    def _on_tau(self) -> None:
        fit, errors = self._pool(self.simulation, self.summary)
        self.param.update(fit=fit, errors=errors)

    @param.depends("fit_tau", watch=True)
    def _on_fit_tau(self) -> None:
        self.tau = self.tau_hat

    @param.depends("new_data", watch=True)
    def _on_new_data(self) -> None:
        self.seed = int(np.random.default_rng().integers(0, 2**31 - 1))

    @property
    def ridge_penalty(self) -> float:
        """lambda = sigma^2 / tau^2, the ridge penalty equivalent to the prior (inf at tau = 0)."""
        return math.inf if self.tau == 0 else self.sigma**2 / self.tau**2
