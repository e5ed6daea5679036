"""Turn user input into clean float arrays, or raise a ValueError that names the problem.

Every public function calls these helpers once at its boundary; internal code trusts its inputs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

V_MIN = 1e-305
"""Smallest sampling variance accepted: a normal float whose reciprocal is finite."""
V_MAX = 1e305
"""Largest sampling variance accepted."""
V_RATIO_MAX = 1e200
"""Largest max(v) / min(v) accepted."""
Y_MAX = 1e300
"""Largest |y_j| accepted: sums of a few y_j stay finite."""
SPREAD_MAX = 1e153
"""Largest max(y) - min(y) accepted: its square, the scale of tau^2, stays finite."""
Z_MAX = 1e50
"""Largest (max(y) - min(y)) / sqrt(min(v)) accepted: on data scaled to min(v) = 1 every power
of 1 / (v_j + tau^2) up to the third that the estimators form stays a normal float."""


class DataError(ValueError):
    """Data that cannot be read as groups. The message says why and where (line, row or group)."""


def as_vector(x: object, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """Return `x` as a one-dimensional, finite float array, or raise ValueError naming `name`.

    A missing value (None) is named as such, not as nan.
    """
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be numeric; {err}") from None
    if arr.ndim == 1 and np.isnan(arr).any():
        raw = np.asarray(x, dtype=object).reshape(-1)
        missing = [i for i, item in enumerate(raw) if item is None]
        if missing:
            raise ValueError(f"{name} must be numeric; {name}[{missing[0]}] is None (missing)")
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty")
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} must be finite; got {name}[{i}] == {arr[i]}")
    return arr


def as_matrix(x: object, name: str, shape: str) -> np.ndarray:
    """Return `x` as a two-dimensional, non-empty, finite float array, or raise ValueError
    naming `name` (and what its axes are, `shape`, e.g. "n x p") and the first bad entry."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be numeric; {err}") from None
    if arr.ndim != 2:
        raise ValueError(f"{name} must be two-dimensional ({shape}); got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        i, k = (int(a[0]) for a in np.nonzero(bad))
        raise ValueError(f"{name} must be finite; got {name}[{i}, {k}] == {arr[i, k]}")
    return arr


def check_tau_grid(tau: object) -> np.ndarray:
    """Return a grid of tau as a finite float array, every point >= 0, or raise ValueError."""
    tau = as_vector(tau, "tau")
    if np.any(tau < 0):
        i = int(np.flatnonzero(tau < 0)[0])
        raise ValueError(f"tau must be >= 0; got tau[{i}] == {tau[i]}")
    return tau


def check_groups(y: object, v: object) -> tuple[np.ndarray, np.ndarray]:
    """Return (y, v) as float arrays of one length; v may be a scalar common to all groups.

    Rules: y non-empty and finite; v finite and > 0; the same length as y (or one number); and
    the safe range of `check_range`.
    """
    y = as_vector(y, "y")
    v = as_vector(v, "v")
    if v.size == 1 and y.size != 1:
        v = np.full_like(y, v[0])
    if v.size != y.size:
        raise ValueError(f"y and v must have the same length; got {y.size} and {v.size}")
    bad = v <= 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"v must be > 0 (sampling variances); got v[{i}] == {v[i]}")
    check_range(y, v)
    return y, v


def check_range(y: np.ndarray, v: np.ndarray) -> None:
    """Raise ValueError unless (y, v) lie in the range where every estimate is representable.

    Every estimator is equivariant, estimate(c y, c^2 v) = c estimate(y, v) (tau^2 scales by
    c^2), and computes on data shifted and scaled to min(v) = 1. The rules, each naming the
    argument: 1e-305 <= v_j <= 1e305 and max(v) / min(v) <= 1e200; |y_j| <= 1e300;
    max(y) - min(y) <= 1e153 (tau^2 is of the order of its square); and
    (max(y) - min(y)) / sqrt(min(v)) <= 1e50 (the spread of y in standard errors of the most
    precise group). Scaling data by any c keeps them in range as long as the scaled v and y
    stay within the first and third limits.
    """
    i_lo, i_hi = int(np.argmin(v)), int(np.argmax(v))
    v_lo, v_hi = float(v[i_lo]), float(v[i_hi])
    if v_lo < V_MIN:
        raise ValueError(
            f"v must be >= {V_MIN:g} (smaller variances cannot be inverted safely); "
            f"got v[{i_lo}] == {v_lo:.3g}"
        )
    if v_hi > V_MAX:
        raise ValueError(f"v must be <= {V_MAX:g}; got v[{i_hi}] == {v_hi:.3g}")
    if v_hi > V_RATIO_MAX * v_lo:
        raise ValueError(
            f"v must span at most a factor {V_RATIO_MAX:g} (max(v) / min(v)); got "
            f"v[{i_hi}] / v[{i_lo}] == {v_hi / v_lo:.3g}"
        )
    j_lo, j_hi = int(np.argmin(y)), int(np.argmax(y))
    y_lo, y_hi = float(y[j_lo]), float(y[j_hi])
    big = j_hi if abs(y_hi) >= abs(y_lo) else j_lo
    if abs(float(y[big])) > Y_MAX:
        raise ValueError(f"|y| must be <= {Y_MAX:g}; got y[{big}] == {float(y[big]):.3g}")
    spread = y_hi - y_lo
    if spread > SPREAD_MAX:
        raise ValueError(
            f"y must span at most {SPREAD_MAX:g} (max(y) - min(y), whose square sets the scale "
            f"of tau^2); got y[{j_hi}] - y[{j_lo}] == {spread:.3g}"
        )
    if spread > Z_MAX * math.sqrt(v_lo):
        raise ValueError(
            f"y must span at most {Z_MAX:g} standard errors of the most precise group "
            f"((max(y) - min(y)) / sqrt(min(v))); got {spread:.3g} / sqrt(v[{i_lo}]) == "
            f"{spread / math.sqrt(v_lo):.3g}"
        )


def check_min_groups(y: np.ndarray, minimum: int, what: str) -> None:
    """Raise ValueError when there are fewer than `minimum` groups for `what`."""
    if y.size < minimum:
        raise ValueError(f"{what} needs at least {minimum} groups; got J == {y.size}")


def check_scalar(
    x: object,
    name: str,
    *,
    low: float = -math.inf,
    low_inclusive: bool = True,
    allow_inf: bool = False,
) -> float:
    """Return `x` as a float, or raise ValueError if it is not a number above `low`."""
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number; got {x!r}")
    value = float(x)
    if math.isnan(value) or (math.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be finite; got {name} == {value}")
    if value < low or (value == low and not low_inclusive):
        rule = ">=" if low_inclusive else ">"
        raise ValueError(f"{name} must be {rule} {low:g}; got {name} == {value}")
    return value


def check_count(x: object, name: str, low: int) -> int:
    """Return `x` as an int, or raise ValueError if it is not a whole number >= `low`."""
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < low:
        raise ValueError(f"{name} must be a whole number >= {low}; got {name} == {x!r}")
    return int(x)


def check_choice(value: object, name: str, choices: Iterable[str]) -> str:
    """Return `value` if it is one of `choices` (case-insensitive), in its canonical spelling."""
    choices = list(choices)
    if isinstance(value, str):
        for choice in choices:
            if value.casefold() == choice.casefold():
                return choice
    valid = ", ".join(repr(c) for c in choices)
    raise ValueError(f"unknown {name} {value!r}; valid are {valid}")
