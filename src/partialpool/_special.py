"""Special functions the core needs, vectorised in numpy (the core does not depend on scipy)."""

from __future__ import annotations

import math

import numpy as np

_LOG_ROOT_2PI = 0.5 * math.log(2.0 * math.pi)


def _stirling_series(z: np.ndarray) -> np.ndarray:
    """Stirling's series sum B_2k / (2k (2k - 1) z^(2k - 1)) to z^-9."""
    inv = 1.0 / z
    inv2 = inv * inv
    return inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))))


def log_gamma(x: np.ndarray) -> np.ndarray:
    """log Gamma(x) for x > 0, elementwise: the recurrence Gamma(x) = Gamma(x + 1) / x up to
    x >= 10, then Stirling's series to x^-9 (relative error below 1e-15 there)."""
    z, passed = _shift_up(x)
    shift = sum((np.log(np.where(np.isinf(p), 1.0, p)) for p in passed), np.zeros_like(z))
    return (z - 0.5) * np.log(z) - z + _LOG_ROOT_2PI + _stirling_series(z) - shift


def _shift_up(x: np.ndarray, floor: float = 10.0) -> tuple[np.ndarray, list[np.ndarray]]:
    """x moved up by whole steps to at least `floor`, and the values it passed through (inf
    where an element had already arrived)."""
    z = np.asarray(x, dtype=float).copy()
    passed = []
    for _ in range(int(floor) + 1):
        small = z < floor
        if not small.any():
            break
        passed.append(np.where(small, z, np.inf))
        z = np.where(small, z + 1.0, z)
    return z, passed


def digamma(x: np.ndarray) -> np.ndarray:
    """psi(x) = d log Gamma(x) / dx for x > 0: psi(x) = psi(x + 1) - 1/x up to x >= 10, then the
    asymptotic series log x - 1/(2x) - sum B_2k / (2k x^2k) to x^-10."""
    z, passed = _shift_up(x)
    inv2 = 1.0 / (z * z)
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
    return np.log(z) - 0.5 / z - series - sum((1.0 / p for p in passed), np.zeros_like(z))


def trigamma(x: np.ndarray) -> np.ndarray:
    """psi'(x) for x > 0: psi'(x) = psi'(x + 1) + 1/x^2 up to x >= 10, then the asymptotic
    series 1/x + 1/(2x^2) + sum B_2k / x^(2k+1) to x^-11."""
    z, passed = _shift_up(x)
    inv = 1.0 / z
    inv2 = inv * inv
    series = (
        inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42 - inv2 * (1 / 30 - inv2 * 5 / 66))))
    )
    return inv + 0.5 * inv2 + series + sum((1.0 / (p * p) for p in passed), np.zeros_like(z))


def log_beta(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log B(a, b) = log Gamma(a) + log Gamma(b) - log Gamma(a + b)."""
    return log_gamma(a) + log_gamma(b) - log_gamma(a + b)


_TINY = 1e-300


def _beta_fraction(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The continued fraction of I_x(a, b) by the modified Lentz method (Numerical Recipes
    section 6.4), converging fast for x < (a + 1) / (a + b + 2)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = 1.0 / np.where(np.abs(d) < _TINY, _TINY, d)
    h = d.copy()
    for m in range(1, 5001):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / np.where(np.abs(d) < _TINY, _TINY, d)
            c = 1.0 + aa / c
            c = np.where(np.abs(c) < _TINY, _TINY, c)
            delta = d * c
            h = h * delta
        if np.max(np.abs(delta - 1.0)) < 1e-15:
            break
    return h


def beta_cdf(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The regularised incomplete beta function I_x(a, b), elementwise, for a, b > 0."""
    x, a, b = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, a, b)))
    inner = (x > 0.0) & (x < 1.0)
    xi = np.where(inner, x, 0.5)
    flip = xi > (a + 1.0) / (a + b + 2.0)
    aa, bb, xx = np.where(flip, b, a), np.where(flip, a, b), np.where(flip, 1.0 - xi, xi)
    front = np.exp(aa * np.log(xx) + bb * np.log1p(-xx) - log_beta(aa, bb)) / aa
    lower = front * _beta_fraction(aa, bb, xx)
    value = np.where(flip, 1.0 - lower, lower)
    return np.where(inner, value, np.where(x <= 0.0, 0.0, 1.0))


