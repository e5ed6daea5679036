"""James-Stein: the published baseball example, the classical formulas, dominance, errors."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import read_columns
from hypothesis import given
from hypothesis import strategies as st

from partialpool import james_stein, mse


def test_efron_morris_baseball():
    # Efron and Morris (1977), Scientific American 236(5):119-127, and JASA 70 (1975): with
    # sigma^2 = p(1 - p) / 45 at the grand mean p = .265, the shrinkage constant is c = .212
    # and the James-Stein estimate is closer to the rest-of-season average for 16 of 18 players.
    cols = read_columns("efron_morris_1975.csv")
    y = np.array(cols["hits_45"], dtype=float) / 45
    truth = np.array(cols["avg_rest"], dtype=float)
    p = y.mean()
    js = james_stein(y, p * (1 - p) / 45, target="mean")
    assert round(p, 3) == 0.265
    assert round(1 - js.shrinkage, 3) == 0.212
    assert js.target == pytest.approx(p, rel=1e-15)
    assert np.sum(np.abs(js.theta - truth) < np.abs(y - truth)) == 16
    assert mse(js, truth) < mse(y, truth) / 3


def test_toward_zero_is_the_seed_formula():
    y = np.array([1.0, -2.0, 0.5, 3.0, 0.0])
    expected = (1 - (y.size - 2) / np.sum(y**2)) * y
    js = james_stein(y)
    np.testing.assert_allclose(js.theta, expected, rtol=1e-15)
    assert js.target == 0.0


def test_toward_zero_has_no_positive_part():
    y = np.array([0.1, -0.2, 0.1])
    js = james_stein(y)
    assert js.shrinkage > 1
    np.testing.assert_allclose(js.theta, (1 - 1 / np.sum(y**2)) * y)


def test_toward_mean_stops_at_the_mean():
    y = np.array([0.0, 0.1, -0.1, 0.05])
    js = james_stein(y, 1.0, target="mean")
    assert js.shrinkage == 1.0
    np.testing.assert_allclose(js.theta, y.mean())


def test_unequal_variances_use_the_whitened_statistic():
    y = np.array([1.0, 2.0, -1.0, 4.0])
    v = np.array([1.0, 4.0, 0.25, 2.0])
    b = (y.size - 2) / np.sum(y**2 / v)
    np.testing.assert_allclose(james_stein(y, v).theta, (1 - b) * y, rtol=1e-15)


def test_all_at_the_target_returns_the_data():
    js = james_stein([2.0, 2.0, 2.0, 2.0], 1.0, target="mean")
    np.testing.assert_array_equal(js.theta, [2.0, 2.0, 2.0, 2.0])
    assert js.shrinkage == 0.0


def test_dominates_the_raw_means_in_risk():
    # Stein (1956): for J >= 3 the total risk is below J, the risk of y itself.
    rng = np.random.default_rng(11)
    theta = rng.normal(0, 1, 10)
    y = theta + rng.standard_normal((4000, 10))
    loss_js = np.mean([mse(james_stein(row), theta) for row in y])
    loss_raw = np.mean((y - theta) ** 2)
    assert loss_js < 0.9 * loss_raw


@given(st.floats(-1e3, 1e3, allow_nan=False))
def test_toward_mean_is_shift_equivariant(c):
    y = np.array([1.0, 2.5, -0.3, 4.0, 0.7])
    a, b = james_stein(y, 0.5, target="mean"), james_stein(y + c, 0.5, target="mean")
    np.testing.assert_allclose(b.theta, a.theta + c, atol=1e-9 * (1 + abs(c)))


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (([1.0, 2.0],), {}, "james_stein toward zero needs at least 3 groups; got J == 2"),
        (([1.0, 2.0, 3.0],), {"target": "mean"}, "toward the mean needs at least 4 groups"),
        (
            ([1.0, 2.0, 3.0],),
            {"target": "median"},
            "unknown target 'median'; valid are 'zero', 'mean'",
        ),
        (([1.0, 2.0, 3.0], [1.0, 0.0, 1.0]), {}, r"v must be > 0 .*v\[1\] == 0"),
    ],
)
def test_bad_input_is_named(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        james_stein(*args, **kwargs)
