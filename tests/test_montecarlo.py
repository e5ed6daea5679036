"""The Monte Carlo study: reproducibility, agreement with the scalar core, exact risks, limits."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import PREFIX_PAIRS
from hypothesis import example, given
from hypothesis import strategies as st

from partialpool import complete_pool, estimate_tau2, mse, no_pool, partial_pool
from partialpool.montecarlo import (
    BLOCK,
    ESTIMATORS,
    MonteCarloStudy,
    monte_carlo,
    monte_carlo_blocks,
)

# 12 groups of 2..40 observations with sigma = 1: v_j = 1 / n_j from 0.025 to 0.5.
V = 1.0 / np.round(np.linspace(2, 40, 12))


def assert_same_study(a: MonteCarloStudy, b: MonteCarloStudy) -> None:
    for key in ESTIMATORS:
        np.testing.assert_array_equal(a.errors(key), b.errors(key), err_msg=key)


def redraw(v, tau, mu, replications, seed):
    """(theta, y) of each replication, drawn by the recipe in the module docstring."""
    n_blocks = -(-replications // BLOCK)
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(n_blocks)):
        rng = np.random.default_rng(child)
        size = min(BLOCK, replications - i * BLOCK)
        z = rng.standard_normal((BLOCK, len(v)))[:size]
        e = rng.standard_normal((BLOCK, len(v)))[:size]
        theta = mu + tau * z
        yield from zip(theta, theta + np.sqrt(v) * e, strict=True)


def test_the_estimators_are_listed_in_display_order():
    assert list(ESTIMATORS) == ["no_pool", "complete_pool", "empirical_bayes", "true_tau"]
    assert ESTIMATORS["empirical_bayes"] == "Partial, tau_hat (EB)"


def test_a_fixed_seed_reproduces_the_study_exactly():
    a = monte_carlo(V, tau=0.5, mu=1.0, replications=1200, seed=7)
    b = monte_carlo(V, tau=0.5, mu=1.0, replications=1200, seed=7)
    assert a.replications == 1200
    assert_same_study(a, b)


def test_different_seeds_give_different_draws():
    a = monte_carlo(V, tau=0.5, replications=100, seed=1)
    b = monte_carlo(V, tau=0.5, replications=100, seed=2)
    for key in ESTIMATORS:
        assert not np.any(a.errors(key) == b.errors(key)), key


def test_blocks_consumed_one_by_one_combine_to_the_study():
    blocks = monte_carlo_blocks(V, tau=0.5, replications=1234, seed=3)
    parts = []
    for block in blocks:
        parts.append(block)
    assert [p.replications for p in parts] == [BLOCK, BLOCK, 1234 - 2 * BLOCK]
    assert_same_study(MonteCarloStudy.combine(parts), monte_carlo(V, 0.5, 0.0, 1234, 3))


@pytest.mark.parametrize(
    ("replications", "sizes"),
    [(1, [1]), (BLOCK - 1, [BLOCK - 1]), (BLOCK, [BLOCK]), (BLOCK + 1, [BLOCK, 1])],
)
def test_replications_come_in_blocks_of_block(replications, sizes):
    blocks = list(monte_carlo_blocks(V, tau=0.5, replications=replications))
    assert [b.replications for b in blocks] == sizes
    study = monte_carlo(V, tau=0.5, replications=replications)
    assert study.replications == replications
    assert all(study.errors(key).shape == (replications,) for key in ESTIMATORS)


@pytest.mark.parametrize(
    ("r1", "r2"),
    PREFIX_PAIRS,
)
def test_a_shorter_study_is_exactly_the_start_of_a_longer_one(r1, r2):
    # Replication r draws the same numbers whatever R is, also inside a short last block (with
    # blocks of `size` rows, z then e, this failed for every r1 that is not a multiple of BLOCK).
    short = monte_carlo(V, tau=0.5, mu=1.0, replications=r1, seed=11)
    long = monte_carlo(V, tau=0.5, mu=1.0, replications=r2, seed=11)
    assert (short.replications, long.replications) == (r1, r2)
    for key in ESTIMATORS:
        np.testing.assert_array_equal(long.errors(key)[:r1], short.errors(key), err_msg=key)


def test_a_short_last_block_is_the_start_of_a_full_one():
    # Blocks spawned for R = 501 and R = 1000 share child 1; its first row must agree.
    *_, short = monte_carlo_blocks(V, tau=0.5, replications=BLOCK + 1, seed=4)
    *_, full = monte_carlo_blocks(V, tau=0.5, replications=2 * BLOCK, seed=4)
    assert (short.replications, full.replications) == (1, BLOCK)
    for key in ESTIMATORS:
        assert short.errors(key)[0] == full.errors(key)[0], key


def test_every_replication_matches_the_scalar_core():
    # tau = 0.3 makes tau2_hat = 0 in some replications and > 0 in others; 700 spans two blocks.
    v, tau, mu = V, 0.3, 2.0
    study = monte_carlo(v, tau, mu, replications=700, seed=5)
    zero_tau2_hat = 0
    for r, (theta, y) in enumerate(redraw(v, tau, mu, 700, 5)):
        tau2_hat = estimate_tau2(y, v, "HE")
        zero_tau2_hat += tau2_hat == 0.0
        expected = {
            "no_pool": mse(no_pool(y), theta),
            "complete_pool": mse(complete_pool(y, v), theta),
            "empirical_bayes": mse(partial_pool(y, v, tau2_hat), theta),
            "true_tau": mse(partial_pool(y, v, tau**2), theta),
        }
        for key, value in expected.items():
            assert study.errors(key)[r] == pytest.approx(value, rel=1e-12, abs=1e-15), (r, key)
    assert 0 < zero_tau2_hat < 700


def test_mean_mse_and_errors_read_the_fields():
    study = monte_carlo(V, tau=0.5, replications=50, seed=0)
    assert study.mean_mse() == {key: float(getattr(study, key).mean()) for key in ESTIMATORS}
    assert study.errors("True_Tau") is study.true_tau
    with pytest.raises(ValueError, match="unknown estimator 'bayes'; valid are 'no_pool'"):
        study.errors("bayes")


def test_complete_pooling_wins_when_tau_is_zero():
    means = monte_carlo(V, tau=0.0, replications=2000, seed=21).mean_mse()
    assert means["complete_pool"] < means["empirical_bayes"] < means["no_pool"]
    # At tau = 0 the oracle is complete pooling itself.
    assert means["true_tau"] == pytest.approx(means["complete_pool"], rel=1e-12)


def test_estimated_tau_matches_no_pooling_when_tau_is_large():
    study = monte_carlo(V, tau=50.0, replications=2000, seed=22)
    means = study.mean_mse()
    assert means["empirical_bayes"] == pytest.approx(means["no_pool"], rel=0.02)
    gain = study.no_pool - study.empirical_bayes
    assert gain.mean() > -4 * gain.std(ddof=1) / np.sqrt(gain.size)


def test_partial_pooling_beats_no_pooling_in_most_replications():
    study = monte_carlo(V, tau=0.5, replications=2000, seed=23)
    share = study.partial_beats_no_pool
    assert 0.5 < share <= 1.0
    assert share == np.mean(study.empirical_bayes < study.no_pool)


def test_no_pooling_has_its_exact_risk_mean_v():
    # E (y_j - theta_j)^2 = v_j, so the risk of no pooling is mean(v) whatever tau is.
    study = monte_carlo(V, tau=0.5, replications=20_000, seed=24)
    se = study.no_pool.std(ddof=1) / np.sqrt(study.replications)
    assert abs(study.no_pool.mean() - V.mean()) < 4 * se


def test_the_oracle_has_its_exact_risk():
    # theta_hat_j - theta_j = [E(theta_j | y, mu) - theta_j] + B_j (mu_hat - mu): the first
    # term has variance v_j (1 - B_j) and is uncorrelated with any function of y, so
    # E(theta_hat_j - theta_j)^2 = v_j (1 - B_j) + B_j^2 Var(mu_hat),
    # Var(mu_hat) = 1 / sum(1 / (v + tau^2)) (BDA3 section 5.4).
    tau = 0.5
    study = monte_carlo(V, tau=tau, mu=-1.0, replications=20_000, seed=25)
    b = V / (V + tau**2)
    risk = np.mean(V * (1 - b) + b**2 / np.sum(1 / (V + tau**2)))
    se = study.true_tau.std(ddof=1) / np.sqrt(study.replications)
    assert abs(study.true_tau.mean() - risk) < 4 * se
    assert risk < V.mean()


def test_no_pooling_does_not_depend_on_tau_or_mu():
    a = monte_carlo(V, tau=0.0, mu=0.0, replications=300, seed=26)
    b = monte_carlo(V, tau=3.0, mu=5.0, replications=300, seed=26)
    np.testing.assert_allclose(a.no_pool, b.no_pool, rtol=1e-12)


settings_strategy = st.fixed_dictionaries(
    {
        "v": st.integers(3, 15).flatmap(
            lambda J: st.lists(st.floats(1e-2, 10.0), min_size=J, max_size=J)
        ),
        "tau": st.floats(0.0, 5.0),
        "mu": st.floats(-100.0, 100.0),
        "replications": st.integers(1, 40),
        "seed": st.integers(0, 2**32),
    }
)


@given(settings_strategy, st.floats(-100.0, 100.0))
@example(  # complete pooling's MSE of 1.9e-11 moved by 3e-20 (1.6e-9 relative)
    {
        "v": [1.0, 2.5859375, 3.10546875, 6.953125, 0.15054314416645118, 7.3125, 10.0, 3.05078125],
        "tau": 0.0,
        "mu": 0.0,
        "replications": 18,
        "seed": 35748,
    },
    16.0,
)
def test_shifting_mu_leaves_every_mse_unchanged(kwargs, shift):
    # Every estimator is location equivariant: adding c to theta and y adds c to the estimate.
    # Rounding theta and y at the size M of the means moves an error e by about M eps, so a
    # squared error by 2 |e| M eps: beyond rtol when e is tiny (e^2 = 2e-11 at tau = 0).
    a = monte_carlo(**kwargs)
    b = monte_carlo(**{**kwargs, "mu": kwargs["mu"] + shift})
    rounding = 8.0 * (1.0 + abs(kwargs["mu"]) + abs(shift)) * np.finfo(float).eps
    for key in ESTIMATORS:
        expected = a.errors(key)
        bound = 1e-9 * expected + rounding * np.sqrt(expected) + rounding**2
        assert np.all(np.abs(b.errors(key) - expected) <= bound), key


@given(settings_strategy, st.floats(0.1, 10.0))
@example(  # a squared error of 4e-10 at tau = 0, rounded differently once scaled
    {"v": [0.01, 1.34375, 7.5, 1.5, 0.01], "tau": 0.0, "mu": 45.0, "replications": 1, "seed": 21},
    1.5,
)
def test_scaling_the_model_scales_every_mse_by_the_square(kwargs, scale):
    # (mu, tau, sqrt(v)) -> c (mu, tau, sqrt(v)) multiplies theta, y, tau2_hat^(1/2) by c.
    a = monte_carlo(**kwargs)
    scaled = {
        **kwargs,
        "v": np.asarray(kwargs["v"]) * scale**2,
        "tau": kwargs["tau"] * scale,
        "mu": kwargs["mu"] * scale,
    }
    b = monte_carlo(**scaled)
    # an estimate of size M is rounded by about delta, so a squared error e moves by up to
    # 2 sqrt(e) delta + delta^2: that matters only where e is near zero (tau = 0, say)
    size = scale * (abs(kwargs["mu"]) + kwargs["tau"] + float(np.sqrt(np.max(kwargs["v"]))))
    delta = 1e-13 * size
    for key in ESTIMATORS:
        expected = a.errors(key) * scale**2
        bound = 1e-9 * np.abs(expected) + 2 * np.sqrt(np.abs(expected)) * delta + delta**2
        assert np.all(np.abs(b.errors(key) - expected) <= bound), key


def test_the_study_keeps_its_own_copy_of_v():
    v = V.copy()
    study = monte_carlo(v, tau=0.5, replications=10)
    v[0] = 99.0
    assert study.v[0] == V[0]


BAD_REPLICATIONS = "replications must be a whole number >= 1; got replications"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"v": [1.0, 1.0]}, "monte_carlo needs at least 3 groups; got J == 2"),
        ({"v": [1.0, 0.0, 1.0]}, r"v must be > 0 \(sampling variances\); got v\[1\] == 0.0"),
        ({"v": [1.0, np.nan, 1.0]}, r"v must be finite; got v\[1\] == nan"),
        ({"v": np.ones((2, 3))}, r"v must be one-dimensional; got shape \(2, 3\)"),
        ({"tau": -0.1}, "tau must be >= 0; got tau == -0.1"),
        ({"tau": np.inf}, "tau must be finite; got tau == inf"),
        ({"tau": None}, "tau must be a number; got None"),
        ({"mu": np.nan}, "mu must be finite; got mu == nan"),
        ({"replications": 0}, f"{BAD_REPLICATIONS} == 0$"),
        ({"replications": 10.0}, rf"{BAD_REPLICATIONS} == 10\.0$"),
        ({"replications": True}, f"{BAD_REPLICATIONS} == True$"),
        ({"seed": -1}, "seed must be a whole number >= 0; got seed == -1"),
        ({"seed": False}, "seed must be a whole number >= 0; got seed == False"),
        ({"seed": "1"}, "seed must be a whole number >= 0; got seed == '1'"),
    ],
)
def test_bad_input_is_named_when_called(kwargs, message):
    good = {"v": V, "tau": 0.5, "mu": 0.0, "replications": 10, "seed": 0}
    with pytest.raises(ValueError, match=message):
        monte_carlo(**{**good, **kwargs})
    with pytest.raises(ValueError, match=message):
        monte_carlo_blocks(**{**good, **kwargs})  # before the first next()


def test_combine_requires_parts_with_the_same_settings():
    a = monte_carlo(V, tau=0.5, replications=10, seed=0)
    with pytest.raises(ValueError, match="at least one MonteCarloStudy; got none"):
        MonteCarloStudy.combine([])
    for other in (
        monte_carlo(V, tau=0.6, replications=10, seed=0),
        monte_carlo(V, tau=0.5, mu=1.0, replications=10, seed=0),
        monte_carlo(V * 2, tau=0.5, replications=10, seed=0),
        monte_carlo(V, tau=0.5, replications=10, seed=1),
    ):
        with pytest.raises(ValueError, match=r"parts\[1\] differs from parts\[0\]"):
            MonteCarloStudy.combine([a, other])
