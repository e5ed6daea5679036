"""Beta-binomial empirical Bayes: y_j ~ Binomial(n_j, p_j), p_j ~ Beta(alpha, beta), with
(alpha, beta) by exact marginal maximum likelihood (BDA3 section 5.3 on the rat tumours; the
ebbr approach of Robinson 2017 for batting averages).

log L(alpha, beta) = sum_j [log C(n_j, y_j) + log B(alpha + y_j, beta + n_j - y_j)
- log B(alpha, beta)]; its gradient and Hessian are digamma and trigamma sums, and Newton's
method runs in (log alpha, log beta) until the gradient vanishes (the likelihood is very flat
along the ridge of equal alpha / (alpha + beta), so a rule that stops on small changes in log L
stops short of the maximum).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._ascent import climb, in_logs
from ._special import beta_quantile, digamma, log_gamma_ratio, trigamma
from .binomial import check_counts, log_binomial_coefficient

PRECISION_MAX = 1e12
"""alpha + beta beyond which the counts show no spread beyond binomial noise: the fit is then
the pooled rate, each p_j equal to it (complete pooling)."""


@dataclass(frozen=True, eq=False)
class BetaBinomialFit:
    """The fitted Beta(alpha, beta) population and each group's posterior Beta(alpha + y_j,
    beta + n_j - y_j).

    Fields
    ------
    alpha, beta : the population (both inf when the counts show no extra-binomial spread; alpha
        0 and beta inf when no trial succeeded; both 0 when every group is all successes or
        all failures, and each keeps its own rate).
    log_likelihood : sum_j log L_j, log C(n_j, y_j) included.
    theta : the posterior means (alpha + y_j) / (alpha + beta + n_j).
    lower, upper : the 2.5% and 97.5% quantiles of each posterior Beta.
    shrinkage : (alpha + beta) / (alpha + beta + n_j), the weight of the population mean.
    iterations : Newton steps taken.
    """

    alpha: float
    beta: float
    log_likelihood: float
    theta: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    shrinkage: np.ndarray
    iterations: int

    @property
    def mean(self) -> float:
        """alpha / (alpha + beta), the population's mean rate."""
        return self.alpha / (self.alpha + self.beta) if math.isfinite(self.alpha) else math.nan


def _log_likelihood(y: np.ndarray, n: np.ndarray, alpha: float, beta: float) -> float:
    """sum_j log B(alpha + y_j, beta + n_j - y_j) - log B(alpha, beta), as ratios of Gamma
    functions that stay accurate when alpha and beta are large."""
    return float(
        (
            log_gamma_ratio(alpha, y)
            + log_gamma_ratio(beta, n - y)
            - log_gamma_ratio(alpha + beta, n)
        ).sum()
    )


def _derivatives(
    y: np.ndarray, n: np.ndarray, alpha: float, beta: float
) -> tuple[np.ndarray, np.ndarray]:
    """The gradient and Hessian of log L in (log alpha, log beta)."""
    total = alpha + beta
    common = digamma(np.float64(total)) - digamma(total + n)
    g_a = float((digamma(alpha + y) - digamma(np.float64(alpha)) + common).sum())
    g_b = float((digamma(beta + n - y) - digamma(np.float64(beta)) + common).sum())
    curve = float((trigamma(np.float64(total)) - trigamma(total + n)).sum())
    h_aa = float((trigamma(alpha + y) - trigamma(np.float64(alpha))).sum()) + curve
    h_bb = float((trigamma(beta + n - y) - trigamma(np.float64(beta))).sum()) + curve
    return in_logs(
        np.array([alpha, beta]), np.array([g_a, g_b]), np.array([[h_aa, curve], [curve, h_bb]])
    )


