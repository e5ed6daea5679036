"""Counts with a normal population on the link scale: y_j | eta_j from an exponential family
(binomial with the logit link, Poisson with the log link), eta_j = mu + tau z_j, z_j ~ N(0, 1)
(a random-intercept generalised linear model).

The marginal likelihood of group j, L_j(mu, tau) = E_z[f(y_j | mu + tau z)], is an integral over
z that adaptive Gauss-Hermite quadrature evaluates (Pinheiro and Bates 1995; lme4's
`glmer(..., nAGQ = 25)` uses the same rule): centre the NODES-point rule at the mode of z_j's
posterior and scale it by the posterior's curvature there. In z the prior does not depend on
(mu, tau), so the derivatives of log L_j are posterior moments, with r = y_j - E(y_j | eta) and
a = Var(y_j | eta) (the canonical link's d E / d eta):

    d/dmu = E[r],  d/dtau = E[r z],
    d2/dmu2 = Var[r] - E[a],  d2/dmu dtau = Cov[r, r z] - E[a z],  d2/dtau2 = Var[r z] - E[a z^2].

No loop runs over the groups: every step works on J x NODES arrays. `binomial` and `poisson`
hold the public functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._ascent import ascent_step
from ._special import log_gamma

NODES = 25
"""Gauss-Hermite nodes per group, as lme4's nAGQ = 25."""

_X, _W = np.polynomial.hermite.hermgauss(NODES)
_LOG_W = np.log(_W) + _X**2  # the rule for integrals of exp(h(z)) dz, not exp(h - x^2)
_ROOT2 = math.sqrt(2.0)
_LOG_ROOT_2PI = 0.5 * math.log(2.0 * math.pi)


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) without overflow."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def expit(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) to full relative precision down to 1e-304, without overflow."""
    return 1.0 / (1.0 + np.exp(-np.maximum(x, -700.0)))


@dataclass(frozen=True, eq=False)
class Family:
    """What the quadrature needs of f(y | eta), n_j being the trials or the exposure.

    log_kernel(y, n, eta): log f less the terms free of eta; moments(n, rate): E and Var of y
    given the rate inverse_link(eta); lower(y, n, mu, tau): a z at which
    h'(z) = tau (y - mean) - z is >= 0 (tau y is one where it is <= 0); constant(y, n): the
    terms of log f free of eta; inverse_link(eta): the rate; link_of(rate): eta;
    empirical(y, n): each group's link-scale estimate and its variance (for a start of tau).
    """

    log_kernel: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    moments: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    lower: Callable[[np.ndarray, np.ndarray, float, float], np.ndarray]
    constant: Callable[[np.ndarray, np.ndarray], np.ndarray]
    inverse_link: Callable[[np.ndarray], np.ndarray]
    link_of: Callable[[float], float]
    empirical: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    name: str

    def __reduce__(self) -> str:
        """Pickled by name, as the module's constant it is (a worker process sends back fits
        that hold it, and `family is BINOMIAL` stays true)."""
        return self.name


BINOMIAL = Family(
    log_kernel=lambda y, n, eta: -y * _softplus(-eta) - (n - y) * _softplus(eta),
    moments=lambda n, p: (n * p, n * p * (1.0 - p)),
    lower=lambda y, n, mu, tau: tau * (y - n),
    constant=lambda y, n: log_gamma(n + 1.0) - log_gamma(y + 1.0) - log_gamma(n - y + 1.0),
    inverse_link=expit,
    link_of=lambda rate: math.log(rate) - math.log1p(-rate),
    empirical=lambda y, n: (
        np.log((y + 0.5) / (n - y + 0.5)),
        1.0 / (y + 0.5) + 1.0 / (n - y + 0.5),
    ),
    name="BINOMIAL",
)
"""y_j ~ Binomial(n_j, expit(eta)): successes out of trials."""


