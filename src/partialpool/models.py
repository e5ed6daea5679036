"""Population models behind one interface: fit the hyperparameters, pool at a tau, the path.

Each model says how the group means theta_j vary around mu (the population prior) and knows
how to fit (mu, tau), how to pool the groups at any tau, and how to do so along a grid of tau.
The front ends hold a `Model` and never branch on which one it is (as statsmodels' GLM never
branches on its `Family`). A new model is one new subclass plus its tests.

- `Normal(method)`: theta_j ~ N(mu, tau^2); tau^2 by one of `TAU2_METHODS`, mu by GLS
  (BDA3 section 5.4).
- `StudentT(nu)`: theta_j ~ t_nu(mu, tau^2); (mu, tau) by marginal maximum likelihood
  (`fit_t`; BDA3 section 17.4).
- `Binomial()`: y_j ~ Binomial(n_j, p_j), logit p_j ~ N(mu, tau^2); `Poisson()`: y_j ~
  Poisson(t_j lambda_j), log lambda_j ~ N(mu, tau^2). (mu, tau) by marginal maximum likelihood
  (`fit_logit_normal`, `fit_log_normal_poisson`); theta_j is the rate, tau and mu are on the
  link scale. They need counts (`GroupData.counts`).

Every method takes the `GroupData`; the normal-population models read its y_j and v_j.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._link_normal import BINOMIAL, POISSON, Family, LinkNormalFit, RatePooling
from ._validation import check_choice, check_scalar
from .bayes import FullBayes, full_bayes
from .binomial import (
    fit_logit_normal,
    partial_pool_logit_normal,
    partial_pool_logit_normal_path,
)
from .full_bayes_rates import (
    FullBayesRates,
    full_bayes_binomial,
    full_bayes_log_normal_poisson,
)
from .groupdata import COUNT_KINDS, Counts, GroupData
from .poisson import (
    fit_log_normal_poisson,
    partial_pool_log_normal_poisson,
    partial_pool_log_normal_poisson_path,
)
from .pooling import (
    PoolingEstimate,
    ShrinkagePath,
    partial_pool,
    partial_pool_path,
    precision_weighted_mean,
)
from .results import T_METHOD, model_label
from .student_t import fit_t, partial_pool_t, partial_pool_t_path
from .tau2 import TAU2_METHODS, estimate_tau2

Posterior = FullBayes | FullBayesRates
"""An exact full-Bayes posterior: `.theta_mean`, `.theta_sd`, `.interval()`, `.draws(S, seed)`,
the tau marginal (`.tau_grid`, `.tau_density`, `.tau_cdf`, `.tau_quantiles`)."""


@dataclass(frozen=True, eq=False)
class HyperFit:
    """The fitted population: mu, tau, the standard error of mu and what produced them.

    Fields
    ------
    mu, tau : the fitted population mean and sd (scale, under a t population).
    mu_se : the standard error of mu (NaN where the model cannot give one).
    method : the estimator of tau, e.g. "REML" or "marginal ML".
    """

    mu: float
    tau: float
    mu_se: float
    method: str

    @property
    def tau2(self) -> float:
        """tau^2."""
        return self.tau**2


class Model(ABC):
    """A population model: how theta_j vary around mu, and how to pool given tau.

    Subclasses set `key` (a short name), `min_groups` (the fewest groups `fit` accepts),
    `link` (the scale of mu and tau: "identity", "logit" or "log") and implement the methods
    below on the groups' data (`problem` says when a model cannot use them).
    """

    key: str
    min_groups: int = 2
    link: str = "identity"

    @property
    @abstractmethod
    def label(self) -> str:
        """The model in a few words, e.g. "Normal population, tau^2 by REML"."""

    @property
    @abstractmethod
    def description(self) -> str:
        """One line: the population prior in formulas."""

    def label_for(self, method: str | None) -> str:
        """The model and how tau was set (`method`, or None when tau was given), in words."""
        return model_label(method)

    def problem(self, data: GroupData) -> str:
        """Why the model cannot fit `data`, in words for the page; "" when it can."""
        return ""

    def link_variance(self, data: GroupData) -> np.ndarray:
        """Each group's sampling variance on the scale of mu and tau (v_j here)."""
        return data.v

    @abstractmethod
    def fit(self, data: GroupData) -> HyperFit:
        """Fit (mu, tau) to the groups."""

    @abstractmethod
    def pool(self, data: GroupData, tau2: float, fit: HyperFit) -> PoolingEstimate:
        """The posterior of each theta_j given tau^2 (and the fit, where mu comes from it)."""

    @abstractmethod
    def path(self, data: GroupData, tau: np.ndarray, fit: HyperFit) -> ShrinkagePath:
        """`pool` at every tau of a grid: row k equals `pool` at tau[k]**2."""

    def posterior(self, data: GroupData, prior: str, scale: float | None) -> Posterior | None:
        """The exact full-Bayes posterior over (mu, tau), or None where the model has none;
        a ValueError says why a posterior would be improper."""
        return None


