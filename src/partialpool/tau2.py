"""Estimators of the between-group variance tau^2 from group means y_j and variances v_j.

Each estimator is one function `f(y, v) -> float` on validated arrays; `estimate_tau2` checks
the input and dispatches by name through `TAU2_METHODS`. Formulas for the intercept-only model
follow Viechtbauer (2005), *J. Educ. Behav. Stat.* 30:261-293, which also gives the reference
values that the tests check. Notation: k groups, w_j = 1 / v_j, mu_w = sum(w y) / sum(w),
Q = sum(w_j (y_j - mu_w)^2) (Cochran's Q).

Every estimate is truncated at 0 (a variance).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

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


def _gls(y: np.ndarray, v: np.ndarray, tau2: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Weights w = 1 / (v + tau2), residuals r = y - mu_hat(tau2), and sum(w)."""
    w = 1.0 / (v + tau2)
    sw = w.sum()
    r = y - (w * y).sum() / sw
    return w, r, float(sw)


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


def _solve_score(
    score: Callable[[float], tuple[float, float]], y: np.ndarray, v: np.ndarray
) -> float:
    """Solve score(tau2) = 0 on tau2 >= 0; 0 when the score is not positive at tau2 = 0."""
    if score(0.0)[0] <= 0.0:
        return 0.0
    hi = _upper_bracket(score, max(float(y.var()), float(v.min())))
    start = dersimonian_laird(y, v)
    if not 0.0 < start < hi:
        start = 0.5 * hi
    return _solve_decreasing(score, 0.0, hi, start)


def paule_mandel(y: np.ndarray, v: np.ndarray) -> float:
    """Paule-Mandel (PM), equal to Morris' empirical Bayes (EB) estimator here.

    The root of the generalised Q statistic: sum(w_j (y_j - mu_hat)^2) = k - 1 with
    w_j = 1 / (v_j + tau^2); 0 when Q(0) <= k - 1. Q decreases in tau^2, with derivative
    -sum(w_j^2 (y_j - mu_hat)^2). Paule and Mandel (1982), *J. Res. Natl. Bur. Stand.*
    87:377-385; Morris (1983), *JASA* 78:47-55; Viechtbauer (2005) eqs. 12-13.
    """
    k = y.size

    def q_minus_df(tau2: float) -> tuple[float, float]:
        w, r, _ = _gls(y, v, tau2)
        wr2 = w * r * r
        return float(wr2.sum() - (k - 1)), float(-(w * wr2).sum())

    return _solve_score(q_minus_df, y, v)


def _ml_score(
    y: np.ndarray, v: np.ndarray, tau2: float
) -> tuple[float, float, np.ndarray, np.ndarray, float]:
    """Score of the profile log likelihood in tau2 (mu profiled out), its derivative, w, w^2, sum w.

    l(tau2) = -1/2 sum log(v + tau2) - 1/2 sum w r^2, with w = 1/(v + tau2), r = y - mu_hat.
    dl = 1/2 (sum w^2 r^2 - sum w);
    d2l = 1/2 (sum w^2 - 2 sum w^3 r^2 + 2 (sum w^2 r)^2 / sum w).
    """
    w, r, sw = _gls(y, v, tau2)
    w2 = w * w
    w2r = w2 * r
    score = 0.5 * float((w2r * r).sum() - sw)
    hessian = 0.5 * float(w2.sum() - 2.0 * (w * w2r * r).sum() + 2.0 * w2r.sum() ** 2 / sw)
    return score, hessian, w, w2, sw


def maximum_likelihood(y: np.ndarray, v: np.ndarray) -> float:
    """Maximum likelihood (ML): the root of the profile score in tau^2 (Newton's method).

    Maximises -1/2 sum log(v_j + tau^2) - 1/2 sum (y_j - mu_hat)^2 / (v_j + tau^2) over
    tau^2 >= 0 with mu_hat the GLS mean. Harville (1977), *JASA* 72:320-338;
    Viechtbauer (2005) eq. 5. Converged to relative change 1e-10.
    """

    def score(tau2: float) -> tuple[float, float]:
        s, h, _, _, _ = _ml_score(y, v, tau2)
        return s, h

    return _solve_score(score, y, v)


def restricted_maximum_likelihood(y: np.ndarray, v: np.ndarray) -> float:
    """Restricted maximum likelihood (REML): the root of the restricted score (Newton's method).

    l_R(tau^2) = l(tau^2) - 1/2 log(sum w_j); its score is 1/2 (y'PPy - tr P) with
    P = W - w w' / sum w, i.e. dl + 1/2 sum w^2 / sum w. Harville (1977), *JASA* 72:320-338;
    Viechtbauer (2005) eq. 6. Converged to relative change 1e-10.
    """

    def score(tau2: float) -> tuple[float, float]:
        s, h, w, w2, sw = _ml_score(y, v, tau2)
        s2 = float(w2.sum())
        s3 = float((w2 * w).sum())
        return s + 0.5 * s2 / sw, h - s3 / sw + 0.5 * (s2 / sw) ** 2

    return _solve_score(score, y, v)


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

    Returns tau^2 as a float, truncated at 0.
    """
    method = check_choice(method, "method", TAU2_METHODS)
    y, v = check_groups(y, v)
    check_min_groups(y, 2, f"estimate_tau2(method={method!r})")
    return TAU2_METHODS[method](y, v)
