"""The James-Stein estimator: shrinkage that beats the raw means for J >= 3 groups."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_choice, check_groups, check_min_groups
from .pooling import precision_weighted_mean

TARGETS = ("zero", "mean")


@dataclass(frozen=True, eq=False)
class JamesStein:
    """The James-Stein estimate.

    theta : the estimates.
    shrinkage : the common factor B in theta = target + (1 - B)(y - target).
    target : the value shrunk toward (0, or the precision-weighted grand mean).
    """

    theta: np.ndarray
    shrinkage: float
    target: float

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return np.asarray(self.theta, dtype=dtype)


def james_stein(y: object, v: object = 1.0, target: str = "zero") -> JamesStein:
    """James-Stein shrinkage of J group means.

    target="zero" (J >= 3): the original estimator of James and Stein (1961), *Proc. Fourth
    Berkeley Symp.* 1:361-379: theta = (1 - (J - 2) / S) y with S = sum(y_j^2 / v_j); with
    v = 1 this is (1 - (J - 2) / sum y^2) y. No positive part: B = (J - 2) / S may exceed 1.

    target="mean" (J >= 4): the positive-part estimator toward the grand mean (Lindley 1962,
    discussion of Stein, *JRSS B* 24:265-296; Efron and Morris 1975, *JASA* 70:311-319):
    theta = m + max(0, 1 - (J - 3) / S) (y - m), S = sum((y_j - m)^2 / v_j), m the
    precision-weighted mean. Never moves a group past the mean.

    Unequal v: the estimator is applied to y_j / sqrt(v_j) (unit variance) and mapped back,
    so the common factor uses S with weights 1 / v_j. This variant dominates the raw means
    under the loss sum((theta_hat_j - theta_j)^2 / v_j); with equal v it is the classical one.
    If S == 0 (all y at the target) the estimate is y itself.
    """
    target = check_choice(target, "target", TARGETS)
    y, v = check_groups(y, v)
    if target == "zero":
        check_min_groups(y, 3, "james_stein toward zero")
        centre, df = 0.0, y.size - 2
    else:
        check_min_groups(y, 4, "james_stein toward the mean")
        centre, df = precision_weighted_mean(y, v)[0], y.size - 3
    s = float(((y - centre) ** 2 / v).sum())
    b = df / s if s > 0.0 else 0.0
    if target == "mean":
        b = min(b, 1.0)
    return JamesStein(theta=centre + (1.0 - b) * (y - centre), shrinkage=b, target=centre)
