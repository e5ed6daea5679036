"""Grouped data as every estimator sees it: one estimate y_j and sampling variance v_j per group.

Three sources fill it: a simulation, a bundled data set (`partialpool.datasets`) and a CSV file
(`partialpool.csvfile`). Raw observations, group sizes and the true theta_j are kept when known.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .simulate import Simulation, summarize


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
