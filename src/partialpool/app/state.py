"""The app's model: data (simulated, bundled or uploaded) and tau in, the core's estimates out.
No layout here."""

from __future__ import annotations

import math

import numpy as np
import param

from .. import (
    PRIORS,
    TAU2_METHODS,
    FullBayes,
    RiskCurve,
    ShrinkagePath,
    complete_pool,
    datasets,
    estimate_tau2,
    james_stein,
    no_pool,
    partial_pool,
    partial_pool_path,
    simulate,
)
from ..compare import posterior_or_reason, scores
from ..csvfile import CSVError, parse_csv
from ..datasets import DATASETS
from ..groupdata import GroupData, from_simulation
from ..models import Normal
from ..pooling import PoolingEstimate
from ..results import T_METHOD
from ..risk import path_risk
from ..simulate import Simulation, with_outlier
from ..student_t import StudentTFit, fit_t, partial_pool_t, partial_pool_t_path

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

POPULATIONS = {"normal": "Normal", "student-t": "Student-t"}
"""Population prior key -> its name in the app: theta_j ~ N(mu, tau^2) or t_nu(mu, tau^2)."""

STRUCTURES = {
    "separate": "Separate",
    "pooled": "Pooled",
    "hierarchical": "Hierarchical",
}
"""Model structure key -> its name in the app: which estimate the figure emphasises."""

TAU_GRID_SIZE = 201
"""Points of the tau grid on which the risk curve and the shrinkage paths are drawn."""


def tau_end(data: GroupData, tau_true: float, tau_hat: float, tau: float) -> float:
    """A round upper end for the tau axis: at 3 sigma (or 3 times the largest se_j) even the
    least precise group is barely pooled; it also reaches 1.5 times the true and fitted tau."""
    scale = data.sigma if data.sigma is not None else math.sqrt(float(data.v.max()))
    end = max(3.0 * scale, 1.5 * tau_true, 1.5 * tau_hat, tau)
    magnitude = 10.0 ** math.floor(math.log10(end))
    return float(math.ceil(end / magnitude * 2) / 2 * magnitude)


