"""Gamma-Poisson empirical Bayes: x_j ~ Poisson(t_j lambda_j), lambda_j ~ Gamma(shape, rate),
with (shape, rate) by exact marginal maximum likelihood (the negative binomial of R's
`MASS::glm.nb(x ~ 1 + offset(log(t)))`; George, Makov and Smith 1993 on the pumps).

log L = sum_j [log Gamma(shape + x_j) - log Gamma(shape) - log x_j! + shape log rate
- (shape + x_j) log(rate + t_j) + x_j log t_j]; Newton's method in (log shape, log rate) with
digamma and trigamma until the gradient vanishes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._ascent import climb, in_logs
from ._special import digamma, gamma_quantile, log_gamma, log_gamma_ratio, trigamma
from .poisson import check_rates

SHAPE_MAX = 1e12
"""A shape beyond which the counts show no spread beyond Poisson noise: the fit is then the
pooled rate, each lambda_j equal to it (complete pooling)."""


@dataclass(frozen=True, eq=False)
class GammaPoissonFit:
    """The fitted Gamma(shape, rate) population and each group's posterior Gamma(shape + x_j,
    rate + t_j).

    Fields
    ------
    shape, rate : the population (both inf when the counts show no extra-Poisson spread).
    log_likelihood : sum_j log L_j, every constant included (as R's `logLik(glm.nb(...))`).
    theta : the posterior means (shape + x_j) / (rate + t_j).
    lower, upper : the 2.5% and 97.5% quantiles of each posterior Gamma.
    shrinkage : rate / (rate + t_j), the weight of the population mean shape / rate.
    iterations : Newton steps taken.
    """

    shape: float
    rate: float
    log_likelihood: float
    theta: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    shrinkage: np.ndarray
    iterations: int

    @property
    def mean(self) -> float:
        """shape / rate, the population's mean rate."""
        return self.shape / self.rate if math.isfinite(self.shape) else math.nan


def _log_likelihood(x: np.ndarray, t: np.ndarray, shape: float, rate: float) -> float:
    """log L less sum_j (x_j log t_j - log x_j!), with Gamma ratios that stay accurate for a
    large shape."""
    terms = log_gamma_ratio(shape, x) + shape * np.log(rate / (rate + t)) - x * np.log(rate + t)
    return float(terms.sum())


def _derivatives(
    x: np.ndarray, t: np.ndarray, shape: float, rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """The gradient and Hessian of log L in (log shape, log rate)."""
    g_s = float((digamma(shape + x) - digamma(np.float64(shape)) + np.log(rate / (rate + t))).sum())
    g_r = float((shape / rate - (shape + x) / (rate + t)).sum())
    h_ss = float((trigamma(shape + x) - trigamma(np.float64(shape))).sum())
    h_sr = float((1.0 / rate - 1.0 / (rate + t)).sum())
    h_rr = float((-shape / rate**2 + (shape + x) / (rate + t) ** 2).sum())
    return in_logs(
        np.array([shape, rate]), np.array([g_s, g_r]), np.array([[h_ss, h_sr], [h_sr, h_rr]])
    )


def _start(x: np.ndarray, t: np.ndarray) -> tuple[float, float]:
    """(shape, rate) by the method of moments on x_j / t_j: mean m = sum x / sum t, spread
    var(x_j / t_j) - m mean(1 / t_j), the shape held in [0.1, 1e6]."""
    m = float(x.sum() / t.sum())
    spread = float(np.var(x / t, ddof=1) - m * np.mean(1.0 / t)) if x.size > 1 else 0.0
    shape = m * m / spread if spread > 0 else 1e6
    shape = float(np.clip(shape, 0.1, 1e6))
    return shape, shape / m


def gamma_poisson(counts: object, exposure: object) -> GammaPoissonFit:
    """Fit Gamma(shape, rate) to the rates by marginal maximum likelihood and pool each group
    toward it: theta_j = (shape + x_j) / (rate + t_j), a share rate / (rate + t_j) of the way
    from x_j / t_j to shape / rate.

    Newton's method in (log shape, log rate) from the method of moments, each step halved until
    log L rises, until the gradient is below 1e-9 (relative to the counts). The boundary
    shape = inf (one Poisson rate, the limit of log L) is compared at the end and wins ties.
    """
    x, t = check_rates(counts, exposure)
    constant = float((x * np.log(t) - log_gamma(x + 1.0)).sum())
    pooled = float(x.sum() / t.sum())
    if x.size < 2 or pooled == 0.0:
        return _complete(x, t, pooled, constant, 0)
    theta, value, iterations = climb(
        lambda u: _log_likelihood(x, t, *np.exp(u)),
        lambda u: _derivatives(x, t, *np.exp(u)),
        np.log(np.array(_start(x, t))),
        1e-9 * (1.0 + float(x.sum())),
        lambda u: math.exp(u[0]) > SHAPE_MAX,
    )
    complete = _complete(x, t, pooled, constant, iterations)
    if complete.log_likelihood >= value + constant - 1e-12 * abs(value + constant):
        return complete
    shape, rate = (float(v) for v in np.exp(theta))
    posterior_shape, posterior_rate = shape + x, rate + t
    return GammaPoissonFit(
        shape=shape,
        rate=rate,
        log_likelihood=value + constant,
        theta=posterior_shape / posterior_rate,
        lower=gamma_quantile(0.025, posterior_shape) / posterior_rate,
        upper=gamma_quantile(0.975, posterior_shape) / posterior_rate,
        shrinkage=rate / posterior_rate,
        iterations=iterations,
    )


def _complete(
    x: np.ndarray, t: np.ndarray, pooled: float, constant: float, iterations: int
) -> GammaPoissonFit:
    """Every lambda_j at the pooled rate: the Poisson likelihood with one rate."""
    own = x * math.log(pooled) if pooled > 0 else np.zeros_like(x)
    log_lik = constant + float((own - t * pooled).sum())
    rates = np.full(x.size, pooled)
    return GammaPoissonFit(
        math.inf, math.inf, log_lik, rates, rates.copy(), rates.copy(), np.ones(x.size), iterations
    )
