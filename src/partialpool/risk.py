"""Scoring estimates against the truth."""

from __future__ import annotations

import numpy as np

from ._validation import as_vector


def mse(estimate: object, truth: object) -> float:
    """Mean squared error, mean((estimate_j - truth_j)^2).

    `estimate` may be an array or any result with `.theta` that converts to one
    (`PoolingEstimate`, `JamesStein`).
    """
    est = as_vector(np.asarray(estimate), "estimate")
    true = as_vector(truth, "truth")
    if est.size != true.size:
        raise ValueError(
            f"estimate and truth must have the same length; got {est.size} and {true.size}"
        )
    return float(np.mean((est - true) ** 2))
