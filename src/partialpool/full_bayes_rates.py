"""Exact full Bayes for binomial and Poisson groups: a (mu, tau) grid with per-group quadrature.

y_j ~ Binomial(n_j, p_j) with logit p_j = eta_j, or x_j ~ Poisson(t_j lambda_j) with
log lambda_j = eta_j; eta_j ~ N(mu, tau^2), a flat prior on mu and one of the priors on tau of
`bayes.full_bayes`. Unlike the normal model (BDA3 section 5.4), mu cannot be integrated out
analytically, so the posterior of the hyperparameters (BDA3 section 5.3, eq. 5.8, with a
normal population on the link scale in place of the beta one),

    p(mu, tau | y) ∝ p(tau) prod_j L_j(mu, tau),   L_j = ∫ f(y_j | eta) N(eta; mu, tau^2) deta,

is tabulated on a grid over (mu, tau), each L_j and each conditional moment of a rate,
E(p_j^k | mu, tau, y_j), by the adaptive Gauss-Hermite quadrature of `_link_normal`. Every
summary mixes them over the grid,

    E(g(p_j) | y) = ∫∫ E(g(p_j) | mu, tau, y_j) p(mu, tau | y) dmu dtau,

and `FullBayesRates.draws` samples the grid, then each eta_j exactly given (mu, tau).

The grid (`_full_bayes`): rows at tau = c sinh(u) for evenly spaced u, and in each row points
MU_STEP s(tau) apart around mu_hat(tau), the mode of p(mu | tau, y) and s(tau) its curvature
scale. Both directions use the trapezoid rule, which converges geometrically for integrands
analytic in a strip (Trefethen and Weideman 2014, SIAM Review 56:385-458): in mu about
exp(-2 pi^2 / MU_STEP^2) = 3e-9 of a normal conditional; in u the integrand is even
(p(tau | y) depends on tau^2).

Accuracy bound: 1e-4 on p_mean, p_sd, p_lower and p_upper (absolute for binomial rates,
relative for Poisson ones); 1e-5 relative on mu_mean (absolute), mu_sd, tau_mean and the
quantiles of tau. The tests hold these against scipy's adaptive quadrature on four data sets
(tests/reference/full_bayes_rates_quad.py: the surgical deaths, a small random data set with a
half-Cauchy prior, three groups inside under the flat prior, the pumps), where the errors seen
are below 5e-7 on the rates' moments and quantiles and 2e-6 on the rest; against a grid four
to ten times finer, below 4e-6 and 2e-6 on nine data sets (groups of 1 to 3 trials, 3 to 71
groups, tau near 0, a half-Cauchy scale of 1e-8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._link_normal import (
    _LOG_W,
    _LOG_W_CHECK,
    _X,
    _X_CHECK,
    BINOMIAL,
    POISSON,
    SPAN,
    Family,
    Quadrature,
    _adaptive,
    _Rule,
    _weigh,
    fit,
)
from ._validation import check_choice, check_count, check_scalar
from .bayes import _CELL_WEIGHTS, PRIORS, _log_prior
from .binomial import check_counts
from .poisson import _unit, check_rates

CUT = 25.0
"""The grid covers every (mu, tau) where the posterior density, and tau or tau^2 times it for
the moments that exist, is within this many nats of its peak."""
AGREEMENT = 1e-6
"""Largest |difference| of the 25- and 13-node Gauss-Hermite log L_j for which the 25-node rule
is kept at the grid's bulk (`_link_normal.AGREEMENT` is 1e-7, for the fit's derivatives)."""
MU_STEP = 1.0
"""Step of the grid in mu, in units of the curvature scale s(tau) of p(mu | tau, y)."""
MU_SPAN = 8.0
"""Half-width of each row of the grid in mu, in units of s(tau), before its ends are checked."""
U_STEP = 0.25
"""Largest step in u (tau = c sinh(u))."""
U_STEPS_PER_SD = 2.0
"""Steps in u per posterior sd of u, at least."""
MIN_ROWS = 16
"""Least number of rows (tau values); `_log_row_at` interpolates through 12 of them."""
PILOT_SIZE = 32
"""Points of the pilot in log tau."""
PILOT_PRECISION = 1e-3
"""The pilot's mu_hat(tau) are within this many s(tau) (so log L within 1e-6)."""
C_MAX, C_RATIO = 0.5, 4.0
"""c, in tau = c sinh(u), is the smallest of C_MAX and the tau where p(tau | y) per unit log
tau peaks over C_RATIO, so that the rows are nearly even in log tau over the bulk of
p(tau | y) and its flanks. Each L_j solves the heat equation in tau^2 / 2 from f(y_j | eta),
whose poles (binomial) or growth (Poisson) lie about pi off the real eta axis; it is smooth
in tau^2 but not analytic at 0, and the rule in u converges fast only where c cosh(u) is
small against pi or close to tau. With c = 2 for a posterior of tau near 3, a step of 0.25
gave errors of 1e-3 in a quantile of a rate; with c = 0.5, 1e-7. A smaller c also stretches
the steep flank below the bulk of p(tau | y) over more rows."""
TAU_MIN, TAU_MAX = 1e-100, 1e10
"""The grid's tau stays between these (on the link scale; for Poisson counts, with the
exposures over their geometric mean). Beyond TAU_MAX, eta = mu + tau z would lose more than
1e-6 of absolute precision; a polynomial tail of p(tau | y) is cut there, leaving out a mass
of about (c / TAU_MAX)^(a - 1) for p(tau | y) ~ tau^-a and a typical tau c."""
FALLBACK_POINTS = 8001
"""Most points of the trapezoid rule of `_fallback`."""
ETA_POINTS = 4001
"""Most points of the grid in eta on which the rates' quantiles are found."""
SUBDIVISIONS = 8
"""Most sub-points per step in mu for the rates' quantiles (see `_rate_quantiles`)."""
_CHUNK = 1 << 14
"""Grid points x groups per block."""
_DRAW_CHUNK = 1 << 16
"""Draws x groups per block."""
_NEWTON_LIMIT = 60
_GL_T, _GL_W = np.polynomial.legendre.leggauss(8)
_GL_T, _GL_W = (_GL_T + 1.0) / 2.0, _GL_W / 2.0
"""8-point Gauss-Legendre on [0, 1]."""
_GH_X, _GH_W = np.polynomial.hermite.hermgauss(5)


@dataclass(frozen=True, eq=False)
class RateDraws:
    """Draws from the posterior of binomial or Poisson groups (`FullBayesRates.draws`), as
    `bayes.NormalDraws`.

    Fields
    ------
    mu, tau : the draws of mu and tau, shape (S,).
    rate : shape (S, J); row s is a draw of the groups' rates, p_j (binomial) or lambda_j
        (Poisson, per unit of exposure), given mu[s] and tau[s]; `theta` is the same array.
    seed : the seed of `numpy.random.default_rng` that gave them.
    """

    mu: np.ndarray
    tau: np.ndarray
    rate: np.ndarray
    seed: int

    @property
    def theta(self) -> np.ndarray:
        """The rates, `rate`: the draws of theta_j that other code reads."""
        return self.rate


@dataclass(frozen=True, eq=False)
class _Grid:
    """The grid on the working scale: row i at tau = c sinh(u[i]), column k at
    mu = row_mu[i] + row_s[i] * MU_STEP * k[k], each point with its log posterior density per
    unit u and unit k (unnormalised); and the model, for `FullBayesRates.draws`."""

    family: Family
    y: np.ndarray
    n: np.ndarray
    u: np.ndarray
    c: float
    k: np.ndarray
    row_mu: np.ndarray
    row_s: np.ndarray
    log_density: np.ndarray

    @property
    def tau(self) -> np.ndarray:
        return self.c * np.sinh(self.u)

    @property
    def u_weights(self) -> np.ndarray:
        """The trapezoid rule in u (the integrands are negligible at a far end)."""
        w = np.full(self.u.size, float(self.u[1] - self.u[0]))
        w[[0, -1]] /= 2.0
        return w

    @property
    def log_mass(self) -> np.ndarray:
        """log of each point's share of the posterior (they sum to 1)."""
        log_mass = self.log_density + np.log(self.u_weights)[:, None]
        top = log_mass.max()
        return log_mass - top - math.log(float(np.exp(log_mass - top).sum()))

    @property
    def log_row(self) -> np.ndarray:
        """log p(tau | y) per unit u (unnormalised): each row's sum over k, the trapezoid
        rule in k."""
        top = self.log_density.max(axis=1, keepdims=True)
        return (top + np.log(np.exp(self.log_density - top).sum(axis=1, keepdims=True)))[:, 0]

    @property
    def mu(self) -> np.ndarray:
        return self.row_mu[:, None] + (self.row_s * MU_STEP)[:, None] * self.k


