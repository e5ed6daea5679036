"""The app's model: data (simulated, bundled or uploaded) and tau in, the core's estimates out.
No layout here."""

from __future__ import annotations

import math

import numpy as np
import param

from .. import (
    TAU2_METHODS,
    complete_pool,
    datasets,
    estimate_tau2,
    mse,
    no_pool,
    partial_pool,
    simulate,
)
from ..csvfile import CSVError, parse_csv
from ..datasets import DATASETS
from ..groupdata import GroupData, from_simulation
from ..pooling import PoolingEstimate
from ..simulate import Simulation

SORTS = {"group": "order in the data", "size": "group size n_j", "mean": "no-pool mean ybar_j"}

SOURCES = {
    "simulated": "Simulated groups",
    "eight_schools": DATASETS["eight_schools"][0],
    "efron_morris": DATASETS["efron_morris"][0],
    "upload": "Your CSV file",
}
"""Data source key -> its name in the app."""

MAX_GROUPS = 1000
"""The most groups the app draws; larger files are for the command line."""


def row_order(data: GroupData, sort: str) -> np.ndarray:
    """Row of each group in the figure, 0 at the top: in file order, the least precise first
    (smallest n_j, or largest v_j when the data give no n_j), or the largest y_j first."""
    J = data.J
    if sort == "group":
        return np.arange(J)
    key = (data.n if data.n is not None else -data.v) if sort == "size" else -data.y
    order = np.empty(J, dtype=int)
    order[np.argsort(key, kind="stable")] = np.arange(J)
    return order


