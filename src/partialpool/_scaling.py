"""Data shifted and scaled to a standard size, so that estimates are computed at any scale.

Every estimator here is equivariant: shifting y by a moves every location estimate by a, and
scaling y by c and v by c^2 scales locations and sds by c and variances by c^2. Computing on
y' = (y - centre) / scale, v' = v / scale^2 with scale^2 within a factor 2 of min(v) keeps every
intermediate a normal float for data in the range that `check_range` accepts. The scale is a
power of two, so the scaling itself is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Standardised:
    """y' = (y - centre) / scale and v' = v / scale^2; min(v') lies in [1, 4)."""

    y: np.ndarray
    v: np.ndarray
    centre: float
    scale: float


def standardise(y: np.ndarray, v: np.ndarray) -> Standardised:
    """Shift y to the mean of its most precise group and scale by a power of two near
    sqrt(min(v)). Inputs are validated arrays (`check_groups`)."""
    i = int(np.argmin(v))
    centre = float(y[i])
    exponent = math.frexp(float(v[i]))[1] // 2
    scale = math.ldexp(1.0, exponent)
    return Standardised(
        y=(y - centre) * math.ldexp(1.0, -exponent),
        v=v * math.ldexp(1.0, -2 * exponent),
        centre=centre,
        scale=scale,
    )