def _exp(eta: np.ndarray) -> np.ndarray:
    """e^eta, held at e^300 above: with exposures scaled to a geometric mean of 1 and spanning
    at most 1e100 (`poisson.check_rates`) the Poisson kernel's weight is 0 there, and the
    square of the rate stays finite."""
    return np.exp(np.minimum(eta, 300.0))


POISSON = Family(
    log_kernel=lambda y, n, eta: y * eta - n * _exp(eta),
    moments=lambda n, rate: (n * rate,) * 2,
    lower=lambda y, n, mu, tau: np.minimum(0.0, tau * (y - n * _exp(np.float64(mu)))),
    constant=lambda y, n: y * np.log(n) - log_gamma(y + 1.0),
    inverse_link=_exp,
    link_of=math.log,
    empirical=lambda y, n: (np.log((y + 0.5) / n), 1.0 / (y + 0.5)),
    name="POISSON",
)
"""y_j ~ Poisson(n_j exp(eta)): counts over an exposure n_j."""


def _log_kernel(
    family: Family, y: np.ndarray, n: np.ndarray, eta: np.ndarray, z: np.ndarray
) -> np.ndarray:
    """h(z) = log f(y | eta) - z^2 / 2, less the terms free of z."""
    return family.log_kernel(y, n, eta) - 0.5 * z * z


def _newton(
    family: Family, y: np.ndarray, n: np.ndarray, mu: float, tau: float, z: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Up to NEWTON_STEPS plain Newton steps on h'(z) = 0 from `z`: (z, the curvature scale,
    whether the last step was below 1e-12 relative)."""
    for _ in range(NEWTON_STEPS):
        mean, variance = family.moments(n, family.inverse_link(mu + tau * z))
        curvature = 1.0 + tau * tau * variance
        step = (tau * (y - mean) - z) / curvature
        z = z + step
        if np.max(np.abs(step)) < 1e-12 * (1.0 + np.max(np.abs(z))):
            return z, 1.0 / np.sqrt(curvature), True
    return z, np.ones_like(z), False


NEWTON_STEPS = 8
"""Plain Newton steps tried for the modes before the safeguarded search."""


def _modes(
    family: Family, y: np.ndarray, n: np.ndarray, mu: float, tau: float, z: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The mode of each z_j's posterior and its curvature scale (-h'')^(-1/2).

    h'(z) = tau (y - E(y | eta)) - z falls with z (h'' = -1 - tau^2 Var(y | eta) <= -1). From
    a nearby start (the modes at the last (mu, tau)) plain Newton steps converge in a few
    steps. Otherwise the family brackets the root (`Family.lower`, tau y), and Newton's method
    narrows the bracket by the sign of h', with bisection instead of a step that would leave
    it or would not halve the last step (rtsafe, Numerical Recipes section 9.4): from the steep
    side of e^eta Newton's steps alone crawl, and from far off they can overshoot.
    """
    lo, hi = family.lower(y, n, mu, tau), tau * y
    z = np.clip(z, lo, hi)
    found, scale, converged = _newton(family, y, n, mu, tau, z)
    if converged and np.all((found >= lo) & (found <= hi)):
        return found, scale
    last = hi - lo
    for _ in range(300):
        mean, variance = family.moments(n, family.inverse_link(mu + tau * z))
        slope = tau * (y - mean) - z
        lo = np.where(slope > 0, z, lo)
        hi = np.where(slope < 0, z, hi)
        step = slope / (1.0 + tau * tau * variance)
        newton = z + step
        fast = (np.abs(step) <= 0.5 * np.abs(last)) | (np.abs(step) < 1e-12 * (1.0 + np.abs(z)))
        new = np.where((newton >= lo) & (newton <= hi) & fast, newton, (lo + hi) / 2.0)
        last = new - z
        z = new
        if np.max(np.abs(last)) < 1e-12 * (1.0 + np.max(np.abs(z))):
            break
    variance = family.moments(n, family.inverse_link(mu + tau * z))[1]
    return z, 1.0 / np.sqrt(1.0 + tau * tau * variance)


