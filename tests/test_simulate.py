"""simulate and summarize: reproducibility, group sizes, the summaries against pandas and scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from partialpool import complete_pool, simulate, summarize
from partialpool.groupdata import from_simulation
from partialpool.simulate import with_outlier


def test_same_seed_same_data_new_seed_new_data():
    a, b = simulate(8, 5, tau=1.0, seed=3), simulate(8, 5, tau=1.0, seed=3)
    c = simulate(8, 5, tau=1.0, seed=4)
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.theta, b.theta)
    assert not np.array_equal(a.values, c.values)


def test_shapes_and_labels():
    sim = simulate(4, [1, 2, 3, 10], tau=0.5, mu=2.0, sigma=3.0, seed=0)
    np.testing.assert_array_equal(sim.n, [1, 2, 3, 10])
    np.testing.assert_array_equal(sim.groups, np.repeat(np.arange(4), [1, 2, 3, 10]))
    assert sim.values.shape == (16,) and sim.theta.shape == (4,)
    assert (sim.mu, sim.tau, sim.sigma) == (2.0, 0.5, 3.0)


def test_a_range_of_sizes_gives_small_and_large_groups():
    sim = simulate(200, (2, 40), tau=1.0, seed=1)
    assert sim.n.min() == 2 and sim.n.max() == 40
    assert sim.values.size == sim.n.sum()


def test_same_seed_moves_the_same_standardised_draws():
    a = simulate(6, 4, tau=1.0, mu=0.0, sigma=1.0, seed=9)
    b = simulate(6, 4, tau=2.0, mu=5.0, sigma=3.0, seed=9)
    np.testing.assert_allclose(b.theta, 5.0 + 2.0 * a.theta)
    np.testing.assert_allclose(b.values - b.theta[b.groups], 3.0 * (a.values - a.theta[a.groups]))


def test_draws_follow_the_model():
    sim = simulate(4000, 25, tau=2.0, mu=1.0, sigma=3.0, seed=5)
    assert stats.kstest((sim.theta - 1.0) / 2.0, "norm").pvalue > 1e-3
    resid = (sim.values - sim.theta[sim.groups]) / 3.0
    assert stats.kstest(resid, "norm").pvalue > 1e-3


def test_tau_zero_gives_one_common_mean():
    sim = simulate(5, 3, tau=0.0, mu=4.0, seed=0)
    np.testing.assert_array_equal(sim.theta, np.full(5, 4.0))


def test_summaries_match_pandas():
    sim = simulate(30, (1, 15), tau=1.0, mu=0.5, sigma=2.0, seed=2)
    labels = np.array([f"g{j:02d}" for j in sim.groups])
    s = summarize(sim.values, labels)
    frame = pd.DataFrame({"g": labels, "y": sim.values}).groupby("g", sort=False)["y"]
    np.testing.assert_array_equal(s.labels, frame.mean().index)
    np.testing.assert_allclose(s.ybar, frame.mean().to_numpy(), rtol=1e-13)
    np.testing.assert_array_equal(s.n, frame.size().to_numpy())
    within = (frame.var(ddof=1) * (frame.size() - 1)).sum() / (sim.values.size - 30)
    assert s.sigma**2 == pytest.approx(within, rel=1e-13)
    np.testing.assert_allclose(s.v, within / s.n, rtol=1e-13)


def test_pooled_variance_is_the_anova_mean_square_error():
    rng = np.random.default_rng(0)
    parts = [rng.normal(m, 1.5, k) for m, k in [(0, 4), (1, 7), (3, 2), (2, 11)]]
    values = np.concatenate(parts)
    groups = np.repeat([3, 1, 2, 0], [p.size for p in parts])
    s = summarize(values, groups)
    # one-way ANOVA: F = MSB / MSE, MSE = pooled variance
    f = stats.f_oneway(*parts).statistic
    grand = values.mean()
    msb = sum(p.size * (p.mean() - grand) ** 2 for p in parts) / 3
    assert s.sigma**2 == pytest.approx(msb / f, rel=1e-12)
    np.testing.assert_array_equal(s.labels, [3, 1, 2, 0])


def test_known_sigma_and_singletons():
    s = summarize([1.0, 2.0, 3.0], ["a", "b", "a"], sigma=2.0)
    np.testing.assert_array_equal(s.n, [2, 1])
    np.testing.assert_allclose(s.ybar, [2.0, 2.0])
    np.testing.assert_allclose(s.v, [2.0, 4.0])
    pooled = summarize([1.0, 2.0, 3.0, 7.0], ["a", "b", "a", "c"])
    assert pooled.sigma == pytest.approx(np.sqrt(2.0))
    np.testing.assert_allclose(pooled.v, [1.0, 2.0, 2.0])


def test_complete_pool_with_common_sigma_is_the_mean_of_all_observations():
    sim = simulate(9, (1, 30), tau=1.0, seed=6)
    s = summarize(sim.values, sim.groups, sigma=1.0)
    assert complete_pool(s.ybar, s.v).mu == pytest.approx(sim.values.mean(), rel=1e-13)


@given(st.permutations(list(range(12))))
def test_summaries_do_not_depend_on_row_order(order):
    sim = simulate(4, 3, tau=1.0, seed=1)
    s = summarize(sim.values, sim.groups)
    t = summarize(sim.values[order], sim.groups[order])
    by_label = np.argsort(t.labels)
    np.testing.assert_allclose(t.ybar[by_label], s.ybar, rtol=1e-14)
    assert t.sigma == pytest.approx(s.sigma, rel=1e-13)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"J": 0, "n": 3, "tau": 1.0}, "J must be a whole number >= 1; got J == 0"),
        ({"J": 2.5, "n": 3, "tau": 1.0}, "J must be a whole number"),
        ({"J": 3, "n": 0, "tau": 1.0}, "n must be >= 1"),
        ({"J": 3, "n": 2.5, "tau": 1.0}, "n must be a whole number; got n == 2.5"),
        ({"J": 3, "n": [2, 3], "tau": 1.0}, "one size per group; got 2 sizes for J == 3"),
        (
            {"J": 3, "n": [2, 0, 3], "tau": 1.0},
            r"group sizes must be whole numbers >= 1; got n\[1\] == 0",
        ),
        ({"J": 3, "n": (5, 2), "tau": 1.0}, r"low <= high; got \(5, 2\)"),
        ({"J": 3, "n": (1, 2, 3), "tau": 1.0}, r"must be \(low, high\)"),
        ({"J": 3, "n": 3, "tau": -1.0}, "tau must be >= 0"),
        ({"J": 3, "n": 3, "tau": 1.0, "sigma": 0.0}, "sigma must be > 0"),
        ({"J": 3, "n": 3, "tau": float("nan")}, "tau must be finite"),
    ],
)
def test_simulate_bad_input_is_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate(**kwargs)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (([1.0, 2.0], ["a"]), {}, "same length; got 2 and 1"),
        (([1.0, 2.0], ["a", "b"]), {}, "every group has one observation; pass sigma"),
        (([1.0, 1.0, 2.0, 2.0], ["a", "a", "b", "b"]), {}, "pooled within-group variance is 0"),
        (([1.0, np.inf], ["a", "a"]), {}, r"values must be finite; got values\[1\] == inf"),
        (([], []), {}, "values must not be empty"),
        (([1.0, 2.0], [0.0, np.nan]), {}, "groups must not contain NaN"),
        (([1.0, 2.0], ["a", "b"]), {"sigma": -1.0}, "sigma must be > 0"),
    ],
)
def test_summarize_bad_input_is_named(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        summarize(*args, **kwargs)


def test_with_outlier_adds_one_group_and_leaves_the_others_alone():
    sim = simulate(8, (2, 20), 0.5, mu=1.0, sigma=2.0, seed=4)
    out = with_outlier(sim, shift=6.0, n=15, seed=4)
    assert out.outlier == 8 and out.theta.size == 9 and out.n[-1] == 15
    assert out.theta[-1] == 7.0
    np.testing.assert_array_equal(out.values[: sim.values.size], sim.values)
    np.testing.assert_array_equal(out.theta[:8], sim.theta)
    outlier_values = out.values[out.groups == 8]
    assert outlier_values.size == 15
    # 15 draws with sd 2 about 7: the mean is within 4 standard errors
    assert abs(outlier_values.mean() - 7.0) < 4 * 2.0 / np.sqrt(15)
    again = with_outlier(sim, shift=6.0, n=15, seed=4)
    np.testing.assert_array_equal(again.values, out.values)
    data = from_simulation(out)
    assert data.labels[-1] == "outlier" and data.outlier == 8
    assert "not drawn from" in data.note


@pytest.mark.parametrize(
    ("shift", "n", "message"),
    [(float("nan"), 5, "shift must be finite"), (3.0, 0, "n must be >= 1"), (3.0, 2.5, "whole")],
)
def test_with_outlier_rejects_bad_settings(shift, n, message):
    sim = simulate(4, 5, 0.5, seed=1)
    with pytest.raises(ValueError, match=message):
        with_outlier(sim, shift, n, seed=1)


def test_with_outlier_only_once():
    sim = with_outlier(simulate(4, 5, 0.5, seed=1), 3.0, 5, seed=1)
    with pytest.raises(ValueError, match="already has an outlier"):
        with_outlier(sim, 3.0, 5, seed=1)