@dataclass(frozen=True, eq=False)
class FullBayesRates:
    """Posterior summaries of binomial (logit-normal) or Poisson (log-normal) groups.

    Fields
    ------
    p_mean, p_sd : posterior mean and sd of each group's rate, p_j (binomial) or lambda_j
        (Poisson, per unit of exposure); `theta_mean` and `theta_sd` are the same arrays.
    p_lower, p_upper : 2.5% and 97.5% posterior quantiles of each rate.
    mu_mean, mu_sd : posterior mean and sd of mu (nan and inf when they do not exist; see
        `_full_bayes`).
    tau_mean : E(tau | y) (inf when it does not exist).
    tau_grid : tau of the grid's rows, tau_grid_scale * sinh(u) for evenly spaced u, from 0
        unless p(tau | y) is negligible there.
    tau_density : p(tau | y) on tau_grid, normalised: sum(tau_weights * tau_density) == 1.
    tau_weights : quadrature weights in tau (the trapezoid rule in u times dtau / du), as in
        `bayes.FullBayes`.
    tau_cdf : P(tau <= tau_grid[i] | y).
    mu_grid : (rows, columns) mu of each grid point; row i lies at tau_grid[i] and spans
        mu_hat(tau) +- 8 or more curvature scales of p(mu | tau, y).
    grid_mass : (rows, columns) posterior probability of each grid point (they sum to 1):
        the weight of the point in every sum over the grid.
    prior, scale : the prior on tau and its scale (None for uniform).
    tau_grid_scale : the c of tau = c sinh(u).
    """

    p_mean: np.ndarray
    p_sd: np.ndarray
    p_lower: np.ndarray
    p_upper: np.ndarray
    mu_mean: float
    mu_sd: float
    tau_mean: float
    tau_grid: np.ndarray
    tau_density: np.ndarray
    tau_weights: np.ndarray
    tau_cdf: np.ndarray
    mu_grid: np.ndarray
    grid_mass: np.ndarray
    prior: str
    scale: float | None
    tau_grid_scale: float
    _grid: _Grid = field(repr=False)
    _log_unit: float = field(repr=False)

    @property
    def theta_mean(self) -> np.ndarray:
        """The posterior means of the rates, `p_mean`."""
        return self.p_mean

    @property
    def theta_sd(self) -> np.ndarray:
        """The posterior sds of the rates, `p_sd`."""
        return self.p_sd

    def tau_quantiles(self, q: object) -> np.ndarray | float:
        """Posterior quantiles of tau: P(tau <= t | y) = q solved for t by Newton's method in
        the cell of the grid in u that holds q, the CDF within it by 8-point Gauss-Legendre on
        the interpolant of log p(tau | y) of `_log_row_at` (as `tau_cdf` and `tau_mean`)."""
        qs = np.asarray(q, dtype=float)
        if not np.all((qs >= 0.0) & (qs <= 1.0)):
            raise ValueError(f"quantiles must lie in [0, 1]; got {q!r}")
        out = _tau_quantiles(self._grid, qs)
        return float(out) if out.ndim == 0 else out

    def interval(self) -> tuple[np.ndarray, np.ndarray]:
        """(p_lower, p_upper): each rate's 95% equal-tailed posterior interval, from its
        exact quantiles (not a normal approximation)."""
        return self.p_lower, self.p_upper

    def draws(self, size: int, seed: int) -> RateDraws:
        """`size` draws of (mu, tau, rates) from the posterior, the same for the same seed.

        A grid point is drawn with probability `grid_mass`, then (u, k) uniformly within its
        cell: the jitter that gives a grid sample a continuous distribution (BDA3 section
        3.7; without it every draw at tau = 0 would tie all the rates). In mu the jitter is
        shrunk toward each row's mean, k -> mean + sqrt(1 - 1 / (12 var)) (k - mean), var the
        row's variance of k, so that mu's mean and variance given tau are the grid's (plain
        jitter would add 1/12 of a step squared, 8% of Var(mu | tau, y)); in u it adds at
        most h_u^2 / 12, 2% of Var(u | y). Given (mu, tau) each eta_j is drawn exactly from
        p(eta_j | mu, tau, y_j) (`_conditional_draws`), so the distribution of the rates given
        the hyperparameters, on which rankings and predictive checks rest, is exact.
        """
        size, seed = check_count(size, "size", 1), check_count(seed, "seed", 0)
        rng = np.random.default_rng(seed)
        mu, tau, rate = _draws(self._grid, self.grid_mass, size, rng, self._log_unit)
        return RateDraws(mu, tau, rate, seed)


def full_bayes_binomial(
    successes: object, trials: object, prior: str = "uniform", scale: float | None = None
) -> FullBayesRates:
    """Exact posterior of y_j ~ Binomial(n_j, p_j), logit p_j ~ N(mu, tau^2), flat on mu.

    p(mu, tau | y) ∝ p(tau) prod_j L_j(mu, tau) (module docstring) on a grid; the posterior
    mean, sd and 95% interval of each p_j, of mu and of tau. See `_full_bayes` for the grid,
    its accuracy and the edge cases.

    Parameters
    ----------
    successes, trials : y_j and n_j, whole numbers with 0 <= y_j <= n_j, n_j >= 1.
    prior : "uniform" (flat on tau >= 0; needs 3 groups with 0 < y_j < n_j) or "half-cauchy"
        (p(tau) ∝ 1 / (1 + (tau / scale)^2), Gelman 2006; needs one such group).
    scale : the half-Cauchy scale, > 0; None for the uniform prior.

    Examples
    --------
    The surgical deaths (BUGS Examples Volume 1); scipy's brute force gives the same to 1e-8
    (tests/reference/full_bayes_rates_quad.py):

    >>> deaths = [0, 18, 8, 46, 8, 13, 9, 31, 14, 8, 29, 24]
    >>> operations = [47, 148, 119, 810, 211, 196, 148, 215, 207, 97, 256, 360]
    >>> fb = full_bayes_binomial(deaths, operations)
    >>> print(f"hospital A: {fb.p_mean[0]:.4f}, 95% in {fb.p_lower[0]:.4f} to {fb.p_upper[0]:.4f}")
    hospital A: 0.0495, 95% in 0.0145 to 0.0928
    >>> print(f"E(tau | y) = {fb.tau_mean:.4f}, median {fb.tau_quantiles(0.5):.4f}")
    E(tau | y) = 0.4648, median 0.4345
    """
    y, n = check_counts(successes, trials)
    prior, scale = _check_prior(prior, scale)
    inside = (y > 0) & (y < n)
    _check_proper(inside, prior, "full_bayes_binomial", "0 < successes < trials")
    return _full_bayes(BINOMIAL, y, n, prior, scale, int(inside.sum()), 0.0)


def full_bayes_log_normal_poisson(
    counts: object, exposure: object, prior: str = "uniform", scale: float | None = None
) -> FullBayesRates:
    """Exact posterior of x_j ~ Poisson(t_j lambda_j), log lambda_j ~ N(mu, tau^2), flat on mu.

    As `full_bayes_binomial`, with "a group with counts > 0" in place of 0 < y_j < n_j. The
    grid runs on the exposures over their geometric mean g (`poisson._unit`), which shifts mu
    by log g and leaves tau alone; rates are per unit of the exposure as given.
    """
    x, t = check_rates(counts, exposure)
    prior, scale = _check_prior(prior, scale)
    _check_proper(x > 0, prior, "full_bayes_log_normal_poisson", "counts > 0")
    g = _unit(t)
    return _full_bayes(POISSON, x, t / g, prior, scale, int((x > 0).sum()), math.log(g))


def _check_prior(prior: object, scale: object) -> tuple[str, float | None]:
    prior = check_choice(prior, "prior", PRIORS)
    if prior == "uniform":
        if scale is not None:
            raise ValueError(f"scale applies only to the half-cauchy prior; got scale == {scale}")
        return prior, None
    if scale is None:
        raise ValueError("the half-cauchy prior needs a scale > 0; got scale == None")
    return prior, check_scalar(scale, "scale", low=0.0, low_inclusive=False)


