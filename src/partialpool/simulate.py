"""Simulate grouped data from the normal hierarchical model, and reduce raw data to group summaries.

Model: theta_j ~ N(mu, tau^2), y_ij | theta_j ~ N(theta_j, sigma^2), i = 1..n_j, j = 1..J.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validation import as_vector, check_scalar


@dataclass(frozen=True, eq=False)
class Simulation:
    """One simulated data set.

    values : all observations, group after group (length sum(n)).
    groups : the group index 0..J-1 of each observation.
    theta : the true group means, length J.
    n : group sizes, length J.
    mu, tau, sigma : the parameters it was drawn with.
    outlier : the index of a group added by `with_outlier` (not drawn from N(mu, tau^2)), or None.
    """

    values: np.ndarray
    groups: np.ndarray
    theta: np.ndarray
    n: np.ndarray
    mu: float
    tau: float
    sigma: float
    outlier: int | None = None


def _group_sizes(n: object, J: int, rng: np.random.Generator) -> np.ndarray:
    if isinstance(n, tuple):
        if len(n) != 2:
            raise ValueError(f"n as a range must be (low, high); got {n!r}")
        low, high = (int(check_scalar(b, "n range bound", low=1)) for b in n)
        if low != n[0] or high != n[1]:
            raise ValueError(f"n range bounds must be whole numbers; got {n!r}")
        if low > high:
            raise ValueError(f"n range must have low <= high; got {n!r}")
        return rng.integers(low, high + 1, size=J)
    if np.ndim(n) == 0:
        count = check_scalar(n, "n", low=1)
        if count != int(count):
            raise ValueError(f"n must be a whole number; got n == {n}")
        return np.full(J, int(count))
    sizes = as_vector(n, "n")
    if sizes.size != J:
        raise ValueError(f"n must have one size per group; got {sizes.size} sizes for J == {J}")
    if np.any(sizes < 1) or np.any(sizes != np.round(sizes)):
        i = int(np.flatnonzero((sizes < 1) | (sizes != np.round(sizes)))[0])
        raise ValueError(f"group sizes must be whole numbers >= 1; got n[{i}] == {sizes[i]}")
    return sizes.astype(int)


def simulate(
    J: int,
    n: int | tuple[int, int] | object,
    tau: float,
    mu: float = 0.0,
    sigma: float = 1.0,
    seed: int | np.random.Generator | None = None,
) -> Simulation:
    """Draw J groups: theta_j = mu + tau z_j, y_ij = theta_j + sigma e_ij, with z, e ~ N(0, 1).

    Parameters
    ----------
    J : number of groups, >= 1.
    n : group size: an int (all groups alike), a list or array of J sizes, or a tuple
        (low, high) from which each size is drawn uniformly (inclusive), so small and large
        groups coexist. A tuple is always a range, a list always sizes.
    tau : between-group sd, >= 0.   mu : population mean.   sigma : within-group sd, > 0.
    seed : int, Generator or None; the same seed gives the same data.

    Draws happen in a fixed order (sizes, then z, then e), so with one seed changing tau, mu
    or sigma moves the same standardised draws.
    """
    if isinstance(J, bool) or not isinstance(J, (int, np.integer)) or J < 1:
        raise ValueError(f"J must be a whole number >= 1; got J == {J!r}")
    tau = check_scalar(tau, "tau", low=0.0)
    mu = check_scalar(mu, "mu")
    sigma = check_scalar(sigma, "sigma", low=0.0, low_inclusive=False)
    rng = np.random.default_rng(seed)
    sizes = _group_sizes(n, int(J), rng)
    theta = mu + tau * rng.standard_normal(J)
    groups = np.repeat(np.arange(J), sizes)
    values = theta[groups] + sigma * rng.standard_normal(groups.size)
    return Simulation(values, groups, theta, sizes, mu, tau, sigma)


def with_outlier(sim: Simulation, shift: float, n: int, seed: int) -> Simulation:
    """`sim` with one more group whose true mean, mu + shift, is not drawn from the population:
    y_i = mu + shift + sigma e_i, i = 1..n, e ~ N(0, 1). Its draws come from their own stream,
    SeedSequence([seed, 1]), so the other groups are the same with or without it.
    """
    if sim.outlier is not None:
        raise ValueError("the simulation already has an outlier group")
    shift = check_scalar(shift, "shift")
    count = check_scalar(n, "n", low=1)
    if count != int(count):
        raise ValueError(f"n must be a whole number; got n == {n}")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    theta = sim.mu + shift
    J = sim.theta.size
    values = theta + sim.sigma * rng.standard_normal(int(count))
    return Simulation(
        values=np.concatenate([sim.values, values]),
        groups=np.concatenate([sim.groups, np.full(int(count), J)]),
        theta=np.append(sim.theta, theta),
        n=np.append(sim.n, int(count)),
        mu=sim.mu,
        tau=sim.tau,
        sigma=sim.sigma,
        outlier=J,
    )


@dataclass(frozen=True, eq=False)
class Summary:
    """Group summaries of raw observations.

    labels : the group labels, in order of first appearance.
    n : observations per group.   ybar : group means.
    v : sampling variance of each mean, sigma^2 / n_j.
    sigma : the within-group sd used (given, or pooled from the data).
    """

    labels: np.ndarray
    n: np.ndarray
    ybar: np.ndarray
    v: np.ndarray
    sigma: float


def _group_index(groups: object, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(labels in order of first appearance, index of each observation's group in labels)."""
    labels = np.asarray(groups)
    if labels.ndim != 1:
        raise ValueError(f"groups must be one-dimensional; got shape {labels.shape}")
    if labels.size != size:
        raise ValueError(
            f"values and groups must have the same length; got {size} and {labels.size}"
        )
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ValueError("groups must not contain NaN or infinite labels")
    try:
        unique, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    except TypeError as err:
        raise ValueError(f"groups must be labels of one comparable type; {err}") from None
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return unique[order], rank[inverse.ravel()]


