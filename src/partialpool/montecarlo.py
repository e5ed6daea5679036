"""A Monte Carlo study of no, complete and partial pooling, vectorised over replications.

Model: theta_j ~ N(mu, tau^2), y_j | theta_j ~ N(theta_j, v_j), j = 1..J, with v_j known.
With raw data y_ij ~ N(theta_j, sigma^2), i = 1..n_j, and sigma known, the group mean
ybar_j is sufficient for theta_j and is exactly N(theta_j, sigma^2 / n_j), so drawing y_j
directly with v_j = sigma^2 / n_j is exact, not an approximation.

Each replication draws theta (J values) and y (J values) and scores four estimators by their
realised loss against that replication's theta, mean_j (theta_hat_j - theta_j)^2:

- no_pool: theta_hat_j = y_j.
- complete_pool: theta_hat_j = sum(y / v) / sum(1 / v) for every group.
- empirical_bayes: partial pooling at tau2_hat = max(0, S^2(y) - mean(v)) (Hedges' method of
  moments, `tau2.hedges`), theta_hat_j = (1 - B_j) y_j + B_j mu_hat, B_j = v_j / (v_j + tau2_hat),
  mu_hat = sum(y / (v + tau2_hat)) / sum(1 / (v + tau2_hat)).
- true_tau: the same partial pooling at the true tau^2 (the oracle), mu still estimated by GLS.

The average over replications estimates the frequentist risk under the model. The claim the
study checks: for J >= 3, shrinking toward the pooled mean with tau estimated from the data
beats the raw means on average (Efron and Morris 1975, *JASA* 70:311-319), and partial pooling
sits between the no-pooling and complete-pooling extremes, near the better of the two (Gelman
et al. 2013, *Bayesian Data Analysis*, 3rd ed., section 5.4).

Replications are drawn in blocks of BLOCK; block i uses its own generator,
`np.random.default_rng(np.random.SeedSequence(seed).spawn(n_blocks)[i])`, and draws
z (BLOCK x J) then e (BLOCK x J), standard normal, always a full block; theta = mu + tau z,
y = theta + sqrt(v) e. A last block of fewer than BLOCK replications keeps the first rows of
z and e. Spawned child i does not depend on n_blocks, and no draw depends on R, so replication
r is the same in every study with the same seed: for any R1 <= R2 the study of R1 replications
is exactly the first R1 of the study of R2.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ._validation import as_vector, check_choice, check_count, check_min_groups, check_scalar

ESTIMATORS: dict[str, str] = {
    "no_pool": "No pooling",
    "complete_pool": "Complete pooling",
    "empirical_bayes": "Partial, tau_hat (EB)",
    "true_tau": "Partial, true tau",
}
"""Estimator keys (the MonteCarloStudy fields) mapped to their display names."""

BLOCK = 500
"""Replications per block. Results never depend on how the blocks are consumed."""


@dataclass(frozen=True, eq=False)
class MonteCarloStudy:
    """The realised loss of each estimator in each replication.

    Fields
    ------
    no_pool, complete_pool, empirical_bayes, true_tau : mean_j (theta_hat_j - theta_j)^2 in each
        replication, one array of length R per estimator (keys of ESTIMATORS).
    tau, mu, v : the model the replications were drawn from.
    seed : the seed of the SeedSequence the blocks were spawned from.
    """

    no_pool: np.ndarray
    complete_pool: np.ndarray
    empirical_bayes: np.ndarray
    true_tau: np.ndarray
    tau: float
    mu: float
    v: np.ndarray
    seed: int

    @property
    def replications(self) -> int:
        """The number of replications R."""
        return int(self.no_pool.size)

    def errors(self, estimator: str) -> np.ndarray:
        """The per-replication MSE of one estimator, by its key in ESTIMATORS."""
        return getattr(self, check_choice(estimator, "estimator", ESTIMATORS))

    def mean_mse(self) -> dict[str, float]:
        """Each estimator's MSE averaged over replications, the Monte Carlo estimate of its risk."""
        return {key: float(self.errors(key).mean()) for key in ESTIMATORS}

    @property
    def partial_beats_no_pool(self) -> float:
        """The share of replications in which empirical_bayes has a smaller MSE than no_pool."""
        return float(np.mean(self.empirical_bayes < self.no_pool))

    @classmethod
    def combine(cls, parts: Sequence[MonteCarloStudy]) -> MonteCarloStudy:
        """Concatenate the replications of studies drawn with the same tau, mu, v and seed."""
        if len(parts) == 0:
            raise ValueError("parts must hold at least one MonteCarloStudy; got none")
        first = parts[0]
        for i, part in enumerate(parts[1:], start=1):
            same = (
                part.tau == first.tau
                and part.mu == first.mu
                and part.seed == first.seed
                and np.array_equal(part.v, first.v)
            )
            if not same:
                raise ValueError(
                    f"parts must share tau, mu, v and seed; parts[{i}] differs from parts[0]"
                )

        def joined(key: str) -> np.ndarray:
            return np.concatenate([p.errors(key) for p in parts])

        return cls(
            no_pool=joined("no_pool"),
            complete_pool=joined("complete_pool"),
            empirical_bayes=joined("empirical_bayes"),
            true_tau=joined("true_tau"),
            tau=first.tau,
            mu=first.mu,
            v=first.v,
            seed=first.seed,
        )