def typical_se(data: GroupData) -> float:
    """The median se_j rounded to one significant digit: the half-Cauchy prior's default scale,
    weakly informative on the scale of the data (Gelman 2006, *Bayesian Analysis* 1:515-534)."""
    se = math.sqrt(float(np.median(data.v)))
    magnitude = 10.0 ** math.floor(math.log10(se))
    return float(round(se / magnitude) * magnitude)


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
    New data also bring the tau axis (`tau_max`), the shrinkage paths and risk curve on a grid
    along it, and the exact posterior (`full_bayes`) under the chosen prior; a tau move only
    refits partial pooling. A rejected upload sets `problem` and leaves the data as they were.
    """

    source = param.Selector(default="simulated", objects=list(SOURCES), label="Data")

    J = param.Integer(12, bounds=(3, 200), label="Number of groups J")
    n_range = param.Range((2, 40), bounds=(1, 200), step=1, label="Group sizes n_j (from, to)")
    tau_true = param.Number(0.5, bounds=(0.0, 10.0), step=0.05, label="True tau")
    sigma = param.Number(1.0, bounds=(0.1, 10.0), step=0.05, label="sigma (within-group sd)")
    mu = param.Number(0.0, bounds=(-100.0, 100.0), step=0.1, label="mu (population mean)")
    seed = param.Integer(27, bounds=(0, 2**31 - 1), label="Random seed")
    outlier = param.Boolean(False, label="Add an outlier group")
    outlier_shift = param.Number(4.0, bounds=(-20.0, 20.0), step=0.25, label="Outlier's theta - mu")
    outlier_n = param.Integer(20, bounds=(1, 200), label="Outlier's observations n")
    new_data = param.Event(label="New data")

    tau = param.Number(0.5, bounds=(0.0, 1e100), step=0.005, label="tau")
    fit_tau = param.Event(label="Fit tau from data")
    method = param.Selector(default="HE", objects=list(TAU2_METHODS), label="Estimator of tau")
    sort = param.Selector(default="group", objects=list(SORTS), label="Sort rows by")
    prior = param.Selector(default="uniform", objects=list(PRIORS), label="Prior on tau")
    prior_scale = param.Number(
        0.2, bounds=(0.0, 1e100), inclusive_bounds=(False, True), label="Half-Cauchy scale"
    )
    show_full_bayes = param.Boolean(False, label="Full Bayes in the figure")
    show_james_stein = param.Boolean(False, label="James-Stein in the figure")
    population = param.Selector(
        default="normal", objects=list(POPULATIONS), label="Population prior"
    )
    nu = param.Number(4.0, bounds=(1.0, 30.0), step=1.0, label="Student-t degrees of freedom nu")
    structure = param.Selector(
        default="hierarchical", objects=list(STRUCTURES), label="Model structure"
    )

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
        "empirical_bayes, full_bayes (when there is a posterior), james_stein (J >= 3) and "
        "james_stein_mean (J >= 4); empty when the truth is unknown",
    )
    outlier_errors = param.Dict(
        precedence=-1,
        doc="with a simulated outlier group: estimator -> (its squared error on the outlier, "
        "its MSE over the other groups); else empty",
    )
    problem = param.String("", precedence=-1, doc="why the last upload was refused, or ''")
    tau_max = param.Number(1.0, precedence=-1, doc="the upper end of the tau axis and slider")
    path = param.ClassSelector(
        class_=ShrinkagePath, precedence=-1, doc="partial pooling on a grid from 0 to tau_max"
    )
    risk = param.ClassSelector(
        class_=RiskCurve, allow_None=True, precedence=-1, doc="MSE along the grid, or None"
    )
    posterior = param.ClassSelector(
        class_=FullBayes, allow_None=True, precedence=-1, doc="full Bayes under the prior"
    )
    posterior_problem = param.String("", precedence=-1, doc="why there is no posterior, or ''")
    population_problem = param.String(
        "", precedence=-1, doc="why the Student-t population is not used, or ''"
    )

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._uploaded: GroupData | None = None
        self._t_fit: StudentTFit | None = None
        self._resimulate()
        if self.source != "simulated":
            self._on_source()

    @param.depends(
        "J",
        "n_range",
        "tau_true",
        "sigma",
        "mu",
        "seed",
        "outlier",
        "outlier_shift",
        "outlier_n",
        watch=True,
    )
    def _resimulate(self) -> None:
        low, high = (round(b) for b in self.n_range)
        sim = simulate(self.J, (low, high), self.tau_true, self.mu, self.sigma, seed=self.seed)
        if self.outlier:
            sim = with_outlier(sim, self.outlier_shift, self.outlier_n, self.seed)
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
        """Put new data on show in one update; with refit_tau (a new source) the slider moves to
        tau_hat and the half-Cauchy scale to the data's typical se_j."""
        tau_hat = self._fit_tau_hat(data)
        tau = tau_hat if refit_tau else self.tau
        scale = typical_se(data) if refit_tau else self.prior_scale
        posterior = self._posterior(data, self.prior, scale)
        self._fixed = self._fixed_estimates(data, tau_hat, posterior)
        fit = self._pool(data, tau)
        self.param.update(
            data=data,
            tau_hat=tau_hat,
            tau=tau,
            prior_scale=scale,
            order=row_order(data, self.sort),
            fit=fit,
            **self._errors(data, fit),
            problem="",
            **self._grid(data, tau, tau_hat),
            **posterior,
        )

    def _grid(self, data: GroupData, tau: float, tau_hat: float) -> dict[str, object]:
        """The tau axis's end, and the shrinkage paths and risk curve on a grid up to it."""
        true_tau = self.tau_true if self.source == "simulated" else 0.0
        end = tau_end(data, true_tau, tau_hat, tau)
        grid = np.linspace(0.0, end, TAU_GRID_SIZE)
        if self._t_fit is None:
            path = partial_pool_path(data.y, data.v, grid)
        else:
            path = partial_pool_t_path(data.y, data.v, grid, self.nu, self._t_fit.mu)
        risk = None if data.truth is None else path_risk(path, data.y, data.v, data.truth)
        return {"tau_max": end, "path": path, "risk": risk}

    def _posterior(self, data: GroupData, prior: str, scale: float) -> dict[str, object]:
        """full_bayes under the chosen prior, or why it cannot be computed."""
        posterior, problem = posterior_or_reason(Normal(), data.y, data.v, prior, scale)
        return {"posterior": posterior, "posterior_problem": problem}

    def _fit_tau_hat(self, data: GroupData) -> float:
        """tau_hat by the chosen estimator under a Normal population; under a Student-t one,
        (mu, tau) by marginal maximum likelihood (`fit_t`), kept for `_pool`."""
        t = self.population == "student-t"
        self.population_problem = (
            f"A Student-t population needs at least 3 groups to fit (mu, tau); these data have "
            f"{data.J}, so the Normal population is shown."
            if t and data.J < 3
            else ""
        )
        if not t or self.population_problem:
            self._t_fit = None
            return math.sqrt(estimate_tau2(data.y, data.v, self.method))
        self._t_fit = fit_t(data.y, data.v, self.nu)
        return self._t_fit.tau

    def _pool(self, data: GroupData, tau: float) -> PoolingEstimate:
        """Partial pooling at tau: toward mu_hat(tau) (GLS) under a Normal population; under a
        Student-t one, the exact posterior (`partial_pool_t`) toward the fitted mu."""
        if self._t_fit is None:
            return partial_pool(data.y, data.v, tau**2)
        mu = self._t_fit.mu
        t = partial_pool_t(data.y, data.v, tau, self.nu, mu)
        return PoolingEstimate(
            theta=t.theta,
            shrinkage=t.shrinkage,
            var=t.var,
            mu=mu,
            mu_var=self._t_fit.mu_se**2,
            tau2=tau**2,
        )

    def _fixed_estimates(
        self, data: GroupData, tau_hat: float, posterior: dict[str, object]
    ) -> dict[str, np.ndarray]:
        """Every estimate that does not move with the slider, by its MSE table key."""
        y, v = data.y, data.v
        estimates = {
            "no_pool": no_pool(y).theta,
            "complete_pool": complete_pool(y, v).theta,
            "empirical_bayes": (
                partial_pool(y, v, tau_hat**2).theta
                if self._t_fit is None
                else self._t_fit.pooling.theta
            ),
        }
        fb = posterior["posterior"]
        if fb is not None:
            estimates["full_bayes"] = fb.theta_mean
        if data.J >= 3:
            estimates["james_stein"] = james_stein(y, v, "zero").theta
        if data.J >= 4:
            estimates["james_stein_mean"] = james_stein(y, v, "mean").theta
        return estimates

    @property
    def nu_in_use(self) -> float | None:
        """nu of the Student-t population the estimates use, or None when they use the Normal
        one (chosen, or fallen back to for the reason in `population_problem`)."""
        return None if self._t_fit is None else self._t_fit.nu

    @property
    def tau_method(self) -> str | None:
        """The estimator behind the slider's tau: the tau^2 method under the Normal population,
        `results.T_METHOD` (marginal ML) under a Student-t one; None when the slider's tau is
        not tau_hat (a tau the user chose)."""
        if self.tau != self.tau_hat:
            return None
        return self.method if self._t_fit is None else T_METHOD

    @property
    def james_stein_estimates(self) -> dict[str, np.ndarray]:
        """The James-Stein estimates of the data on show (toward 0, toward the mean)."""
        return {k: self._fixed[k] for k in ("james_stein", "james_stein_mean") if k in self._fixed}

    def _errors(self, data: GroupData, fit: PoolingEstimate) -> dict[str, dict]:
        """`errors` and `outlier_errors` for the estimates at the slider's tau."""
        errors, split = scores(data, {**self._fixed, "partial_pool": fit.theta})
        return {"errors": errors, "outlier_errors": split}

    @param.depends("method", "population", "nu", watch=True)
    def _on_model(self) -> None:
        data = self.data
        tau_hat = self._fit_tau_hat(data)
        self._fixed = self._fixed_estimates(data, tau_hat, self._current_posterior())
        fit = self._pool(data, self.tau)
        self.param.update(
            tau_hat=tau_hat,
            fit=fit,
            **self._errors(data, fit),
            **self._grid(data, self.tau, tau_hat),
        )

    def _current_posterior(self) -> dict[str, object]:
        return {"posterior": self.posterior, "posterior_problem": self.posterior_problem}

    @param.depends("prior", "prior_scale", watch=True)
    def _on_prior(self) -> None:
        fb = self.posterior
        scale = self.prior_scale if self.prior == "half-cauchy" else None
        if fb is not None and (fb.prior, fb.scale) == (self.prior, scale):
            return  # `_show` already computed it for this prior, with the new data
        posterior = self._posterior(self.data, self.prior, self.prior_scale)
        self._fixed = self._fixed_estimates(self.data, self.tau_hat, posterior)
        self.param.update(**self._errors(self.data, self.fit), **posterior)

    @param.depends("sort", watch=True)
    def _on_sort(self) -> None:
        self.order = row_order(self.data, self.sort)

    @param.depends("tau", watch=True)
    def _on_tau(self) -> None:
        if self.fit.tau2 == self.tau**2:
            # `_show` already fitted the new data at this tau, in the same update; a second
            # fit would reach the views before the new data and patch them with the wrong size.
            return
        fit = self._pool(self.data, self.tau)
        grid = self._grid(self.data, self.tau, self.tau_hat) if self.tau > self.tau_max else {}
        self.param.update(fit=fit, **self._errors(self.data, fit), **grid)

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