def beta_quantile(p: float, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x with I_x(a, b) = p, elementwise: Newton's method on x with the beta density as the
    derivative, inside a bisection bracket of [0, 1] narrowed at every step."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    lo, hi = np.zeros_like(a), np.ones_like(a)
    x = a / (a + b)
    log_norm = log_beta(a, b)
    for _ in range(200):
        gap = beta_cdf(x, a, b) - p
        lo = np.where(gap < 0, x, lo)
        hi = np.where(gap > 0, x, hi)
        density = np.exp((a - 1.0) * np.log(x) + (b - 1.0) * np.log1p(-x) - log_norm)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x - gap / density
        ok = np.isfinite(newton) & (newton > lo) & (newton < hi)
        new = np.where(ok, newton, (lo + hi) / 2.0)
        if np.max(np.abs(new - x)) < 1e-15 * np.maximum(np.max(x), 1e-300):
            return new
        x = new
    return x


def log_gamma_ratio(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """log Gamma(x + k) - log Gamma(x) for x > 0, k >= 0, elementwise, without the cancellation
    of the difference at a large x: for x >= 10 Stirling's formula gives
    (x - 1/2) log1p(k / x) + k log(x + k) - k + S(x + k) - S(x)."""
    x, k = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(k, dtype=float))
    large = x >= 10.0
    xl = np.where(large, x, 10.0)
    stirling = (
        (xl - 0.5) * np.log1p(k / xl)
        + k * np.log(xl + k)
        - k
        + _stirling_series(xl + k)
        - _stirling_series(xl)
    )
    small = log_gamma(np.where(large, 1.0, x + k)) - log_gamma(np.where(large, 1.0, x))
    return np.where(large, stirling, small)


def _gamma_series(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """sum_k x^k / (a (a + 1) ... (a + k)), converging fast for x < a + 1."""
    term = 1.0 / a
    total = term.copy()
    ap = a.copy()
    for _ in range(100_000):
        ap = ap + 1.0
        term = term * x / ap
        total = total + term
        if np.max(np.abs(term) / total, initial=0.0) < 1e-16:
            break
    return total


def _gamma_fraction(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The continued fraction of Q(a, x) e^x x^-a Gamma(a) by the modified Lentz method,
    converging fast for x > a + 1."""
    b = x + 1.0 - a
    c = np.full_like(x, 1.0 / _TINY)
    d = 1.0 / np.where(np.abs(b) < _TINY, _TINY, b)
    h = d.copy()
    for i in range(1, 100_001):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = 1.0 / np.where(np.abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        delta = d * c
        h = h * delta
        if np.max(np.abs(delta - 1.0), initial=0.0) <= 4e-16:  # a few ulps of 1
            break
    return h


def gamma_cdf(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The regularised lower incomplete gamma function P(a, x), elementwise, for a > 0: its
    series where x < a + 1, else 1 - the continued fraction of Q(a, x) (Numerical Recipes
    section 6.2), each evaluated only where it converges fast."""
    x, a = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(a, dtype=float))
    out = np.zeros(x.shape)
    series = (x > 0.0) & (x < a + 1.0)
    fraction = x >= a + 1.0
    for mask, part in ((series, _gamma_series), (fraction, _gamma_fraction)):
        xs, as_ = x[mask], a[mask]
        front = np.exp(as_ * np.log(xs) - xs - log_gamma(as_))
        value = front * part(xs, as_)
        out[mask] = value if part is _gamma_series else 1.0 - value
    return out


def gamma_quantile(p: float, a: np.ndarray) -> np.ndarray:
    """x with P(a, x) = p (the Gamma(a, 1) quantile), elementwise: Newton's method with the
    gamma density as the derivative inside a bisection bracket [0, a + 40 sqrt(a) + 40]."""
    a = np.asarray(a, dtype=float)
    lo, hi = np.zeros_like(a), a + 40.0 * np.sqrt(a) + 40.0
    x = a.copy()
    log_norm = log_gamma(a)
    for _ in range(300):
        gap = gamma_cdf(x, a) - p
        lo = np.where(gap < 0, x, lo)
        hi = np.where(gap > 0, x, hi)
        density = np.exp((a - 1.0) * np.log(x) - x - log_norm)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x - gap / density
        ok = np.isfinite(newton) & (newton > lo) & (newton < hi)
        new = np.where(ok, newton, (lo + hi) / 2.0)
        if np.max(np.abs(new - x) / np.maximum(new, 1e-300)) < 1e-15:
            return new
        x = new
    return x
