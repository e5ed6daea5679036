"""Binomial groups with a logit-normal population: y_j ~ Binomial(n_j, p_j), logit p_j =
mu + tau z_j, z_j ~ N(0, 1) (a random-intercept logistic model; BDA3 section 5.3 pools the same
counts with a beta population).

The marginal likelihood of group j, L_j(mu, tau) = C(n_j, y_j) E_z[p^y_j (1 - p)^(n_j - y_j)],
is an integral over z that adaptive Gauss-Hermite quadrature evaluates (Pinheiro and Bates
1995; lme4's `glmer(..., nAGQ = 25)` uses the same rule): centre the NODES-point rule at the
mode of z_j's posterior and scale it by the posterior's curvature there. In z the prior does not
depend on (mu, tau), so the derivatives of log L_j are posterior moments:

    d/dmu = E[r],  d/dtau = E[r z],  r = y_j - n_j p,  a = n_j p (1 - p),
    d2/dmu2 = Var[r] - E[a],  d2/dmu dtau = Cov[r, r z] - E[a z],  d2/dtau2 = Var[r z] - E[a z^2].

No loop runs over the groups: every step works on J x NODES arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import as_vector, check_scalar

NODES = 25
"""Gauss-Hermite nodes per group, as lme4's nAGQ = 25."""

_X, _W = np.polynomial.hermite.hermgauss(NODES)
_LOG_W = np.log(_W) + _X**2  # the rule for integrals of exp(h(z)) dz, not exp(h - x^2)
_ROOT2 = math.sqrt(2.0)
_LOG_ROOT_2PI = 0.5 * math.log(2.0 * math.pi)


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
            rule = "a whole number >= 0" if low == 0 else "a whole number >= 1"
            raise ValueError(f"{name}[{j}] must be {rule}; got {x[j]:g}")
    over = y > n
    if over.any():
        j = int(np.flatnonzero(over)[0])
        raise ValueError(f"successes[{j}] = {y[j]:g} exceeds trials[{j}] = {n[j]:g}")
    return y, n


def log_gamma(x: np.ndarray) -> np.ndarray:
    """log Gamma(x) for x > 0, elementwise: the recurrence Gamma(x) = Gamma(x + 1) / x up to
    x >= 10, then Stirling's series to x^-9 (relative error below 1e-15 there)."""
    x = np.asarray(x, dtype=float)
    shift = np.zeros_like(x)
    z = x.copy()
    for _ in range(10):
        small = z < 10.0
        if not small.any():
            break
        shift -= np.where(small, np.log(np.where(small, z, 1.0)), 0.0)
        z = np.where(small, z + 1.0, z)
    inv = 1.0 / z
    inv2 = inv * inv
    series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))))
    return shift + (z - 0.5) * np.log(z) - z + _LOG_ROOT_2PI + series


def log_binomial_coefficient(n: np.ndarray, y: np.ndarray) -> np.ndarray:
    """log C(n, y), elementwise."""
    return log_gamma(n + 1.0) - log_gamma(y + 1.0) - log_gamma(n - y + 1.0)


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) without overflow."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _expit(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) to full relative precision down to 1e-304, without overflow."""
    return 1.0 / (1.0 + np.exp(-np.maximum(x, -700.0)))


def _log_kernel(y: np.ndarray, n: np.ndarray, eta: np.ndarray, z: np.ndarray) -> np.ndarray:
    """h(z) = y log p + (n - y) log(1 - p) - z^2 / 2 with p = expit(eta)."""
    return -y * _softplus(-eta) - (n - y) * _softplus(eta) - 0.5 * z * z