class PoolingState(param.Parameterized):
    """Grouped data (simulated, bundled or uploaded), pooled at the slider's tau.

    For simulated data sigma is known, as in the model: v_j = sigma^2 / n_j. tau_hat is the
    core's `estimate_tau2(y, v, method)` (the method of moments by default), and `errors` holds
    the core's `mse` of each estimator against the truth, or nothing when the truth is unknown.
    A rejected upload sets `problem` and leaves the data as they were.
    """

    source = param.Selector(default="simulated", objects=list(SOURCES), label="Data")

    J = param.Integer(12, bounds=(3, 200), label="Number of groups J")
    n_range = param.Range((2, 40), bounds=(1, 200), step=1, label="Group sizes n_j (from, to)")
    tau_true = param.Number(0.5, bounds=(0.0, 10.0), step=0.05, label="True tau")
    sigma = param.Number(1.0, bounds=(0.1, 10.0), step=0.05, label="sigma (within-group sd)")
    mu = param.Number(0.0, bounds=(-100.0, 100.0), step=0.1, label="mu (population mean)")
    seed = param.Integer(27, bounds=(0, 2**31 - 1), label="Random seed")
    new_data = param.Event(label="New data")

    tau = param.Number(0.5, bounds=(0.0, 1e100), step=0.005, label="tau")
    fit_tau = param.Event(label="Fit tau from data")
    method = param.Selector(default="HE", objects=list(TAU2_METHODS), label="Estimator of tau")
    sort = param.Selector(default="group", objects=list(SORTS), label="Sort rows by")

    simulation = param.ClassSelector(
        class_=Simulation, precedence=-1, doc="the last simulated data, also when not shown"
    )
    data = param.ClassSelector(class_=GroupData, precedence=-1, doc="the groups on show")
    tau_hat = param.Number(0.0, precedence=-1, doc="the fitted tau, sqrt(tau2_hat)")
    order = param.Array(precedence=-1, doc="row of each group in the figure, 0 at the top")
    fit = param.ClassSelector(class_=PoolingEstimate, precedence=-1, doc="partial pool at tau")
    errors = param.Dict(
        precedence=-1,
        doc="MSE against the truth: no_pool, complete_pool, partial_pool (at tau), "
        "empirical_bayes; empty when the truth is unknown",
    )
    problem = param.String("", precedence=-1, doc="why the last upload was refused, or ''")

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._uploaded: GroupData | None = None
        self._resimulate()
        if self.source != "simulated":
            self._on_source()

    @param.depends("J", "n_range", "tau_true", "sigma", "mu", "seed", watch=True)
    def _resimulate(self) -> None:
        low, high = (round(b) for b in self.n_range)
        sim = simulate(self.J, (low, high), self.tau_true, self.mu, self.sigma, seed=self.seed)
        self.simulation = sim
        if self.source == "simulated":
            self._show(from_simulation(sim), refit_tau=False)

    @param.depends("source", watch=True)
    def _on_source(self) -> None:
        if self.source == "simulated":
            data = from_simulation(self.simulation)
        elif self.source == "upload":
            if self._uploaded is None:
                if self.data is None:
                    self._show(from_simulation(self.simulation), refit_tau=False)
                self.problem = "Choose a CSV file to upload: no file has been read yet."
                return
            data = self._uploaded
        else:
            data = datasets.load(self.source)
        self._show(data, refit_tau=True)

    def upload(self, content: bytes | str, filename: str = "Uploaded data") -> bool:
        """Read an uploaded CSV file and show it; on any problem set `problem` and keep the
        data on show. Returns whether the file was accepted."""
        try:
            data = parse_csv(content, title=filename)
            if data.J > MAX_GROUPS:
                raise CSVError(
                    f"the file has {data.J} groups; the app draws up to {MAX_GROUPS}. "
                    "For more groups use the command line: partialpool fit FILE.csv"
                )
        except CSVError as err:
            self.problem = f"{filename}: {err}"
            return False
        self._uploaded = data
        if self.source == "upload":
            self._show(data, refit_tau=True)
        else:
            self.source = "upload"
        return True

    def _show(self, data: GroupData, refit_tau: bool) -> None:
        """Put new data on show in one update; with refit_tau the slider moves to tau_hat."""
        tau_hat = self._tau_hat(data)
        tau = tau_hat if refit_tau else self.tau
        self._fixed = self._fixed_errors(data, tau_hat)
        fit = partial_pool(data.y, data.v, tau**2)
        self.param.update(
            data=data,
            tau_hat=tau_hat,
            tau=tau,
            order=row_order(data, self.sort),
            fit=fit,
            errors=self._errors(data, fit),
            problem="",
        )

    def _tau_hat(self, data: GroupData) -> float:
        return math.sqrt(estimate_tau2(data.y, data.v, self.method))

    def _fixed_errors(self, data: GroupData, tau_hat: float) -> dict[str, float]:
        if data.truth is None:
            return {}
        return {
            "no_pool": mse(no_pool(data.y), data.truth),
            "complete_pool": mse(complete_pool(data.y, data.v), data.truth),
            "empirical_bayes": mse(partial_pool(data.y, data.v, tau_hat**2), data.truth),
        }

    def _errors(self, data: GroupData, fit: PoolingEstimate) -> dict[str, float]:
        if data.truth is None:
            return {}
        return {**self._fixed, "partial_pool": mse(fit, data.truth)}

    @param.depends("method", watch=True)
    def _on_method(self) -> None:
        data = self.data
        self.tau_hat = self._tau_hat(data)
        self._fixed = self._fixed_errors(data, self.tau_hat)
        self.errors = self._errors(data, self.fit)

    @param.depends("sort", watch=True)
    def _on_sort(self) -> None:
        self.order = row_order(self.data, self.sort)

    @param.depends("tau", watch=True)
    def _on_tau(self) -> None:
        if self.fit.tau2 == self.tau**2:
            # `_show` already fitted the new data at this tau, in the same update; a second
            # fit would reach the views before the new data and patch them with the wrong size.
            return
        fit = partial_pool(self.data.y, self.data.v, self.tau**2)
        self.param.update(fit=fit, errors=self._errors(self.data, fit))

    @param.depends("fit_tau", watch=True)
    def _on_fit_tau(self) -> None:
        self.tau = self.tau_hat

    @param.depends("new_data", watch=True)
    def _on_new_data(self) -> None:
        self.seed = int(np.random.default_rng().integers(0, 2**31 - 1))

    @property
    def ridge_penalty(self) -> float | None:
        """lambda = sigma^2 / tau^2, the ridge penalty equivalent to the prior (inf at tau = 0);
        None when the groups share no sigma."""
        sigma = self.data.sigma
        if sigma is None:
            return None
        return math.inf if self.tau == 0 else sigma**2 / self.tau**2
