"""The Stein study: exact risks, dominance for unrelated means, agreement with james_stein."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import PREFIX_PAIRS

from partialpool import james_stein
from partialpool.montecarlo import BLOCK
from partialpool.stein_study import (
    ESTIMATORS,
    SteinStudy,
    james_stein_rows,
    stein_study,
    stein_study_blocks,
    unrelated_means,
)


def exact_risk_toward_zero(theta: np.ndarray) -> float:
    """J - (J - 2)^2 E[1 / chi'^2_J(lambda)], lambda = ||theta||^2, for v = 1.

    James and Stein (1961); Efron and Morris (1973), JASA 68:117-130, section 2. The
    noncentral chi-square is a Poisson(lambda / 2) mixture of central chi^2_{J + 2K}, and
    E[1 / chi^2_m] = 1 / (m - 2), so E[1 / chi'^2_J(lambda)] = E_K[1 / (J - 2 + 2K)].
    """
    J, half = theta.size, float(theta @ theta) / 2
    if half == 0.0:
        return J - (J - 2) ** 2 / (J - 2)
    k = np.arange(int(half + 40 * math.sqrt(half + 1) + 100))
    log_pmf = -half + k * math.log(half) - np.array([math.lgamma(i + 1) for i in k])
    return J - (J - 2) ** 2 * float(np.sum(np.exp(log_pmf) / (J - 2 + 2 * k)))


def redraw(theta, v, replications, seed):
    """The y of each replication, by the recipe in the module docstring."""
    n_blocks = -(-replications // BLOCK)
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(n_blocks)):
        rng = np.random.default_rng(child)
        size = min(BLOCK, replications - i * BLOCK)
        yield from theta + np.sqrt(v) * rng.standard_normal((BLOCK, len(theta)))[:size]


def paired_gain(study: SteinStudy, estimator: str = "james_stein") -> tuple[float, float]:
    """(mean, standard error) of raw minus estimator error, replication by replication."""
    diff = study.raw - study.errors(estimator)
    return float(diff.mean()), float(diff.std(ddof=1) / math.sqrt(diff.size))


def test_the_estimators_are_listed_in_display_order():
    assert list(ESTIMATORS) == ["raw", "james_stein", "james_stein_mean"]


def test_risk_at_theta_zero_is_two():
    # At theta = 0 the exact risk of James-Stein toward zero is J - (J - 2) = 2 for any J >= 3
    # (Efron and Morris 1973, section 2); the raw means have risk J = 10.
    study = stein_study(np.zeros(10), 1.0, replications=20_000, seed=0)
    risk, se = study.risk(), study.risk_se()
    assert abs(risk["james_stein"] - 2.0) < 4 * se["james_stein"]
    assert abs(risk["raw"] - 10.0) < 4 * se["raw"]
    assert exact_risk_toward_zero(np.zeros(10)) == pytest.approx(2.0, rel=1e-12)


@pytest.mark.parametrize(("J", "seed"), [(5, 1), (12, 2), (40, 3)])
def test_monte_carlo_risk_matches_the_noncentral_chi_square_formula(J, seed):
    theta = unrelated_means(J, seed=seed, spread=3.0)
    study = stein_study(theta, 1.0, replications=20_000, seed=seed)
    exact = exact_risk_toward_zero(theta)
    assert exact < J
    assert abs(study.risk()["james_stein"] - exact) < 4 * study.risk_se()["james_stein"]


@pytest.mark.parametrize("J", [3, 5, 12])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_james_stein_beats_the_raw_means_for_unrelated_means(J, seed):
    # Stein's paradox: theta from unrelated sources, no common population, yet the total
    # squared error of James-Stein is below J, the risk of the raw means.
    theta = unrelated_means(J, seed=seed)
    study = stein_study(theta, 1.0, replications=20_000, seed=100 + seed)
    gain, se = paired_gain(study)
    assert gain > 3 * se
    # The risk of the raw means is exactly J, so compare it with the exact risk, not the MC one.
    assert exact_risk_toward_zero(theta) < J
    assert abs(study.risk()["raw"] - J) < 4 * study.risk_se()["raw"]
    if J >= 4:
        gain, se = paired_gain(study, "james_stein_mean")
        assert gain > 3 * se


def test_the_gain_shrinks_as_the_means_spread_out():
    # Exact risk J - (J - 2)^2 E[1 / chi'^2_J]: the expectation falls as ||theta||^2 grows.
    gains = [
        paired_gain(stein_study(unrelated_means(12, seed=4, spread=s), 1.0, 5000, seed=4))[0]
        for s in (1.0, 3.0, 10.0, 100.0)
    ]
    assert gains == sorted(gains, reverse=True)
    assert gains[-1] > 0


def test_positive_part_never_moves_a_group_past_the_mean():
    rng = np.random.default_rng(5)
    v = rng.uniform(0.2, 3.0, 6)
    y = rng.normal(0.0, 1.0, (5000, 6)) * np.array([0.1, 0.5, 1.0, 2.0, 5.0, 10.0])
    rows = james_stein_rows(y, v, target="mean")
    m = rows.target[:, None]
    at_mean = rows.theta == m
    same_side = np.sign(rows.theta - m) == np.sign(y - m)
    assert np.all(same_side | at_mean)
    assert np.all((rows.shrinkage >= 0) & (rows.shrinkage <= 1))
    assert np.any(rows.shrinkage == 1.0)  # some rows shrink all the way to the mean


@pytest.mark.parametrize("target", ["zero", "mean"])
@pytest.mark.parametrize("J", [4, 7, 50])
def test_rows_equal_james_stein_row_by_row(target, J):
    rng = np.random.default_rng(J)
    v = rng.uniform(0.1, 5.0, J)
    y = rng.normal(0.0, 3.0, (300, J)) * rng.uniform(0.1, 10.0, J)
    y[0] = 0.0  # S == 0: the estimate is y itself
    rows = james_stein_rows(y, v, target)
    for r in range(y.shape[0]):
        one = james_stein(y[r], v, target)
        np.testing.assert_array_equal(rows.theta[r], one.theta)
        assert rows.shrinkage[r] == one.shrinkage
        assert rows.target[r] == one.target


def test_study_errors_are_james_stein_on_the_redrawn_replications():
    theta = unrelated_means(6, seed=7)
    v = np.array([0.5, 1.0, 1.5, 2.0, 0.8, 1.2])
    study = stein_study(theta, v, replications=1100, seed=7)
    expected = np.array(
        [
            [
                np.sum((y - theta) ** 2),
                np.sum((james_stein(y, v).theta - theta) ** 2),
                np.sum((james_stein(y, v, "mean").theta - theta) ** 2),
            ]
            for y in redraw(theta, v, 1100, 7)
        ]
    )
    ours = np.column_stack([study.errors(key) for key in ESTIMATORS])
    np.testing.assert_array_equal(ours, expected)


def test_a_fixed_seed_reproduces_and_a_longer_study_extends_a_shorter_one():
    theta = unrelated_means(5, seed=1)
    a = stein_study(theta, 1.0, replications=1200, seed=3)
    b = stein_study(theta, 1.0, replications=1200, seed=3)
    longer = stein_study(theta, 1.0, replications=2000, seed=3)
    other = stein_study(theta, 1.0, replications=1200, seed=4)
    for key in ESTIMATORS:
        np.testing.assert_array_equal(a.errors(key), b.errors(key))
        np.testing.assert_array_equal(longer.errors(key)[:1200], a.errors(key))
        assert not np.any(other.errors(key) == a.errors(key))
    assert a.replications == 1200 and a.seed == 3


@pytest.mark.parametrize(
    ("r1", "r2"),
    PREFIX_PAIRS,
)
def test_a_shorter_study_is_exactly_the_start_of_a_longer_one(r1, r2):
    theta = unrelated_means(6, seed=5)
    v = np.array([0.5, 1.0, 1.5, 2.0, 0.8, 1.2])
    short = stein_study(theta, v, replications=r1, seed=8)
    long = stein_study(theta, v, replications=r2, seed=8)
    assert (short.replications, long.replications) == (r1, r2)
    for key in ESTIMATORS:
        np.testing.assert_array_equal(long.errors(key)[:r1], short.errors(key), err_msg=key)


def test_blocks_combine_to_the_study():
    theta = unrelated_means(5, seed=1)
    blocks = list(stein_study_blocks(theta, 1.0, replications=1234, seed=2))
    assert [b.replications for b in blocks] == [500, 500, 234]
    whole = stein_study(theta, 1.0, replications=1234, seed=2)
    combined = SteinStudy.combine(blocks)
    for key in ESTIMATORS:
        np.testing.assert_array_equal(combined.errors(key), whole.errors(key))


def test_combine_rejects_studies_of_different_theta():
    a = stein_study([1.0, 2.0, 3.0], 1.0, 10, seed=0)
    b = stein_study([1.0, 2.0, 4.0], 1.0, 10, seed=0)
    with pytest.raises(ValueError, match=r"parts\[1\] differs from parts\[0\]"):
        SteinStudy.combine([a, b])
    with pytest.raises(ValueError, match="at least one SteinStudy"):
        SteinStudy.combine([])


def test_three_groups_have_no_estimator_toward_the_mean():
    study = stein_study([1.0, -3.0, 8.0], 1.0, replications=600, seed=0)
    assert study.james_stein_mean.shape == (600,)
    assert np.isnan(study.james_stein_mean).all()
    assert math.isnan(study.risk()["james_stein_mean"])
    assert math.isnan(study.share_better("james_stein_mean"))
    assert 0.0 < study.share_better() < 1.0


def test_share_better_counts_strict_wins():
    theta = np.zeros(10)
    study = stein_study(theta, 1.0, replications=1000, seed=0)
    assert study.share_better() == np.mean(study.james_stein < study.raw)
    assert study.share_better() > 0.9  # at theta = 0 shrinkage almost always helps


def test_with_one_very_noisy_group_the_weighted_estimator_can_lose_in_total_error():
    # The 1 / v-weighted James-Stein dominates under sum((theta_hat - theta)^2 / v), but under
    # the unweighted total error Stein's identity guarantees it only if
    # (J + 2) max(v) <= 2 sum(v); here 5 * 100 > 2 * 102, and with theta in the noisy group
    # it loses (MC risk ~ 123 against 101 for the raw means).
    theta, v = np.array([0.0, 0.0, 30.0]), np.array([1.0, 1.0, 100.0])
    study = stein_study(theta, v, replications=20_000, seed=0)
    gain, se = paired_gain(study)
    assert gain < -3 * se
    # The same draws under the weighted loss: James-Stein wins.
    y = np.array(list(redraw(theta, v, 20_000, 0)))
    rows = james_stein_rows(y, v)
    weighted_gain = np.sum((y - theta) ** 2 / v, axis=1) - np.sum(
        (rows.theta - theta) ** 2 / v, axis=1
    )
    assert weighted_gain.mean() > 3 * weighted_gain.std(ddof=1) / math.sqrt(weighted_gain.size)


def test_unrelated_means_are_log_uniform_with_random_signs():
    theta = unrelated_means(2000, seed=3, spread=10.0)
    np.testing.assert_array_equal(theta, unrelated_means(2000, seed=3, spread=10.0))
    assert np.all((np.abs(theta) >= 0.1) & (np.abs(theta) <= 10.0))
    # log10 |theta| ~ Uniform(-1, 1): mean 0, variance 1/3.
    logs = np.log10(np.abs(theta))
    assert abs(logs.mean()) < 0.05 and abs(logs.var() - 1 / 3) < 0.03
    assert 0.45 < np.mean(theta > 0) < 0.55
    np.testing.assert_array_equal(np.abs(unrelated_means(5, seed=0, spread=1.0)), 1.0)
    assert not np.array_equal(unrelated_means(5, seed=1), unrelated_means(5, seed=2))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stein_study([1.0, 2.0], 1.0), "stein_study needs at least 3 groups; got J == 2"),
        (lambda: stein_study([1.0, 2.0, 3.0], [1.0, 1.0]), "v must be one number or J values"),
        (lambda: stein_study([1.0, 2.0, 3.0], [1.0, 0.0, 1.0]), "got v[1] == 0.0"),
        (lambda: stein_study([1.0, np.nan, 3.0]), "theta must be finite; got theta[1] == nan"),
        (lambda: stein_study([1.0, 2.0, 3.0], 1.0, 0), "replications must be a whole number"),
        (lambda: stein_study([1.0, 2.0, 3.0], 1.0, 10, seed=-1), "seed must be a whole number"),
        (lambda: SteinStudy.errors(stein_study([1, 2, 3], 1, 1), "lasso"), "unknown estimator"),
        (lambda: james_stein_rows([1.0, 2.0, 3.0]), "y must be two-dimensional (R x J)"),
        (lambda: james_stein_rows(np.ones((2, 3)), target="mean"), "at least 4 groups"),
        (lambda: james_stein_rows(np.ones((2, 2))), "at least 3 groups; got J == 2"),
        (lambda: james_stein_rows(np.ones((2, 3)), target="median"), "unknown target"),
        (lambda: james_stein_rows([[1, 2, np.inf]]), "y must be finite; got y[0, 2] == inf"),
        (lambda: unrelated_means(5, spread=0.5), "spread must be >= 1; got spread == 0.5"),
        (lambda: unrelated_means(0), "J must be a whole number >= 1"),
    ],
)
def test_bad_input_is_rejected_with_a_message(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert message in str(err.value)
