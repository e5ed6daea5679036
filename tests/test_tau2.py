"""Estimators of tau^2: published values, independent implementations, invariants, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as sm
from conftest import SCALES, VIECHTBAUER_TAU2, unit_groups
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
    # Equal up to rounding: the estimate is computed on the data shifted and scaled.
    seed_formula = max(0.0, float(y.var(ddof=1) - v.mean()))
    tolerance = 1e-13 * (np.ptp(y) ** 2 + v.max())
    assert estimate_tau2(y, v, "HE") == pytest.approx(seed_formula, rel=1e-12, abs=tolerance)


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


# --- the global maximum of ML and REML ---------------------------------------------------------

# metafor 3.8.1 rma(), best logLik over starts tau2.init = 0.001 ... 1000
# (tests/reference/multimodal_tau2.R). Both profile likelihoods have two local maxima; a search
# that assumes one mode returns 0 for the first and 0.2755 for the second.
METAFOR_MULTIMODAL = [
    ([-5.0, 40.0], [1e-3, 10.0], "ML", 501.2001175),
    (
        [2.909317280639638, -7.284171908377065, 2.220317060173029],
        [0.029875542117436326, 12.762049685985758, 0.003010637342049125],
        "REML",
        17.80065355,
    ),
]


@pytest.mark.parametrize(("y", "v", "method", "tau2"), METAFOR_MULTIMODAL)
def test_global_maximum_matches_metafor(y, v, method, tau2):
    assert estimate_tau2(y, v, method) == pytest.approx(tau2, rel=1e-9)


def _profile_log_lik(y, v, tau2, restricted):
    """Profile log likelihood of many sets (rows of y, v) at many tau2 (columns), written
    directly from Viechtbauer (2005) eqs. 5-6."""
    total = v[:, None, :] + tau2[:, :, None]
    w = 1.0 / total
    sw = w.sum(axis=2)
    mu = (w * y[:, None, :]).sum(axis=2) / sw
    r = y[:, None, :] - mu[:, :, None]
    log_lik = -0.5 * (np.log(total).sum(axis=2) + (w * r * r).sum(axis=2))
    return log_lik - 0.5 * np.log(sw) if restricted else log_lik


def _heterogeneous_sets(rng, k, count):
    """v_j over five decades; between-group sd on three scales; a far-off group in 30 %."""
    v = 10.0 ** rng.uniform(-2.5, 2.5, (count, k))
    scale = rng.choice([0.1, 1.0, 10.0], (count, 1))
    y = scale * rng.standard_normal((count, k)) + np.sqrt(v) * rng.standard_normal((count, k))
    far = rng.random(count) < 0.3
    sign = rng.choice([-1.0, 1.0], count)
    y[far, 0] += (sign * rng.uniform(5, 100, count) * np.sqrt(v.max(axis=1)))[far]
    return y, v


@pytest.mark.parametrize("method", ["ML", "REML"])
def test_global_maximum_on_random_heterogeneous_sets(method):
    # 10,000 sets, k = 2..12: the likelihood at the estimate is at least the best of 6,000
    # points spread geometrically from 1e-6 min(v) to 10 max(4 range(y)^2, max(v)), and 0.
    rng = np.random.default_rng(20261203)
    restricted = method == "REML"
    unit = np.concatenate(([-np.inf], np.linspace(0.0, 1.0, 6000)))
    checked = 0
    for k in range(2, 13):
        y, v = _heterogeneous_sets(rng, k, 10_000 // 11 + 1)
        ours = np.array([estimate_tau2(a, b, method) for a, b in zip(y, v, strict=True)])
        low = np.log(1e-6 * v.min(axis=1))
        high = np.log(10 * np.maximum(4 * np.ptp(y, axis=1) ** 2, v.max(axis=1)))
        for part in np.array_split(np.arange(y.shape[0]), 40):
            grid = np.exp(low[part, None] + unit * (high - low)[part, None])
            dense = _profile_log_lik(y[part], v[part], grid, restricted).max(axis=1)
            at_ours = _profile_log_lik(y[part], v[part], ours[part, None], restricted)[:, 0]
            gap = (dense - at_ours) / np.maximum(1.0, np.abs(dense))
            assert gap.max() <= 1e-9, (y[part][gap.argmax()], v[part][gap.argmax()])
            checked += part.size
    assert checked >= 10_000


def test_many_groups_with_few_distinct_variances_match_one_row_per_group():
    # Pooling groups of equal v into classes is exact: compare with the same data perturbed
    # in v by 1e-13 relative, which keeps one class per group.
    rng = np.random.default_rng(5)
    n = rng.integers(2, 40, 20_000)
    v = 1.0 / n
    y = rng.normal(0.0, 0.5, n.size) + np.sqrt(v) * rng.standard_normal(n.size)
    jitter = v * (1.0 + 1e-13 * rng.uniform(-1.0, 1.0, v.size))
    for method in ("PM", "ML", "REML"):
        assert estimate_tau2(y, v, method) == pytest.approx(
            estimate_tau2(y, jitter, method), rel=1e-9
        )


# --- any scale -------------------------------------------------------------------------------


@given(unit_groups(min_size=2), methods, SCALES)
def test_any_scale_scales_tau2_by_c_squared(data, method, c):
    y, v = data
    expected = c * c * estimate_tau2(y, v, method)
    assert estimate_tau2(c * y, c * c * v, method) == pytest.approx(
        expected, rel=1e-9, abs=1e-12 * c * c * (np.ptp(y) ** 2 + v.max())
    )


@pytest.mark.parametrize("method", sorted(TAU2_METHODS))
@pytest.mark.parametrize("c", [1e-150, 1e-80, 1e80, 1e150])
def test_viechtbauer_at_extreme_scales(viechtbauer, method, c):
    # At c = 1e-80 the weights 1 / v_j^2 of the ML and REML scores underflowed: tau^2 came
    # back silently wrong.
    y, v = viechtbauer
    expected = estimate_tau2(y, v, method)
    assert estimate_tau2(c * y, c * c * v, method) / (c * c) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("y", "v", "message"),
    [
        ([1e154, -1e154], [1.0, 1.0], r"y must span at most 1e\+153 .*y\[0\] - y\[1\] == 2e\+154"),
        ([1e301, 1e301], [1.0, 1.0], r"\|y\| must be <= 1e\+300; got y\[0\] == 1e\+301"),
        ([1.0, 2.0], [1e-310, 1.0], r"v must be >= 1e-305 .*got v\[0\] == 1e-310"),
        ([1.0, 2.0], [1.0, 1e306], r"v must be <= 1e\+305; got v\[1\] == 1e\+306"),
        ([1.0, 2.0], [1e-150, 1e100], r"v must span at most a factor 1e\+200"),
        ([0.0, 1e-20], [1e-150, 1.0], r"y must span at most 1e\+50 standard errors"),
        ([1.0, None, 3.0], [1.0, 1.0, 1.0], r"y\[1\] is None \(missing\)"),
    ],
)
def test_out_of_range_data_are_refused_with_the_safe_range(y, v, message):
    for method in TAU2_METHODS:
        with pytest.raises(ValueError, match=message):
            estimate_tau2(y, v, method)