def _check_proper(inside: np.ndarray, prior: str, what: str, rule: str) -> None:
    """Refuse data whose posterior is improper.

    With J' groups whose likelihood is integrable in eta (binomial 0 < y_j < n_j, Poisson
    x_j > 0), the integral over mu of prod_j L_j(mu, tau) falls off like tau^(1 - J') for large
    tau, the other groups' L_j tending to constants; so p(tau | y) ∝ p(tau) tau^(1 - J') in the
    tail: proper under the uniform prior iff J' >= 3, under the half-Cauchy iff J' >= 1. With
    J' == 0 the integral over mu grows like tau, or diverges (all counts 0), under either.
    """
    count = int(inside.sum())
    if prior == "uniform" and count < 3:
        raise ValueError(
            f"{what} with a uniform prior on tau needs at least 3 groups with {rule} for a "
            f"proper posterior (p(tau | y) falls off only like tau^(1 - J') for J' such "
            f"groups); "
            f"got {count}. Choose prior='half-cauchy' with a scale, which needs one such group."
        )
    if count < 1:
        raise ValueError(
            f"{what} needs at least one group with {rule}: without one the likelihood "
            f"integrated over mu does not fall off as tau grows (it grows like tau, or is "
            f"infinite when every group is at the same end), so the posterior is improper "
            f"under the flat prior on mu, whatever the prior on tau. Add such a group, or use a "
            f"model with a proper prior on mu"
        )


def _full_bayes(
    family: Family,
    y: np.ndarray,
    n: np.ndarray,
    prior: str,
    scale: float | None,
    inside: int,
    log_unit: float,
) -> FullBayesRates:
    """The posterior on a grid over (u, k): tau = c sinh(u), mu = mu_hat(tau) + s(tau) k.

    A pilot in x = log tau (`_pilot`) finds where p(tau | y) lies and its typical size; the
    rows (`_u_grid`) are evenly spaced in u, at most U_STEP and 1 / U_STEPS_PER_SD of the
    posterior sd of u apart, over the u where p(tau | y) per unit u, and tau or tau^2 times it
    for the moments that exist, are within exp(-CUT) of their peaks. Each row holds points
    MU_STEP s(tau) apart over mu_hat(tau) +- MU_SPAN s(tau) (both from the pilot's Newton
    iterations, interpolated), widened while a row's end is within exp(-CUT) of the grid's
    peak. A point's density per unit u and k is p(tau) prod_j L_j(mu, tau) times the Jacobian
    s(tau) MU_STEP c cosh(u); its mass adds the trapezoid weight in u.

    `inside` is J', the number of groups whose likelihood is integrable in eta
    (`_check_proper`); `log_unit` is the log of the unit of the Poisson exposures (0 for
    binomial counts).

    Notes
    -----
    With J' such groups, p(tau | y) falls off like tau^-a with a = J' - 1 (uniform prior) or
    J' + 1 (half-Cauchy). E(tau | y) exists only when a > 2 and sd(mu | y) only when a > 3;
    otherwise they are inf (as in `bayes.full_bayes`), and mu_mean is nan when a <= 2 (given
    tau, mu spreads, and with groups at 0 or at their trials drifts, in proportion to tau, so
    E|mu| is infinite). The rates' moments and quantiles always exist. For small a the rows
    run out to tau about e^CUT times its typical size, or to TAU_MAX.
    """
    tail = inside - 1.0 if prior == "uniform" else inside + 1.0
    log_scale = 0.0 if scale is None else math.log(scale)
    ml = fit(family, y, n)  # mu is finite: some group's likelihood is integrable
    typical = ml.tau if ml.tau > 0 else math.sqrt(float(np.median(family.empirical(y, n)[1])))
    sizes = [math.log(typical)] if scale is None else [math.log(typical), log_scale]
    x, rows, known = _pilot(family, y, n, prior, log_scale, tail, ml.mu, sizes)
    u, c, weight = _u_grid(x, rows)
    tau = c * np.sinh(u)
    with np.errstate(divide="ignore"):
        log_tau = math.log(c) + np.log(np.sinh(u))
    row = _interpolate(known, log_tau)
    row_terms = _log_prior(log_tau, prior, log_scale) + np.log(row.s * MU_STEP * c * np.cosh(u))

    half = round(MU_SPAN / MU_STEP)
    k = np.arange(-half, half + 1.0)
    values = _evaluate(family, y, n, tau, row, k, weight)
    for _ in range(50):
        log_density = values[0].sum(axis=2) + row_terms[:, None]
        top = log_density.max()
        low, high = log_density[:, 0].max() > top - CUT, log_density[:, -1].max() > top - CUT
        if not (low or high):
            break
        extra_lo = k[0] - np.arange(4.0, 0.0, -1.0) if low else np.empty(0)
        extra_hi = k[-1] + np.arange(1.0, 5.0) if high else np.empty(0)
        parts = [_evaluate(family, y, n, tau, row, extra_lo, weight), values]
        parts.append(_evaluate(family, y, n, tau, row, extra_hi, weight))
        values = tuple(np.concatenate([p[i] for p in parts], axis=1) for i in range(3))
        k = np.concatenate((extra_lo, k, extra_hi))
    else:
        raise RuntimeError("the grid in mu did not settle; please report this data set")
    log_lik, p_mean_at, p_var_at = values
    grid = _Grid(family, y, n, u, c, k, row.mu, row.s, log_density - top)
    mass = np.exp(grid.log_mass)

    p_mean = np.einsum("bk,bkj->j", mass, p_mean_at)
    d = p_mean_at - p_mean
    p_var = np.einsum("bk,bkj->j", mass, p_var_at + d * d)
    mu = grid.mu
    mu_mean = float((mass * mu).sum())
    mu_sd = math.sqrt(float((mass * (mu - mu_mean) ** 2).sum()))

    cdf, tau_mean = _marginal(grid)
    per_u = np.exp(grid.log_row - grid.log_row.max())
    if tail <= 2.0:
        tau_mean, mu_mean = math.inf, math.nan
    if tail <= 3.0:
        mu_sd = math.inf

    lower, upper = _rate_quantiles(grid, log_lik, (0.025, 0.975))
    unit = math.exp(log_unit)
    jacobian = c * np.cosh(u)
    return FullBayesRates(
        p_mean=p_mean / unit,
        p_sd=np.sqrt(p_var) / unit,
        p_lower=family.inverse_link(lower) / unit,
        p_upper=family.inverse_link(upper) / unit,
        mu_mean=mu_mean - log_unit,
        mu_sd=mu_sd,
        tau_mean=tau_mean,
        tau_grid=tau,
        tau_density=per_u / jacobian / float(grid.u_weights @ per_u),
        tau_weights=grid.u_weights * jacobian,
        tau_cdf=cdf,
        mu_grid=mu - log_unit,
        grid_mass=mass,
        prior=prior,
        scale=scale,
        tau_grid_scale=c,
        _grid=grid,
        _log_unit=log_unit,
    )


def _pilot(
    family: Family,
    y: np.ndarray,
    n: np.ndarray,
    prior: str,
    log_scale: float,
    tail: float,
    start: float,
    sizes: list[float],
) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, _Profile]]]:
    """PILOT_SIZE points in x = log tau whose interior holds every x where a row of the log
    integrands is within CUT of its peak, found by widening or narrowing the range (as
    `bayes._bracket`); the rows, and every profile computed on the way.

    Rows: Laplace's method in mu, log p(tau | y) ~ log p(tau) + sum_j log L_j(mu_hat(tau), tau)
    + log s(tau), plus x (per unit x), and tau^k times it for k = 1, 2 when E(tau^k | y) exists
    (p(tau | y) falls off like tau^-tail).
    """
    powers = [k for k in (1, 2) if tail > k + 1]
    known: list[tuple[np.ndarray, _Profile]] = []

    def rows_at(x: np.ndarray) -> np.ndarray:
        mu = _interpolate(known, x).mu if known else np.full(x.size, start)
        profile = _profile(family, y, n, np.exp(x), mu, PILOT_PRECISION)
        known.append((x, profile))
        g = _log_prior(x, prior, log_scale) + profile.log_lik + np.log(profile.s) + x
        return np.stack((g, *(g + k * x for k in powers)))

    floor, ceiling = math.log(TAU_MIN), math.log(TAU_MAX)
    hi = min(max(sizes) + CUT / max(tail - 3.0, 1.0) + 5.0, ceiling)
    lo = max(min(min(sizes), hi) - CUT - 5.0, floor)
    x = np.linspace(lo, hi, PILOT_SIZE)
    for _ in range(40):
        rows = rows_at(x)
        near = np.flatnonzero(np.any(rows >= rows.max(axis=1, keepdims=True) - CUT, axis=0))
        i, j = int(near[0]), int(near[-1])
        width = x[-1] - x[0]
        grow_lo = i == 0 and x[0] > floor
        grow_hi = j == x.size - 1 and x[-1] < ceiling
        if grow_lo or grow_hi:
            lo = max(floor, x[0] - width * grow_lo)
            x = np.linspace(lo, min(ceiling, x[-1] + width * grow_hi), x.size)
            continue
        top = int(np.argmax(rows[0]))
        if (top == 0 and x[0] <= floor) or (top == x.size - 1 and x[-1] >= ceiling):
            raise ValueError(
                f"the posterior of tau lies beyond {TAU_MIN:g} to {TAU_MAX:g} (on the link "
                f"scale): the half-cauchy scale is too far from the scale of the data"
            )
        new_lo, new_hi = x[max(i - 1, 0)], x[min(j + 1, x.size - 1)]
        if new_hi - new_lo > 0.5 * width:
            return x, rows, known
        x = np.linspace(new_lo, new_hi, x.size)
    raise RuntimeError("the tau grid did not settle; please report this data set")