class Normal(Model):
    """theta_j ~ N(mu, tau^2): tau^2 by `estimate_tau2(y, v, method)`, mu by GLS at tau.

    Pooling at tau shrinks toward mu_hat(tau), the GLS mean at that tau, with its variance
    carried into each group (`partial_pool`; BDA3 eqs. 5.17-5.21). The full-Bayes posterior
    integrates mu and tau exactly (`full_bayes`).
    """

    key = "normal"

    def __init__(self, method: str = "HE") -> None:
        self.method = check_choice(method, "method", TAU2_METHODS)

    @property
    def label(self) -> str:
        return model_label(self.method)

    @property
    def description(self) -> str:
        return "theta_j ~ N(mu, tau²)"

    def fit(self, data: GroupData) -> HyperFit:
        tau2 = estimate_tau2(data.y, data.v, self.method)
        mu, mu_var = precision_weighted_mean(data.y, data.v + tau2)
        return HyperFit(mu=mu, tau=math.sqrt(tau2), mu_se=math.sqrt(mu_var), method=self.method)

    def pool(self, data: GroupData, tau2: float, fit: HyperFit) -> PoolingEstimate:
        return partial_pool(data.y, data.v, tau2)

    def path(self, data: GroupData, tau: np.ndarray, fit: HyperFit) -> ShrinkagePath:
        return partial_pool_path(data.y, data.v, tau)

    def posterior(self, data: GroupData, prior: str, scale: float | None) -> FullBayes | None:
        return full_bayes(data.y, data.v, prior, scale)


class StudentT(Model):
    """theta_j ~ t_nu(mu, tau^2): (mu, tau) by marginal maximum likelihood (`fit_t`).

    Pooling at any tau keeps the fitted mu and integrates the t exactly (`partial_pool_t`;
    BDA3 section 17.4); an outlying group keeps its own mean. No exact full-Bayes posterior.
    """

    key = "student-t"
    min_groups = 3
    method = T_METHOD

    def __init__(self, nu: float = 4.0) -> None:
        self.nu = check_scalar(nu, "nu", low=1.0, allow_inf=True)

    @property
    def label(self) -> str:
        return model_label(self.method, self.nu)

    def label_for(self, method: str | None) -> str:
        return model_label(method, self.nu)

    @property
    def description(self) -> str:
        return f"theta_j ~ t_{self.nu:g}(mu, tau²)"

    def fit(self, data: GroupData) -> HyperFit:
        result = fit_t(data.y, data.v, self.nu)
        return HyperFit(mu=result.mu, tau=result.tau, mu_se=result.mu_se, method=self.method)

    def pool(self, data: GroupData, tau2: float, fit: HyperFit) -> PoolingEstimate:
        t = partial_pool_t(data.y, data.v, math.sqrt(tau2), self.nu, fit.mu)
        return PoolingEstimate(
            theta=t.theta,
            shrinkage=t.shrinkage,
            var=t.var,
            mu=fit.mu,
            mu_var=fit.mu_se**2,
            tau2=tau2,
        )

    def path(self, data: GroupData, tau: np.ndarray, fit: HyperFit) -> ShrinkagePath:
        return partial_pool_t_path(data.y, data.v, tau, self.nu, fit.mu)


