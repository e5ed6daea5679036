"""Rankings with uncertainty: where each group stands among all J, from posterior draws.

In each draw s the groups are ranked by theta_sj, rank 1 for the highest; the posterior of a
group's rank is the distribution of its rank over the draws (Laird and Louis 1989, *J. Educ.
Stat.* 14:29-46; Gelman et al. 2013, BDA3 exercise 5.3, which asks for the probability that
each school's coaching effect is the largest). Goldstein and Spiegelhalter (1996), *J. R. Stat.
Soc. A* 159:385-443, show such rank intervals beside the estimates in caterpillar plots.
Whether the highest theta is the best (coaching effects) or the worst (death rates) is for
the caller to say.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_matrix

MIN_DRAWS = 100
"""Fewest draws accepted: with fewer, a 95% interval of the rank rests on two or three draws."""

_TAIL = 40
"""Each end of the 95% intervals leaves out less than 1 / _TAIL = 2.5% of the draws."""


@dataclass(frozen=True, eq=False)
class Rankings:
    """Each group's rank among the J groups, over S posterior draws; rank 1 = highest theta.

    Fields (one entry per group unless said otherwise)
    ------
    p_highest : P(theta_j is the largest of the J), the share of draws with rank 1.
    p_lowest : P(theta_j is the smallest), the share of draws with rank J.
    rank_mean : the posterior mean rank, between 1 and J.
    rank_lower, rank_upper : the 95% equal-tailed interval of the rank, integers in 1..J:
        rank_lower is the smallest r with P(rank <= r) >= 2.5% and rank_upper the largest r
        with P(rank >= r) >= 2.5%, so each tail left out holds less than 2.5%.
    order : the group indices sorted by theta_mean, highest first (for a caterpillar plot).
    theta_mean : the posterior mean of theta_j, the average of its draws.
    theta_lower, theta_upper : the 2.5% and 97.5% quantiles of its draws (numpy's default,
        linear interpolation).
    draws : the number of draws S.
    seed : the seed that gave the draws, or None when not known.
    """

    p_highest: np.ndarray
    p_lowest: np.ndarray
    rank_mean: np.ndarray
    rank_lower: np.ndarray
    rank_upper: np.ndarray
    order: np.ndarray
    theta_mean: np.ndarray
    theta_lower: np.ndarray
    theta_upper: np.ndarray
    draws: int
    seed: int | None


def check_draws(draws: object) -> np.ndarray:
    """Return `draws` as a finite float array of shape (S, J), S >= MIN_DRAWS and J >= 2, or
    raise ValueError naming the problem."""
    arr = as_matrix(draws, "draws", "draws x groups")
    if arr.shape[1] < 2:
        raise ValueError(f"draws must have at least 2 groups (columns); got {arr.shape[1]}")
    if arr.shape[0] < MIN_DRAWS:
        raise ValueError(f"draws must have at least {MIN_DRAWS} draws (rows); got {arr.shape[0]}")
    return arr


def _ranks(draws: np.ndarray) -> np.ndarray:
    """Rank of each group in each draw, 1 for the highest; ties go to the earlier group, so
    every row is a permutation of 1..J."""
    S, J = draws.shape
    order = np.argsort(-draws, axis=1, kind="stable")
    ranks = np.empty((S, J), dtype=np.intp)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(1, J + 1), (S, J)), axis=1)
    return ranks


def _rank_counts(draws: np.ndarray) -> np.ndarray:
    """counts[j, r - 1] = the number of draws in which group j has rank r."""
    J = draws.shape[1]
    cells = np.arange(J) * J + (_ranks(draws) - 1)
    return np.bincount(cells.ravel(), minlength=J * J).reshape(J, J)


def rank_probabilities(draws: object) -> np.ndarray:
    """The posterior distribution of every group's rank: P[j, r - 1] = P(rank_j = r | y).

    The share of draws in which theta_j is the r-th highest (rank 1 = highest; ties, which
    continuous draws have with probability 0, go to the earlier group). Every row and every
    column sums to 1.

    Parameters
    ----------
    draws : posterior draws of theta, shape (S, J): S >= 100 draws of J >= 2 groups.

    Returns the J x J matrix P.
    """
    arr = check_draws(draws)
    return _rank_counts(arr) / arr.shape[0]


def rank_draws(draws: object, seed: int | None = None) -> Rankings:
    """Rankings with uncertainty from posterior draws of theta: P(highest), P(lowest), rank
    intervals and the caterpillar order.

    In draw s, group j has rank r_sj = 1 + #{k : theta_sk > theta_sj} (1 = highest). Then
    p_highest_j = P(r_j = 1), p_lowest_j = P(r_j = J) and rank_mean_j = E(r_j), each the
    average over the draws; the 95% interval [rank_lower, rank_upper] drops from each end the
    most ranks whose total probability stays below 2.5%, so it holds at least 95% of the
    draws and contains the 2.5% and 97.5% quantiles of the rank. See Laird and Louis (1989),
    *J. Educ. Stat.* 14:29-46, and BDA3 exercise 5.3 (Gelman et al. 2013).

    Parameters
    ----------
    draws : posterior draws of theta, shape (S, J): S >= 100 draws of J >= 2 groups, for
        example `FullBayes.draws(S, seed).theta`. Any monotone increasing transform of the
        draws (a + c theta with c > 0, a logit) leaves every rank unchanged.
    seed : the seed that gave the draws, kept in the result for the record; not used.

    Returns a `Rankings`.

    Notes
    -----
    Ties between groups within a draw have probability 0 for continuous draws; should they
    occur, the earlier group (lower index) gets the higher rank, so every draw ranks the
    groups 1..J and p_highest and p_lowest each sum to 1. The Monte Carlo error of a
    probability p is sqrt(p (1 - p) / S) for independent draws.

    Examples
    --------
    A group whose draws all lie above the others' is the highest with probability 1:

    >>> import numpy as np
    >>> theta = np.random.default_rng(0).normal(size=(1000, 3)) + [0.0, 10.0, 0.5]
    >>> r = rank_draws(theta, seed=0)
    >>> print(r.p_highest, r.rank_lower, r.rank_upper, r.order)
    [0. 1. 0.] [2 1 2] [3 1 3] [1 2 0]
    """
    arr = check_draws(draws)
    S, J = arr.shape
    counts = _rank_counts(arr)
    below = np.cumsum(counts, axis=1)
    above = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1]
    # Integer counts against S / 40: the ends do not depend on how 0.025 * S rounds.
    rank_lower = np.argmax(_TAIL * below >= S, axis=1) + 1
    rank_upper = J - np.argmax((_TAIL * above >= S)[:, ::-1], axis=1)
    theta_mean = arr.mean(axis=0)
    theta_lower, theta_upper = np.quantile(arr, [0.025, 0.975], axis=0)
    return Rankings(
        p_highest=counts[:, 0] / S,
        p_lowest=counts[:, -1] / S,
        rank_mean=counts @ np.arange(1.0, J + 1.0) / S,
        rank_lower=rank_lower,
        rank_upper=rank_upper,
        order=np.argsort(-theta_mean, kind="stable"),
        theta_mean=theta_mean,
        theta_lower=theta_lower,
        theta_upper=theta_upper,
        draws=S,
        seed=seed,
    )