def _modes(
    y: np.ndarray, n: np.ndarray, mu: float, tau: float, z: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The mode of each z_j's posterior and its curvature scale (-h'')^(-1/2).

    h'(z) = tau (y - n p) - z falls with z (h'' <= -1), and 0 <= p <= 1 brackets its root in
    [tau (y - n), tau y]: Newton's method from `z`, a step that leaves the bracket replaced by
    bisection, the bracket narrowed by the sign of h' at each iterate.
    """
    lo, hi = tau * (y - n), tau * y
    z = np.clip(z, lo, hi)
    for _ in range(200):
        p = _expit(mu + tau * z)
        slope = tau * (y - n * p) - z
        lo = np.where(slope > 0, z, lo)
        hi = np.where(slope < 0, z, hi)
        newton = z + slope / (1.0 + tau * tau * n * p * (1.0 - p))
        inside = (newton >= lo) & (newton <= hi)
        new = np.where(inside, newton, (lo + hi) / 2.0)
        done = np.max(np.abs(new - z)) < 1e-12 * (1.0 + np.max(np.abs(z)))
        z = new
        if done:
            break
    p = _expit(mu + tau * z)
    return z, 1.0 / np.sqrt(1.0 + tau * tau * n * p * (1.0 - p))


@dataclass(frozen=True, eq=False)
class _Rule:
    """Nodes z of the groups `rows`, their normalised posterior weights, and p there."""

    rows: np.ndarray
    z: np.ndarray
    weights: np.ndarray
    p: np.ndarray


@dataclass(frozen=True, eq=False)
class _Quadrature:
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


def _adaptive(
    y: np.ndarray,
    n: np.ndarray,
    mu: float,
    tau: float,
    mode: np.ndarray,
    scale: np.ndarray,
    x: np.ndarray,
    log_w: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    z = mode[:, None] + (_ROOT2 * scale)[:, None] * x
    eta = mu + tau * z
    terms = log_w + _log_kernel(y[:, None], n[:, None], eta, z)
    peak = terms.max(axis=1, keepdims=True)
    weights = np.exp(terms - peak)
    total = weights.sum(axis=1)
    log_lik = np.log(_ROOT2 * scale) - _LOG_ROOT_2PI + peak[:, 0] + np.log(total)
    return log_lik, z, weights / total[:, None], eta


def _trapezoid(
    y: np.ndarray, n: np.ndarray, mu: float, tau: float, mode: np.ndarray, scale: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The trapezoid rule on mode +- SPAN with a spacing of a quarter of the narrower of the
    posterior's scale and the bend's width 1/tau: the integrand is analytic within pi/tau of
    the real line, so the rule's error falls like exp(-2 pi^2 / (tau h)) (Trefethen and
    Weideman 2014)."""
    width = np.minimum(scale, 1.0 / max(tau, 1e-300)) / 4.0
    points = int(min(MAX_POINTS, np.ceil(2.0 * SPAN / width.min()) + 1))
    u = np.linspace(-SPAN, SPAN, points)
    z = mode[:, None] + u
    eta = mu + tau * z
    terms = _log_kernel(y[:, None], n[:, None], eta, z)
    peak = terms.max(axis=1, keepdims=True)
    weights = np.exp(terms - peak)
    total = weights.sum(axis=1)
    log_lik = np.log(u[1] - u[0]) - _LOG_ROOT_2PI + peak[:, 0] + np.log(total)
    return log_lik, z, weights / total[:, None], eta


def _quadrature(
    y: np.ndarray, n: np.ndarray, mu: float, tau: float, start: np.ndarray
) -> _Quadrature:
    mode, scale = _modes(y, n, mu, tau, start)
    log_lik, z, weights, eta = _adaptive(y, n, mu, tau, mode, scale, _X, _LOG_W)
    check = _adaptive(y, n, mu, tau, mode, scale, _X_CHECK, _LOG_W_CHECK)[0]
    rough = np.abs(log_lik - check) > AGREEMENT
    if not rough.any():
        return _Quadrature(log_lik, mode, (_Rule(np.arange(y.size), z, weights, _expit(eta)),))
    smooth = np.flatnonzero(~rough)
    rows = np.flatnonzero(rough)
    fine = _trapezoid(y[rows], n[rows], mu, tau, mode[rows], scale[rows])
    log_lik = log_lik.copy()
    log_lik[rows] = fine[0]
    rules = (
        _Rule(smooth, z[smooth], weights[smooth], _expit(eta[smooth])),
        _Rule(rows, fine[1], fine[2], _expit(fine[3])),
    )
    return _Quadrature(log_lik, mode, rules)


def _derivatives(y: np.ndarray, n: np.ndarray, q: _Quadrature) -> tuple[np.ndarray, np.ndarray]:
    """The gradient and Hessian of sum_j log L_j in (mu, tau) from the posterior moments."""
    grad, hess = np.zeros(2), np.zeros((2, 2))
    for rule in q.rules:
        w, z, p = rule.weights, rule.z, rule.p
        yy, nn = y[rule.rows, None], n[rule.rows, None]
        r = yy - nn * p
        a = nn * p * (1.0 - p)
        rz = r * z
        e_r, e_rz = (w * r).sum(axis=1), (w * rz).sum(axis=1)
        grad += [e_r.sum(), e_rz.sum()]
        h_mm = (w * r * r).sum(axis=1) - e_r**2 - (w * a).sum(axis=1)
        h_mt = (w * r * rz).sum(axis=1) - e_r * e_rz - (w * a * z).sum(axis=1)
        h_tt = (w * rz * rz).sum(axis=1) - e_rz**2 - (w * a * z * z).sum(axis=1)
        hess += [[h_mm.sum(), h_mt.sum()], [h_mt.sum(), h_tt.sum()]]
    return grad, hess


@dataclass(frozen=True, eq=False)
class LogitNormalFit:
    """Marginal maximum likelihood of the logit-normal population.

    Fields
    ------
    mu, tau : logit p_j ~ N(mu, tau^2); mu is -inf (+inf) when no (every) trial succeeded.
    log_likelihood : sum_j log L_j, including log C(n_j, y_j) (as R's `logLik(glmer(...))`).
    mu_se : the standard error of mu from the inverse of the observed information in
        (mu, tau) (as lme4's `vcov`); at tau = 0, given tau; NaN at an infinite mu.
    iterations : Newton steps taken, over all starting points.
    """

    mu: float
    tau: float
    log_likelihood: float
    mu_se: float
    iterations: int

    @property
    def rate(self) -> float:
        """expit(mu): the population's median rate."""
        return float(self.mu > 0) if math.isinf(self.mu) else float(_expit(np.array(self.mu)))


def _pooled(y: np.ndarray, n: np.ndarray, log_c: np.ndarray) -> tuple[float, float, float]:
    """(mu, log L, -d2 log L / dmu2) at tau = 0: one common rate, the pooled sum(y) / sum(n)."""
    rate = y.sum() / n.sum()
    mu = math.log(rate) - math.log1p(-rate)
    log_lik = log_c.sum() + (y * math.log(rate) + (n - y) * math.log1p(-rate)).sum()
    return mu, float(log_lik), float((n * rate * (1.0 - rate)).sum())


def _start_tau(y: np.ndarray, n: np.ndarray) -> float:
    """tau from the empirical logits log((y + 1/2) / (n - y + 1/2)) by the method of moments,
    floored at 0.1 so that Newton's method does not start on the stationary point tau = 0."""
    logit = np.log((y + 0.5) / (n - y + 0.5))
    v = 1.0 / (y + 0.5) + 1.0 / (n - y + 0.5)
    spread = float(np.var(logit, ddof=1)) if y.size > 1 else 0.0
    return max(0.1, math.sqrt(max(spread - float(np.mean(v)), 0.0)))


def _climb(
    y: np.ndarray, n: np.ndarray, mu: float, tau: float
) -> tuple[np.ndarray, _Quadrature, int]:
    """Newton's method in (mu, tau) from (mu, tau), each step halved until the likelihood
    rises, until the gain the full step predicts (g . step, twice Newton's decrement) is below
    1e-12 of log L; a step through tau = 0 is folded back (log L is even in tau)."""
    theta = np.array([mu, tau])
    q = _quadrature(y, n, mu, tau, np.zeros_like(y))
    value = q.log_lik.sum()
    iterations = 0
    for iterations in range(1, 101):  # noqa: B007 (returned)
        grad, hess = _derivatives(y, n, q)
        step = _ascent_step(grad, hess)
        if grad @ step < 1e-12 * max(1.0, abs(value)):  # the gain Newton's step predicts
            break
        for _ in range(50):
            trial = theta + step
            trial[1] = abs(trial[1])
            q_trial = _quadrature(y, n, trial[0], trial[1], q.modes * np.sign(step[1] + theta[1]))
            if q_trial.log_lik.sum() > value:
                break
            step = step / 2.0
        else:
            break
        theta, q, value = trial, q_trial, q_trial.log_lik.sum()
    return theta, q, iterations


def fit_logit_normal(successes: object, trials: object) -> LogitNormalFit:
    """(mu, tau) maximising the marginal likelihood of y_j ~ Binomial(n_j, expit(mu + tau z_j)).

    Newton's method in (mu, tau) (`_climb`) from the pooled rate and a moment estimate of tau;
    the boundary tau = 0 (the pooled rate) is compared last and wins ties. log L is concave in
    mu at each tau, not jointly, so a second local maximum in tau is possible and would be
    missed; tests/test_binomial.py checks the result against a dense grid of (mu, tau) for
    random data sets. Gauss-Hermite rules also invent maxima where a group's posterior is far
    from normal (at large tau, y_j of n_j = 1): such groups are integrated by the trapezoid
    rule instead (`_quadrature`).
    """
    y, n = check_counts(successes, trials)
    log_c = log_binomial_coefficient(n, y)
    if y.sum() == 0 or y.sum() == n.sum():
        mu = -math.inf if y.sum() == 0 else math.inf
        return LogitNormalFit(mu, 0.0, 0.0, math.nan, 0)
    mu_0, log_lik_0, info_0 = _pooled(y, n, log_c)
    boundary = LogitNormalFit(mu_0, 0.0, log_lik_0, 1.0 / math.sqrt(info_0), 0)
    if y.size == 1:
        return boundary
    theta, q, iterations = _climb(y, n, mu_0, _start_tau(y, n))
    mu, tau = float(theta[0]), float(theta[1])
    log_lik = float(q.log_lik.sum() + log_c.sum())
    if log_lik_0 >= log_lik or tau < 1e-8:
        return LogitNormalFit(mu_0, 0.0, log_lik_0, boundary.mu_se, iterations)
    _, hess = _derivatives(y, n, q)
    covariance = -np.linalg.inv(hess) if np.linalg.det(hess) > 0 > hess[0, 0] else None
    mu_se = math.sqrt(covariance[0, 0]) if covariance is not None else math.nan
    return LogitNormalFit(mu, tau, log_lik, mu_se, iterations)


def _ascent_step(grad: np.ndarray, hess: np.ndarray) -> np.ndarray:
    """Newton's step where the Hessian is negative definite; else the Levenberg-Marquardt
    step -(H - lambda I)^-1 g with lambda above H's largest eigenvalue, an ascent direction."""
    largest = float(np.linalg.eigvalsh(hess)[-1])
    if largest < 0:
        return -np.linalg.solve(hess, grad)
    shift = largest + 1e-3 * (1.0 + float(np.max(np.abs(np.diag(hess)))))
    return -np.linalg.solve(hess - shift * np.eye(2), grad)


def profile_mu(successes: object, trials: object, tau: float) -> float:
    """mu_hat(tau): the mu maximising the marginal likelihood at this tau (log L is concave in
    mu for a fixed tau, a convolution of log-concave functions)."""
    y, n = check_counts(successes, trials)
    tau = check_scalar(tau, "tau", low=0.0)
    if y.sum() == 0 or y.sum() == n.sum():
        return -math.inf if y.sum() == 0 else math.inf
    return _profile_mu(y, n, tau)


def _profile_mu(y: np.ndarray, n: np.ndarray, tau: float) -> float:
    rate = y.sum() / n.sum()
    mu = math.log(rate) - math.log1p(-rate)
    if tau == 0.0:
        return mu
    start = np.zeros_like(y)
    for _ in range(100):
        q = _quadrature(y, n, mu, tau, start)
        grad, hess = _derivatives(y, n, q)
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
    """Each group's rate p_j given the population (mu, tau), on the probability scale.

    Fields
    ------
    p, sd : the posterior mean and sd of p_j.
    lower, upper : its 2.5% and 97.5% posterior quantiles.
    mu, tau : the population the groups were pooled toward (mu = mu_hat(tau) unless given).
    """

    p: np.ndarray
    sd: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    mu: float
    tau: float


def _quantiles(
    y: np.ndarray, n: np.ndarray, mu: float, tau: float, q: _Quadrature, probs: tuple[float, ...]
) -> list[np.ndarray]:
    """Quantiles of each p_j (p is increasing in z, so they are expit(mu + tau z_q)).

    z_j's posterior density f on INTERVAL_POINTS points over the mode +- 12 curvature scales;
    its CDF by the cumulative trapezoid rule with the Euler-Maclaurin end correction
    -h^2 f'(z) / 12 (f' = f h', error O(h^4)); z_q by linear interpolation, then two Newton
    steps on F(z_q) = F(z_k) + the 3-point Gauss-Legendre integral of f over [z_k, z_q].
    """
    mode, scale = _modes(y, n, mu, tau, q.modes)
    u = np.linspace(-12.0, 12.0, INTERVAL_POINTS)
    step = scale * (u[1] - u[0])
    yy, nn = y[:, None], n[:, None]
    z = mode[:, None] + scale[:, None] * u
    peak = _log_kernel(yy, nn, mu + tau * mode[:, None], mode[:, None])

    def density(at: np.ndarray) -> np.ndarray:
        return np.exp(_log_kernel(yy, nn, mu + tau * at, at) - peak)

    def slope(at: np.ndarray) -> np.ndarray:
        return density(at) * (tau * (yy - nn * _expit(mu + tau * at)) - at)

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
        out.append(_expit(mu + tau * z_q))
    return out


def partial_pool_logit_normal(
    successes: object, trials: object, tau: float, mu: float | None = None
) -> RatePooling:
    """E(p_j | y_j, mu, tau), its sd and 95% interval for every group, with mu = mu_hat(tau)
    (`profile_mu`) unless given. At tau = 0 every group gets the pooled rate expit(mu); as tau
    grows p_j tends to y_j / n_j."""
    y, n = check_counts(successes, trials)
    tau = check_scalar(tau, "tau", low=0.0)
    mu = profile_mu(y, n, tau) if mu is None else check_scalar(mu, "mu", allow_inf=True)
    if math.isinf(mu) or tau == 0.0:
        rate = np.full(y.size, float(_expit(np.array(mu))) if math.isfinite(mu) else (mu > 0))
        return RatePooling(rate, np.zeros(y.size), rate, rate.copy(), mu, tau)
    q = _quadrature(y, n, mu, tau, np.zeros_like(y))
    p = q.expect(lambda z, p: p)
    sd = np.sqrt(np.maximum(q.expect(lambda z, p: p * p) - p * p, 0.0))
    lower, upper = _quantiles(y, n, mu, tau, q, (0.025, 0.975))
    return RatePooling(p, sd, lower, upper, mu, tau)