@dataclass(frozen=True, eq=False)
class _Profile:
    """For each tau: mu_hat(tau), the mode of p(mu | tau, y); the curvature scale
    s = (-d2 log L / dmu2)^(-1/2) there; sum_j log L_j there; each group's mode in z."""

    mu: np.ndarray
    s: np.ndarray
    log_lik: np.ndarray
    modes: np.ndarray


def _profile(
    family: Family,
    y: np.ndarray,
    n: np.ndarray,
    tau: np.ndarray,
    mu: np.ndarray,
    precision: float = 1e-9,
) -> _Profile:
    """mu_hat(tau) for every tau at once by Newton's method from `mu`.

    sum_j log L_j is concave in mu (each L_j is a convolution of log-concave functions), so the
    sign of its slope brackets the maximum; a Newton step that would leave the bracket, or
    that exceeds 2 (1 + tau) (about the width of p(mu | tau, y)), is replaced by the bracket's
    midpoint or held to that length (rtsafe, Numerical Recipes section 9.4). While the bracket
    is open on the side it moves to, a step that is not half the last (Newton's method crawls
    one unit a step down the steep side of sum_j n_j e^mu) is replaced by twice the last. Each
    tau stops when its step is below `precision` times the width or its bracket has closed
    (at a large tau the slope is a sum of terms that cancel down to rounding).
    """
    J = y.size
    mu = mu.astype(float).copy()
    s, log_lik = np.empty(tau.size), np.empty(tau.size)
    modes = np.zeros((tau.size, J))
    lo, hi = np.full(tau.size, -np.inf), np.full(tau.size, np.inf)
    last = np.zeros(tau.size)
    active = np.arange(tau.size)
    for _ in range(_NEWTON_LIMIT):
        t, m = tau[active], mu[active]
        ys, ns = np.tile(y, t.size), np.tile(n, t.size)
        mus, taus = np.repeat(m, J), np.repeat(t, J)
        q = _integrals(family, ys, ns, mus, taus, modes[active].ravel())
        score, curvature = _mu_derivatives(family, ys, ns, taus, q)
        gradient = score.reshape(-1, J).sum(axis=1)
        hessian = np.minimum(curvature.reshape(-1, J).sum(axis=1), -1e-300)
        limit = 2.0 * (1.0 + t)
        with np.errstate(over="ignore"):  # a flat profile: the step is held to the limit
            step = np.clip(-gradient / hessian, -limit, limit)
        s[active] = 1.0 / np.sqrt(-hessian)
        log_lik[active] = q.log_lik.reshape(-1, J).sum(axis=1)
        modes[active] = q.modes.reshape(-1, J)
        low = lo[active] = np.where(gradient > 0, m, lo[active])
        high = hi[active] = np.where(gradient < 0, m, hi[active])
        done = (np.abs(step) <= precision * s[active]) | (high - low <= 1e-12 * (1.0 + np.abs(m)))
        ahead_open = np.where(step > 0, np.isinf(high), np.isinf(low))
        crawl = (
            ahead_open & (step * last[active] > 0) & (np.abs(step) >= 0.5 * np.abs(last[active]))
        )
        step = np.where(crawl, 2.0 * last[active], step)
        new = m + step
        outside = (new <= low) | (new >= high)
        closed = np.isfinite(low) & np.isfinite(high)
        middle = (np.where(closed, low, 0.0) + np.where(closed, high, 0.0)) / 2.0
        new = np.where(outside & closed, middle, new)
        slopes = _mode_slopes(family, ys, ns, mus, taus, q.modes).reshape(-1, J)
        modes[active] += slopes * (new - m)[:, None]
        last[active] = new - m
        keep = ~done
        mu[active[keep]] = new[keep]
        active = active[keep]
        if active.size == 0:
            return _Profile(mu, s, log_lik, modes)
    raise RuntimeError("mu_hat(tau) did not converge; please report this data set")


def _interpolate(known: list[tuple[np.ndarray, _Profile]], x: np.ndarray) -> _Profile:
    """The profiles at x = log tau, linear in x between the pilot's points (held at the
    ends). A row of the grid needs only a centre and a width near mu_hat(tau) and s(tau):
    its sum over mu is accurate for any that keep the step fine and the ends negligible
    (which `_full_bayes` checks)."""
    xs = np.concatenate([k[0] for k in known])
    order = np.argsort(xs)

    def at(values: np.ndarray) -> np.ndarray:
        return np.interp(x, xs[order], values[order])

    mu = at(np.concatenate([k[1].mu for k in known]))
    s = np.exp(at(np.log(np.concatenate([k[1].s for k in known]))))
    log_lik = at(np.concatenate([k[1].log_lik for k in known]))
    modes = np.concatenate([k[1].modes for k in known])
    return _Profile(mu, s, log_lik, np.stack([at(m) for m in modes.T], axis=1))


def _asinh_exp(z: float) -> float:
    """asinh(exp(z)) without overflow."""
    return z + math.log1p(math.sqrt(1.0 + math.exp(-2.0 * z))) if z > 0 else math.asinh(math.exp(z))