@dataclass(frozen=True, eq=False)
class _Rule:
    """Nodes z of the groups `rows`, their normalised posterior weights, and the rate there."""

    rows: np.ndarray
    z: np.ndarray
    weights: np.ndarray
    p: np.ndarray


@dataclass(frozen=True, eq=False)
class Quadrature:
    """Each group's log marginal likelihood at (mu, tau) without log C(n_j, y_j), the mode of
    its z_j's posterior, and the rules that gave them (the adaptive rule, and the trapezoid
    rule for the groups where that is not accurate)."""

    log_lik: np.ndarray
    modes: np.ndarray
    rules: tuple[_Rule, ...]

    def expect(self, f: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
        """E[f(z, p) | y_j] for every group."""
        out = np.empty(self.modes.size)
        for rule in self.rules:
            out[rule.rows] = (rule.weights * f(rule.z, rule.p)).sum(axis=1)
        return out


CHECK_NODES = 13
"""The coarser rule whose disagreement with the NODES-point rule marks a group whose posterior
is too far from normal for Gauss-Hermite (e.g. n_j = 1 at a large tau, where the log density
of z_j bends from a parabola into a line of slope about tau)."""

_X_CHECK, _W_CHECK = np.polynomial.hermite.hermgauss(CHECK_NODES)
_LOG_W_CHECK = np.log(_W_CHECK) + _X_CHECK**2

AGREEMENT = 1e-7
"""Largest |difference| of the two rules' log L_j for which the NODES-point rule is kept: the
difference estimates the coarser rule's error, and the NODES-point rule's is far smaller (at
the rat tumours' fit 4e-9 between the two, 3e-14 between the finer and the exact integral)."""

SPAN = 10.0
"""Half-width in z of the trapezoid rule's grid around the mode: h'' <= -1, so the density
beyond it is below exp(-SPAN^2 / 2) of the peak."""

MAX_POINTS = 20_001


def _weigh(
    family: Family,
    y: np.ndarray,
    n: np.ndarray,
    rule: tuple[float, float, np.ndarray],
    log_w: np.ndarray | float,
    log_step: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A rule's log L_j = log_step + log sum_k w_k e^h(z_k) - log sqrt(2 pi), its normalised
    posterior weights, its nodes z and eta there; `rule` is (mu, tau, z)."""
    mu, tau, z = rule
    eta = mu + tau * z
    terms = log_w + _log_kernel(family, y[:, None], n[:, None], eta, z)
    peak = terms.max(axis=1, keepdims=True)
    weights = np.exp(terms - peak)
    total = weights.sum(axis=1)
    log_lik = log_step - _LOG_ROOT_2PI + peak[:, 0] + np.log(total)
    return log_lik, z, weights / total[:, None], eta


def _adaptive(
    family: Family,
    y: np.ndarray,
    n: np.ndarray,
    mu: float,
    tau: float,
    mode: np.ndarray,
    scale: np.ndarray,
    nodes: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The Gauss-Hermite rule `nodes` (x, log w + x^2) centred at the modes, scaled by
    sqrt(2) times the curvature scales."""
    x, log_w = nodes
    z = mode[:, None] + (_ROOT2 * scale)[:, None] * x
    return _weigh(family, y, n, (mu, tau, z), log_w, np.log(_ROOT2 * scale))


def _trapezoid(
    family: Family,
    y: np.ndarray,
    n: np.ndarray,
    mu: float,
    tau: float,
    mode: np.ndarray,
    scale: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The trapezoid rule on mode +- SPAN with a spacing of a quarter of the narrower of the
    posterior's scale and the bend's width 1/tau: the integrand is analytic within pi/tau of
    the real line, so the rule's error falls like exp(-2 pi^2 / (tau h)) (Trefethen and
    Weideman 2014)."""
    width = np.minimum(scale, 1.0 / max(tau, 1e-300)) / 4.0
    points = int(min(MAX_POINTS, np.ceil(2.0 * SPAN / width.min()) + 1))
    u = np.linspace(-SPAN, SPAN, points)
    z = mode[:, None] + u
    return _weigh(family, y, n, (mu, tau, z), 0.0, np.full(y.size, np.log(u[1] - u[0])))


def quadrature(
    family: Family, y: np.ndarray, n: np.ndarray, mu: float, tau: float, start: np.ndarray
) -> Quadrature:
    """Each group's log L_j at (mu, tau) (without `Family.constant`), Newton's method for the
    modes starting at `start`."""
    mode, scale = _modes(family, y, n, mu, tau, start)
    log_lik, z, weights, eta = _adaptive(family, y, n, mu, tau, mode, scale, (_X, _LOG_W))
    check = _adaptive(family, y, n, mu, tau, mode, scale, (_X_CHECK, _LOG_W_CHECK))[0]
    rough = np.abs(log_lik - check) > AGREEMENT
    rate = family.inverse_link
    if not rough.any():
        return Quadrature(log_lik, mode, (_Rule(np.arange(y.size), z, weights, rate(eta)),))
    smooth = np.flatnonzero(~rough)
    rows = np.flatnonzero(rough)
    fine = _trapezoid(family, y[rows], n[rows], mu, tau, mode[rows], scale[rows])
    log_lik = log_lik.copy()
    log_lik[rows] = fine[0]
    rules = (
        _Rule(smooth, z[smooth], weights[smooth], rate(eta[smooth])),
        _Rule(rows, fine[1], fine[2], rate(fine[3])),
    )
    return Quadrature(log_lik, mode, rules)


def _derivatives(
    family: Family, y: np.ndarray, n: np.ndarray, q: Quadrature
) -> tuple[np.ndarray, np.ndarray]:
    """The gradient and Hessian of sum_j log L_j in (mu, tau) from the posterior moments."""
    grad, hess = np.zeros(2), np.zeros((2, 2))
    for rule in q.rules:
        w, z = rule.weights, rule.z
        yy, nn = y[rule.rows, None], n[rule.rows, None]
        mean, a = family.moments(nn, rule.p)
        r = yy - mean
        rz = r * z
        e_r, e_rz = (w * r).sum(axis=1), (w * rz).sum(axis=1)
        grad += [e_r.sum(), e_rz.sum()]
        h_mm = (w * r * r).sum(axis=1) - e_r**2 - (w * a).sum(axis=1)
        h_mt = (w * r * rz).sum(axis=1) - e_r * e_rz - (w * a * z).sum(axis=1)
        h_tt = (w * rz * rz).sum(axis=1) - e_rz**2 - (w * a * z * z).sum(axis=1)
        hess += [[h_mm.sum(), h_mt.sum()], [h_mt.sum(), h_tt.sum()]]
    return grad, hess


@dataclass(frozen=True, eq=False)
class LinkNormalFit:
    """Marginal maximum likelihood of a normal population on the link scale.

    Fields
    ------
    mu, tau : eta_j ~ N(mu, tau^2); mu is -inf (+inf) when every count is 0 (every trial
        succeeded).
    rate : the population's median rate, the inverse link of mu.
    log_likelihood : sum_j log L_j, every constant included (log C(n_j, y_j) for binomial
        counts, y_j log n_j - log y_j! for Poisson ones), as R's `logLik(glmer(...))` with
        nAGQ = 1 (with nAGQ > 1 lme4 reports it less the saturated model's).
    mu_se : the standard error of mu from the inverse of the observed information in
        (mu, tau) (as lme4's `vcov`); at tau = 0, given tau; NaN at an infinite mu.
    iterations : Newton steps taken.
    """

    mu: float
    tau: float
    rate: float
    log_likelihood: float
    mu_se: float
    iterations: int


def _start_tau(family: Family, y: np.ndarray, n: np.ndarray) -> float:
    """tau from the groups' empirical link-scale estimates by the method of moments, floored
    at 0.1 so that Newton's method does not start on the stationary point tau = 0."""
    estimate, v = family.empirical(y, n)
    spread = float(np.var(estimate, ddof=1)) if y.size > 1 else 0.0
    return max(0.1, math.sqrt(max(spread - float(np.mean(v)), 0.0)))


def _climb(
    family: Family, y: np.ndarray, n: np.ndarray, mu: float, tau: float
) -> tuple[np.ndarray, Quadrature, int]:
    """Newton's method in (mu, tau) from (mu, tau), each step halved until the likelihood
    rises, until the gain the full step predicts (g . step, twice Newton's decrement) is below
    1e-12 of log L; a step through tau = 0 is folded back (log L is even in tau)."""
    theta = np.array([mu, tau])
    q = quadrature(family, y, n, mu, tau, np.zeros_like(y))
    value = q.log_lik.sum()
    iterations = 0
    for iterations in range(1, 101):  # noqa: B007 (returned)
        grad, hess = _derivatives(family, y, n, q)
        step = ascent_step(grad, hess)
        if grad @ step < 1e-12 * max(1.0, abs(value)):  # the gain Newton's step predicts
            break
        for _ in range(50):
            trial = theta + step
            trial[1] = abs(trial[1])
            start = q.modes * np.sign(step[1] + theta[1])
            q_trial = quadrature(family, y, n, trial[0], trial[1], start)
            if q_trial.log_lik.sum() > value:
                break
            step = step / 2.0
        else:
            break
        theta, q, value = trial, q_trial, q_trial.log_lik.sum()
    return theta, q, iterations


def degenerate(family: Family, y: np.ndarray, n: np.ndarray) -> float | None:
    """mu when the counts leave it infinite (all 0: -inf; all successes: +inf), else None."""
    if y.sum() == 0:
        return -math.inf
    if family is BINOMIAL and y.sum() == n.sum():
        return math.inf
    return None


def fit(family: Family, y: np.ndarray, n: np.ndarray) -> LinkNormalFit:
    """(mu, tau) maximising the marginal likelihood of validated counts.

    Newton's method in (mu, tau) (`_climb`) from the pooled rate and a moment estimate of tau;
    the boundary tau = 0 (the pooled rate) is compared last and wins ties. log L is concave in
    mu at each tau, not jointly, so a second local maximum in tau is possible and would be
    missed; the tests check the result against a dense grid of (mu, tau) for random data sets.
    Gauss-Hermite rules also invent maxima where a group's posterior is far from normal (at a
    large tau, a binomial y_j of n_j = 1): such groups are integrated by the trapezoid rule
    instead (`quadrature`).
    """
    constant = float(family.constant(y, n).sum())
    infinite = degenerate(family, y, n)
    if infinite is not None:
        return LinkNormalFit(infinite, 0.0, float(infinite > 0), constant, math.nan, 0)
    mu_0 = family.link_of(float(y.sum() / n.sum()))
    log_lik_0 = constant + float(family.log_kernel(y, n, np.full(y.size, mu_0)).sum())
    rate_0 = float(y.sum() / n.sum())
    se_0 = 1.0 / math.sqrt(float(family.moments(n, np.full(y.size, rate_0))[1].sum()))
    boundary = LinkNormalFit(mu_0, 0.0, rate_0, log_lik_0, se_0, 0)
    if y.size == 1:
        return boundary
    theta, q, iterations = _climb(family, y, n, mu_0, _start_tau(family, y, n))
    mu, tau = float(theta[0]), float(theta[1])
    log_lik = float(q.log_lik.sum()) + constant
    if log_lik_0 >= log_lik or tau < 1e-8:
        return LinkNormalFit(mu_0, 0.0, rate_0, log_lik_0, se_0, iterations)
    _, hess = _derivatives(family, y, n, q)
    covariance = -np.linalg.inv(hess) if np.linalg.det(hess) > 0 > hess[0, 0] else None
    mu_se = math.sqrt(covariance[0, 0]) if covariance is not None else math.nan
    rate = float(family.inverse_link(np.array(mu)))
    return LinkNormalFit(mu, tau, rate, log_lik, mu_se, iterations)


def profile_mu(
    family: Family, y: np.ndarray, n: np.ndarray, tau: float, start: float | None = None
) -> float:
    """mu_hat(tau): the mu maximising the marginal likelihood at this tau (log L is concave in
    mu for a fixed tau, a convolution of log-concave functions); Newton's method from `start`,
    by default the pooled rate's mu."""
    infinite = degenerate(family, y, n)
    if infinite is not None:
        return infinite
    pooled = family.link_of(float(y.sum() / n.sum()))
    if tau == 0.0:
        return pooled
    mu = pooled if start is None else start
    start = np.zeros_like(y)
    for _ in range(100):
        q = quadrature(family, y, n, mu, tau, start)
        grad, hess = _derivatives(family, y, n, q)
        step = -grad[0] / hess[0, 0] if hess[0, 0] < 0 else grad[0]
        step = float(np.clip(step, -2.0, 2.0))
        mu += step
        start = q.modes
        if abs(step) < 1e-12 * (1.0 + abs(mu)):
            break
    return mu


INTERVAL_POINTS = 801
"""Points of the grid on which each group's posterior is integrated for its 95% interval."""


@dataclass(frozen=True, eq=False)
class RatePooling:
    """Each group's rate given the population (mu, tau): p_j for binomial counts, lambda_j
    (per unit of exposure) for Poisson ones.

    Fields
    ------
    rate, sd : the posterior mean and sd of the rate.
    lower, upper : its 2.5% and 97.5% posterior quantiles.
    mu, tau : the population the groups were pooled toward (mu = mu_hat(tau) unless given).
    shrinkage : B_j = 1 / (1 + tau^2 a_j), the prior's share of the precision of eta_j's
        posterior at its mode, a_j = Var(y_j | eta_j) there (the information of the counts);
        the normal model's v_j / (v_j + tau^2) with v_j = 1 / a_j (the Laplace approximation).
        1 at tau = 0, toward 0 as tau or the counts grow.
    """

    rate: np.ndarray
    sd: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    mu: float
    tau: float
    shrinkage: np.ndarray


def _quantiles(
    family: Family,
    y: np.ndarray,
    n: np.ndarray,
    mu: float,
    tau: float,
    q: Quadrature,
    probs: tuple[float, ...],
) -> list[np.ndarray]:
    """Quantiles of each rate (increasing in z, so they are the inverse link of mu + tau z_q).

    z_j's posterior density f on INTERVAL_POINTS points over the mode +- 12 curvature scales;
    its CDF by the cumulative trapezoid rule with the Euler-Maclaurin end correction
    -h^2 f'(z) / 12 (f' = f h', error O(h^4)); z_q by linear interpolation, then two Newton
    steps on F(z_q) = F(z_k) + the 3-point Gauss-Legendre integral of f over [z_k, z_q].
    """
    mode, scale = _modes(family, y, n, mu, tau, q.modes)
    u = np.linspace(-12.0, 12.0, INTERVAL_POINTS)
    step = scale * (u[1] - u[0])
    yy, nn = y[:, None], n[:, None]
    z = mode[:, None] + scale[:, None] * u
    peak = _log_kernel(family, yy, nn, mu + tau * mode[:, None], mode[:, None])

    def density(at: np.ndarray) -> np.ndarray:
        return np.exp(_log_kernel(family, yy, nn, mu + tau * at, at) - peak)

    def slope(at: np.ndarray) -> np.ndarray:
        rate = family.inverse_link(mu + tau * at)
        return density(at) * (tau * (yy - family.moments(nn, rate)[0]) - at)

    f = density(z)
    trapezoid = np.cumsum((f[:, 1:] + f[:, :-1]) / 2.0, axis=1) * step[:, None]
    cdf = np.concatenate([np.zeros((y.size, 1)), trapezoid], axis=1)
    cdf -= step[:, None] ** 2 / 12.0 * (slope(z) - slope(z[:, :1]))
    total = cdf[:, -1:]
    nodes, weights = np.polynomial.legendre.leggauss(3)
    rows = np.arange(y.size)
    out = []
    for prob in probs:
        k = np.clip((cdf < prob * total).sum(axis=1), 1, INTERVAL_POINTS - 1)
        lo, hi = cdf[rows, k - 1], cdf[rows, k]
        share = (prob * total[:, 0] - lo) / np.maximum(hi - lo, 1e-300)
        left = z[rows, k - 1]
        z_q = left + np.clip(share, 0.0, 1.0) * (z[rows, k] - left)
        for _ in range(2):
            half = (z_q - left) / 2.0
            at = left[:, None] + half[:, None] * (nodes + 1.0)
            mass = lo + half * (weights * density(at)).sum(axis=1)
            z_q = z_q - (mass - prob * total[:, 0]) / density(z_q[:, None])[:, 0]
        out.append(family.inverse_link(mu + tau * z_q))
    return out


def _shrinkage(
    family: Family, n: np.ndarray, mu: float, tau: float, modes: np.ndarray
) -> np.ndarray:
    """B_j = 1 / (1 + tau^2 a_j) at the modes of z_j (see `RatePooling`)."""
    variance = family.moments(n, family.inverse_link(mu + tau * modes))[1]
    return 1.0 / (1.0 + tau * tau * variance)


def _at_boundary(family: Family, size: int, mu: float) -> np.ndarray:
    """Every group's rate at tau = 0 or an infinite mu: the inverse link of mu."""
    value = float(family.inverse_link(np.array(mu))) if math.isfinite(mu) else float(mu > 0)
    return np.full(size, value)


def pool(family: Family, y: np.ndarray, n: np.ndarray, tau: float, mu: float) -> RatePooling:
    """Each group's posterior mean, sd and 95% interval of its rate at (mu, tau)."""
    if math.isinf(mu) or tau == 0.0:
        rate = _at_boundary(family, y.size, mu)
        return RatePooling(rate, np.zeros(y.size), rate, rate.copy(), mu, tau, np.ones(y.size))
    q = quadrature(family, y, n, mu, tau, np.zeros_like(y))
    rate = q.expect(lambda z, p: p)
    sd = np.sqrt(np.maximum(q.expect(lambda z, p: p * p) - rate * rate, 0.0))
    lower, upper = _quantiles(family, y, n, mu, tau, q, (0.025, 0.975))
    return RatePooling(rate, sd, lower, upper, mu, tau, _shrinkage(family, n, mu, tau, q.modes))


def pool_path(
    family: Family, y: np.ndarray, n: np.ndarray, taus: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mu_hat(tau), E(rate_j | y, mu_hat(tau), tau), B_j) at every tau of a grid: row k equals
    `pool(family, y, n, taus[k], profile_mu(family, y, n, taus[k]))`. The grid is walked in
    increasing tau, each mu_hat and each mode started from its neighbour's."""
    mu = np.empty(taus.size)
    rate = np.empty((taus.size, y.size))
    b = np.ones((taus.size, y.size))
    infinite = degenerate(family, y, n)
    start_mu, modes = None, np.zeros_like(y)
    for k in np.argsort(taus, kind="stable"):
        tau = float(taus[k])
        mu[k] = infinite if infinite is not None else profile_mu(family, y, n, tau, start_mu)
        if math.isinf(mu[k]) or tau == 0.0:
            rate[k] = _at_boundary(family, y.size, mu[k])
            continue
        q = quadrature(family, y, n, mu[k], tau, modes)
        rate[k] = q.expect(lambda z, p: p)
        b[k] = _shrinkage(family, n, mu[k], tau, q.modes)
        start_mu, modes = mu[k], q.modes
    return mu, rate, b
