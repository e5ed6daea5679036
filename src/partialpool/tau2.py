"""Estimators of the between-group variance tau^2 from group means y_j and variances v_j.

Each estimator is one function `f(y, v) -> float` on validated arrays; `estimate_tau2` checks
the input and dispatches by name through `TAU2_METHODS`. Formulas for the intercept-only model
follow Viechtbauer (2005), *J. Educ. Behav. Stat.* 30:261-293, which also gives the reference
values that the tests check. Notation: k groups, w_j = 1 / v_j, mu_w = sum(w y) / sum(w),
Q = sum(w_j (y_j - mu_w)^2) (Cochran's Q).

Every estimate is truncated at 0 (a variance).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._scaling import standardise
from ._validation import check_choice, check_groups, check_min_groups


class ConvergenceError(RuntimeError):
    """An iterative estimator did not converge (never expected for valid input)."""


RTOL = 1e-10
_MAX_ITER = 500


def hedges(y: np.ndarray, v: np.ndarray) -> float:
    """Hedges (HE), the method of moments: tau^2 = max(0, S^2(y) - mean(v)).

    S^2 is the sample variance with divisor k - 1. Hedges (1983), *Psychol. Bull.* 93:388-395;
    Hedges and Olkin (1985), *Statistical Methods for Meta-Analysis*; Viechtbauer (2005) eq. 8.
    """
    return max(0.0, float(y.var(ddof=1) - v.mean()))


def _cochran_q(y: np.ndarray, v: np.ndarray) -> tuple[float, np.ndarray]:
    w = 1.0 / v
    mu = (w * y).sum() / w.sum()
    return float((w * (y - mu) ** 2).sum()), w


def dersimonian_laird(y: np.ndarray, v: np.ndarray) -> float:
    """DerSimonian-Laird (DL): tau^2 = max(0, (Q - (k - 1)) / (sum w - sum w^2 / sum w)).

    DerSimonian and Laird (1986), *Control. Clin. Trials* 7:177-188; Viechtbauer (2005) eq. 9.
    """
    q, w = _cochran_q(y, v)
    sw = w.sum()
    return max(0.0, float((q - (y.size - 1)) / (sw - (w**2).sum() / sw)))


def hunter_schmidt(y: np.ndarray, v: np.ndarray) -> float:
    """Hunter-Schmidt (HS): tau^2 = max(0, (Q - k) / sum w).

    Hunter and Schmidt (2004), *Methods of Meta-Analysis*, 2nd ed.; Viechtbauer (2005) eq. 7.
    """
    q, w = _cochran_q(y, v)
    return max(0.0, float((q - y.size) / w.sum()))


def sidik_jonkman(y: np.ndarray, v: np.ndarray) -> float:
    """Sidik-Jonkman (SJ): tau^2 = sum(w_j (y_j - mu_w)^2) / (k - 1), w_j = tau0^2 / (v_j + tau0^2).

    tau0^2 = sum((y_j - mean(y))^2) / k is the starting value and mu_w the w-weighted mean.
    Sidik and Jonkman (2005), *J. Biopharm. Stat.* 15:823-838; Viechtbauer (2005) eq. 11.
    """
    k = y.size
    tau0 = float(((y - y.mean()) ** 2).sum() / k)
    if tau0 == 0.0:
        return 0.0
    w = tau0 / (v + tau0)
    mu = (w * y).sum() / w.sum()
    return float((w * (y - mu) ** 2).sum() / (k - 1))


def _solve_decreasing(
    f: Callable[[float], tuple[float, float]], lo: float, hi: float, x: float
) -> float:
    """Root of f between lo (f > 0) and hi (f < 0): Newton's method kept inside the bracket.

    Press et al. (2007), *Numerical Recipes*, 3rd ed., section 9.4 (rtsafe): a Newton step that
    would leave the bracket is replaced by bisection, so convergence is guaranteed and
    quadratic near the root. Stops at relative change RTOL.
    """
    for _ in range(_MAX_ITER):
        fx, dfx = f(x)
        if fx == 0.0:
            return x
        if fx > 0.0:
            lo = x
        else:
            hi = x
        # A NaN step (flat or rising f) fails the bracket test and falls back to bisection.
        new = x - fx / dfx if dfx < 0.0 else math.nan
        if abs(new - x) <= RTOL * abs(x):
            return min(max(new, lo), hi)
        if not lo < new < hi:
            new = 0.5 * (lo + hi)
        if abs(new - x) <= RTOL * abs(new) or hi - lo <= RTOL * hi:
            return new
        x = new
    raise ConvergenceError(f"no convergence in {_MAX_ITER} iterations (last tau2 = {x})")


def _upper_bracket(f: Callable[[float], tuple[float, float]], start: float) -> float:
    """Smallest start * 2^m (m >= 0) at which the decreasing score f is negative."""
    hi = start
    for _ in range(_MAX_ITER):
        if f(hi)[0] < 0.0:
            return hi
        hi *= 2.0
    raise ConvergenceError("could not bracket the root of the estimating equation")


@dataclass(frozen=True, eq=False)
class _Classes:
    """The groups pooled by equal v: the likelihoods depend on the groups only through the count
    n_c, mean ybar_c and within sum of squares ss_c of each class of equal v_c, since
    sum_j f(v_j) (y_j - m)^2 = sum_c f(v_c) (ss_c + n_c (ybar_c - m)^2).

    `single` marks one class per group (n_c = 1, ss_c = 0); `k` is the number of groups,
    `sum_of_squares` = sum_j (y_j - mean(y))^2 and `spread` = max(y) - min(y).
    """

    v: np.ndarray
    n: np.ndarray
    ybar: np.ndarray
    ss: np.ndarray
    single: bool
    k: int
    sum_of_squares: float
    spread: float


_SAMPLE = 4096
"""Groups looked at to decide whether pooling by equal v is worth its cost."""


_HASH_BITS_MAX = 20
"""Largest hash table, 2^20 slots (about 700 classes); more classes use the binary search."""
_HASH_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)


def _class_index(v: np.ndarray, distinct: np.ndarray) -> np.ndarray:
    """The index of each v_j in `distinct` (sorted, and holding every v_j).

    A multiplicative hash of the bits of v (Knuth 1998, *TAOCP* vol. 3, section 6.4) into a
    table of about twice the squared number of classes, with a multiplier that leaves no
    collision among the distinct values: one pass, where a binary search (`np.searchsorted`)
    costs some thirty. Beyond 2^20 slots, or when every multiplier collides, the binary
    search.
    """
    bits = v.view(np.uint64)
    keys = distinct.view(np.uint64)
    size = (distinct.size**2).bit_length() + 1
    if size <= _HASH_BITS_MAX:
        shift = np.uint64(64 - size)
        for multiplier in _HASH_MULTIPLIERS:
            factor = np.uint64(multiplier)
            slots = (keys * factor) >> shift
            if np.unique(slots).size == distinct.size:
                table = np.zeros(1 << size, dtype=np.int32)
                table[slots] = np.arange(distinct.size)
                return table[(bits * factor) >> shift]
    return np.searchsorted(distinct, v)


def _classes(y: np.ndarray, v: np.ndarray) -> _Classes:
    """Pool (y, v) by equal v when that shrinks the data at least fourfold, else one class per
    group (judged on the first 4096 groups, so that distinct v cost no full sort)."""
    sum_of_squares = float(y.var()) * y.size
    spread = float(y.max() - y.min())
    worth_a_look = 4 * np.unique(v[:_SAMPLE]).size <= min(v.size, _SAMPLE)
    distinct = np.unique(v) if worth_a_look else None
    if distinct is None or 4 * distinct.size > v.size:
        return _Classes(
            v, np.ones_like(v), y, np.zeros_like(v), True, v.size, sum_of_squares, spread
        )
    index = _class_index(v, distinct)
    n = np.bincount(index, minlength=distinct.size).astype(float)
    ybar = np.bincount(index, weights=y, minlength=distinct.size) / n
    d = y - ybar[index]
    ss = np.bincount(index, weights=d * d, minlength=distinct.size)
    return _Classes(distinct, n, ybar, ss, False, v.size, sum_of_squares, spread)


def _gls(c: _Classes, tau2: np.ndarray) -> tuple[np.ndarray, ...]:
    """At each tau2 of a grid (rows) and class (columns): w = 1 / (v + tau2), n w, sum(n w),
    d = ybar - mu_hat(tau2) and w times the residual sum of squares, w (ss + n d^2)."""
    w = 1.0 / (c.v + tau2[:, None])
    nw = w if c.single else c.n * w
    sw = nw.sum(axis=1)
    d = c.ybar - (nw @ c.ybar / sw)[:, None]
    wrss = nw * d * d if c.single else w * (c.ss + c.n * d * d)
    return w, nw, sw, d, wrss


def _q_minus_df(c: _Classes, tau2: float) -> tuple[float, float]:
    """Generalised Q minus (k - 1), and its derivative -sum(w^2 r^2) (Viechtbauer 2005 eq. 12)."""
    w, _, _, _, wrss = _gls(c, np.array([tau2]))
    return float(wrss.sum() - (c.k - 1)), float(-(w * wrss).sum())


def paule_mandel(y: np.ndarray, v: np.ndarray) -> float:
    """Paule-Mandel (PM), equal to Morris' empirical Bayes (EB) estimator here.

    The root of the generalised Q statistic: sum(w_j (y_j - mu_hat)^2) = k - 1 with
    w_j = 1 / (v_j + tau^2); 0 when Q(0) <= k - 1. Q decreases in tau^2, with derivative
    -sum(w_j^2 (y_j - mu_hat)^2), so the root is unique. Paule and Mandel (1982), *J. Res. Natl.
    Bur. Stand.* 87:377-385; Morris (1983), *JASA* 78:47-55; Viechtbauer (2005) eqs. 12-13.
    """
    c = _classes(y, v)
    q = functools.partial(_q_minus_df, c)
    if q(0.0)[0] <= 0.0:
        return 0.0
    hi = _upper_bracket(q, max(float(y.var()), float(v.min())))
    start = dersimonian_laird(y, v)
    return _solve_decreasing(q, 0.0, hi, start if 0.0 < start < hi else 0.5 * hi)


def _score(c: _Classes, tau2: np.ndarray, restricted: bool) -> np.ndarray:
    """The score of the (restricted) profile log likelihood at every tau2 of a grid:
    dl = 1/2 (sum w^2 r^2 - sum w), dl_R = dl + 1/2 sum w^2 / sum w (Viechtbauer 2005)."""
    if c.v.size > _DIRECT_CLASSES:
        return _score_from_sums(c, tau2, restricted)
    score = np.empty_like(tau2)
    rows = max(1, _CELLS_PER_CHUNK // c.v.size)
    for start in range(0, tau2.size, rows):
        part = slice(start, start + rows)
        w, nw, sw, _, wrss = _gls(c, tau2[part])
        score[part] = 0.5 * ((w * wrss).sum(axis=1) - sw)
        if restricted:
            score[part] += 0.5 * (nw * w).sum(axis=1) / sw
    return score


def _score_from_sums(c: _Classes, tau2: np.ndarray, restricted: bool) -> np.ndarray:
    """`_score` from the sums sum n w^a y^b (a = 1, 2; b = 0, 1, 2), accumulated over blocks of
    classes small enough that the temporaries stay in cache; with y centred on its mean,
    sum w^2 r^2 = sum w^2 y^2 - 2 mu sum w^2 y + mu^2 sum w^2 loses only the digits of
    (mu - mean(y))^2 against the weighted variance. Used for the scan only: its sign decides
    where Newton's method runs on the exact `_score_and_slope`."""
    y = c.ybar - float(c.n @ c.ybar) / c.k
    powers = np.column_stack((c.n, c.n * y, c.n * y * y + c.ss))
    sums = np.zeros((tau2.size, 5))
    size = max(64, _CELLS_PER_CHUNK // (4 * tau2.size))
    for start in range(0, c.v.size, size):
        part = slice(start, start + size)
        w = np.add.outer(tau2, c.v[part])
        np.reciprocal(w, out=w)
        sums[:, :2] += w @ powers[part, :2]
        np.multiply(w, w, out=w)
        sums[:, 2:] += w @ powers[part]
    sw, swy, s2, s2y, s2y2 = sums.T
    mu = swy / sw
    score = 0.5 * (s2y2 - 2.0 * mu * s2y + mu * mu * s2 - sw)
    if restricted:
        score += 0.5 * s2 / sw
    return score


_DIRECT_CLASSES = 4096
"""Up to this many classes the scan works on the grid x classes array at once."""


def _log_likelihood(c: _Classes, tau2: float, restricted: bool) -> float:
    """The (restricted) profile log likelihood up to a constant (Harville 1977; Viechtbauer
    2005 eqs. 5-6), with r_j = y_j - mu_hat(tau^2):
    l(tau^2) = -1/2 sum log(v_j + tau^2) - 1/2 sum w_j r_j^2, l_R = l - 1/2 log sum w_j."""
    _, _, sw, _, wrss = _gls(c, np.array([tau2]))
    log_lik = -0.5 * (float(c.n @ np.log(c.v + tau2)) + float(wrss.sum()))
    return log_lik - 0.5 * math.log(float(sw[0])) if restricted else log_lik


def _score_and_slope(c: _Classes, restricted: bool, tau2: float) -> tuple[float, float]:
    """The score of `_log_likelihood` and its derivative:

    dl = 1/2 (sum w^2 r^2 - sum w),           dl_R = dl + 1/2 sum w^2 / sum w,
    d2l = 1/2 (sum w^2 - 2 sum w^3 r^2 + 2 (sum w^2 r)^2 / sum w),
    d2l_R = d2l - sum w^3 / sum w + 1/2 (sum w^2 / sum w)^2.
    """
    w, nw, sw, d, wrss = _gls(c, np.array([tau2]))
    w, nw, d, wrss, sw = w[0], nw[0], d[0], wrss[0], float(sw[0])
    nw2 = nw * w
    s2 = float(nw2.sum())
    w2d = float(nw2 @ d)
    w_wrss = w * wrss
    score = 0.5 * (float(w_wrss.sum()) - sw)
    slope = 0.5 * (s2 - 2.0 * float(w @ w_wrss) + 2.0 * w2d * w2d / sw)
    if restricted:
        score += 0.5 * s2 / sw
        slope += -float(nw2 @ w) / sw + 0.5 * (s2 / sw) ** 2
    return score, slope


_GRID_RATIO = 2.0**0.25
"""Spacing of the scan in tau^2: neighbouring points differ by this factor."""
_GRID_FLOOR = 1e-3
"""The scan starts at this fraction of min(v) (besides tau^2 = 0)."""
_CELLS_PER_CHUNK = 1 << 16
"""Grid points x classes per block of the scan: small enough that temporaries stay in cache."""


def _no_stationary_point_above(c: _Classes, restricted: bool) -> float:
    """T such that the score is negative for every tau^2 > T (see `maximum_likelihood`)."""
    v_max, k, s = float(c.v.max()), c.k, c.sum_of_squares
    if restricted:
        by_spread = max(v_max, 4.0 * c.spread**2)
        return by_spread if k <= 2 else min(by_spread, max(v_max, 2.0 * s / (k - 2)))
    return min(c.spread**2, max(v_max, 2.0 * s / k))


def _maximise(y: np.ndarray, v: np.ndarray, restricted: bool) -> float:
    """The global maximum over tau^2 >= 0 of the (restricted) profile log likelihood."""
    c = _classes(y, v)
    low = _GRID_FLOOR * float(c.v.min())
    top = max(_no_stationary_point_above(c, restricted), low)
    steps = max(1, math.ceil(math.log(top / low) / math.log(_GRID_RATIO)))
    tau2 = np.concatenate(([0.0], low * _GRID_RATIO ** np.arange(steps + 1)))
    score = _score(c, tau2, restricted)

    score_and_slope = functools.partial(_score_and_slope, c, restricted)
    candidates = [0.0] if score[0] <= 0.0 else []
    for i in np.flatnonzero((score[:-1] > 0.0) & (score[1:] <= 0.0)):
        lo, hi = float(tau2[i]), float(tau2[i + 1])
        if score[i + 1] == 0.0:
            candidates.append(hi)
        else:
            candidates.append(_solve_decreasing(score_and_slope, lo, hi, math.sqrt(lo * hi)))
    if len(candidates) == 1:
        return candidates[0]
    return max(candidates, key=lambda t: _log_likelihood(c, t, restricted))


def maximum_likelihood(y: np.ndarray, v: np.ndarray) -> float:
    """Maximum likelihood (ML): the global maximum of the profile likelihood in tau^2.

    Maximises l(tau^2) = -1/2 sum log(v_j + tau^2) - 1/2 sum (y_j - mu_hat)^2 / (v_j + tau^2)
    over tau^2 >= 0, with mu_hat the GLS mean. Harville (1977), *JASA* 72:320-338;
    Viechtbauer (2005) eq. 5.

    With unequal v_j the profile likelihood can have several local maxima, so the search
    (shared with REML) finds every one and keeps the best:

    1. Every stationary point lies below a bound T. With R = max(y) - min(y) and
       S = sum (y_j - mean(y))^2: |r_j| <= R because mu_hat is a weighted mean of the y_j, so
       every term of the score is negative for tau^2 > R^2; and sum w^2 r^2 <= w_max sum w r^2
       <= S w_max^2 while sum w >= k w_min, so for tau^2 >= max(v) the score is negative once
       tau^2 > 2 S / k. For REML (score 1/2 (y'PPy - tr P), tr P >= sum w - w_max) the bounds
       are max(max v, 4 R^2) and, for k >= 3, max(max v, 2 S / (k - 2)). T is the smaller.
    2. The score is evaluated at tau^2 = 0 and on a geometric grid from 1e-3 min(v) to T with
       ratio 2^(1/4) between neighbours; every interval where it changes sign from + to - is
       solved by Newton's method kept inside the interval (`_solve_decreasing`), to relative
       change 1e-10; tau^2 = 0 is a candidate when the score there is <= 0.
    3. The candidate with the largest likelihood is returned (when there is only one, it is the
       maximum without further evaluation).

    A local maximum is missed only if the score changes sign twice between two neighbouring
    grid points, i.e. a maximum and a minimum closer than a factor 2^(1/4) in tau^2; every
    term of the score is a smooth function of log tau^2 whose nearest singularity (at
    tau^2 = -v_j) lies pi away from the real axis, and on 10,000 random sets with v_j spread
    over five decades no such pair occurred (tests/test_tau2.py). Below 1e-3 min(v) every term
    changes by less than 0.3 %. When many groups share a v_j (equal group sizes), the search
    runs on one row per distinct v_j with the same sums, so its cost depends on the number of
    distinct variances, not of groups.
    """
    return _maximise(y, v, restricted=False)


def restricted_maximum_likelihood(y: np.ndarray, v: np.ndarray) -> float:
    """Restricted maximum likelihood (REML): the global maximum of the restricted likelihood.

    l_R(tau^2) = l(tau^2) - 1/2 log(sum w_j); its score is 1/2 (y'PPy - tr P) with
    P = W - w w' / sum w, i.e. dl + 1/2 sum w^2 / sum w. Harville (1977), *JASA* 72:320-338;
    Viechtbauer (2005) eq. 6. The search for the global maximum is that of
    `maximum_likelihood`.
    """
    return _maximise(y, v, restricted=True)


TAU2_METHODS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "HE": hedges,
    "DL": dersimonian_laird,
    "PM": paule_mandel,
    "EB": paule_mandel,
    "ML": maximum_likelihood,
    "REML": restricted_maximum_likelihood,
    "SJ": sidik_jonkman,
    "HS": hunter_schmidt,
}
"""Estimator names (as in metafor and Viechtbauer 2005) mapped to their functions."""


def estimate_tau2(y: object, v: object, method: str = "HE") -> float:
    """Estimate the between-group variance tau^2 >= 0 from group means and their variances.

    Parameters
    ----------
    y : group means or effect estimates, length J >= 2.
    v : their sampling variances (> 0), length J or one number.
    method : one of TAU2_METHODS (case-insensitive): "HE" (method of moments, the default),
        "DL", "PM" (alias "EB"), "ML", "REML", "SJ", "HS". See each function for its formula.

    Returns tau^2 as a float, truncated at 0. Every method is computed on the data shifted
    and scaled to min(v) near 1 (`_scaling.standardise`) and scaled back, so
    estimate_tau2(a + c y, c^2 v) == c^2 estimate_tau2(y, v) at any scale that `check_groups`
    accepts.
    """
    method = check_choice(method, "method", TAU2_METHODS)
    y, v = check_groups(y, v)
    check_min_groups(y, 2, f"estimate_tau2(method={method!r})")
    data = standardise(y, v)
    return data.scale**2 * TAU2_METHODS[method](data.y, data.v)
