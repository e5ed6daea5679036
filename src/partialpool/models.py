"""Population models behind one interface: fit the hyperparameters, pool at a tau, the path.

Each model says how the group means theta_j vary around mu (the population prior) and knows
how to fit (mu, tau), how to pool the groups at any tau, and how to do so along a grid of tau.
The front ends hold a `Model` and never branch on which one it is (as statsmodels' GLM never
branches on its `Family`). A new model is one new subclass plus its tests.

- `Normal(method)`: theta_j ~ N(mu, tau^2); tau^2 by one of `TAU2_METHODS`, mu by GLS
  (BDA3 section 5.4).
- `StudentT(nu)`: theta_j ~ t_nu(mu, tau^2); (mu, tau) by marginal maximum likelihood
  (`fit_t`; BDA3 section 17.4).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from ._validation import check_choice, check_scalar
from .bayes import FullBayes, full_bayes
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

    Subclasses set `key` (a short name), `min_groups` (the fewest groups `fit` accepts) and
    implement the methods below on validated arrays y, v of length J.
    """

    key: str
    min_groups: int = 2

    @property
    @abstractmethod
    def label(self) -> str:
        """The model in a few words, e.g. "Normal population, tau^2 by REML"."""

    @property
    @abstractmethod
    def description(self) -> str:
        """One line: the population prior in formulas."""

    @abstractmethod
    def fit(self, y: np.ndarray, v: np.ndarray) -> HyperFit:
        """Fit (mu, tau) to the groups."""

    @abstractmethod
    def pool(self, y: np.ndarray, v: np.ndarray, tau2: float, fit: HyperFit) -> PoolingEstimate:
        """The posterior of each theta_j given tau^2 (and the fit, where mu comes from it)."""

    @abstractmethod
    def path(self, y: np.ndarray, v: np.ndarray, tau: np.ndarray, fit: HyperFit) -> ShrinkagePath:
        """`pool` at every tau of a grid: row k equals `pool` at tau[k]**2."""

    def posterior(
        self, y: np.ndarray, v: np.ndarray, prior: str, scale: float | None
    ) -> FullBayes | None:
        """The exact full-Bayes posterior over (mu, tau), or None where the model has none."""
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

    def fit(self, y: np.ndarray, v: np.ndarray) -> HyperFit:
        tau2 = estimate_tau2(y, v, self.method)
        mu, mu_var = precision_weighted_mean(y, v + tau2)
        return HyperFit(mu=mu, tau=math.sqrt(tau2), mu_se=math.sqrt(mu_var), method=self.method)

    def pool(self, y: np.ndarray, v: np.ndarray, tau2: float, fit: HyperFit) -> PoolingEstimate:
        return partial_pool(y, v, tau2)

    def path(self, y: np.ndarray, v: np.ndarray, tau: np.ndarray, fit: HyperFit) -> ShrinkagePath:
        return partial_pool_path(y, v, tau)

    def posterior(
        self, y: np.ndarray, v: np.ndarray, prior: str, scale: float | None
    ) -> FullBayes | None:
        return full_bayes(y, v, prior, scale)


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

    @property
    def description(self) -> str:
        return f"theta_j ~ t_{self.nu:g}(mu, tau²)"

    def fit(self, y: np.ndarray, v: np.ndarray) -> HyperFit:
        result = fit_t(y, v, self.nu)
        return HyperFit(mu=result.mu, tau=result.tau, mu_se=result.mu_se, method=self.method)

    def pool(self, y: np.ndarray, v: np.ndarray, tau2: float, fit: HyperFit) -> PoolingEstimate:
        t = partial_pool_t(y, v, math.sqrt(tau2), self.nu, fit.mu)
        return PoolingEstimate(
            theta=t.theta,
            shrinkage=t.shrinkage,
            var=t.var,
            mu=fit.mu,
            mu_var=fit.mu_se**2,
            tau2=tau2,
        )

    def path(self, y: np.ndarray, v: np.ndarray, tau: np.ndarray, fit: HyperFit) -> ShrinkagePath:
        return partial_pool_t_path(y, v, tau, self.nu, fit.mu)