def _start(y: np.ndarray, n: np.ndarray) -> tuple[float, float]:
    """(alpha, beta) by the method of moments on y_j / n_j (BDA3 section 5.3), its precision
    held in [1, 1e6]."""
    rate = y / n
    m = float(np.clip(rate.mean(), 1e-3, 1 - 1e-3))
    spread = float(rate.var(ddof=1)) if y.size > 1 else 0.0
    precision = m * (1.0 - m) / spread - 1.0 if spread > 0 else 1e6
    precision = float(np.clip(precision, 1.0, 1e6))
    return m * precision, (1.0 - m) * precision


def beta_binomial(successes: object, trials: object) -> BetaBinomialFit:
    """Fit Beta(alpha, beta) to the counts by marginal maximum likelihood and pool each group
    toward it: theta_j = (alpha + y_j) / (alpha + beta + n_j), a share (alpha + beta) /
    (alpha + beta + n_j) of the way from y_j / n_j to alpha / (alpha + beta).

    Newton's method in (log alpha, log beta) from the method of moments, each step halved
    until log L rises, until the gradient is below 1e-9 (relative to the counts). The
    boundary alpha + beta = inf (one binomial rate, the limit of log L along the ridge) is
    compared at the end and wins ties; a climb whose precision passes PRECISION_MAX ends
    there.
    """
    y, n = check_counts(successes, trials)
    log_c = float(log_binomial_coefficient(n, y).sum())
    rate = float(y.sum() / n.sum())
    if y.size < 2 or rate in (0.0, 1.0):
        return _complete(y, n, rate, log_c, 0)
    if np.all((y == 0) | (y == n)):
        return _separate(y, n, log_c)
    theta, value, iterations = climb(
        lambda u: _log_likelihood(y, n, *np.exp(u)),
        lambda u: _derivatives(y, n, *np.exp(u)),
        np.log(np.array(_start(y, n))),
        1e-9 * (1.0 + float(n.sum())),
        lambda u: float(np.exp(u).sum()) > PRECISION_MAX,
    )
    complete = _complete(y, n, rate, log_c, iterations)
    if complete.log_likelihood >= value + log_c - 1e-12 * abs(value + log_c):
        return complete  # the boundary alpha + beta = inf is as likely: complete pooling
    alpha, beta = (float(v) for v in np.exp(theta))
    posterior_a, posterior_b = alpha + y, beta + n - y
    return BetaBinomialFit(
        alpha=alpha,
        beta=beta,
        log_likelihood=value + log_c,
        theta=posterior_a / (alpha + beta + n),
        lower=beta_quantile(0.025, posterior_a, posterior_b),
        upper=beta_quantile(0.975, posterior_a, posterior_b),
        shrinkage=(alpha + beta) / (alpha + beta + n),
        iterations=iterations,
    )


def _complete(
    y: np.ndarray, n: np.ndarray, rate: float, log_c: float, iterations: int
) -> BetaBinomialFit:
    """Every p_j at the pooled rate: the binomial likelihood with one rate."""
    own = y * math.log(rate) if rate > 0 else np.zeros_like(y)
    other = (n - y) * math.log1p(-rate) if rate < 1 else np.zeros_like(y)
    log_lik = log_c + float((own + other).sum())
    alpha, beta = (0.0, math.inf) if rate == 0.0 else (math.inf, math.inf)
    if rate == 1.0:
        alpha, beta = math.inf, 0.0
    pooled = np.full(y.size, rate)
    return BetaBinomialFit(
        alpha, beta, log_lik, pooled, pooled.copy(), pooled.copy(), np.ones(y.size), iterations
    )


def _separate(y: np.ndarray, n: np.ndarray, log_c: float) -> BetaBinomialFit:
    """Every group all successes or all failures: log L rises without bound toward
    alpha + beta = 0, a population of rates 0 and 1 in the share m of groups at 1; each
    p_j keeps its own y_j / n_j (no pooling)."""
    share = float((y == n).mean())
    log_lik = log_c + float(np.where(y == n, math.log(share), math.log1p(-share)).sum())
    own = y / n
    return BetaBinomialFit(0.0, 0.0, log_lik, own, own.copy(), own.copy(), np.zeros(y.size), 0)
