"""Counts over an exposure with a log-normal population: x_j ~ Poisson(t_j lambda_j),
log lambda_j ~ N(mu, tau^2), a random-intercept Poisson model fitted as lme4's
`glmer(x ~ 1 + offset(log(t)) + (1 | group), family = poisson, nAGQ = 25)` (the pumps of
George, Makov and Smith 1993 are the classic case). The quadrature and the fit live in
`_link_normal`.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from . import _link_normal
from ._link_normal import POISSON, LinkNormalFit, RatePooling
from ._validation import as_vector, check_scalar, check_tau_grid
from .pooling import ShrinkagePath

EXPOSURE_RATIO_MAX = 1e100
"""Largest max(t) / min(t) accepted."""


def check_rates(counts: object, exposure: object) -> tuple[np.ndarray, np.ndarray]:
    """Return (x, t) as float arrays, x_j a whole number >= 0, t_j > 0 and max(t) / min(t) at
    most EXPOSURE_RATIO_MAX, or raise ValueError naming the first group that breaks a rule."""
    x = as_vector(counts, "counts")
    t = as_vector(exposure, "exposure")
    if x.size != t.size:
        raise ValueError(f"counts and exposure must have one length; got {x.size} and {t.size}")
    bad = (x != np.round(x)) | (x < 0)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise ValueError(f"counts[{j}] must be a whole number >= 0; got {x[j]:g}")
    if (t <= 0).any():
        j = int(np.flatnonzero(t <= 0)[0])
        raise ValueError(f"exposure[{j}] must be > 0; got {t[j]:g}")
    if t.max() > EXPOSURE_RATIO_MAX * t.min():
        raise ValueError(
            f"exposure must span at most a factor {EXPOSURE_RATIO_MAX:g}; "
            f"got {t.min():g} to {t.max():g}"
        )
    return x, t


def _unit(t: np.ndarray) -> float:
    """The exposures' geometric mean. The fit runs on t / g: x_j ~ Poisson(t_j e^eta) is
    Poisson((t_j / g) e^(eta + log g)), with the same likelihood, so mu shifts by log g."""
    return math.exp(float(np.mean(np.log(t))))


def fit_log_normal_poisson(counts: object, exposure: object) -> LinkNormalFit:
    """(mu, tau) maximising the marginal likelihood of x_j ~ Poisson(t_j exp(mu + tau z_j)),
    z_j ~ N(0, 1); `.rate` is exp(mu), per unit of exposure. With no count anywhere mu is -inf
    and tau 0. How the maximum is found and checked: `_link_normal.fit`."""
    x, t = check_rates(counts, exposure)
    g = _unit(t)
    fit = _link_normal.fit(POISSON, x, t / g)
    return dataclasses.replace(fit, mu=fit.mu - math.log(g), rate=fit.rate / g)


def partial_pool_log_normal_poisson(
    counts: object, exposure: object, tau: float, mu: float | None = None
) -> RatePooling:
    """E(lambda_j | x_j, mu, tau), its sd and 95% interval for every group, with mu =
    mu_hat(tau) unless given. At tau = 0 every group gets the pooled rate sum(x) / sum(t); as
    tau grows lambda_j tends to x_j / t_j."""
    x, t = check_rates(counts, exposure)
    tau = check_scalar(tau, "tau", low=0.0)
    g = _unit(t)
    if mu is None:
        scaled = _link_normal.profile_mu(POISSON, x, t / g, tau)
    else:
        scaled = check_scalar(mu, "mu", allow_inf=True) + math.log(g)
    pooled = _link_normal.pool(POISSON, x, t / g, tau, scaled)
    return dataclasses.replace(
        pooled,
        rate=pooled.rate / g,
        sd=pooled.sd / g,
        lower=pooled.lower / g,
        upper=pooled.upper / g,
        mu=scaled - math.log(g),
    )


def partial_pool_log_normal_poisson_path(
    counts: object, exposure: object, tau: object
) -> ShrinkagePath:
    """`partial_pool_log_normal_poisson` at every tau of a grid, mu = mu_hat(tau): `.mu` on the
    log scale, `.theta` the posterior means of lambda_j (G x J), `.shrinkage` the B_j of
    `RatePooling`."""
    x, t = check_rates(counts, exposure)
    taus = check_tau_grid(tau)
    g = _unit(t)
    mu, rate, b = _link_normal.pool_path(POISSON, x, t / g, taus)
    mu = mu - math.log(g)
    return ShrinkagePath(tau=taus, mu=mu, theta=rate / g, shrinkage=b, rate=np.exp(mu))
