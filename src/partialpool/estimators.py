"""The registry of estimators of the group means: one entry each, read by every front end.

An entry names its key, its label in tables, its legend text, its glyph (a marker name) and
colour, the fewest groups it needs, and a function from a `Context` (the data, the model, its
fit, the slider's tau and the full-Bayes posterior) to `GroupEstimates`, or None where it does
not apply. Adding an estimator is one `register` call; `compare` and the views loop over
`ESTIMATORS` (as scikit-learn's `all_estimators` or statsmodels' families are read by their
callers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .groupdata import GroupData
from .models import HyperFit, Model, Posterior
from .pooling import PoolingEstimate, complete_pool, no_pool
from .stein import james_stein


@dataclass(frozen=True, eq=False)
class Context:
    """What an estimator may use: the groups (their estimates y and variances v), the
    population model and its fit, the slider's tau^2 and the full-Bayes posterior (None where
    there is none)."""

    data: GroupData
    model: Model
    fit: HyperFit
    tau2: float
    posterior: Posterior | None

    @property
    def y(self) -> np.ndarray:
        """The group estimates y_j."""
        return self.data.y

    @property
    def v(self) -> np.ndarray:
        """Their sampling variances v_j."""
        return self.data.v


@dataclass(frozen=True, eq=False)
class GroupEstimates:
    """One estimator's estimate of every theta_j, with its posterior sd and shrinkage toward
    the common mean where the estimator has them (else None)."""

    theta: np.ndarray
    sd: np.ndarray | None = None
    shrinkage: np.ndarray | None = None


@dataclass(frozen=True)
class Estimator:
    """One registry entry. `marker` is a Bokeh scatter marker name; `colour` a CSS colour."""

    key: str
    label: str
    legend: str
    marker: str
    colour: str
    min_groups: int
    estimate: Callable[[Context], GroupEstimates | None]
    moves_with_tau: bool = False


ESTIMATORS: dict[str, Estimator] = {}
"""Estimator key -> entry, in the order tables list them."""


def register(entry: Estimator) -> Estimator:
    """Add `entry` to ESTIMATORS (replacing one with the same key) and return it."""
    ESTIMATORS[entry.key] = entry
    return entry


def _from_pooling(fit: PoolingEstimate) -> GroupEstimates:
    return GroupEstimates(theta=fit.theta, sd=fit.sd, shrinkage=fit.shrinkage)


def _full_bayes(c: Context) -> GroupEstimates | None:
    if c.posterior is None:
        return None
    return GroupEstimates(theta=c.posterior.theta_mean, sd=c.posterior.theta_sd)


register(
    Estimator(
        "no_pool",
        "No pooling",
        "no pooling: ybar_j",
        "x",
        "#1f5fbf",
        1,
        lambda c: _from_pooling(no_pool(c.y, c.v)),
    )
)
register(
    Estimator(
        "complete_pool",
        "Complete pooling",
        "grand mean (complete pooling)",
        "dash",
        "#000000",
        1,
        lambda c: _from_pooling(complete_pool(c.y, c.v)),
    )
)
register(
    Estimator(
        "partial_pool",
        "Partial, slider's tau",
        "partial pooling: theta_hat_j",
        "circle",
        "#1a9641",
        2,
        lambda c: _from_pooling(c.model.pool(c.data, c.tau2, c.fit)),
        moves_with_tau=True,
    )
)
register(
    Estimator(
        "empirical_bayes",
        "Partial, tau_hat (EB)",
        "tau_hat (fitted)",
        "diamond",
        "#1a9641",
        2,
        lambda c: _from_pooling(c.model.pool(c.data, c.fit.tau2, c.fit)),
    )
)
register(
    Estimator(
        "full_bayes",
        "Full Bayes",
        "full Bayes: E(theta_j | y) ± 1.96 sd",
        "diamond",
        "#7b3294",
        2,
        _full_bayes,
    )
)
register(
    Estimator(
        "james_stein",
        "James-Stein → 0",
        "James-Stein toward 0",
        "square_x",
        "#e66101",
        3,
        lambda c: GroupEstimates(theta=james_stein(c.y, c.v, "zero").theta),
    )
)
register(
    Estimator(
        "james_stein_mean",
        "James-Stein+ → mean",
        "James-Stein+ toward the mean",
        "square",
        "#e66101",
        4,
        lambda c: GroupEstimates(theta=james_stein(c.y, c.v, "mean").theta),
    )
)
