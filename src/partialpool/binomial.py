"""Binomial groups with a logit-normal population: y_j ~ Binomial(n_j, p_j), logit p_j ~
N(mu, tau^2), a random-intercept logistic model fitted as lme4's `glmer(cbind(y, n - y) ~ 1 +
(1 | group), family = binomial, nAGQ = 25)` (BDA3 section 5.3 pools the same counts with a beta
population). The quadrature and the fit live in `_link_normal`.
"""

from __future__ import annotations

import numpy as np

from . import _link_normal
from ._link_normal import BINOMIAL, LinkNormalFit, RatePooling
from ._validation import as_vector, check_scalar, check_tau_grid
from .pooling import ShrinkagePath


def check_counts(successes: object, trials: object) -> tuple[np.ndarray, np.ndarray]:
    """Return (y, n) as float arrays of whole numbers with 0 <= y_j <= n_j and n_j >= 1, or
    raise ValueError naming the first group that breaks a rule."""
    y = as_vector(successes, "successes")
    n = as_vector(trials, "trials")
    if y.size != n.size:
        raise ValueError(f"successes and trials must have one length; got {y.size} and {n.size}")
    for name, x, low in (("successes", y, 0.0), ("trials", n, 1.0)):
        bad = (x != np.round(x)) | (x < low)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{name}[{j}] must be a whole number >= {low:g}; got {x[j]:g}")
    over = y > n
    if over.any():
        j = int(np.flatnonzero(over)[0])
        raise ValueError(f"successes[{j}] = {y[j]:g} exceeds trials[{j}] = {n[j]:g}")
    return y, n


def log_binomial_coefficient(n: np.ndarray, y: np.ndarray) -> np.ndarray:
    """log C(n, y), elementwise."""
    return BINOMIAL.constant(np.asarray(y, dtype=float), np.asarray(n, dtype=float))


def saturated_log_likelihood(successes: object, trials: object) -> float:
    """The log-likelihood with each p_j = y_j / n_j, log C(n_j, y_j) included (0 log 0 = 0).
    With nAGQ > 1 lme4 reports a binomial fit's logLik less this."""
    y, n = check_counts(successes, trials)
    rate = y / n
    own = y * np.log(np.where(y > 0, rate, 1.0)) + (n - y) * np.log1p(-np.where(y < n, rate, 0.0))
    return float((own + log_binomial_coefficient(n, y)).sum())


def fit_logit_normal(successes: object, trials: object) -> LinkNormalFit:
    """(mu, tau) maximising the marginal likelihood of y_j ~ Binomial(n_j, expit(mu + tau z_j)),
    z_j ~ N(0, 1); `.rate` is expit(mu). With no success anywhere mu is -inf, with no failure
    +inf, and tau is 0. How the maximum is found and checked: `_link_normal.fit`."""
    y, n = check_counts(successes, trials)
    return _link_normal.fit(BINOMIAL, y, n)


def profile_mu(successes: object, trials: object, tau: float) -> float:
    """mu_hat(tau): the mu maximising the marginal likelihood at this tau."""
    y, n = check_counts(successes, trials)
    return _link_normal.profile_mu(BINOMIAL, y, n, check_scalar(tau, "tau", low=0.0))


def partial_pool_logit_normal(
    successes: object, trials: object, tau: float, mu: float | None = None
) -> RatePooling:
    """E(p_j | y_j, mu, tau), its sd and 95% interval for every group (`.rate`, `.sd`,
    `.lower`, `.upper`), with mu = mu_hat(tau) (`profile_mu`) unless given. At tau = 0 every
    group gets the pooled rate expit(mu); as tau grows p_j tends to y_j / n_j."""
    y, n = check_counts(successes, trials)
    tau = check_scalar(tau, "tau", low=0.0)
    if mu is None:
        mu = _link_normal.profile_mu(BINOMIAL, y, n, tau)
    else:
        mu = check_scalar(mu, "mu", allow_inf=True)
    return _link_normal.pool(BINOMIAL, y, n, tau, mu)


def partial_pool_logit_normal_path(successes: object, trials: object, tau: object) -> ShrinkagePath:
    """`partial_pool_logit_normal` at every tau of a grid, mu = mu_hat(tau): `.mu` on the logit
    scale, `.theta` the posterior means of p_j (G x J), `.shrinkage` the B_j of `RatePooling`."""
    y, n = check_counts(successes, trials)
    taus = check_tau_grid(tau)
    mu, rate, b = _link_normal.pool_path(BINOMIAL, y, n, taus)
    centre = np.where(np.isfinite(mu), BINOMIAL.inverse_link(mu), mu > 0)
    return ShrinkagePath(tau=taus, mu=mu, theta=rate, shrinkage=b, rate=centre)