def _partial_pool_rows(y: np.ndarray, v: np.ndarray, tau2: np.ndarray | float) -> np.ndarray:
    """Partial pooling of each row of y at tau2 (a scalar or one value per row, shape (R, 1))."""
    total = v + tau2
    w = 1.0 / total
    mu = (w * y).sum(axis=-1, keepdims=True) / w.sum(axis=-1, keepdims=True)
    return (tau2 / total) * y + (v / total) * mu


def _mse_rows(estimate: np.ndarray, theta: np.ndarray) -> np.ndarray:
    return np.mean((estimate - theta) ** 2, axis=1)


def _block(
    rng: np.random.Generator, size: int, v: np.ndarray, tau: float, mu: float, seed: int
) -> MonteCarloStudy:
    # A full block of z, then of e, whatever the size: drawing only `size` rows of z would
    # move where e starts in the stream, so a short last block would differ from the first
    # `size` rows of a full one and a shorter study would not be a prefix of a longer one.
    J = v.size
    z = rng.standard_normal((BLOCK, J))[:size]
    e = rng.standard_normal((BLOCK, J))[:size]
    theta = mu + tau * z
    y = theta + np.sqrt(v) * e

    w = 1.0 / v
    grand_mean = (y @ w)[:, None] / w.sum()
    tau2_hat = np.maximum(0.0, y.var(axis=1, ddof=1) - v.mean())[:, None]
    return MonteCarloStudy(
        no_pool=_mse_rows(y, theta),
        complete_pool=_mse_rows(grand_mean, theta),
        empirical_bayes=_mse_rows(_partial_pool_rows(y, v, tau2_hat), theta),
        true_tau=_mse_rows(_partial_pool_rows(y, v, tau * tau), theta),
        tau=tau,
        mu=mu,
        v=v,
        seed=seed,
    )


def monte_carlo_blocks(
    v: object, tau: float, mu: float = 0.0, replications: int = 1000, seed: int = 0
) -> Iterator[MonteCarloStudy]:
    """The Monte Carlo study one block at a time, for progress bars and early stopping.

    Checks the input when called, then returns an iterator that yields one MonteCarloStudy
    per block of BLOCK replications (the last block may be shorter). Block i draws a full
    block from `np.random.default_rng(np.random.SeedSequence(seed).spawn(n_blocks)[i])` and
    keeps as many rows as it needs, so the blocks are the same however they are consumed, and
    for any R1 <= R2 the R1 replications of a shorter study are the first R1 of a longer one
    with the same seed. `MonteCarloStudy.combine(list(blocks))` equals `monte_carlo(...)`.
    Parameters as in `monte_carlo`.
    """
    v = as_vector(v, "v").copy()
    check_min_groups(v, 3, "monte_carlo")
    bad = v <= 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"v must be > 0 (sampling variances); got v[{i}] == {v[i]}")
    tau = check_scalar(tau, "tau", low=0.0)
    mu = check_scalar(mu, "mu")
    replications = check_count(replications, "replications", 1)
    seed = check_count(seed, "seed", 0)
    return _blocks(v, tau, mu, replications, seed)


def _blocks(
    v: np.ndarray, tau: float, mu: float, replications: int, seed: int
) -> Iterator[MonteCarloStudy]:
    n_blocks = math.ceil(replications / BLOCK)
    children = np.random.SeedSequence(seed).spawn(n_blocks)
    for i, child in enumerate(children):
        size = min(BLOCK, replications - i * BLOCK)
        yield _block(np.random.default_rng(child), size, v, tau, mu, seed)


def monte_carlo(
    v: object, tau: float, mu: float = 0.0, replications: int = 1000, seed: int = 0
) -> MonteCarloStudy:
    """Estimate the risk of no, complete and partial pooling by simulating from the model.

    Draws `replications` data sets theta_j ~ N(mu, tau^2), y_j ~ N(theta_j, v_j) and records
    each estimator's mean_j (theta_hat_j - theta_j)^2 (see the module docstring for the four
    estimators and the random-number recipe). Vectorised over replications in blocks of BLOCK.

    Exact risks to check against: no pooling mean(v); partial pooling at the true tau with
    mu_hat by GLS mean_j [v_j (1 - B_j) + B_j^2 / sum(1 / (v + tau^2))] (BDA3 section 5.4).

    Parameters
    ----------
    v : the known sampling variances v_j = sigma^2 / n_j (finite, > 0), length J >= 3: the
        moment estimator needs a sample variance, and J >= 3 is Stein's setting.
    tau : the true between-group sd, finite and >= 0.
    mu : the true population mean, finite.
    replications : the number of simulated data sets R, a whole number >= 1.
    seed : a whole number >= 0 for np.random.SeedSequence.

    Returns a MonteCarloStudy with one MSE per replication and estimator.
    """
    return MonteCarloStudy.combine(list(monte_carlo_blocks(v, tau, mu, replications, seed)))
