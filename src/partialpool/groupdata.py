"""Grouped data as every estimator sees it: one estimate y_j and sampling variance v_j per group.

Three sources fill it: a simulation, a bundled data set (`partialpool.datasets`) and a CSV file
(`partialpool.csvfile`). Raw observations, group sizes, counts and the true theta_j are kept
when known.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._special import beta_quantile, gamma_quantile
from ._validation import check_groups
from .binomial import check_counts
from .poisson import check_rates
from .pooling import Z_95
from .simulate import CountSimulation, Simulation, summarize

COUNT_KINDS = {"binomial": "successes out of trials", "poisson": "counts over an exposure"}
"""Counts.kind -> what y_j and n_j are."""


@dataclass(frozen=True, eq=False)
class Counts:
    """The counts behind rates: y_j successes out of n_j trials ("binomial"), or y_j events
    over an exposure n_j ("poisson")."""

    kind: str
    y: np.ndarray
    n: np.ndarray


@dataclass(frozen=True, eq=False)
class GroupData:
    """Per-group estimates with their sampling variances, plus whatever else is known.

    Fields
    ------
    title : a short name for the data, shown in the app.
    labels : the group labels (strings), length J.
    y : the estimate of each group mean (ybar_j, or a reported effect).
    v : the sampling variance of each y_j (sigma^2 / n_j, sd_j^2 / n_j or se_j^2).
    n : observations per group, or None when the data give only estimates and standard errors.
    truth : the true (or held-out) theta_j, or None when unknown; it enables the MSE.
    values, groups : the raw observations and the index of each one's group (0..J-1), or None.
    sigma : the common within-group sd when v_j = sigma^2 / n_j, else None.
    note : how v_j was obtained and where the data come from, in one or two sentences.
    outlier : the index of a simulated outlier group (its theta_j not drawn from the
        population), or None.
    counts : the counts when the groups are rates (y_j = counts_j / n_j), else None.
    """

    title: str
    labels: np.ndarray
    y: np.ndarray
    v: np.ndarray
    n: np.ndarray | None = None
    truth: np.ndarray | None = None
    values: np.ndarray | None = None
    groups: np.ndarray | None = None
    sigma: float | None = None
    note: str = ""
    outlier: int | None = None
    counts: Counts | None = None

    @property
    def J(self) -> int:  # noqa: N802 (the field's name for the number of groups)
        """The number of groups."""
        return int(self.y.size)


def from_simulation(sim: Simulation) -> GroupData:
    """The simulated groups with sigma known, v_j = sigma^2 / n_j, and the true theta_j."""
    summary = summarize(sim.values, sim.groups, sigma=sim.sigma)
    outlier = (
        ""
        if sim.outlier is None
        else f" The outlier's theta = {sim.theta[sim.outlier]:.3g} is not drawn from N(mu, tau²)."
    )
    return GroupData(
        title="Simulated groups",
        labels=np.array(
            ["outlier" if j == sim.outlier else f"group {j + 1}" for j in range(sim.n.size)]
        ),
        y=summary.ybar,
        v=summary.v,
        n=summary.n,
        truth=sim.theta,
        values=sim.values,
        groups=sim.groups,
        sigma=sim.sigma,
        note=(
            f"Simulated: theta_j ~ N({sim.mu:g}, {sim.tau:g}²), y_ij ~ N(theta_j, {sim.sigma:g}²); "
            f"sigma is known, so se_j² = sigma² / n_j.{outlier}"
        ),
        outlier=sim.outlier,
    )


def from_estimates(
    y: object, v: object, labels: object | None = None, title: str = "Estimates"
) -> GroupData:
    """Estimates y_j with sampling variances v_j (checked as `check_groups` does), labelled
    "group 1", ... unless `labels` are given."""
    y, v = check_groups(y, v)
    names = (
        np.array([f"group {j + 1}" for j in range(y.size)])
        if labels is None
        else np.asarray(labels, dtype=str)
    )
    return GroupData(title=title, labels=names, y=y, v=v)


def from_counts(
    kind: str,
    labels: object,
    counts: object,
    size: object,
    title: str,
    note: str = "",
    truth: object | None = None,
) -> GroupData:
    """Rates y_j = counts_j / n_j with their sampling variances at the pooled rate p:
    v_j = p (1 - p) / n_j for successes out of n_j trials ("binomial"), p / n_j for counts over
    an exposure n_j ("poisson") (Efron and Morris 1975, section 1). With these v_j the
    precision-weighted mean of the y_j is the pooled rate p = sum(counts) / sum(n_j); where
    that is 0 (or 1 for proportions) p is (sum(counts) + 1/2) / (sum(n_j) + 1), so that every
    v_j > 0. The counts are checked (`binomial.check_counts`, `poisson.check_rates`): a
    ValueError names the first bad group."""
    if kind == "binomial":
        y, n = check_counts(counts, size)
        total, trials = float(y.sum()), float(n.sum())
        p = total / trials if 0.0 < total < trials else (total + 0.5) / (trials + 1.0)
        v = p * (1.0 - p) / n
    elif kind == "poisson":
        y, n = check_rates(counts, size)
        total, exposure = float(y.sum()), float(n.sum())
        v = (total if total > 0.0 else 0.5) / exposure / n
    else:
        raise ValueError(f"unknown kind of counts {kind!r}; valid are {', '.join(COUNT_KINDS)}")
    names = np.asarray(labels, dtype=str)
    if names.shape != y.shape:
        raise ValueError(f"{names.size} labels for {y.size} groups")
    return GroupData(
        title=title,
        labels=names,
        y=y / n,
        v=v,
        n=n.astype(np.int64) if kind == "binomial" else None,
        truth=None if truth is None else np.asarray(truth, dtype=float),
        note=note,
        counts=Counts(kind, y, n),
    )


def from_count_simulation(sim: CountSimulation) -> GroupData:
    """The simulated binomial groups, with the true p_j as the truth."""
    return from_counts(
        "binomial",
        [f"group {j + 1}" for j in range(sim.trials.size)],
        sim.successes,
        sim.trials,
        "Simulated counts",
        note=(
            f"Simulated: logit p_j ~ N(logit {sim.mean_rate:g}, {sim.tau:g}²), "
            "y_j ~ Binomial(n_j, p_j); the truth is each p_j."
        ),
        truth=sim.rate,
    )


def own_interval(data: GroupData) -> tuple[np.ndarray, np.ndarray]:
    """Each group's 95% interval from its own data alone (no pooling).

    Estimates: y_j +- 1.96 se_j. Counts: Jeffreys intervals, the 2.5% and 97.5% quantiles of
    Beta(y_j + 1/2, n_j - y_j + 1/2) for successes out of trials and of Gamma(y_j + 1/2) / t_j
    for counts over an exposure (Brown, Cai and DasGupta 2001, *Statistical Science*
    16:101-133), with the end at 0 (or 1) where y_j is 0 (or n_j).
    """
    counts = data.counts
    if counts is None:
        half = Z_95 * np.sqrt(data.v)
        return data.y - half, data.y + half
    y, n = counts.y, counts.n
    if counts.kind == "binomial":
        a, b = y + 0.5, n - y + 0.5
        lower = np.where(y > 0, beta_quantile(0.025, a, b), 0.0)
        upper = np.where(y < n, beta_quantile(0.975, a, b), 1.0)
        return lower, upper
    a = y + 0.5
    lower = np.where(y > 0, gamma_quantile(0.025, a) / n, 0.0)
    return lower, gamma_quantile(0.975, a) / n
