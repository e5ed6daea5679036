"""Turn user input into clean float arrays, or raise a ValueError that names the problem.

Every public function calls these helpers once at its boundary; internal code trusts its inputs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


def as_vector(x: object, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """Return `x` as a one-dimensional, finite float array, or raise ValueError naming `name`."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be numeric; {err}") from None
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


def check_groups(y: object, v: object) -> tuple[np.ndarray, np.ndarray]:
    """Return (y, v) as float arrays of one length; v may be a scalar common to all groups.

    Rules: y non-empty and finite; v finite and > 0; the same length as y (or one number).
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
    return y, v


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
