"""Special functions the core needs, vectorised in numpy (the core does not depend on scipy)."""

from __future__ import annotations

import math

import numpy as np

_LOG_ROOT_2PI = 0.5 * math.log(2.0 * math.pi)


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
