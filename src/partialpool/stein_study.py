"""Stein's paradox by simulation: shrinkage beats the raw means even for unrelated quantities.

Model: J >= 3 fixed means theta_j with no common population (they may measure unrelated
things), y_j ~ N(theta_j, v_j) independently, v_j known. Each replication draws y afresh with
theta held fixed and scores three estimators by their total squared error
sum_j (theta_hat_j - theta_j)^2:

- raw: theta_hat = y, with risk sum(v) (J when v = 1).
- james_stein: toward zero, theta_hat = (1 - (J - 2) / S) y, S = sum(y_j^2 / v_j), no positive
  part (James and Stein 1961, *Proc. Fourth Berkeley Symp.* 1:361-379).
- james_stein_mean: positive part toward the precision-weighted grand mean m,
  theta_hat = m + max(0, 1 - (J - 3) / S) (y - m), S = sum((y_j - m)^2 / v_j) (Lindley 1962;
  Efron and Morris 1973, *JASA* 68:117-130). Defined for J >= 4 only; for J == 3 the field is
  an array of NaN of length R, so every study has the same fields and shapes.

Both are `partialpool.james_stein` applied to each replication (`james_stein_rows` is the
vectorised form and gives identical numbers). With v = 1, James-Stein toward zero has risk
J - (J - 2)^2 E[1 / chi'^2_J(lambda)], lambda = ||theta||^2, below J for every theta, and 2 at
theta = 0 (Efron and Morris 1977, "Stein's paradox in statistics", *Scientific American*
236(5):119-127). The gain shrinks as ||theta||^2 / J grows but never becomes a loss.

Unequal v: the estimators use weights 1 / v_j, as in `james_stein`. They dominate y under the
weighted loss sum((theta_hat_j - theta_j)^2 / v_j); under the unweighted total squared error
recorded here, dominance is guaranteed only when (J + 2) max(v) <= 2 sum(v) (from Stein's
identity), and with one very noisy group it can fail (see the tests).

Replications are drawn in blocks of montecarlo.BLOCK; block i uses the generator
`np.random.default_rng(np.random.SeedSequence(seed).spawn(n_blocks)[i])` and draws
e (BLOCK x J) standard normal, always a full block (a last block of fewer replications keeps
its first rows); y = theta + sqrt(v) e. Spawned child i does not depend on n_blocks, and no
draw depends on R, so for any R1 <= R2 the study of R1 replications is exactly the first R1
of the study of R2 with the same seed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ._validation import as_vector, check_choice, check_count, check_min_groups, check_scalar
from .montecarlo import BLOCK
from .stein import TARGETS

ESTIMATORS: dict[str, str] = {
    "raw": "Raw means",
    "james_stein": "James-Stein toward 0",
    "james_stein_mean": "James-Stein toward the mean (positive part)",
}
"""Estimator keys (the SteinStudy fields) mapped to their display names."""


@dataclass(frozen=True, eq=False)
class JamesSteinRows:
    """James-Stein applied to each row of an R x J array.

    theta : the R x J estimates.
    shrinkage : the R common factors B (one per row).
    target : the R values shrunk toward (0, or each row's precision-weighted mean).
    """

    theta: np.ndarray
    shrinkage: np.ndarray
    target: np.ndarray


def _check_rows(y: object, v: object) -> tuple[np.ndarray, np.ndarray]:
    """Return y as a finite R x J float array and v as J finite values > 0."""
    try:
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"y must be numeric; {err}") from None
    if y.ndim != 2 or y.shape[0] == 0:
        raise ValueError(f"y must be two-dimensional (R x J) with R >= 1; got shape {y.shape}")
    bad = ~np.isfinite(y)
    if bad.any():
        r, j = (int(a[0]) for a in np.nonzero(bad))
        raise ValueError(f"y must be finite; got y[{r}, {j}] == {y[r, j]}")
    return y, _check_variances(v, y.shape[1], "y has")


def _check_variances(v: object, J: int, owner: str) -> np.ndarray:
    v = as_vector(v, "v")
    if v.size == 1:
        v = np.full(J, v[0])
    if v.size != J:
        raise ValueError(f"v must be one number or J values; {owner} J == {J}, v has {v.size}")
    bad = v <= 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"v must be > 0 (sampling variances); got v[{i}] == {v[i]}")
    return v


def _rows(y: np.ndarray, v: np.ndarray, target: str) -> JamesSteinRows:
    # The same operations as `james_stein`, in the same order, so each row is bit-identical.
    R, J = y.shape
    if target == "zero":
        centre, df = np.zeros((R, 1)), J - 2
    else:
        i = int(np.argmin(v))
        w = v[i] / v
        anchor = y[:, i : i + 1]
        centre = anchor + ((w * (y - anchor)).sum(axis=1) / float(w.sum()))[:, None]
        df = J - 3
    s = ((y - centre) ** 2 / v).sum(axis=1)
    b = np.divide(df, s, out=np.zeros_like(s), where=s > 0.0)
    if target == "mean":
        b = np.minimum(b, 1.0)
    theta = centre + (1.0 - b)[:, None] * (y - centre)
    return JamesSteinRows(theta=theta, shrinkage=b, target=centre[:, 0])


def james_stein_rows(y: object, v: object = 1.0, target: str = "zero") -> JamesSteinRows:
    """`james_stein` applied to every row of y at once (R data sets of the same J groups).

    Row r of the result equals `james_stein(y[r], v, target)` exactly: same formula (see
    `partialpool.james_stein`), same order of operations. target="zero" needs J >= 3,
    target="mean" J >= 4.

    Parameters
    ----------
    y : an R x J array, one data set of J group means per row, finite.
    v : the J sampling variances (or one common value), finite and > 0.
    target : "zero" or "mean".

    Returns a JamesSteinRows (theta R x J, shrinkage R, target R).
    """
    target = check_choice(target, "target", TARGETS)
    y, v = _check_rows(y, v)
    if target == "zero":
        check_min_groups(y[0], 3, "james_stein toward zero")
    else:
        check_min_groups(y[0], 4, "james_stein toward the mean")
    return _rows(y, v, target)


@dataclass(frozen=True, eq=False)
class SteinStudy:
    """The total squared error of each estimator in each replication.

    Fields
    ------
    raw, james_stein, james_stein_mean : sum_j (theta_hat_j - theta_j)^2 in each replication,
        one array of length R per estimator (keys of ESTIMATORS); james_stein_mean is all NaN
        when J == 3.
    theta : the J fixed true means.
    v : the J sampling variances.
    seed : the seed of the SeedSequence the blocks were spawned from.
    """

    raw: np.ndarray
    james_stein: np.ndarray
    james_stein_mean: np.ndarray
    theta: np.ndarray
    v: np.ndarray
    seed: int

    @property
    def replications(self) -> int:
        """The number of replications R."""
        return int(self.raw.size)

    def errors(self, estimator: str) -> np.ndarray:
        """The per-replication total squared error of one estimator, by its key in ESTIMATORS."""
        return getattr(self, check_choice(estimator, "estimator", ESTIMATORS))

    def risk(self) -> dict[str, float]:
        """Each estimator's mean total squared error, the Monte Carlo estimate of its risk."""
        return {key: float(self.errors(key).mean()) for key in ESTIMATORS}

    def risk_se(self) -> dict[str, float]:
        """Monte Carlo standard error of each value in `risk()`: sd / sqrt(R), NaN if R == 1."""
        R = self.replications
        if R < 2:
            return dict.fromkeys(ESTIMATORS, math.nan)
        return {key: float(self.errors(key).std(ddof=1) / math.sqrt(R)) for key in ESTIMATORS}

    def share_better(self, estimator: str = "james_stein") -> float:
        """The share of replications in which `estimator` has a smaller error than raw (NaN if
        the estimator is undefined, i.e. james_stein_mean at J == 3)."""
        errors = self.errors(estimator)
        if np.isnan(errors).all():
            return math.nan
        return float(np.mean(errors < self.raw))

    @classmethod
    def combine(cls, parts: Sequence[SteinStudy]) -> SteinStudy:
        """Concatenate the replications of studies drawn with the same theta, v and seed."""
        if len(parts) == 0:
            raise ValueError("parts must hold at least one SteinStudy; got none")
        first = parts[0]
        for i, part in enumerate(parts[1:], start=1):
            same = (
                part.seed == first.seed
                and np.array_equal(part.theta, first.theta)
                and np.array_equal(part.v, first.v)
            )
            if not same:
                raise ValueError(
                    f"parts must share theta, v and seed; parts[{i}] differs from parts[0]"
                )

        def joined(key: str) -> np.ndarray:
            return np.concatenate([p.errors(key) for p in parts])

        return cls(
            raw=joined("raw"),
            james_stein=joined("james_stein"),
            james_stein_mean=joined("james_stein_mean"),
            theta=first.theta,
            v=first.v,
            seed=first.seed,
        )


def _total_error(estimate: np.ndarray, theta: np.ndarray) -> np.ndarray:
    return ((estimate - theta) ** 2).sum(axis=1)


def _block(
    rng: np.random.Generator, size: int, theta: np.ndarray, v: np.ndarray, seed: int
) -> SteinStudy:
    # A full block whatever the size, as in `montecarlo._block`: replication r's draws then
    # do not depend on R.
    y = theta + np.sqrt(v) * rng.standard_normal((BLOCK, theta.size))[:size]
    if theta.size >= 4:
        toward_mean = _total_error(_rows(y, v, "mean").theta, theta)
    else:
        toward_mean = np.full(size, math.nan)
    return SteinStudy(
        raw=_total_error(y, theta),
        james_stein=_total_error(_rows(y, v, "zero").theta, theta),
        james_stein_mean=toward_mean,
        theta=theta,
        v=v,
        seed=seed,
    )


def stein_study_blocks(
    theta: object, v: object = 1.0, replications: int = 10_000, seed: int = 0
) -> Iterator[SteinStudy]:
    """The Stein study one block at a time, for progress bars and early stopping.

    Checks the input when called, then returns an iterator yielding one SteinStudy per block
    of BLOCK replications (the last may be shorter, the first rows of a full block), so for
    any R1 <= R2 a study of R1 replications is the first R1 of one of R2 with the same seed.
    `SteinStudy.combine(list(blocks))` equals `stein_study(...)`. Parameters as in
    `stein_study`.
    """
    theta = as_vector(theta, "theta").copy()
    check_min_groups(theta, 3, "stein_study")
    v = _check_variances(v, theta.size, "theta has")
    replications = check_count(replications, "replications", 1)
    seed = check_count(seed, "seed", 0)
    return _blocks(theta, v, replications, seed)


def _blocks(theta: np.ndarray, v: np.ndarray, replications: int, seed: int) -> Iterator[SteinStudy]:
    n_blocks = math.ceil(replications / BLOCK)
    children = np.random.SeedSequence(seed).spawn(n_blocks)
    for i, child in enumerate(children):
        size = min(BLOCK, replications - i * BLOCK)
        yield _block(np.random.default_rng(child), size, theta, v, seed)


def stein_study(
    theta: object, v: object = 1.0, replications: int = 10_000, seed: int = 0
) -> SteinStudy:
    """Estimate the risk of the raw means and of James-Stein for fixed, unrelated theta.

    Draws `replications` data sets y_j ~ N(theta_j, v_j) with theta fixed and records each
    estimator's total squared error sum_j (theta_hat_j - theta_j)^2 (see the module
    docstring for the estimators and the random-number recipe). Vectorised over replications
    in blocks of BLOCK.

    Exact risks to check against (v = 1): raw J; James-Stein toward zero
    J - (J - 2)^2 E[1 / chi'^2_J(||theta||^2)] < J, equal to 2 at theta = 0 (James and Stein
    1961; Efron and Morris 1973, *JASA* 68:117-130, section 2).

    Parameters
    ----------
    theta : the J >= 3 true means, finite; fixed across replications.
    v : the sampling variances, one number or J values, finite and > 0.
    replications : the number of simulated data sets R, a whole number >= 1.
    seed : a whole number >= 0 for np.random.SeedSequence.

    Returns a SteinStudy.
    """
    return SteinStudy.combine(list(stein_study_blocks(theta, v, replications, seed)))


def unrelated_means(J: int, seed: int = 0, spread: float = 10.0) -> np.ndarray:
    """J true means with no common population, for demonstrating Stein's paradox.

    Each theta_j = s_j * spread^u_j with u_j ~ Uniform(-1, 1) and a fair random sign s_j,
    drawn (u, then s) from `np.random.default_rng(seed)`: magnitudes are log-uniform between
    1 / spread and spread, so the largest can be spread^2 times the smallest, as if each group
    measured a different quantity in its own units (Efron and Morris 1977 mix batting
    averages with the share of foreign cars). There is no common mean or variance for
    partial pooling to estimate, yet James-Stein still lowers the total squared error.

    Parameters
    ----------
    J : the number of groups, a whole number >= 1.
    seed : a whole number >= 0.
    spread : the largest magnitude, finite and >= 1 (1 gives values of +-1).

    Returns an array of J floats.
    """
    J = check_count(J, "J", 1)
    seed = check_count(seed, "seed", 0)
    spread = check_scalar(spread, "spread", low=1.0)
    rng = np.random.default_rng(seed)
    u = rng.uniform(-1.0, 1.0, J)
    sign = np.where(rng.random(J) < 0.5, -1.0, 1.0)
    return sign * spread**u
