"""Estimators of tau^2: published values, independent implementations, invariants, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as sm
from conftest import VIECHTBAUER_TAU2
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize
from statsmodels.stats.meta_analysis import combine_effects

from partialpool import TAU2_METHODS, estimate_tau2, simulate, summarize
from partialpool.tau2 import RTOL

PUBLISHED = VIECHTBAUER_TAU2


@pytest.mark.parametrize("method", sorted(PUBLISHED))
def test_matches_viechtbauer_2005(viechtbauer, method):
    y, v = viechtbauer
    assert round(estimate_tau2(y, v, method), 4) == PUBLISHED[method]


def test_every_method_has_a_published_check():
    assert set(TAU2_METHODS) == set(PUBLISHED)


def test_eight_schools_method_of_moments_is_zero(eight_schools):
    # BDA3 section 5.5: the between-school scatter is below the sampling noise.
    y, v = eight_schools
    assert estimate_tau2(y, v) == 0.0
    assert estimate_tau2(y, v, "HE") == 0.0


def test_default_is_the_seed_formula(viechtbauer):
    y, v = viechtbauer
    assert estimate_tau2(y, v) == pytest.approx(max(0.0, np.var(y, ddof=1) - np.mean(v)), rel=1e-15)


def test_method_names_are_case_insensitive(viechtbauer):
    y, v = viechtbauer
    assert estimate_tau2(y, v, "reml") == estimate_tau2(y, v, "REML")


# --- independent implementations -----------------------------------------------------------


def _neg_log_lik(t, y, v, restricted):
    w = 1.0 / (v + t)
    mu = (w * y).sum() / w.sum()
    value = 0.5 * np.log(v + t).sum() + 0.5 * (w * (y - mu) ** 2).sum()
    return value + (0.5 * np.log(w.sum()) if restricted else 0.0)


def _scipy_reference(y, v, method):
    """ML/REML by scipy's bounded scalar minimiser, PM by brentq on the Q equation."""
    k = y.size
    if method == "PM":

        def q(t):
            w = 1.0 / (v + t)
            mu = (w * y).sum() / w.sum()
            return (w * (y - mu) ** 2).sum() - (k - 1)

        return 0.0 if q(0.0) <= 0 else optimize.brentq(q, 0.0, 10 * np.var(y) + 1, xtol=1e-15)
    hi = 10 * np.var(y) + 1
    res = optimize.minimize_scalar(
        _neg_log_lik,
        bounds=(0.0, hi),
        args=(y, v, method == "REML"),
        method="bounded",
        options={"xatol": 1e-13},
    )
    return res.x


@pytest.mark.parametrize("method", ["ML", "REML", "PM"])
@pytest.mark.parametrize("seed", range(6))
def test_iterative_estimators_agree_with_scipy(method, seed):
    rng = np.random.default_rng(seed)
    J = int(rng.integers(5, 40))
    v = rng.uniform(0.05, 2.0, J)
    y = rng.normal(1.0, 0.8, J) + rng.normal(0, np.sqrt(v))
    ours = estimate_tau2(y, v, method)
    ref = _scipy_reference(y, v, method)
    if ref < 1e-6:
        assert ours == pytest.approx(ref, abs=1e-6)
    else:
        assert ours == pytest.approx(ref, rel=1e-6)


@pytest.mark.parametrize("method", ["ML", "REML"])
def test_converged_to_the_stated_tolerance(viechtbauer, method):
    # The score root found by brentq to machine precision; ours must agree to ~RTOL.
    y, v = viechtbauer

    def score(t):
        eps = 1e-7 * t
        return _neg_log_lik(t - eps, y, v, method == "REML") - _neg_log_lik(
            t + eps, y, v, method == "REML"
        )

    ours = estimate_tau2(y, v, method)
    grid = _scipy_reference(y, v, method)
    assert abs(ours - grid) / ours < 1e-7
    # score changes sign within a relative 1e-9 bracket around our estimate
    assert score(ours * (1 - 1e-9)) > 0 > score(ours * (1 + 1e-9)) or abs(score(ours)) < 1e-14
    assert RTOL == 1e-10