def summarize(values: object, groups: object, sigma: float | None = None) -> Summary:
    """Reduce raw observations to n_j, ybar_j and v_j = sigma^2 / n_j per group (vectorised).

    With sigma None, sigma^2 is the pooled within-group variance
    sum_j sum_i (y_ij - ybar_j)^2 / (N - J), which needs N > J; groups of one observation add
    nothing to it but are kept. With a number, that sigma is used (then any N works).
    """
    values = as_vector(values, "values")
    labels, index = _group_index(groups, values.size)
    J = labels.size
    n = np.bincount(index, minlength=J)
    ybar = np.bincount(index, weights=values, minlength=J) / n
    if sigma is None:
        df = values.size - J
        if df < 1:
            raise ValueError(
                "cannot pool the within-group variance: every group has one observation; pass sigma"
            )
        resid = values - ybar[index]
        sigma2 = float(resid @ resid) / df
        if sigma2 == 0.0:
            raise ValueError("the pooled within-group variance is 0: every group is constant")
        sigma = math.sqrt(sigma2)
    else:
        sigma = check_scalar(sigma, "sigma", low=0.0, low_inclusive=False)
    return Summary(labels=labels, n=n, ybar=ybar, v=sigma**2 / n, sigma=sigma)


@dataclass(frozen=True, eq=False)
class CountSimulation:
    """Simulated binomial groups: successes out of trials with known rates.

    successes, trials : y_j and n_j, length J.
    rate : the true p_j = expit(mu + tau z_j), length J.
    mean_rate, tau : the parameters it was drawn with (mean_rate = expit(mu), tau on the
        logit scale).
    """

    successes: np.ndarray
    trials: np.ndarray
    rate: np.ndarray
    mean_rate: float
    tau: float


def simulate_binomial(
    J: int,
    trials: int | tuple[int, int] | object,
    tau: float,
    mean_rate: float = 0.2,
    seed: int | np.random.Generator | None = None,
) -> CountSimulation:
    """Draw J binomial groups: logit p_j = logit(mean_rate) + tau z_j, y_j ~ Binomial(n_j, p_j).

    trials : as `simulate`'s n (one size, J sizes, or a (low, high) range).
    tau : between-group sd on the logit scale, >= 0.   mean_rate : expit(mu), in (0, 1).
    """
    J = int(check_scalar(J, "J", low=1))
    tau = check_scalar(tau, "tau", low=0.0)
    mean_rate = check_scalar(mean_rate, "mean_rate", low=0.0)
    if not 0.0 < mean_rate < 1.0:
        raise ValueError(f"mean_rate must be between 0 and 1; got {mean_rate}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n = _group_sizes(trials, J, rng)
    eta = math.log(mean_rate) - math.log1p(-mean_rate) + tau * rng.standard_normal(J)
    rate = 1.0 / (1.0 + np.exp(-eta))
    return CountSimulation(
        successes=rng.binomial(n, rate).astype(float),
        trials=n.astype(float),
        rate=rate,
        mean_rate=mean_rate,
        tau=tau,
    )
