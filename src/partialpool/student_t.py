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

from ._scaling import standardise
from ._validation import as_vector, check_groups, check_min_groups, check_scalar
from .pooling import ShrinkagePath, precision_weighted_mean
from .tau2 import estimate_tau2

_STEP = 0.35
"""Grid spacing in x: the trapezoid error is about 1e-14 relative (1e-12 at 0.4, 1e-10 at 0.5)."""
_SEARCH_STEP = 1.0
"""Grid spacing for the coarse search of `fit_t` (errors up to 1e-4 relative, enough to rank)."""
_CUT = 40.0
"""The grid covers every s where the posterior may be within this many nats of its peak."""
_CELLS_PER_CHUNK = 1 << 16
"""Candidates x groups x grid points per block: small enough that temporaries stay in cache."""
_SEARCH_GROUPS = 64
"""The grid search of `fit_t` uses at most this many groups (every k-th in order of y)."""
_TAU_RATIO = 2.0
"""Ratio of neighbouring taus in the grid search of `fit_t`."""
_TAU_BOTTOM = 1.0 / 32.0
"""The smallest tau of the grid search, in units of sqrt(min v)."""
_PEAK_DROP = 1.0
"""The grid in mu of `fit_t` has a point within this many nats of every peak in mu."""
_GRID_CELLS = 1 << 17
"""At most this many (mu, tau) pairs times search groups in the grid search of `fit_t` (reached
only when max(y) - min(y) is thousands of times sqrt(min v)); beyond, the grid in mu is coarser
and the y_j join it."""
_LATTICE_TAUS = 8
"""The grid search shares one lattice in s between this many neighbouring taus."""
_SEARCH_MARGIN = 4.0
"""`fit_t` climbs from every local maximum in mu of a row of its grid this close to the best
point of the grid (in nats) ..."""
_MAX_CLIMBS = 64
"""... at most this many of them, on the search groups and the coarse lattice (`_climb`) ..."""
_CLIMB_MARGIN = 0.5
"""... and then from every distinct end of those within this many nats of the best ..."""
_MAX_STARTS = 4
"""... at most this many, on all groups and the fine lattice (`_refine`)."""
_MAX_ITER = 100
"""Newton iterations in `fit_t` (it converges in 5 to 10 from a point of the grid search)."""
_MAX_RATIO = 1e100
"""Largest |y_j - mu| / sqrt(v_j) and tau / sqrt(min v) accepted for the mu and tau given to
`partial_pool_t`: their squares stay finite. (`check_groups` keeps the data themselves in
range, and `fit_t` stays within it.)"""
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
    mu_se : the standard error of mu from the observed information, sqrt of the (mu, mu)
        element of the inverse of minus the Hessian of the log likelihood in (mu, tau) at the
        maximum (Efron and Hinkley 1978, *Biometrika* 65:457-482); at tau = 0 (and for
        nu = inf, given tau) the GLS standard error 1 / sqrt(sum 1 / (v_j + tau^2)).
    """

    mu: float
    tau: float
    nu: float
    log_likelihood: float
    pooling: StudentTPooling
    mu_se: float

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
    """For groups (d and v, of any shape) at the grid nodes (the last axis of w, which
    broadcasts against v[..., None]), w = tau^2 / lambda: unnormalised posterior weights q
    (largest 1 along the nodes), their sums, log p(y_j), 1 / u and r = d^2 / u, u = v + w."""
    inv_u = 1.0 / (v[..., None] + w)
    r = (d * d)[..., None] * inv_u
    log_q = np.log(inv_u)
    log_q -= r
    log_q *= 0.5
    log_q += log_weight
    peak = log_q.max(axis=-1, keepdims=True)
    q = _exp_relative(log_q, peak)
    total = q.sum(axis=-1)
    log_density = peak[..., 0] + np.log(total) - 0.5 * _LOG_2PI
    return q, total, log_density, inv_u, r


def _pool(y: np.ndarray, v: np.ndarray, tau: float, nu: float, mu: float) -> StudentTPooling:
    """`partial_pool_t` on validated input.

    Group j's posterior depends only on z_j = (y_j - mu) / sqrt(v_j) and tau / sqrt(v_j), so the
    work is done in those units, where no square over- or underflows (`_check_location` bounds
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


def _check_location(y: np.ndarray, v: np.ndarray, mu: float, tau: float) -> None:
    """Raise ValueError when mu or tau is so far outside the data that the squares in the
    integrals would overflow: |y_j - mu| / sqrt(v_j) and tau / sqrt(min v) must be at most
    _MAX_RATIO."""
    with np.errstate(over="ignore"):
        ratio = np.abs(y - mu) / np.sqrt(v)
    if np.any(ratio > _MAX_RATIO):
        j = int(np.argmax(ratio))
        raise ValueError(
            f"mu must lie within {_MAX_RATIO:g} sqrt(v[j]) of every y[j]; got mu == {mu:.6g}, "
            f"|y[{j}] - mu| / sqrt(v[{j}]) == {ratio[j]:.3g}"
        )
    if tau > _MAX_RATIO * math.sqrt(float(v.min())):
        raise ValueError(
            f"tau must be <= {_MAX_RATIO:g} sqrt(min(v)); got tau == {tau:.6g} with "
            f"min(v) == {float(v.min()):.6g}"
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
    - |y_j - mu| / sqrt(v_j) and tau / sqrt(min v) must be at most 1e100, so that their squares
      are finite; otherwise ValueError names mu or tau. Within that range (and the range of
      `check_groups`) the results are finite, and equivariant: scaling y, v, tau and mu by
      c, c^2, c and c scales theta by c and var by c^2 and leaves the shrinkage unchanged.
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
    _check_location(y, v, mu, tau)
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
    _check_location(y, v, mu, float(grid.max()))
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
    y: np.ndarray,
    v: np.ndarray,
    mus: np.ndarray,
    tau: float,
    lattice: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """sum_j log p(y_j | mu, tau, nu) for every mu in `mus` at one tau, on a given lattice in s
    (from `_grid`, at the coarse step).

    The terms that do not involve mu, log of the weights and of u = v + tau^2 / lambda, are
    computed once for all the mus.
    """
    s, log_weight = lattice
    d = y - mus[:, None]
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


def _moments(
    y: np.ndarray,
    v: np.ndarray,
    mus: np.ndarray,
    taus: np.ndarray,
    lattice: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The log likelihood, its gradient and Hessian in (mu, tau) at every (mus[c], taus[c]),
    tau > 0, on a lattice in s (from `_grid`) that covers them all.

    For each group, p(y_j) = E[N(d_j; 0, u_j)] over the prior of lambda, so the derivatives of
    log p(y_j) are posterior expectations: the gradient is E(g | y_j) and the Hessian
    E(h + g g' | y_j) - E(g | y_j) E(g | y_j)' (Louis 1982, *JRSS B* 44:226-233), where g and h
    are the gradient and Hessian of log N(d; 0, u). With w = tau^2 / lambda, u = v + w,
    k = w / u (in [0, 1]), d = y - mu and r = d^2 / u:

        g = (d / u, k (r - 1) / tau),
        (h + g g')_mu,mu = (r - 1) / u,
        (h + g g')_mu,tau = d k (r - 3) / (u tau),
        (h + g g')_tau,tau = (k (r - 1) + k^2 (r^2 - 6 r + 3)) / tau^2,

    written with k so that no term overflows however small lambda is.
    Returns arrays of shape (C,), (C, 2) and (C, 2, 2).
    """
    s, log_weight = lattice
    w = np.exp(np.minimum(2.0 * np.log(taus)[:, None] - s, 700.0))
    log_lik = np.zeros(mus.size)
    grad = np.zeros((mus.size, 2))
    hess = np.zeros((mus.size, 2, 2))
    per_chunk = max(1, _CELLS_PER_CHUNK // s.size)
    for start in range(0, mus.size, per_chunk):
        c = slice(start, start + per_chunk)
        tau = taus[c, None]
        for rows in _blocks(y.size, s.size, tau.size):
            d = y[rows] - mus[c, None]
            q, total, log_density, inv_u, r = _weights(d, v[rows], w[c, None, :], log_weight)
            # Sums over the lattice of q times a term, divided by the total, are posterior
            # expectations.
            k = w[c, None, :] * inv_u
            q_k = q * k
            r1 = r - 1.0
            g_mu = d * (q * inv_u).sum(axis=2) / total
            e_kr1 = (q_k * r1).sum(axis=2) / total
            g_tau = e_kr1 / tau
            h11 = (q * inv_u * r1).sum(axis=2) / total
            h12 = d * (q_k * inv_u * (r - 3.0)).sum(axis=2) / (total * tau)
            h22 = (e_kr1 + (q_k * k * (r * (r - 6.0) + 3.0)).sum(axis=2) / total) / tau**2
            log_lik[c] += log_density.sum(axis=1)
            grad[c] += np.stack((g_mu.sum(axis=1), g_tau.sum(axis=1)), axis=1)
            cross = h12.sum(axis=1) - (g_mu * g_tau).sum(axis=1)
            hess[c, 0, 0] += h11.sum(axis=1) - (g_mu * g_mu).sum(axis=1)
            hess[c, 0, 1] += cross
            hess[c, 1, 0] += cross
            hess[c, 1, 1] += h22.sum(axis=1) - (g_tau * g_tau).sum(axis=1)
    return log_lik, grad, hess


def _derivatives(
    y: np.ndarray, v: np.ndarray, mu: float, tau: float, nu: float
) -> tuple[float, np.ndarray, np.ndarray]:
    """The log likelihood, its gradient and Hessian in (mu, tau) > 0 (`_moments`), on the fine
    lattice."""
    lattice = _grid(y - mu, v, tau, nu, _STEP)
    log_lik, grad, hess = _moments(y, v, np.array([mu]), np.array([tau]), lattice)
    return float(log_lik[0]), grad[0], hess[0]


def _ascent_steps(grad: np.ndarray, hess: np.ndarray) -> np.ndarray:
    """Newton's step -H^-1 g where H is negative definite; otherwise the step for H with its
    eigenvalues replaced by -max(|eigenvalue|, floor), which still goes uphill. The floor is
    1e-8 of the largest |eigenvalue|, so the step does not depend on the scale of the data.
    Takes stacks of gradients (..., 2) and Hessians (..., 2, 2)."""
    values, vectors = np.linalg.eigh(hess)
    floor = np.maximum(1e-8 * np.abs(values).max(axis=-1, keepdims=True), 1e-300)
    curvature = np.maximum(np.abs(values), floor)
    along = np.einsum("...ki,...k->...i", vectors, grad) / curvature
    return np.einsum("...ik,...k->...i", vectors, along)


def _refine(
    y: np.ndarray, v: np.ndarray, nu: float, mu: float, tau: float
) -> tuple[float, float, float]:
    """Damped Newton's method in (mu, tau) from a start, to a relative change of 1e-10.

    A step that does not increase the log likelihood is halved, unless it is already below
    1e-6 relative: there Newton's method converges quadratically and the change in the log
    likelihood is at the level of rounding. A step that would cross tau = 0 goes to tau / 8
    instead, so the iterates approach the boundary geometrically when it is uphill (for
    nu <= 2 the likelihood has a corner at tau = 0, where Newton's steps would overshoot), and
    the search stops at tau = _TAU_FLOOR. Returns (mu, tau, l) of the last iterate; the caller
    compares it with the boundary tau = 0 in closed form. (Before issue 14 the search stopped
    at the boundary as soon as a step crossed tau = 0 from a point below it, and so missed
    interior maxima just above the boundary.)
    """
    ll, grad, hess = _derivatives(y, v, mu, tau, nu)
    for _ in range(_MAX_ITER):
        step = _ascent_steps(grad, hess)
        size = 1.0 + abs(mu) + tau
        final = float(np.abs(step).max()) <= 1e-6 * size
        scale = 1.0
        for _ in range(60):
            new_mu = mu + scale * step[0]
            new_tau = tau + scale * step[1]
            new_tau = max(new_tau if new_tau > 0.0 else 0.125 * tau, _TAU_FLOOR)
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
    return mu, tau, ll


def _tau_bound(y: np.ndarray, v: np.ndarray, nu: float) -> float:
    """T such that l(mu, tau) decreases in tau for every tau > T and every mu in [min y, max y].

    With q = w / u and r = d^2 / u, d log N(d; 0, u) / d log tau = q (r - 1), and
    q r <= d^2 / w = d^2 lambda / tau^2, -q = v / u - 1 <= v lambda / tau^2 - 1, so
    d l / d log tau <= sum_j (d_j^2 + v_j) E(lambda | y_j) / tau^2 - J. Given theta_j,
    lambda ~ Gamma((nu + 1) / 2, rate (nu + (theta_j - mu)^2 / tau^2) / 2), so
    E(lambda | y_j) <= (nu + 1) / nu, and the derivative is negative once
    tau^2 > (1 + 1/nu) mean_j(d_j^2 + v_j); mean_j d_j^2 is convex in mu, so largest at an end.
    """
    spread2 = max(float(np.mean((y - y.min()) ** 2)), float(np.mean((y - y.max()) ** 2)))
    return math.sqrt((1.0 + 1.0 / nu) * (spread2 + float(np.mean(v))))


def _search(y: np.ndarray, v: np.ndarray, nu: float, mu_0: float) -> list[tuple[float, float]]:
    """Steps 2 and 3 of `fit_t`: the grid of (mu, tau), then `_climb` from the local maxima of
    its rows. `mu_0` is the maximiser on the boundary tau = 0. Returns (mu, tau) starts for
    `_refine`, best first."""
    order = np.lexsort((v, y))
    pick = np.unique(np.r_[order[:: math.ceil(y.size / _SEARCH_GROUPS)], order[-1]])
    ys, vs = y[pick], v[pick]
    lo, hi = float(y.min()), float(y.max())
    top = _tau_bound(y, v, nu)
    bottom = _TAU_BOTTOM * math.sqrt(float(v.min()))
    taus = top / _TAU_RATIO ** np.arange(math.ceil(math.log(top / bottom, _TAU_RATIO)) + 1)
    most = max(16, _GRID_CELLS // (taus.size * ys.size))
    ends = np.array([[lo], [hi], [0.5 * (lo + hi)]] * 2)
    found = []
    for i, tau in enumerate(taus):
        if i % _LATTICE_TAUS == 0:
            # A lattice in s that covers mu at both ends and the middle of the range and tau
            # at both ends of this stretch of the grid: the extremes of where s can sit.
            last = taus[min(i + _LATTICE_TAUS, taus.size) - 1]
            lattice = _grid(ys - ends, vs, np.repeat([[tau], [last]], 3, axis=0), nu, _SEARCH_STEP)
        # -d^2 l / d mu^2 <= P at this tau, so every peak in mu is within _PEAK_DROP nats of a
        # point of this row (see `fit_t`).
        curvature = float(np.minimum(1.0 / vs, (1.0 + 1.0 / nu) / tau**2).sum())
        n = math.ceil((hi - lo) * math.sqrt(curvature / (8.0 * _PEAK_DROP))) + 1
        mus = np.union1d(np.linspace(lo, hi, min(max(n, 2), most)), [mu_0])
        if n > most:
            mus = np.union1d(mus, ys)
        ll = np.r_[-np.inf, _log_likelihoods(ys, vs, mus, float(tau), lattice), -np.inf]
        peaks = np.flatnonzero((ll[1:-1] >= ll[:-2]) & (ll[1:-1] >= ll[2:]))
        found.append(np.c_[ll[peaks + 1], mus[peaks], np.full(peaks.size, tau)])
    found = np.concatenate(found)
    # Every local maximum in mu of a row within _SEARCH_MARGIN of the best point of the grid.
    found = found[found[:, 0] >= found[:, 0].max() - _SEARCH_MARGIN]
    found = found[np.argsort(-found[:, 0], kind="stable")[:_MAX_CLIMBS]]
    lattice = _grid(ys - ends, vs, np.repeat([[taus[0]], [taus[-1]]], 3, axis=0), nu, _SEARCH_STEP)
    return _climb(ys, vs, found[:, 1].copy(), found[:, 2].copy(), lattice)


def _climb(
    y: np.ndarray,
    v: np.ndarray,
    mus: np.ndarray,
    taus: np.ndarray,
    lattice: tuple[np.ndarray, np.ndarray],
) -> list[tuple[float, float]]:
    """Damped Newton's method from every (mus[c], taus[c]) at once, on `lattice`; returns the
    distinct ends with tau > _TAU_FLOOR, best first.

    Each step is `_ascent_steps`, shortened so that tau changes by at most a factor 4 (so the
    iterates follow the slope rather than jump between basins), and halved until l does not
    decrease; a step that would cross tau = 0 goes to tau / 4.
    """
    log_lik, grad, hess = _moments(y, v, mus, taus, lattice)
    moving = np.ones(mus.size, dtype=bool)
    for _ in range(_MAX_ITER):
        c = np.flatnonzero(moving)
        if c.size == 0:
            break
        step = _ascent_steps(grad[c], hess[c])
        step *= np.minimum(1.0, 3.0 * taus[c] / np.maximum(np.abs(step[:, 1]), 1e-300))[:, None]
        size = 1.0 + np.abs(mus[c]) + taus[c]
        moving[c] = np.abs(step).max(axis=1) > 1e-10 * size
        for _ in range(30):
            new_mu = mus[c] + step[:, 0]
            new_tau = np.maximum(np.maximum(taus[c] + step[:, 1], 0.25 * taus[c]), _TAU_FLOOR)
            new = _moments(y, v, new_mu, new_tau, lattice)
            better = new[0] >= log_lik[c]
            up = c[better]
            mus[up], taus[up] = new_mu[better], new_tau[better]
            log_lik[up], grad[up], hess[up] = new[0][better], new[1][better], new[2][better]
            c, step = c[~better], 0.5 * step[~better]
            if c.size == 0:
                break
        moving[c] = False
        moving &= taus > _TAU_FLOOR
    ends = []
    for j in np.argsort(-log_lik, kind="stable"):
        near = [
            abs(mus[j] - m) <= 1e-4 * math.sqrt(1.0 + t * t) and abs(math.log(taus[j] / t)) <= 1e-3
            for m, t, _ in ends
        ]
        if taus[j] > _TAU_FLOOR and not any(near):
            ends.append((float(mus[j]), float(taus[j]), float(log_lik[j])))
    best = ends[0][2] if ends else -math.inf
    return [(m, t) for m, t, ll in ends if ll >= best - _CLIMB_MARGIN][:_MAX_STARTS]


def fit_t(y: object, v: object, nu: float) -> StudentTFit:
    """Marginal maximum likelihood of (mu, tau) under the Student-t population.

    Maximises l(mu, tau) = sum_j log p(y_j | mu, tau, nu), with p(y_j | mu, tau, nu) the
    integral of `partial_pool_t` (BDA3 section 17.4; the t population makes the estimates
    resistant to outlying groups, Lange, Little and Taylor 1989, *JASA* 84:881-896), over
    mu and tau >= 0.

    Method, on data shifted to the most precise group and scaled by a power of two to
    min(v) in [1, 4) (`standardise`; the estimate is equivariant, and no intermediate over- or
    underflows in the range `check_groups` accepts):

    1. The boundary tau = 0, where the model is normal with known variances: mu_0 is the
       precision-weighted mean and l(mu_0, 0) is in closed form.
    2. A grid search on at most 64 groups (every k-th in order of y) and the coarse lattice in s
       (step 1.0): tau from T (`_tau_bound`) down to sqrt(min v) / 32 by factors of 2; at each
       tau, mu evenly over [min y, max y] with spacing h = sqrt(8 / P), and mu_0, where
       P = sum_j min(1 / v_j, (1 + 1/nu) / tau^2).
    3. Damped Newton's method (`_climb`) from every local maximum in mu of every row of the grid
       that is within 4 nats of the best grid point (at most 64, all at once, same groups and
       lattice), steps limited to a factor 4 in tau.
    4. Damped Newton's method on all groups and the fine lattice (`_refine`) from each distinct
       end of step 3 within 0.5 nats of the best (at most 4), to a relative change of 1e-10;
       the result is the best of these and the boundary.

    Why it finds the global maximum, and how it could miss it:

    - The maximum lies in mu in [min y, max y] (each p(y_j | mu, tau) falls with |y_j - mu|)
      and tau in [0, T] (beyond T, l decreases in tau for every such mu; `_tau_bound`).
    - By Louis' identity (`_moments`), -d^2 log p(y_j) / d mu^2 = E(1/u - d^2/u^2 | y_j)
      + E(d/u | y_j)^2 <= E(1/u | y_j), and 1/u <= min(1/v_j, lambda / tau^2) with
      E(lambda | y_j) <= (nu + 1) / nu (`_tau_bound`), so -d^2 l / d mu^2 <= P: at every grid
      tau, every local maximum in mu is within P h^2 / 8 = 1 nat (plus the coarse lattice's
      error, about 1e-4 per group) of a grid point, and a local maximum of its row lies at least
      that high, so each peak within 3 nats of the best grid point gets a start of its own.
    - It could be missed (a) if its peak in tau is so narrow, between grid taus a factor 2
      apart, that it rises more than 3 nats above its values there; (b) if it lies in a basin
      of its own below sqrt(min v) / 32 (a t population with nu <= 2 can put the maximum lower,
      at about sqrt(min v) J^(-1/nu) for J groups, but there the profile rises toward it from
      the lowest grid tau, and Newton's method follows); (c) if a climb leaves its basin, or
      more than 64 row maxima lie within 4 nats of the best, or more than 4 distinct ends
      within 0.5 nats; (d) with more than 64 groups, if those 64 miss a feature of the whole
      (the final Newton's method uses every group); (e) when the grid reaches its cap of 2^17
      points times groups (a spread of thousands of sqrt(min v)), where the grid in mu is
      coarser than h (the y_j join it). In 6,000 random sets of 3 to 8 groups (v_j over up to
      five decades, often one far group or one very precise one; nu in {1, 2, 3, 4, 10}) it
      found the maximum that the same method finds with a grid 4 times denser in mu and in
      log tau reaching 32 times lower, 4 times the groups and 8 times the climbs; and on 1,400
      more it matched dense grids (tests/test_student_t.py checks 48).

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
      Cauchy, nu = 1). Newton's method then approaches tau = 0 geometrically, and the boundary
      is compared in closed form.
    - For fixed tau the t likelihood in mu can have several local maxima (clusters of groups,
      as for any t location likelihood), and for fixed mu several in tau (e.g. one at tau = 0
      and one where a far group is treated as an outlier); hence the global search.

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
    if math.isinf(nu):
        tau2 = estimate_tau2(y, v, "ML")
        mu, mu_var = precision_weighted_mean(y, v + tau2)
        tau = math.sqrt(tau2)
        pooling = _pool(y, v, tau, nu, mu)
        return StudentTFit(mu, tau, nu, pooling.log_likelihood, pooling, math.sqrt(mu_var))

    data = standardise(y, v)
    ys, vs = data.y, data.v
    mu_0, _ = precision_weighted_mean(ys, vs)
    best = (mu_0, 0.0, float(-0.5 * (_LOG_2PI + np.log(vs) + (ys - mu_0) ** 2 / vs).sum()))
    for start in _search(ys, vs, nu, mu_0):
        found = _refine(ys, vs, nu, *start)
        if found[1] > _TAU_FLOOR and found[2] > best[2]:
            best = found
    mu, tau = data.centre + data.scale * float(best[0]), data.scale * float(best[1])
    pooling = _pool(y, v, tau, nu, mu)
    mu_se = data.scale * _mu_se(ys, vs, nu, float(best[0]), float(best[1]))
    return StudentTFit(mu, tau, nu, pooling.log_likelihood, pooling, mu_se)


def _mu_se(y: np.ndarray, v: np.ndarray, nu: float, mu: float, tau: float) -> float:
    """The standard error of mu at the maximum (mu, tau): sqrt(inverse of minus the Hessian
    in (mu, tau))[mu, mu]; at tau = 0 the GLS standard error. NaN where the Hessian is not
    negative definite (never at an interior maximum)."""
    if tau == 0.0:
        return math.sqrt(precision_weighted_mean(y, v)[1])
    _, _, hess = _derivatives(y, v, mu, tau, nu)
    information = -hess
    det = float(information[0, 0] * information[1, 1] - information[0, 1] ** 2)
    if not (information[0, 0] > 0.0 and det > 0.0):
        return math.nan
    return math.sqrt(float(information[1, 1]) / det)
