"""Posterior predictive checks: replicate each group's data from the posterior and set the
observed data among the replicates (Gelman, Meng and Stern 1996, *Statistica Sinica*
6:733-807; Gelman et al. 2013, BDA3 section 6.3).

For posterior draws theta^(s) the replicated data are y_rep_j^(s) ~ p(y_j | theta_j^(s)): a
binomial count out of n_j trials, a Poisson count over the exposure t_j, or N(theta_j, v_j) for
an estimate with sampling variance v_j. A group whose observed value lies far in the tail of
its replicates is one the model does not explain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .groupdata import GroupData
from .rankings import check_draws


@dataclass(frozen=True, eq=False)
class PredictiveCheck:
    """Each group's observed value against its replicates (one entry per group).

    Fields
    ------
    observed : y_j as the data give it: a count for counts, else the estimate.
    replicated : the replicated values, shape (S, J).
    mean : the mean of the replicates of each group.
    lower, upper : their 2.5% and 97.5% quantiles (numpy's default, linear interpolation).
    p_value : the posterior predictive p-value P(y_rep_j >= y_j | y), with half the mass of
        y_rep_j = y_j for counts (the mid-p value, so that it is near 1/2 when y_j is typical).
    kind : "binomial", "poisson" or "normal": how the replicates were drawn.
    seed : the seed of the replicates.
    """

    observed: np.ndarray
    replicated: np.ndarray
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    p_value: np.ndarray
    kind: str
    seed: int

    @property
    def outlying(self) -> np.ndarray:
        """Indices of the groups with a two-sided p-value below 0.05 (p_value < 0.025 or
        > 0.975)."""
        return np.flatnonzero((self.p_value < 0.025) | (self.p_value > 0.975))


def predictive_check(data: GroupData, theta: object, seed: int = 0) -> PredictiveCheck:
    """Replicate every group's data once per posterior draw of theta and compare.

    Parameters
    ----------
    data : the groups; with counts (`GroupData.counts`) theta is each group's rate and the
        replicates are counts, else theta is the group mean and y_rep_j ~ N(theta_j, v_j).
    theta : posterior draws, shape (S, J) (e.g. `FullBayes.draws(S, seed).theta`).
    seed : seed of `numpy.random.default_rng` for the replicates.

    Returns a `PredictiveCheck`.
    """
    draws = check_draws(theta)
    if draws.shape[1] != data.J:
        raise ValueError(f"theta has {draws.shape[1]} groups (columns); the data have {data.J}")
    rng = np.random.default_rng(seed)
    counts = data.counts
    if counts is None:
        kind, observed = "normal", data.y
        replicated = draws + np.sqrt(data.v) * rng.standard_normal(draws.shape)
    elif counts.kind == "binomial":
        if np.any((draws < 0.0) | (draws > 1.0)):
            raise ValueError("theta must be probabilities in [0, 1] for binomial counts")
        kind, observed = "binomial", counts.y
        replicated = rng.binomial(counts.n.astype(np.int64), draws).astype(float)
    else:
        if np.any(draws < 0.0):
            raise ValueError("theta must be rates >= 0 for Poisson counts")
        kind, observed = "poisson", counts.y
        replicated = rng.poisson(counts.n * draws).astype(float)
    above = (replicated > observed).mean(axis=0)
    tied = (replicated == observed).mean(axis=0) if kind != "normal" else 0.0
    lower, upper = np.quantile(replicated, [0.025, 0.975], axis=0)
    return PredictiveCheck(
        observed=observed,
        replicated=replicated,
        mean=replicated.mean(axis=0),
        lower=lower,
        upper=upper,
        p_value=above + 0.5 * tied,
        kind=kind,
        seed=seed,
    )