class _Counts(Model):
    """Counts with a normal population on the link scale (`_link_normal`): theta_j is the
    rate, mu and tau are on the link scale, pooling at tau shrinks toward mu_hat(tau) (as the
    Normal model toward its GLS mean). Subclasses name the counts they need and the core
    functions."""

    kind: str
    method = "marginal ML"
    name: str
    formula: str
    family: Family
    _fit: Callable[[np.ndarray, np.ndarray], LinkNormalFit]
    _pool: Callable[[np.ndarray, np.ndarray, float], RatePooling]
    _path: Callable[[np.ndarray, np.ndarray, np.ndarray], ShrinkagePath]
    _posterior: Callable[[np.ndarray, np.ndarray, str, float | None], FullBayesRates]

    @property
    def label(self) -> str:
        return self.label_for(self.method)

    @property
    def description(self) -> str:
        return self.formula

    def label_for(self, method: str | None) -> str:
        how = f"mu and tau by {method}" if method else f"tau given, mu by {self.method}"
        return f"{self.name}, {how}"

    def problem(self, data: GroupData) -> str:
        if data.counts is not None and data.counts.kind == self.kind:
            return ""
        has = COUNT_KINDS[data.counts.kind] if data.counts else "only estimates"
        needs = COUNT_KINDS[self.kind]
        return f"The {self.name.split(',')[0]} model needs {needs}; {data.title} has {has}."

    def link_variance(self, data: GroupData) -> np.ndarray:
        """The variance of each group's empirical logit (or log) rate, e.g. 1 / (y_j + 1/2) +
        1 / (n_j - y_j + 1/2) for binomial counts (Gart and Zweifel 1967)."""
        c = self._counts(data)
        return self.family.empirical(c.y, c.n)[1]

    def _counts(self, data: GroupData) -> Counts:
        why = self.problem(data)
        if why:
            raise ValueError(why)
        return data.counts

    def fit(self, data: GroupData) -> HyperFit:
        c = self._counts(data)
        result = self._fit(c.y, c.n)
        return HyperFit(mu=result.mu, tau=result.tau, mu_se=result.mu_se, method=self.method)

    def pool(self, data: GroupData, tau2: float, fit: HyperFit) -> PoolingEstimate:
        c = self._counts(data)
        tau = math.sqrt(check_scalar(tau2, "tau2", low=0.0))
        pooled = self._pool(c.y, c.n, tau)
        return PoolingEstimate(
            theta=pooled.rate,
            shrinkage=pooled.shrinkage,
            var=pooled.sd**2,
            mu=pooled.mu,
            mu_var=fit.mu_se**2 if tau2 == fit.tau2 else math.nan,
            tau2=tau2,
            lower=pooled.lower,
            upper=pooled.upper,
        )

    def path(self, data: GroupData, tau: np.ndarray, fit: HyperFit) -> ShrinkagePath:
        c = self._counts(data)
        return self._path(c.y, c.n, tau)

    def posterior(self, data: GroupData, prior: str, scale: float | None) -> FullBayesRates:
        c = self._counts(data)
        return self._posterior(c.y, c.n, prior, scale)


class Binomial(_Counts):
    """y_j ~ Binomial(n_j, p_j), logit p_j ~ N(mu, tau^2): `fit_logit_normal` (lme4's glmer
    with nAGQ = 25), `partial_pool_logit_normal` at tau."""

    key = "binomial"
    kind = "binomial"
    link = "logit"
    name = "Binomial counts, logit-normal population"
    family = BINOMIAL
    formula = "y_j ~ Binomial(n_j, p_j), logit p_j ~ N(mu, tau²)"
    _fit = staticmethod(fit_logit_normal)
    _pool = staticmethod(partial_pool_logit_normal)
    _path = staticmethod(partial_pool_logit_normal_path)
    _posterior = staticmethod(full_bayes_binomial)


class Poisson(_Counts):
    """y_j ~ Poisson(t_j lambda_j), log lambda_j ~ N(mu, tau^2): `fit_log_normal_poisson`,
    `partial_pool_log_normal_poisson` at tau."""

    key = "poisson"
    kind = "poisson"
    link = "log"
    name = "Poisson counts, log-normal population"
    family = POISSON
    formula = "y_j ~ Poisson(t_j lambda_j), log lambda_j ~ N(mu, tau²)"
    _fit = staticmethod(fit_log_normal_poisson)
    _pool = staticmethod(partial_pool_log_normal_poisson)
    _path = staticmethod(partial_pool_log_normal_poisson_path)
    _posterior = staticmethod(full_bayes_log_normal_poisson)


MODELS = {
    "normal": "Normal population",
    "student-t": "Student-t population",
    "binomial": "Binomial counts, logit-normal population",
    "poisson": "Poisson counts, log-normal population",
}
"""Model key -> the model in words."""


def make_model(key: str, method: str = "HE", nu: float = 4.0) -> Model:
    """The model of a key of MODELS: `method` is the Normal model's tau^2 estimator, `nu` the
    Student-t's degrees of freedom; the count models take neither."""
    key = check_choice(key, "model", MODELS)
    if key == "normal":
        return Normal(method)
    if key == "student-t":
        return StudentT(nu)
    return Binomial() if key == "binomial" else Poisson()


def natural_model(data: GroupData) -> str:
    """The key of the model made for `data`: its kind of counts, else "normal"."""
    return data.counts.kind if data.counts is not None else "normal"