@pytest.mark.parametrize("seed", range(8))
def test_dersimonian_laird_agrees_with_statsmodels_meta_analysis(seed):
    # statsmodels' PM iteration overshoots below 0 and stops there on such data, so PM is
    # checked against brentq on the Q equation above instead.
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.05, 2.0, 15)
    y = rng.normal(1.0, 0.6, 15) + rng.normal(0, np.sqrt(v))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # from its HKSJ extras, not tau2
        ref = max(0.0, combine_effects(y, v, method_re="dl").tau2)  # statsmodels: untruncated
    assert estimate_tau2(y, v, "DL") == pytest.approx(ref, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("method", ["ML", "REML"])
def test_balanced_raw_data_agrees_with_statsmodels_mixedlm(method):
    sim = simulate(J=40, n=8, tau=0.7, mu=2.0, sigma=1.5, seed=11)
    frame = pd.DataFrame({"y": sim.values, "g": sim.groups})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # MixedLM's default optimiser stops early on this problem; conjugate gradients with a
        # tight gradient tolerance converges (checked against Powell's method too).
        fit = sm.mixedlm("y ~ 1", frame, groups="g").fit(
            reml=method == "REML", method="cg", gtol=1e-10
        )
    assert fit.converged
    summary = summarize(sim.values, sim.groups)
    # For balanced groups the joint (RE)ML estimate of sigma^2 is the pooled within-group
    # variance, so the estimate from (ybar_j, sigma^2 / n) must equal MixedLM's tau^2.
    assert summary.sigma**2 == pytest.approx(fit.scale, rel=1e-8)
    tau2 = estimate_tau2(summary.ybar, summary.v, method)
    assert tau2 == pytest.approx(float(fit.cov_re.iloc[0, 0]), rel=1e-8)


def test_balanced_closed_forms():
    # Equal v: REML = S^2(y) - v, ML = (J-1)/J S^2(y) - v
    # (Searle, Casella and McCulloch 1992, ch. 3).
    rng = np.random.default_rng(3)
    y = rng.normal(0, 2, 25)
    v = 0.5
    s2 = np.var(y, ddof=1)
    assert estimate_tau2(y, v, "REML") == pytest.approx(s2 - v, rel=1e-10)
    assert estimate_tau2(y, v, "ML") == pytest.approx(s2 * 24 / 25 - v, rel=1e-10)
    assert estimate_tau2(y, v, "PM") == pytest.approx(s2 - v, rel=1e-10)
    assert estimate_tau2(y, v, "DL") == pytest.approx(s2 - v, rel=1e-10)


# --- invariants --------------------------------------------------------------------------------

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
positive = st.floats(1e-3, 1e2, allow_nan=False, allow_infinity=False)


@st.composite
def groups(draw, min_size=2, max_size=30):
    J = draw(st.integers(min_size, max_size))
    y = np.array(draw(st.lists(finite, min_size=J, max_size=J)))
    v = np.array(draw(st.lists(positive, min_size=J, max_size=J)))
    return y, v


methods = st.sampled_from(sorted(TAU2_METHODS))


@given(groups(), methods)
def test_nonnegative_and_finite(data, method):
    y, v = data
    t = estimate_tau2(y, v, method)
    assert np.isfinite(t) and t >= 0.0


@given(groups(), methods, st.randoms(use_true_random=False))
def test_order_of_groups_does_not_matter(data, method, rnd):
    y, v = data
    order = list(range(y.size))
    rnd.shuffle(order)
    a = estimate_tau2(y, v, method)
    b = estimate_tau2(y[order], v[order], method)
    assert b == pytest.approx(a, rel=1e-7, abs=1e-9 * (np.ptp(y) ** 2 + v.max()))


@given(groups(), methods, st.floats(-1e3, 1e3))
def test_shift_does_not_change_tau2(data, method, c):
    y, v = data
    a = estimate_tau2(y, v, method)
    b = estimate_tau2(y + c, v, method)
    assert b == pytest.approx(a, rel=1e-6, abs=1e-9 * (np.ptp(y) ** 2 + v.max() + c**2))


@given(groups(), methods, st.floats(1e-3, 1e3) | st.floats(-1e3, -1e-3))
def test_scaling_y_by_a_scales_tau_by_abs_a(data, method, a):
    y, v = data
    t = estimate_tau2(y, v, method)
    scaled = estimate_tau2(a * y, a * a * v, method)
    assert np.sqrt(scaled) == pytest.approx(abs(a) * np.sqrt(t), rel=1e-6, abs=1e-6 * abs(a))


@given(groups())
def test_method_of_moments_is_the_seed_formula(data):
    y, v = data
    assert estimate_tau2(y, v, "HE") == max(0.0, float(y.var(ddof=1) - v.mean()))


def test_equal_means_give_zero_for_every_method():
    for method in TAU2_METHODS:
        assert estimate_tau2([1.0, 1.0, 1.0], [0.1, 0.2, 0.3], method) == 0.0


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("y", "v", "method", "message"),
    [
        ([], [], "HE", "y must not be empty"),
        ([1.0], [1.0], "REML", "needs at least 2 groups; got J == 1"),
        ([1.0, np.nan], [1.0, 1.0], "DL", r"y must be finite; got y\[1\] == nan"),
        ([1.0, 2.0], [1.0, np.inf], "DL", r"v must be finite; got v\[1\] == inf"),
        ([1.0, 2.0], [1.0, 0.0], "PM", r"v must be > 0 .*got v\[1\] == 0.0"),
        ([1.0, 2.0], [1.0, -0.2], "ML", r"v must be > 0 .*got v\[1\] == -0.2"),
        ([1.0, 2.0, 3.0], [1.0, 1.0], "HE", "same length; got 3 and 2"),
        ([1.0, 2.0], [1.0, 1.0], "XX", "unknown method 'XX'; valid are 'HE', 'DL', 'PM'"),
        (["a", "b"], [1.0, 1.0], "HE", "y must be numeric"),
        ([[1.0, 2.0]], [1.0], "HE", r"y must be one-dimensional; got shape \(1, 2\)"),
    ],
)
def test_bad_input_is_named(y, v, method, message):
    with pytest.raises(ValueError, match=message):
        estimate_tau2(y, v, method)
