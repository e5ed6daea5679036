"""Partial pooling with a Student-t population: theta_j ~ t_nu(mu, tau^2), robust to outliers.

Model (Gelman et al. 2013, *Bayesian Data Analysis*, 3rd ed., section 17.4, the eight schools
with a t population): y_j | theta_j ~ N(theta_j, v_j) with known v_j, and
theta_j ~ t_nu(mu, tau^2), a t distribution with nu degrees of freedom, location mu and scale
tau. nu = inf is the normal model of `partial_pool`; nu = 1 is a Cauchy population.

Computation. The t is a scale mixture of normals (Andrews and Mallows 1974, *JRSS B*
36:99-102; BDA3 section 17.2): lambda ~ Gamma(nu/2, rate nu/2) and
theta_j | lambda ~ N(mu, tau^2 / lambda). Given lambda everything is normal: with
u_j = v_j + tau^2 / lambda and B_j(lambda) = v_j / u_j,

    p(y_j | lambda) = N(y_j; mu, u_j),
    theta_j | y_j, lambda ~ N(y_j - B_j(lambda) (y_j - mu), v_j (1 - B_j(lambda))),

so every quantity is a one-dimensional integral over lambda of closed-form terms:

    p(y_j) = E[N(y_j; mu, u_j)]                      (expectation over the prior of lambda),
    E(theta_j | y_j) = y_j - E(B_j | y_j) (y_j - mu),
    Var(theta_j | y_j) = v_j E(1 - B_j | y_j) + (y_j - mu)^2 Var(B_j | y_j).

The integrals are taken in s = log lambda by the trapezoid rule on a uniform grid in x(s),
dx/ds = sqrt(1 + nu/2 + (nu/2) e^s). The stretch matches the width of the posterior of s
wherever it can sit: for s > 0 that width is set by the prior's curvature (nu/2) e^s; a
mode at s < 0 balances the prior's slope, about nu/2, against the likelihood's, whose
curvature is then as large, so the width there is about sqrt(2 / nu) too; and the likelihood
itself varies on a scale of one in s. The integrand is therefore analytic in a strip of
half-width of order one around the real x axis for every nu and every datum, and the rule
converges exponentially in 1/step (Trefethen and Weideman 2014, *SIAM Review* 56:385-458):
at step 0.35 its error is about 1e-14 relative (1e-12 at 0.4, 1e-10 at 0.5), measured
against a grid 7 times finer and against `scipy.integrate.quad` in theta
(tests/test_student_t.py, benchmarks/student_t.py). The grid covers every s where the
posterior of lambda may be within exp(-40) of its peak, by bounds that hold for any data
(`_grid`). Those include the second mode that a far outlier creates (lambda small, theta_j
near y_j) beside the one near lambda = 1 (theta_j near mu), so a bimodal posterior of theta_j
is integrated as accurately as a unimodal one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._validation import as_vector, check_groups, check_min_groups, check_scalar
from .pooling import ShrinkagePath, precision_weighted_mean
from .tau2 import maximum_likelihood

_STEP = 0.35
"""Grid spacing in x: the trapezoid error is about 1e-14 relative (1e-12 at 0.4, 1e-10 at 0.5)."""
_SEARCH_STEP = 1.0
"""Grid spacing for the coarse search of `fit_t` (errors up to 1e-4 relative, enough to rank)."""
_CUT = 40.0
"""The grid covers every s where the posterior may be within this many nats of its peak."""
_CELLS_PER_CHUNK = 1 << 16
"""Candidates x groups x grid points per block: small enough that temporaries stay in cache."""
_SEARCH_GROUPS = 256
"""The coarse search of `fit_t` uses at most this many groups (every k-th in order of y)."""
_MAX_ITER = 100
"""Newton iterations in `fit_t` (it converges in 5 to 10 from the grid search's best point)."""
_MAX_RATIO = 1e100
"""Largest |y_j - mu| / sqrt(v_j) and tau / sqrt(v_j) accepted: their squares stay finite."""
_TAU_FLOOR = 1e-8
"""Newton's method stops below this tau (in units of sqrt(v)), where l(mu, tau) is within
rounding of l(mu, 0); `fit_t` then compares with the boundary tau = 0 in closed form."""
_LOG_2PI = math.log(2.0 * math.pi)


@dataclass(frozen=True, eq=False)
class StudentTPooling:
    """Posterior of each theta_j given (mu, tau, nu) under the Student-t population.

    Fields
    ------
    theta : posterior mean E(theta_j | y_j, mu, tau, nu).
    var : posterior variance Var(theta_j | y_j, mu, tau, nu).
    shrinkage : effective shrinkage B_j = (y_j - theta_j) / (y_j - mu) = E(v_j / u_j | y_j), the
        posterior mean of the normal shrinkage factor over the mixing variable; it lies in
        [0, 1], and at y_j == mu it is this same expectation (the continuous limit).
    log_density : log p(y_j | mu, tau, nu), the marginal density of each group mean.
    mu, tau, nu : the population location, scale and degrees of freedom used.

    `np.asarray(pooling)` is `pooling.theta`.
    """

    theta: np.ndarray
    var: np.ndarray
    shrinkage: np.ndarray
    log_density: np.ndarray
    mu: float
    tau: float
    nu: float

    @property
    def sd(self) -> np.ndarray:
        """Posterior standard deviation of each theta_j, sqrt(var)."""
        return np.sqrt(self.var)

    @property
    def log_likelihood(self) -> float:
        """The marginal log likelihood sum_j log p(y_j | mu, tau, nu)."""
        return float(self.log_density.sum())

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return np.asarray(self.theta, dtype=dtype)


@dataclass(frozen=True, eq=False)
class StudentTFit:
    """Marginal maximum likelihood of (mu, tau) under the Student-t population.

    Fields
    ------
    mu, tau : the estimates (tau may be exactly 0, complete pooling).
    nu : the degrees of freedom, fixed by the caller.
    log_likelihood : the maximised sum_j log p(y_j | mu, tau, nu).
    pooling : the StudentTPooling at (mu, tau).
    """

    mu: float
    tau: float
    nu: float
    log_likelihood: float
    pooling: StudentTPooling

    @property
    def tau2(self) -> float:
        """tau^2, comparable with `estimate_tau2` when nu = inf."""
        return self.tau**2


# ---------------------------------------------------------------------------------------------
# The grid over s = log lambda


def _expm1_minus(s: np.ndarray) -> np.ndarray:
    """e^s - 1 - s without cancellation near s = 0 (Taylor series there)."""
    s = np.asarray(s, dtype=float)
    small = np.abs(s) < 0.1
    t = np.where(small, s, 0.0)
    term = 0.5 * t * t
    series = np.zeros_like(t)
    for n in range(3, 14):
        series += term
        term = term * t / n
    with np.errstate(over="ignore"):
        return np.where(small, series, np.expm1(s) - s)


def _x_of_s(s: np.ndarray, a: float) -> tuple[np.ndarray, np.ndarray]:
    """x(s) with x(0) = 0 and dx/ds = r = sqrt(b + a e^s), b = 1 + a; returns (x, r).

    Closed form 2 r + sqrt(b) log((r - sqrt(b)) / (r + sqrt(b))) + const, rearranged so that
    no term cancels: r - r0 = a (e^s - 1) / (r + r0).
    """
    b = 1.0 + a
    sb = math.sqrt(b)
    r0 = math.sqrt(b + a)
    r = np.sqrt(b + a * np.exp(s))
    dr = a * np.expm1(s) / (r + r0)
    return 2.0 * dr + sb * (s - 2.0 * np.log1p(dr / (r0 + sb))), r


def _s_of_x(x: np.ndarray, a: float) -> np.ndarray:
    """Invert `_x_of_s` by Newton's method: x(s) is convex and increasing, and the start lies
    right of the root (x(s) >= sqrt(1 + 2a) s, and x(s) >= 2 sqrt(a) (e^(s/2) - 1) for
    s >= 0), so the iterates decrease monotonically to it."""
    r0 = math.sqrt(1.0 + 2.0 * a)
    pos = np.maximum(x, 0.0)
    s = np.where(x > 0, np.minimum(x / r0, 2.0 * np.log1p(pos / (2.0 * math.sqrt(a)))), x / r0)
    tol = 1e-14 * np.maximum(1.0, np.abs(x))
    for _ in range(200):
        fx, r = _x_of_s(s, a)
        if np.all(np.abs(fx - x) <= tol):
            return s
        s = s - (fx - x) / r
    raise RuntimeError("the lambda grid did not converge; please report nu and the data")


def _s_of_z(z: np.ndarray, nu: float) -> np.ndarray:
    """s with sign(s) = sign(z) and nu (e^s - 1 - s) = z^2 (z is the prior of s made standard
    normal: p(s) ds ∝ exp(-z^2 / 2) ds). Newton's method on the convex e^s - 1 - s."""
    c = z * z / nu
    s = np.where(z >= 0, np.minimum(np.sqrt(2.0 * c), np.log(2.0 + 2.0 * c)), -(1.0 + c))
    for _ in range(200):
        f = _expm1_minus(s) - c
        slope = np.expm1(s)
        step = np.divide(f, slope, out=np.zeros_like(s), where=slope != 0)
        s = s - step
        if np.all(np.abs(step) <= 1e-12 * np.maximum(1.0, np.abs(s))):
            return s
    raise RuntimeError("the lambda grid bounds did not converge; please report nu and the data")


def _log_normaliser(nu: float) -> float:
    """log of (nu/2)^(nu/2) e^(-nu/2) / Gamma(nu/2), the density of s = log lambda at s = 0.

    Stirling's series for large nu/2 (Abramowitz and Stegun 1964, 6.1.41), where the direct
    form would cancel.
    """
    a = 0.5 * nu
    if a < 100.0:
        return a * math.log(a) - a - math.lgamma(a)
    return 0.5 * math.log(a / (2.0 * math.pi)) - (
        1.0 / (12.0 * a) - 1.0 / (360.0 * a**3) + 1.0 / (1260.0 * a**5)
    )


@lru_cache(maxsize=64)
def _lattice(nu: float, k_lo: int, k_hi: int, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes s_k = s(k step) for k_lo <= k <= k_hi, and log of their trapezoid weights times
    the prior density of s: log(step p(s_k) ds/dx). Read-only arrays, shared between calls."""
    a = 0.5 * nu
    s = _s_of_x(np.arange(k_lo, k_hi + 1) * step, a)
    _, r = _x_of_s(s, a)
    log_weight = _log_normaliser(nu) + math.log(step) - a * _expm1_minus(s) - np.log(r)
    s.setflags(write=False)
    log_weight.setflags(write=False)
    return s, log_weight


def _grid(
    d: np.ndarray, v: np.ndarray, tau: np.ndarray | float, nu: float, step: float
) -> tuple[np.ndarray, np.ndarray]:
    """The lattice covering the posterior of s for every group (and every candidate).

    The likelihood L(s) = N(d; 0, u), u = v + w, w = tau^2 e^(-s), is largest at
    u = max(d^2, v), that is at s* = log(tau^2 / (d^2 - v)) when d^2 > v (else s* = inf), and
    falls away from there on both sides. Three bounds, each leaving out less than exp(-cut) of
    the posterior mass (the tightest is used):
    (i) in z, where the prior of s is exactly standard normal, the posterior is
    phi(z) L(z) / p(y) with L(z) / L(0) <= exp(Delta), Delta = log L(s*) - log L(0), so it lies
    within |z| <= sqrt(2 (Delta + cut));
    (ii) beyond z* = z(s*) on the side away from z = 0 both phi and L decrease, so there the
    posterior falls like exp(-m^2 / 2) at distance m from min(z*, 0) or max(z*, 0);
    (iii) left of s_c = min(s*, 0), log L(s) <= log L(s_c) + 1/2 + (s - log(tau^2 / u_c)) / 2
    (u >= u_c >= d^2 there), and the log prior of s is at most (nu/2)(1 + s) + const, so the
    log posterior lies below its value at s_c by at least cut + (nu + 1)(s' - s) / 2 for
    s < s' = -(2 R + nu) / (nu + 1), R = (nu/2)(e^s_c - 1 - s_c) + 1/2 + log(u_c / tau^2) / 2
    + cut. This bound sees the likelihood's own tail, and is the tight one on the left for
    small nu.
    """
    d2 = d * d
    u0 = v + tau * tau
    log_l0 = -0.5 * np.log(u0) - 0.5 * d2 / u0
    far = d2 > v
    peak = np.where(far, d2, v)
    delta = np.maximum(-0.5 * np.log(peak) - 0.5 * d2 / peak - log_l0, 0.0)
    bound = np.sqrt(2.0 * (delta + _CUT))
    with np.errstate(divide="ignore", over="ignore"):
        log_tau2 = 2.0 * np.log(tau)
        s_star = np.clip(log_tau2 - np.log(np.where(far, d2 - v, 1.0)), -1e4, 700.0)
        z_star = np.where(far, np.sign(s_star) * np.sqrt(nu * _expm1_minus(s_star)), math.inf)
    reach = math.sqrt(2.0 * _CUT)
    z_lo = float(np.min(np.maximum(-bound, np.minimum(z_star, 0.0) - reach))) - 1.0
    z_hi = float(np.max(np.minimum(bound, np.maximum(z_star, 0.0) + reach))) + 1.0
    s_lo, s_hi = _s_of_z(np.array([z_lo, z_hi]), nu)

    s_c = np.where(far, np.minimum(s_star, 0.0), 0.0)
    log_uc_over_tau2 = np.logaddexp(np.log(v) + s_c - log_tau2, 0.0) - s_c
    rest = 0.5 * nu * _expm1_minus(s_c) + 0.5 + 0.5 * log_uc_over_tau2 + _CUT
    s_tail = np.minimum(s_c, -(2.0 * rest + nu) / (nu + 1.0))
    s_lo = max(s_lo, float(np.min(s_tail)) - 1.0)

    a = 0.5 * nu
    x_lo, x_hi = _x_of_s(np.array([s_lo, s_hi]), a)[0]
    # Rounding the ends out to multiples of 16 lets nearby calls share one cached lattice.
    k_lo = 16 * math.floor(x_lo / step / 16.0)
    k_hi = 16 * math.ceil(x_hi / step / 16.0)
    return _lattice(nu, k_lo, k_hi, step)


# ---------------------------------------------------------------------------------------------
# The posterior of the mixing variable, group by group


def _exp_relative(log_q: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """exp(log_q - peak), overwriting log_q. Terms below exp(-700) of the peak become
    exp(-700): their share is negligible either way, and exp is many times slower where it
    underflows."""
    log_q -= peak
    np.maximum(log_q, -700.0, out=log_q)
    return np.exp(log_q, out=log_q)


def _blocks(groups: int, nodes: int, candidates: int = 1) -> Iterator[slice]:
    """Slices of groups small enough that the temporaries (candidates x rows x nodes) stay in
    cache; each block is vectorised."""
    rows = max(1, _CELLS_PER_CHUNK // (nodes * candidates))
    for start in range(0, groups, rows):
        yield slice(start, start + rows)


def _prior_variance(tau: float, s: np.ndarray) -> np.ndarray:
    """w = tau^2 / lambda at the nodes, in logs so that it neither under- nor overflows
    for any tau > 0 that the grid reaches."""
    return np.exp(np.minimum(2.0 * math.log(tau) - s, 700.0))


def _weights(
    d: np.ndarray, v: np.ndarray, w: np.ndarray, log_weight: np.ndarray
) -> tuple[np.ndarray, ...]:
    """For a block of groups (rows) at the grid nodes (columns), w = tau^2 / lambda:
    unnormalised posterior weights q (largest 1 in each row), their row sums, log p(y_j),
    1 / u and r = d^2 / u, with u = v + w."""
    inv_u = 1.0 / (v[:, None] + w)
    r = (d * d)[:, None] * inv_u
    log_q = np.log(inv_u)
    log_q -= r
    log_q *= 0.5
    log_q += log_weight
    peak = log_q.max(axis=1, keepdims=True)
    q = _exp_relative(log_q, peak)
    total = q.sum(axis=1)
    log_density = peak[:, 0] + np.log(total) - 0.5 * _LOG_2PI
    return q, total, log_density, inv_u, r


def _pool(y: np.ndarray, v: np.ndarray, tau: float, nu: float, mu: float) -> StudentTPooling:
    """`partial_pool_t` on validated input.

    Group j's posterior depends only on z_j = (y_j - mu) / sqrt(v_j) and tau / sqrt(v_j), so the
    work is done in those units, where no square over- or underflows (`_check_scale` bounds
    both by 1e100).
    """
    d = y - mu
    sd = np.sqrt(v)
    z = d / sd
    if tau == 0.0:
        return StudentTPooling(
            theta=np.full_like(y, mu),
            var=np.zeros_like(y),
            shrinkage=np.ones_like(y),
            log_density=-0.5 * (_LOG_2PI + z * z) - np.log(sd),
            mu=mu,
            tau=tau,
            nu=nu,
        )
    log_ratio = math.log(tau) - np.log(sd)
    if math.isinf(nu):
        ratio2 = np.exp(2.0 * log_ratio)
        weight = ratio2 / (1.0 + ratio2)
        return StudentTPooling(
            theta=mu + weight * d,
            var=v * weight,
            shrinkage=1.0 / (1.0 + ratio2),
            log_density=-0.5 * (_LOG_2PI + np.log1p(ratio2) + z * z / (1.0 + ratio2)) - np.log(sd),
            mu=mu,
            tau=tau,
            nu=nu,
        )
    ones = np.ones_like(y)
    s, log_weight = _grid(z, ones, np.exp(log_ratio), nu, _STEP)
    log_density = np.empty_like(y)
    keep_mean = np.empty_like(y)
    keep_var = np.empty_like(y)
    for rows in _blocks(y.size, s.size):
        w = np.exp(np.minimum(2.0 * log_ratio[rows, None] - s, 700.0))
        q, total, log_density[rows], inv_u, _ = _weights(z[rows], ones[rows], w, log_weight)
        # Work with 1 - B = w / u, the weight on y_j: it is small exactly when B is close to
        # 1, so Var(B | y) = Var(1 - B | y) keeps its digits when tau is small.
        keep = w * inv_u
        mean = (q * keep).sum(axis=1) / total
        keep -= mean[:, None]
        keep_mean[rows] = mean
        keep_var[rows] = (q * keep * keep).sum(axis=1) / total
    log_density -= np.log(sd)
    var = v * (keep_mean + z * z * keep_var)
    b = 1.0 - keep_mean
    theta = np.where(b < 0.5, y - b * d, mu + keep_mean * d)
    return StudentTPooling(
        theta=theta,
        var=var,
        shrinkage=b,
        log_density=log_density,
        mu=mu,
        tau=tau,
        nu=nu,
    )


def _check_nu(nu: object) -> float:
    return check_scalar(nu, "nu", low=1.0, allow_inf=True)


def _check_scale(y: np.ndarray, v: np.ndarray, centre: float, what: str) -> None:
    """Raise ValueError when some |y_j - centre| / sqrt(v_j) exceeds _MAX_RATIO, where the
    squares in the integrals would overflow."""
    ratio = np.abs(y - centre) / np.sqrt(v)
    if np.any(ratio > _MAX_RATIO):
        j = int(np.argmax(ratio))
        raise ValueError(
            f"y[{j}] is too far from {what}: |y[j] - {what}| / sqrt(v[j]) must be <= "
            f"{_MAX_RATIO:g}; got {ratio[j]:.3g}"
        )


def partial_pool_t(y: object, v: object, tau: float, nu: float, mu: float) -> StudentTPooling:
    """Posterior of the group means under a Student-t population, for given mu, tau and nu.

    y_j | theta_j ~ N(theta_j, v_j), theta_j ~ t_nu(mu, tau^2) (BDA3 section 17.4). Writing the
    t as a scale mixture, lambda ~ Gamma(nu/2, nu/2), theta_j | lambda ~ N(mu, tau^2 / lambda)
    (Andrews and Mallows 1974), and B_j(lambda) = v_j / (v_j + tau^2 / lambda):

        E(theta_j | y_j) = y_j - B_j (y_j - mu),        B_j = E(B_j(lambda) | y_j),
        Var(theta_j | y_j) = v_j (1 - B_j) + (y_j - mu)^2 Var(B_j(lambda) | y_j),
        p(y_j) = E[N(y_j; mu, v_j + tau^2 / lambda)].

    The expectations are one-dimensional integrals over s = log lambda, computed by the
    trapezoid rule on a grid stretched to the prior of s and covering the posterior of every
    group (see the module docstring); relative error about 1e-14, vectorised over groups and
    grid points.

    Parameters
    ----------
    y : group means, length J.
    v : sampling variances (> 0), length J or one number.
    tau : population scale, finite and >= 0.
    nu : degrees of freedom, 1 <= nu <= inf.
    mu : population location.

    Notes
    -----
    - The effective shrinkage B_j is the posterior mean of B_j(lambda), so it lies in [0, 1] and
      the posterior mean lies between y_j and mu for every nu. At y_j == mu, where the ratio
      (y_j - theta_j) / (y_j - mu) is 0/0, B_j is this same expectation, its limit.
    - A group far from mu (by many sqrt(v_j + tau^2)) has a small B_j: the t population lets
      it keep its own mean. For some data the posterior of theta_j is bimodal (near y_j and near
      mu; e.g. y_j = 3, v_j = 1, mu = 0, tau = 0.3, nu = 1); the grid resolves both modes.
    - Unlike the normal model, Var(theta_j | y_j) can exceed v_j, when the posterior is spread
      between y_j and mu (y_j = 3, v_j = 1, mu = 0, tau = 1, nu = 1: 1.115).
    - |y_j - mu| / sqrt(v_j) and tau / sqrt(v_j) must be at most 1e100, so that their squares
      are finite.
    - tau = 0 is complete pooling: theta_j = mu, var 0, B_j = 1, p(y_j) = N(y_j; mu, v_j).
    - nu = inf is the normal model in closed form, `partial_pool(y, v, tau**2, mu=mu)`.

    Example
    -------
    >>> est = partial_pool_t([0.0, 1.0, 12.0], 1.0, tau=1.0, nu=3, mu=0.5)
    >>> bool(est.shrinkage[2] < 0.1 < est.shrinkage[0])
    True
    """
    y, v = check_groups(y, v)
    tau = check_scalar(tau, "tau", low=0.0)
    nu = _check_nu(nu)
    mu = check_scalar(mu, "mu")
    _check_scale(y, v, mu, "mu")
    if tau > _MAX_RATIO * math.sqrt(float(v.min())):
        raise ValueError(
            f"tau must be <= {_MAX_RATIO:g} sqrt(v_j) for every group; got tau == {tau} "
            f"with min(v) == {v.min()}"
        )
    return _pool(y, v, tau, nu, mu)


def partial_pool_t_path(y: object, v: object, tau: object, nu: float, mu: float) -> ShrinkagePath:
    """`partial_pool_t` at every tau of a grid, toward one mu: the Student-t counterpart of
    `partial_pool_path` (BDA3 figure 5.6), with mu fixed (e.g. `fit_t(...).mu`) rather than
    re-estimated at each tau. Each tau is one call, vectorised over the groups.

    Returns a ShrinkagePath whose `mu` repeats the given mu and whose `shrinkage` is the
    effective B_j(tau) of `partial_pool_t`.
    """
    y, v = check_groups(y, v)
    grid = as_vector(tau, "tau")
    if np.any(grid < 0) or not np.all(np.isfinite(grid)):
        raise ValueError("tau must be finite and >= 0 at every grid point")
    nu = _check_nu(nu)
    mu = check_scalar(mu, "mu")
    pools = [_pool(y, v, float(t), nu, mu) for t in grid]
    return ShrinkagePath(
        tau=grid,
        mu=np.full(grid.size, mu),
        theta=np.array([p.theta for p in pools]),
        shrinkage=np.array([p.shrinkage for p in pools]),
    )


# ---------------------------------------------------------------------------------------------
# Marginal maximum likelihood


def _log_likelihoods(
    y: np.ndarray, v: np.ndarray, mus: np.ndarray, tau: float, nu: float
) -> np.ndarray:
    """sum_j log p(y_j | mu, tau, nu) for every mu in `mus` at one tau, on the coarse grid.

    The terms that do not involve mu, log of the weights and of u = v + tau^2 / lambda, are
    computed once for all the mus.
    """
    d = y - mus[:, None]
    s, log_weight = _grid(d, v, tau, nu, _SEARCH_STEP)
    w = _prior_variance(tau, s)
    out = np.zeros(mus.size)
    for rows in _blocks(y.size, s.size, mus.size):
        half_inv_u = 0.5 / (v[rows, None] + w)
        base = np.log(half_inv_u)
        base *= 0.5
        base += log_weight
        log_q = base - (d[:, rows] ** 2)[:, :, None] * half_inv_u
        peak = log_q.max(axis=2)
        total = _exp_relative(log_q, peak[:, :, None]).sum(axis=2)
        out += (peak + np.log(total)).sum(axis=1)
    return out - 0.5 * y.size * math.log(math.pi)


def _derivatives(
    y: np.ndarray, v: np.ndarray, mu: float, tau: float, nu: float
) -> tuple[float, np.ndarray, np.ndarray]:
    """The log likelihood, its gradient and Hessian in (mu, tau).

    For each group, p(y_j) = E[N(d_j; 0, u_j)] over the prior of lambda, so the derivatives of
    log p(y_j) are posterior expectations: the gradient is E(g | y_j) and the Hessian
    E(h + g g' | y_j) - E(g | y_j) E(g | y_j)' (Louis 1982, *JRSS B* 44:226-233), where g and h
    are the gradient and Hessian of log N(d; 0, u). With e = 1 / lambda, w = tau^2 e,
    u = v + w, d = y - mu and r = d^2 / u:

        g = (d / u, tau e (r - 1) / u),
        (h + g g')_mu,mu = (r - 1) / u,
        (h + g g')_mu,tau = tau e d (r - 3) / u^2,
        (h + g g')_tau,tau = e (r - 1) / u + w e (r^2 - 6 r + 3) / u^2.
    """
    d = y - mu
    s, log_weight = _grid(d, v, tau, nu, _STEP)
    w = _prior_variance(tau, s)
    e = w / (tau * tau)
    we = w * e
    log_lik = 0.0
    grad = np.zeros(2)
    hess = np.zeros((2, 2))
    for rows in _blocks(y.size, s.size):
        q, total, log_density, inv_u, r = _weights(d[rows], v[rows], w, log_weight)
        # Row sums of q times a term, divided by the row total, are posterior expectations.
        q *= inv_u
        q_r = q * (r - 1.0)
        q_u = q * inv_u
        q_ur = q_u * r
        g_mu = d[rows] * q.sum(axis=1) / total
        g_tau = tau * (q_r @ e) / total
        h11 = q_r.sum(axis=1) / total
        h12 = tau * d[rows] * (q_ur @ e - 3.0 * (q_u @ e)) / total
        h22 = g_tau / tau + ((q_ur * r) @ we - 6.0 * (q_ur @ we) + 3.0 * (q_u @ we)) / total
        log_lik += float(log_density.sum())
        grad += (g_mu.sum(), g_tau.sum())
        hess += (
            (h11.sum() - g_mu @ g_mu, h12.sum() - g_mu @ g_tau),
            (h12.sum() - g_mu @ g_tau, h22.sum() - g_tau @ g_tau),
        )
    return log_lik, grad, hess


def _ascent_step(grad: np.ndarray, hess: np.ndarray) -> np.ndarray:
    """Newton's step -H^-1 g when H is negative definite; otherwise the step for H with its
    eigenvalues replaced by -max(|eigenvalue|, floor), which still goes uphill."""
    values, vectors = np.linalg.eigh(hess)
    floor = 1e-8 * max(1.0, float(np.abs(values).max()))
    curvature = np.maximum(np.abs(values), floor)
    return vectors @ ((vectors.T @ grad) / curvature)


def _refine(
    y: np.ndarray, v: np.ndarray, nu: float, mu: float, tau: float, boundary: tuple[float, float]
) -> tuple[float, float, float]:
    """Damped Newton's method in (mu, tau) from a start, to a relative change of 1e-10.

    A step that does not increase the log likelihood is halved, unless it is already below
    1e-6 relative: there Newton's method converges quadratically and the change in the log
    likelihood is at the level of rounding. The likelihood is even in tau, so a step past
    tau = 0 is reflected; but when the boundary (mu_0, l_0) = `boundary` at tau = 0 is already
    at least as good as the current point, a step past tau = 0 ends the search there. (For
    nu <= 2 the likelihood has a corner at tau = 0, where Newton's method would only creep
    toward it.)
    """
    ll, grad, hess = _derivatives(y, v, mu, tau, nu)
    for _ in range(_MAX_ITER):
        step = _ascent_step(grad, hess)
        if tau + step[1] <= 0.0 and boundary[1] >= ll:
            return boundary[0], 0.0, boundary[1]
        size = 1.0 + abs(mu) + tau
        final = float(np.abs(step).max()) <= 1e-6 * size
        scale = 1.0
        for _ in range(60):
            new_mu = mu + scale * step[0]
            new_tau = max(abs(tau + scale * step[1]), _TAU_FLOOR)
            new_ll, new_grad, new_hess = _derivatives(y, v, new_mu, new_tau, nu)
            if final or new_ll >= ll:
                break
            scale *= 0.5
        else:
            break
        moved = max(abs(new_mu - mu), abs(new_tau - tau))
        mu, tau, ll, grad, hess = new_mu, new_tau, new_ll, new_grad, new_hess
        if moved <= 1e-10 * size or tau <= _TAU_FLOOR:
            break
    if boundary[1] >= ll:
        return boundary[0], 0.0, boundary[1]
    return mu, tau, ll


def fit_t(y: object, v: object, nu: float) -> StudentTFit:
    """Marginal maximum likelihood of (mu, tau) under the Student-t population.

    Maximises l(mu, tau) = sum_j log p(y_j | mu, tau, nu), with p(y_j | mu, tau, nu) the
    integral of `partial_pool_t` (BDA3 section 17.4; the t population makes the estimates
    resistant to outlying groups, Lange, Little and Taylor 1989, *JASA* 84:881-896), over
    mu and tau >= 0.

    Method: on data centred and scaled (so the estimate is equivariant to shifting and scaling
    y), a coarse grid search over mu (15 quantiles of y) and tau (halving from the range of y to
    0.03 sqrt(v)), on at most 256 groups and a grid in lambda of step 1.0; then damped Newton's
    method from the best point, with the exact gradient and Hessian (`_derivatives`) on all
    groups, to a relative change of 1e-10. The boundary tau = 0, where the model is normal with
    known variances and mu is the precision-weighted mean, is evaluated in closed form and
    returned when it is at least as good.

    Parameters
    ----------
    y : group means, length J >= 3.
    v : sampling variances (> 0), length J or one number.
    nu : degrees of freedom, 1 <= nu <= inf.

    Notes
    -----
    - nu = inf is the normal marginal ML in closed form: tau^2 from `estimate_tau2(y, v, "ML")`,
      mu its GLS mean.
    - The ML tau can be exactly 0. For nu > 2, l(mu, tau) - l(mu, 0) goes like tau^2 near 0, as
      in the normal model; the population variance is infinite for nu <= 2, and the difference
      goes like tau^2 log(1 / tau) at nu = 2 and like tau^nu below (a corner at tau = 0 for the
      Cauchy, nu = 1), where Newton's method would creep; the boundary is tested directly.
    - For fixed tau the t likelihood in mu can have several local maxima (clusters of groups,
      as for any t location likelihood); the grid search over (mu, tau) starts Newton's method
      in the basin of the best grid point.

    Example
    -------
    >>> fit = fit_t([-0.4, 0.1, 0.3, -0.2, 0.5, 9.0], 0.25, nu=4)
    >>> round(fit.mu, 2), round(fit.tau, 2)  # the normal ML gives mu 1.55, tau 3.31
    (0.21, 1.09)
    >>> bool(fit.pooling.shrinkage[-1] < 0.1 * fit.pooling.shrinkage[0])  # the outlier is left be
    True
    """
    y, v = check_groups(y, v)
    nu = _check_nu(nu)
    check_min_groups(y, 3, "fit_t")
    _check_scale(y, v, float(np.median(y)), "median(y)")
    if math.isinf(nu):
        tau2 = maximum_likelihood(y, v)
        mu, _ = precision_weighted_mean(y, v + tau2)
        tau = math.sqrt(tau2)
        pooling = _pool(y, v, tau, nu, mu)
        return StudentTFit(mu, tau, nu, pooling.log_likelihood, pooling)

    centre = float(np.median(y))
    unit = math.exp(0.5 * float(np.log(v).mean()))
    ys, vs = (y - centre) / unit, v / unit**2

    spread = max(float(np.ptp(ys)), 1.0)
    taus = spread * 0.5 ** np.arange(int(math.log2(spread / 0.03)) + 1)
    mus = np.unique(np.concatenate((np.quantile(ys, np.linspace(0.0, 1.0, 15)), [0.0])))
    # Groups spread evenly through the sorted data keep the shape of the likelihood, so the
    # search over the grid can use a subset; the order does not depend on the input's.
    order = np.lexsort((vs, ys))
    pick = order[:: max(1, math.ceil(ys.size / _SEARCH_GROUPS))]
    table = np.array([_log_likelihoods(ys[pick], vs[pick], mus, float(t), nu) for t in taus])
    i, k = np.unravel_index(int(np.argmax(table)), table.shape)
    mu_0, _ = precision_weighted_mean(ys, vs)
    ll_0 = float(-0.5 * (_LOG_2PI + np.log(vs) + (ys - mu_0) ** 2 / vs).sum())
    mu_s, tau_s, _ = _refine(ys, vs, nu, float(mus[k]), float(taus[i]), (mu_0, ll_0))
    mu, tau = centre + unit * float(mu_s), unit * float(tau_s)
    pooling = _pool(y, v, tau, nu, mu)
    return StudentTFit(mu, tau, nu, pooling.log_likelihood, pooling)