def _u_grid(x: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """The rows' u (evenly spaced), c, and the weight of each row: the largest of the pilot's
    rows (log p(tau | y), and of tau^k p(tau | y) for the moments, per unit u) less its peak.

    c is set by C_MAX and C_RATIO. Per unit u the rows are those per unit x times
    hypot(1, c / tau), so u starts at 0 when they are not negligible at the pilot's smallest
    tau, and ends past the last x where they are. The step is at most
    U_STEP and at most the posterior sd of u (from the pilot's density, interpolated in x)
    over U_STEPS_PER_SD.
    """
    log_c = min(float(x[np.argmax(rows[0])]) - math.log(C_RATIO), math.log(C_MAX))
    in_u = rows + 0.5 * np.logaddexp(0.0, 2.0 * (log_c - x))
    keep = np.flatnonzero(np.any(in_u >= in_u.max(axis=1, keepdims=True) - CUT, axis=0))
    u_lo = 0.0 if keep[0] == 0 else _asinh_exp(x[keep[0] - 1] - log_c)
    u_hi = _asinh_exp(x[min(keep[-1] + 1, x.size - 1)] - log_c)
    probe = np.linspace(u_lo, u_hi, 400)
    with np.errstate(divide="ignore"):
        log_density = np.interp(log_c + np.log(np.sinh(probe)), x, in_u[0], left=-np.inf)
    w = np.exp(log_density - log_density.max())
    mean = float(w @ probe) / float(w.sum())
    sd = math.sqrt(float(w @ (probe - mean) ** 2) / float(w.sum()))
    step = min(U_STEP, sd / U_STEPS_PER_SD)
    size = max(MIN_ROWS, math.ceil((u_hi - u_lo) / step) + 1)
    u = np.linspace(u_lo, u_hi, size)
    with np.errstate(divide="ignore"):
        at = log_c + np.log(np.sinh(u))
    weight = np.max([np.interp(at, x, row) - row.max() for row in in_u], axis=0)
    return u, math.exp(log_c), weight


def _integrals(
    family: Family,
    y: np.ndarray,
    n: np.ndarray,
    mu: np.ndarray,
    tau: np.ndarray,
    start: np.ndarray,
    tolerance: np.ndarray | float = AGREEMENT,
) -> Quadrature:
    """`_link_normal.quadrature` with its own (mu_i, tau_i) for every element i of y and n.

    The adaptive 25-node Gauss-Hermite rule centred at the mode of z_i's posterior
    (eta = mu + tau z), kept where it agrees with the 13-node rule to `tolerance` in log L_i;
    elsewhere `_fallback`.
    """
    mode, scale = _modes(family, y, n, mu, tau, start)
    at = (mu[:, None], tau[:, None])
    log_lik, z, weights, eta = _adaptive(family, y, n, *at, mode, scale, (_X, _LOG_W))
    check = _adaptive(family, y, n, *at, mode, scale, (_X_CHECK, _LOG_W_CHECK))[0]
    rough = np.abs(log_lik - check) > tolerance
    rate = family.inverse_link
    if not rough.any():
        return Quadrature(log_lik, mode, (_Rule(np.arange(y.size), z, weights, rate(eta)),))
    smooth, rows = np.flatnonzero(~rough), np.flatnonzero(rough)
    fine, batches = _fallback(
        family, y[rows], n[rows], mu[rows], tau[rows], mode[rows], scale[rows]
    )
    log_lik = log_lik.copy()
    log_lik[rows] = fine
    rules = (
        _Rule(smooth, z[smooth], weights[smooth], rate(eta[smooth])),
        *(_Rule(rows[b.rows], b.z, b.weights, b.p) for b in batches),
    )
    return Quadrature(log_lik, mode, rules)


def _modes(
    family: Family, y: np.ndarray, n: np.ndarray, mu: np.ndarray, tau: np.ndarray, z: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The mode of each element's posterior of z and its curvature scale (-h'')^(-1/2).

    As `_link_normal._modes`: Newton's method on h'(z) = tau (y - E(y | eta)) - z inside the
    bracket `Family.lower` to tau y, narrowed by the sign of h', with bisection instead of a
    step that would leave it or not halve the last (rtsafe, Numerical Recipes section 9.4).
    But each element stops on its own, when its Newton step is below 1e-10 of its curvature
    scale (or after 400 steps). `_link_normal._modes` stops all elements together when the
    largest step is below 1e-12 of the largest |z|: in a batch that holds a tau of 1e10, whose
    z reach 1e12, the others stop short of their modes. A step relative to z would stop too
    where e^eta is held at e^300 (`_link_normal._exp`), where h' is huge and Newton's steps
    about -1 / tau.
    """
    lo, hi = family.lower(y, n, mu, tau), tau * y
    # The mode lies between 0 (the prior's) and about where eta is the group's own estimate:
    # the signs of h' there narrow the bracket, which `Family.lower` can put 1e100 away.
    for at in (np.zeros_like(z), (family.empirical(y, n)[0] - mu) / np.maximum(tau, 1e-300)):
        at = np.clip(at, lo, hi)
        mean = family.moments(n, family.inverse_link(mu + tau * at))[0]
        slope = tau * (y - mean) - at
        lo, hi = np.where(slope > 0, at, lo), np.where(slope < 0, at, hi)
    z = np.clip(z, lo, hi)
    last = hi - lo
    active = np.arange(y.size)
    for _ in range(400):
        i = active
        t = tau[i]
        mean, variance = family.moments(n[i], family.inverse_link(mu[i] + t * z[i]))
        slope = t * (y[i] - mean) - z[i]
        curvature = 1.0 + t * t * variance
        lo[i] = np.where(slope > 0, z[i], lo[i])
        hi[i] = np.where(slope < 0, z[i], hi[i])
        step = slope / curvature
        newton = z[i] + step
        fast = np.abs(step) <= 0.5 * np.abs(last[i])
        new = np.where((newton >= lo[i]) & (newton <= hi[i]) & fast, newton, (lo[i] + hi[i]) / 2)
        last[i] = new - z[i]
        z[i] = new
        active = i[np.abs(slope) > 1e-10 * np.sqrt(curvature)]
        if active.size == 0:
            break
    variance = family.moments(n, family.inverse_link(mu + tau * z))[1]
    return z, 1.0 / np.sqrt(1.0 + tau * tau * variance)


def _fallback(
    family: Family,
    y: np.ndarray,
    n: np.ndarray,
    mu: np.ndarray,
    tau: np.ndarray,
    mode: np.ndarray,
    scale: np.ndarray,
) -> tuple[np.ndarray, list[_Rule]]:
    """The trapezoid rule in v, z = centre + b sinh(v), for posteriors of z far from normal.

    Such a posterior (a small group, or one at 0 or at its trials, when tau is large) has two
    features: its mode, of width `scale`, and the bend of the likelihood, of width about
    1 / tau in z, near the group's empirical link-scale estimate (`Family.empirical`), which
    is the centre. The grid spans mode +- SPAN (beyond, the density is below
    exp(-SPAN^2 / 2) of its peak, as h'' <= -1); b = min(scale, 1 / tau) / 2 resolves the bend
    and the step dv = min(0.2, scale / (2 (D + b))), D the distance from the centre to the
    mode, puts steps of at most scale / 2 at the mode. The integrand is analytic in a strip of
    half-width about pi / 4 in v, so the error falls like exp(-pi^2 / (2 dv)), below 1e-10
    (Trefethen and Weideman 2014, SIAM Review 56:385-458, section 5). The elements go in
    batches of 64, 256, ... points, each with the fewest it needs (at most FALLBACK_POINTS);
    returns log L_i and the rules (rows within these elements).
    """
    estimate = family.empirical(y, n)[0]
    far = 1.0 / np.maximum(tau, 1e-300)
    centre = np.clip((estimate - mu) * far, mode - SPAN, mode + SPAN)
    b = np.minimum(scale, far) / 2.0
    v_lo = np.arcsinh((mode - SPAN - centre) / b)
    v_hi = np.arcsinh((mode + SPAN - centre) / b)
    dv = np.minimum(0.2, scale / (2.0 * (np.abs(mode - centre) + b)))
    need = np.ceil((v_hi - v_lo) / dv) + 1
    log_lik, rules = np.empty(y.size), []
    size, done = 64, np.zeros(y.size, dtype=bool)
    while not done.all():
        batch = np.flatnonzero(~done & ((need <= size) | (size >= FALLBACK_POINTS)))
        done[batch] = True
        if batch.size:
            v = v_lo[batch, None] + (v_hi - v_lo)[batch, None] * np.linspace(0.0, 1.0, size)
            nodes = centre[batch, None] + b[batch, None] * np.sinh(v)
            log_step = np.log((v_hi - v_lo)[batch] / (size - 1))
            rule = (mu[batch, None], tau[batch, None], nodes)
            log_w = np.log(b[batch, None] * np.cosh(v))
            log_lik[batch], z, weights, eta = _weigh(
                family, y[batch], n[batch], rule, log_w, log_step
            )
            rules.append(_Rule(batch, z, weights, family.inverse_link(eta)))
        size = min(4 * size, FALLBACK_POINTS)
    return log_lik, rules


def _rate_moments(q: Quadrature) -> tuple[np.ndarray, np.ndarray]:
    """Each element's conditional mean and variance of its rate p."""
    mean = q.expect(lambda z, p: p)
    var = np.empty_like(mean)
    for rule in q.rules:
        d = rule.p - mean[rule.rows, None]
        var[rule.rows] = (rule.weights * d * d).sum(axis=1)
    return mean, var


def _mu_derivatives(
    family: Family, y: np.ndarray, n: np.ndarray, tau: np.ndarray, q: Quadrature
) -> tuple[np.ndarray, np.ndarray]:
    """d log L_i / dmu and d2 log L_i / dmu2 for every element, from the posterior of z_i.

    Two exact forms: on the likelihood's side E(r) and Var(r) - E(a), with r = y_i - E(y_i |
    eta) and a = Var(y_i | eta) (`_link_normal`); on the prior's side, from
    L_i = ∫ f(eta) N(eta; mu, tau^2) deta, E(z) / tau and (Var(z) - 1) / tau^2 (Tweedie's
    formula). The first cancels to rounding when the likelihood dominates (tau^2 E(a) >> 1,
    the curvature being about -1 / tau^2 against terms of size E(a)), the second when the
    prior does; each element takes the form with tau^2 E(a) on its side of 1.
    """
    score, curvature = np.empty(y.size), np.empty(y.size)
    for rule in q.rules:
        i, w = rule.rows, rule.weights
        mean, a = family.moments(n[i, None], rule.p)
        expected, e_z = (w * mean).sum(axis=1), (w * rule.z).sum(axis=1)
        d, dz = mean - expected[:, None], rule.z - e_z[:, None]
        e_a = (w * a).sum(axis=1)
        t = tau[i]
        prior_side = t * t * e_a > 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            score[i] = np.where(prior_side, e_z / t, y[i] - expected)
            curvature[i] = np.where(
                prior_side,
                ((w * dz * dz).sum(axis=1) - 1.0) / (t * t),
                (w * d * d).sum(axis=1) - e_a,
            )
    return score, curvature


def _mode_slopes(
    family: Family, y: np.ndarray, n: np.ndarray, mu: np.ndarray, tau: np.ndarray, z: np.ndarray
) -> np.ndarray:
    """dz/dmu at each mode z of h(z) = log f(y | mu + tau z) - z^2 / 2: -tau a / (1 + tau^2 a),
    a = Var(y | eta) there (from h'(z) = 0), to carry the modes along when mu moves."""
    a = family.moments(n, family.inverse_link(mu + tau * z))[1]
    return -tau * a / (1.0 + tau * tau * a)


def _evaluate(
    family: Family,
    y: np.ndarray,
    n: np.ndarray,
    tau: np.ndarray,
    row: _Profile,
    k: np.ndarray,
    weight: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """At every grid point of the columns k and every group (rows, columns, J): log L_j and
    the conditional mean and variance of p_j; blocks of about _CHUNK elements.

    `weight` is the pilot's log p(tau | y) per unit u less its peak (or that of tau or tau^2
    times it, whichever is larger), so that weight - (MU_STEP k)^2 / 2 estimates a point's
    log share in the summaries. The tolerance of the Gauss-Hermite check grows from
    AGREEMENT by the inverse of that share, up to 1e-2: an error in a point's log L_j moves
    the summaries only in proportion to its share, so far rows and columns need no 1e-6.
    """
    T, M, J = tau.size, k.size, y.size
    out = tuple(np.empty((T, M, J)) for _ in range(3))
    if M == 0:
        return out
    shift = (row.s * MU_STEP)[:, None] * k
    slopes = _mode_slopes(family, y, n, row.mu[:, None], tau[:, None], row.modes)
    block = max(1, _CHUNK // (M * J))
    for first in range(0, T, block):
        b = slice(first, first + block)
        shape = (tau[b].size, M, J)
        mu = np.broadcast_to((row.mu[b, None] + shift[b])[..., None], shape).ravel()
        taus = np.broadcast_to(tau[b, None, None], shape).ravel()
        start = (row.modes[b, None, :] + slopes[b, None, :] * shift[b][..., None]).ravel()
        ys, ns = np.broadcast_to(y, shape).ravel(), np.broadcast_to(n, shape).ravel()
        log_mass = weight[b, None] - 0.5 * (MU_STEP * k) ** 2
        tolerance = np.minimum(1e-2, AGREEMENT * np.exp(np.minimum(-log_mass, 30.0)))
        q = _integrals(family, ys, ns, mu, taus, start, np.repeat(tolerance.ravel(), J))
        for target, value in zip(out, (q.log_lik, *_rate_moments(q)), strict=True):
            target[b] = value.reshape(shape)
    return out


def _log_row_at(grid: _Grid, at: np.ndarray) -> np.ndarray:
    """log p(tau | y) per unit u at fractional row indices `at`: the polynomial through its
    values at the twelve rows around each (the stencil of `bayes`'s cell rule), mirrored
    about u = 0 (where it is even in u) when the grid starts there. Interpolating the log,
    nearly quadratic, rather than the density itself puts the quantiles of tau within 1e-6
    of converged values where the density's interpolant was off by 1e-4 (on the steep
    flank of p(tau | y) below its bulk)."""
    log_row = grid.log_row
    # Rows far below the peak are floored (they weigh nothing) and the interpolant is held
    # below the peak, so that a steep end cannot make the polynomial overshoot.
    top = log_row.max()
    log_row = np.maximum(log_row, top - 2.0 * CUT)
    if grid.u[0] == 0.0:
        log_row, at = np.concatenate((log_row[6:0:-1], log_row)), at + 6.0
    return np.minimum(_lagrange(log_row[None, :, None], at[None], 12)[0, ..., 0], top + 1.0)


def _cells(grid: _Grid) -> tuple[np.ndarray, np.ndarray]:
    """p(tau | y) (unnormalised, per unit u, from `_log_row_at`) at the 8 Gauss-Legendre
    nodes of each cell [u_i, u_i+1], (rows - 1, 8), and the nodes' fractional row indices."""
    at = np.arange(grid.u.size - 1)[:, None] + _GL_T
    return np.exp(_log_row_at(grid, at) - grid.log_row.max()), at


def _marginal(grid: _Grid) -> tuple[np.ndarray, float]:
    """P(tau <= tau_i | y) at the rows, and E(tau | y): the integrals of p(tau | y) du and
    tau p(tau | y) du over each cell by 8-point Gauss-Legendre on `_cells` (tau p is odd in
    u, so the trapezoid rule would be only second order at u = 0)."""
    density, at = _cells(grid)
    h = float(grid.u[1] - grid.u[0])
    cumulative = np.cumsum(density @ _GL_W)
    total = cumulative[-1]
    tau = grid.c * np.sinh(grid.u[0] + h * at)
    tau_mean = float((density * tau).sum(axis=0) @ _GL_W) / total
    return np.concatenate(([0.0], cumulative / total)), tau_mean


def _tau_quantiles(grid: _Grid, q: np.ndarray) -> np.ndarray:
    """P(tau <= t | y) = q for t; see `FullBayesRates.tau_quantiles`."""
    cdf, _ = _marginal(grid)
    h = float(grid.u[1] - grid.u[0])
    total = h * float((_cells(grid)[0] @ _GL_W).sum())
    i = np.clip(np.searchsorted(cdf, q, side="right") - 1, 0, grid.u.size - 2)
    target = q - cdf[i]
    width = cdf[i + 1] - cdf[i]
    t = np.clip(np.divide(target, width, out=np.zeros_like(q), where=width > 0), 0.0, 1.0)
    for _ in range(12):
        inside = np.exp(_log_row_at(grid, i[..., None] + t[..., None] * _GL_T) - grid.log_row.max())
        part = h * t * (inside @ _GL_W) / total
        slope = h * np.exp(_log_row_at(grid, i + t) - grid.log_row.max()) / total
        step = np.divide(part - target, slope, out=np.zeros_like(q), where=slope > 0)
        t = np.clip(t - step, 0.0, 1.0)
    return grid.c * np.sinh(grid.u[i] + t * h)


def _lagrange(
    values: np.ndarray, at: np.ndarray, points: int = 6, valid: np.ndarray | None = None
) -> np.ndarray:
    """Interpolation of values (R, M, J) along M at fractional indices `at` (R, ...) by the
    polynomial through the `points` values around each (the stencil shifted inward at the
    ends); (R, ..., J). Where `valid` (R, M) is False at a point of the stencil, -inf."""
    M = values.shape[1]
    first = np.clip(np.floor(at).astype(int) - (points // 2 - 1), 0, M - points)
    t = at - first
    r = np.arange(values.shape[0]).reshape((-1,) + (1,) * (at.ndim - 1))
    out = np.zeros((*at.shape, values.shape[2]))
    ok = np.ones(at.shape, dtype=bool)
    for m in range(points):
        w = np.prod([(t - other) / (m - other) for other in range(points) if other != m], axis=0)
        out += w[..., None] * np.where(np.isfinite(values[r, first + m]), values[r, first + m], 0.0)
        if valid is not None:
            ok &= valid[r, first + m]
    return np.where(ok[..., None], out, -np.inf)


def _rate_quantiles(grid: _Grid, log_lik: np.ndarray, probs: tuple[float, ...]) -> np.ndarray:
    """Quantiles of each eta_j's marginal posterior (len(probs), J), from its density on a
    grid in eta.

    p(eta_j = e | y) = f(y_j | e) sum_rows ∫ g_j(mu) N(e; mu, tau^2) dmu, where
    g_j(mu) = p(mu, tau | y) / L_j(mu, tau) (times the row's weight in u) is smooth in mu on
    the scale s(tau) of the row (it is p(tau) prod over the other groups of L_i). The
    integral over mu is the trapezoid rule on the row's points when tau >= 2 times their
    step h (aliasing below exp(-2 pi^2 / (MU_STEP^2 + 1 / 2^2)) = 1e-7 relative), on r
    sub-points per step (log g_j interpolated by quintics) when tau >= h / SUBDIVISIONS, and
    for smaller tau (down to tau = 0, where it is g_j(e)) 5-node Gauss-Hermite in
    (mu - e) / tau on the interpolated g_j, exact to O((tau / s)^10) (`_mu_points`). Groups
    whose posteriors lie close together (`_clusters`) share a grid e = centre + b sinh(v)
    (`_eta_grid`); the CDF is the cell rule of `bayes` in v, and each quantile the root of
    the cubic Hermite interpolant of the CDF in its cell.
    """
    points = _mu_points(grid, log_lik)
    location, width = _spread(grid)
    out = np.empty((len(probs), grid.y.size))
    for groups in _clusters(location, width):
        v, centre, b = _eta_grid(grid, groups, location, width)
        e = centre + b * np.sinh(v)
        density = _eta_density(grid, points, e, groups) * (b * np.cosh(v))[:, None]
        out[:, groups] = centre + b * np.sinh(_inverse_cdf(density, v, probs))
    return out


@dataclass(frozen=True, eq=False)
class _MuPoints:
    """The points in mu of `_rate_quantiles`: (atoms) mu, tau, log of each group's weight
    h g_j(mu) (A, J) and log of the point's mass; (tiny rows) their indices, log g_j at the
    rows' points and log of the rows' masses."""

    mu: np.ndarray
    tau: np.ndarray
    log_a: np.ndarray
    log_mass: np.ndarray
    tiny: np.ndarray
    log_g: np.ndarray
    tiny_log_mass: np.ndarray
    tiny_valid: np.ndarray


def _mu_points(grid: _Grid, log_lik: np.ndarray) -> _MuPoints:
    """The rows' own points and their interpolated sub-points, and the tiny rows; see
    `_rate_quantiles`. Rows with below 1e-15 of the mass are left out."""
    M, J = log_lik.shape[1:]
    tau, step = grid.tau, grid.row_s * MU_STEP
    log_mass = grid.log_mass
    # g_j is interpolated only between points with more than 1e-30 of the mass: elsewhere
    # log L_j can be astronomically negative (mu far above a Poisson group's rate).
    valid = log_mass > math.log(1e-30)
    log_g = np.where(
        valid[..., None], (log_mass - np.log(step)[:, None])[..., None] - log_lik, -np.inf
    )
    relevant = np.flatnonzero(np.exp(log_mass).sum(axis=1) > 1e-15)
    with np.errstate(divide="ignore"):
        ratio = np.where(tau > 0, 2.0 * step / tau, np.inf)
    subdivide = np.ceil(np.maximum(ratio, 1.0))
    mu, taus, log_a, log_m = [], [], [], []
    for r in np.unique(subdivide[relevant]):
        if r > SUBDIVISIONS:
            continue
        rows = relevant[subdivide[relevant] == r]
        at = np.broadcast_to(
            np.arange(0.0, M - 1.0 + 1e-9, 1.0 / r), (rows.size, (M - 1) * int(r) + 1)
        )
        lg = _lagrange(log_g[rows], at, valid=valid[rows])
        mu.append((grid.row_mu[rows, None] + step[rows, None] * (grid.k[0] + at)).ravel())
        taus.append(np.repeat(tau[rows], at.shape[1]))
        log_a.append((lg + np.log(step[rows] / r)[:, None, None]).reshape(-1, J))
        log_m.append(
            (
                _lagrange(log_mass[rows, :, None], at, valid=valid[rows])[..., 0] - math.log(r)
            ).ravel()
        )
    tiny = relevant[subdivide[relevant] > SUBDIVISIONS]
    row_log_mass = np.log(np.exp(log_mass).sum(axis=1))
    return _MuPoints(
        np.concatenate(mu) if mu else np.empty(0),
        np.concatenate(taus) if taus else np.empty(0),
        np.concatenate(log_a) if log_a else np.empty((0, J)),
        np.concatenate(log_m) if log_m else np.empty(0),
        tiny,
        log_g[tiny],
        row_log_mass[tiny],
        valid[tiny],
    )


def _spread(grid: _Grid) -> tuple[np.ndarray, np.ndarray]:
    """Each group's posterior location and width in eta, for the grids of `_rate_quantiles`:
    the mean and the sd of eta_j given the grid's most probable point, the sd widened by the
    spread s(tau) of mu in that row times d E(eta_j | mu, tau, y_j) / dmu = 1 / (1 + tau^2 a),
    a = Var(y_j | eta) at the mode (`_mode_slopes`)."""
    row, column = np.unravel_index(np.argmax(grid.log_mass), grid.log_mass.shape)
    family, y, n, J = grid.family, grid.y, grid.n, grid.y.size
    mu, tau = np.full(J, grid.mu[row, column]), np.full(J, grid.tau[row])
    q = _integrals(family, y, n, mu, tau, np.zeros(J))
    z_mean = q.expect(lambda z, p: z)
    z_var = np.maximum(q.expect(lambda z, p: z * z) - z_mean**2, 0.0)
    a = family.moments(n, family.inverse_link(mu + tau * q.modes))[1]
    shrunk = grid.row_s[row] / (1.0 + tau * tau * a)
    return mu + tau * z_mean, np.hypot(tau * np.sqrt(z_var), shrunk)


def _clusters(location: np.ndarray, width: np.ndarray) -> list[np.ndarray]:
    """The groups in runs along eta whose span stays within 50 times their narrowest width,
    so that one grid resolves them all with few points (one run for most data sets)."""
    order = np.argsort(location)
    runs, first, narrowest = [[order[0]]], location[order[0]], width[order[0]]
    for j in order[1:]:
        narrowest = min(narrowest, width[j])
        if location[j] - first > 50.0 * narrowest:
            runs.append([])
            first, narrowest = location[j], width[j]
        runs[-1].append(j)
    return [np.sort(np.array(run)) for run in runs]


def _eta_grid(
    grid: _Grid, groups: np.ndarray, location: np.ndarray, width: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """v (evenly spaced), the centre and b of e = centre + b sinh(v) for `groups`.

    The rows holding all but 1e-10 of the mass set the range (given a point, eta lies within
    its mu +- 9 tau, as h'' <= -1 / tau^2 in eta), with the groups' likelihoods (their
    empirical estimates +- 9 sds). Features (location, width) to resolve: each group's
    posterior (`_spread`) and likelihood (its empirical estimate and sd), and each row, where
    the integral over mu is smooth on the scale hypot(s, tau); b is the narrowest, and the
    step in v puts 5 points in every feature.
    """
    family, tau = grid.family, grid.tau
    row_mass = np.exp(grid.log_mass).sum(axis=1)
    order = np.argsort(row_mass)
    ranged = np.sort(order[np.cumsum(row_mass[order]) > 1e-10])
    estimate, variance = family.empirical(grid.y[groups], grid.n[groups])
    centre = float(location[groups].mean())
    places = np.concatenate((location[groups], estimate, grid.row_mu[ranged]))
    sizes = np.concatenate((width[groups], np.sqrt(variance), np.hypot(grid.row_s, tau)[ranged]))
    b = float(sizes.min())
    dv = min(0.1, float(np.min(sizes / (5.0 * np.hypot(b, places - centre)))))
    reach = 9.0 * (tau + MU_SPAN * grid.row_s)[ranged]
    spread = 9.0 * np.sqrt(variance)
    lo = min(float((grid.row_mu[ranged] - reach).min()), float(np.min(estimate - spread)))
    hi = max(float((grid.row_mu[ranged] + reach).max()), float(np.max(estimate + spread)))
    v_lo, v_hi = math.asinh((lo - centre) / b), math.asinh((hi - centre) / b)
    size = int(min(ETA_POINTS, math.ceil((v_hi - v_lo) / dv) + 1))
    return np.linspace(v_lo, v_hi, size), centre, b


def _eta_density(grid: _Grid, points: _MuPoints, e: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """p(eta_j = e | y) (unnormalised) at the points e for `groups`, (e, groups); see
    `_rate_quantiles`.

    The density is f(y_j | e) times a sum of weights g_j, each scaled by exp(-shift_j) and f
    by exp(shift_j). g_j = mass / L_j can be astronomically large where L_j is astronomically
    small (mu far above a Poisson group's rate, where f is as small): the shift is the
    largest log g_j among points holding at least 1e-12 of the mass, and points whose g_j
    would overflow against it, which hold less, are left out (an error below their mass, as
    each point's conditional density of eta_j integrates to 1).
    """
    log_a, log_g, tiny = points.log_a[:, groups], points.log_g[..., groups], points.tiny
    M, tau, step = grid.k.size, grid.tau, grid.row_s * MU_STEP
    # the tiny rows' g_j at e + sqrt(2) tau x_q, (rows, e, 5, groups)
    nodes = e[:, None] + math.sqrt(2.0) * tau[tiny, None, None] * _GH_X
    at = (nodes - grid.row_mu[tiny, None, None]) / step[tiny, None, None] - grid.k[0]
    inside = (at >= 0) & (at <= M - 1)
    interpolated = _lagrange(log_g, np.clip(at, 0, M - 1), valid=points.tiny_valid)
    log_tiny = np.where(inside[..., None], interpolated, -np.inf)
    heavy = math.log(1e-12)
    shift = np.maximum(
        log_a[points.log_mass > heavy].max(axis=0, initial=-np.inf),
        log_tiny[points.tiny_log_mass > heavy].max(axis=(0, 1, 2), initial=-np.inf),
    )
    log_a = np.where(log_a > shift + 650.0, -np.inf, log_a)
    log_tiny = np.where(log_tiny > shift + 650.0, -np.inf, log_tiny)
    density = np.zeros((e.size, groups.size))
    if log_a.size:
        kernel = np.exp(-0.5 * ((e[:, None] - points.mu) / points.tau) ** 2) / (
            math.sqrt(2.0 * math.pi) * points.tau
        )
        density += kernel @ np.exp(log_a - shift)
    if tiny.size:
        weights = (_GH_W / math.sqrt(math.pi))[:, None]
        density += (np.exp(log_tiny - shift) * weights).sum(axis=(0, 2))
    log_f = grid.family.log_kernel(grid.y[groups], grid.n[groups], e[:, None])
    return density * np.exp(np.minimum(log_f + shift, 700.0))


def _inverse_cdf(density: np.ndarray, v: np.ndarray, probs: tuple[float, ...]) -> np.ndarray:
    """v at which the CDF of each column of `density` (per unit v on the even grid v) reaches
    each of `probs`, (len(probs), columns): the CDF at the grid points by the cell rule of
    `bayes` (the density negligible beyond the ends), within the cell the root of its cubic
    Hermite interpolant (values and slopes at the cell's ends) by Newton's method."""
    size, columns = density.shape
    dv = float(v[1] - v[0])
    padded = np.concatenate((np.zeros((5, columns)), density, np.zeros((5, columns))))
    cells = dv * sum(w * padded[m : m + size - 1] for m, w in enumerate(_CELL_WEIGHTS))
    cdf = np.concatenate((np.zeros((1, columns)), np.cumsum(np.maximum(cells, 0.0), axis=0)))
    total = cdf[-1]
    cdf, density = cdf / total, density / total
    every = np.arange(columns)
    out = np.empty((len(probs), columns))
    for row, prob in enumerate(probs):
        i = np.clip((cdf < prob).sum(axis=0) - 1, 0, size - 2)
        f0, f1 = cdf[i, every], cdf[i + 1, every]
        d0, d1 = density[i, every] * dv, density[i + 1, every] * dv
        t = np.clip((prob - f0) / np.maximum(f1 - f0, 1e-300), 0.0, 1.0)
        for _ in range(8):
            t2, t3 = t * t, t * t * t
            value = (
                (2 * t3 - 3 * t2 + 1) * f0
                + (t3 - 2 * t2 + t) * d0
                + (-2 * t3 + 3 * t2) * f1
                + (t3 - t2) * d1
            )
            slope = (
                (6 * t2 - 6 * t) * f0
                + (3 * t2 - 4 * t + 1) * d0
                + (-6 * t2 + 6 * t) * f1
                + (3 * t2 - 2 * t) * d1
            )
            t = np.clip(t - (value - prob) / np.maximum(slope, 1e-300), 0.0, 1.0)
        out[row] = v[i] + t * dv
    return out


def _draws(
    grid: _Grid, mass: np.ndarray, size: int, rng: np.random.Generator, log_unit: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """mu, tau and the rates drawn as `FullBayesRates.draws` says."""
    M = mass.shape[1]
    row, column = np.divmod(rng.choice(mass.size, size=size, p=mass.ravel()), M)
    u, h = grid.u, float(grid.u[1] - grid.u[0])
    lo, hi = np.maximum(u[row] - h / 2.0, u[0]), np.minimum(u[row] + h / 2.0, u[-1])
    tau = grid.c * np.sinh(lo + (hi - lo) * rng.random(size))
    row_mass = mass.sum(axis=1)
    k_mean = mass @ grid.k / row_mass
    k_var = mass @ grid.k**2 / row_mass - k_mean**2
    shrink = np.sqrt(np.maximum(1.0 - 1.0 / (12.0 * np.maximum(k_var, 1.0 / 12.0)), 0.0))
    k = grid.k[column] + rng.random(size) - 0.5
    k = k_mean[row] + shrink[row] * (k - k_mean[row])
    mu = grid.row_mu[row] + grid.row_s[row] * MU_STEP * k
    eta = _conditional_draws(grid.family, grid.y, grid.n, mu, tau, rng)
    rate = grid.family.inverse_link(eta) / math.exp(log_unit)
    return mu - log_unit, tau, rate


def _conditional_draws(
    family: Family,
    y: np.ndarray,
    n: np.ndarray,
    mu: np.ndarray,
    tau: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """eta_sj = mu_s + tau_s z drawn exactly from p(z | mu_s, tau_s, y_j) ∝ e^h(z),
    h(z) = log f(y_j | mu_s + tau_s z) - z^2 / 2, for every draw s and group j; (S, J).

    Rejection from the upper hull of three tangents of the concave h (Gilks and Wild 1992,
    Applied Statistics 41:337-348, without the adaptation): at the mode m (flat) and at
    m -+ a, a = sqrt(2) times the curvature scale; where they cross, the hull is piecewise
    exponential and is sampled exactly. A draw is kept with probability e^(h - hull), which
    makes it exact whatever the shape; for a normal posterior 89% are kept. The slopes at
    m -+ a are at least a in size (h'' <= -1), so the tails are proper.
    """
    S, J = mu.size, y.size
    eta = np.empty((S, J))
    block = max(1, _DRAW_CHUNK // J)
    for first in range(0, S, block):
        part = slice(first, first + block)
        shape = (mu[part].size, J)
        m, t = np.repeat(mu[part], J), np.repeat(tau[part], J)
        ys, ns = np.broadcast_to(y, shape).ravel(), np.broadcast_to(n, shape).ravel()
        eta[part] = (m + t * _sample_z(family, ys, ns, m, t, rng)).reshape(shape)
    return eta


def _sample_z(
    family: Family,
    y: np.ndarray,
    n: np.ndarray,
    mu: np.ndarray,
    tau: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """One draw of z per element; see `_conditional_draws`."""

    def h(z: np.ndarray, i: np.ndarray) -> np.ndarray:
        return family.log_kernel(y[i], n[i], mu[i] + tau[i] * z) - 0.5 * z * z

    def slope(z: np.ndarray) -> np.ndarray:
        mean = family.moments(n, family.inverse_link(mu + tau * z))[0]
        return tau * (y - mean) - z

    every = np.arange(y.size)
    mode, scale = _modes(family, y, n, mu, tau, np.zeros_like(y))
    a = math.sqrt(2.0) * scale
    peak = h(mode, every)
    left, right = mode - a, mode + a
    rise, fall = slope(left), slope(right)
    z_left = left + (peak - h(left, every)) / rise
    z_right = right + (peak - h(right, every)) / fall
    mass_left, mass_mid = 1.0 / rise, z_right - z_left
    total = mass_left + mass_mid - 1.0 / fall
    z = np.empty_like(y)
    pending = every
    while pending.size:
        i = pending
        pick = rng.random(i.size) * total[i]
        tail = rng.exponential(size=i.size)
        to_left, to_right = pick < mass_left[i], pick >= mass_left[i] + mass_mid[i]
        proposal = np.where(
            to_left,
            z_left[i] - tail / rise[i],
            np.where(to_right, z_right[i] - tail / fall[i], z_left[i] + pick - mass_left[i]),
        )
        hull = peak[i] + np.where(
            to_left,
            rise[i] * (proposal - z_left[i]),
            np.where(to_right, fall[i] * (proposal - z_right[i]), 0.0),
        )
        keep = np.log(rng.random(i.size)) <= h(proposal, i) - hull
        z[i[keep]] = proposal[keep]
        pending = i[~keep]
    return z
