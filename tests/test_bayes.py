"""Full Bayes on the (mu, tau) grid: brute-force 2-D integration, limits, invariants, errors."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

from partialpool import complete_pool, full_bayes


def _brute_force(y, v, log_prior):
    """Posterior moments by nested adaptive quadrature over (tau, mu), no shared code."""
    centre = np.average(y, weights=1 / v)

    def joint(mu, tau):
        return math.exp(
            log_prior(tau) + stats.norm.logpdf(y, mu, np.sqrt(v + tau**2)).sum() + log_ref
        )

    def over_mu(f, tau):
        return integrate.quad(
            lambda m: f(m, tau) * joint(m, tau),
            -np.inf,
            np.inf,
            epsabs=0,
            epsrel=1e-11,
            points=None,
        )[0]

    log_ref = -(log_prior(0.0) + stats.norm.logpdf(y, centre, np.sqrt(v)).sum())

    def expect(f):
        return integrate.quad(
            lambda t: over_mu(f, t), 0, np.inf, epsabs=0, epsrel=1e-10, limit=200
        )[0]

    z = expect(lambda m, t: 1.0)

    def theta1(m, t):
        b = v[0] / (v[0] + t**2)
        return y[0] + b * (m - y[0])

    def theta1_sq(m, t):
        b = v[0] / (v[0] + t**2)
        return v[0] * (1 - b) + theta1(m, t) ** 2

    return {
        "tau_mean": expect(lambda m, t: t) / z,
        "mu_mean": expect(lambda m, t: m) / z,
        "mu_sd": math.sqrt(expect(lambda m, t: m * m) / z - (expect(lambda m, t: m) / z) ** 2),
        "theta1_mean": expect(theta1) / z,
        "theta1_sd": math.sqrt(expect(theta1_sq) / z - (expect(theta1) / z) ** 2),
        "p_tau_below_5": integrate.quad(
            lambda t: over_mu(lambda m, t: 1.0, t), 0, 5.0, epsabs=0, epsrel=1e-10
        )[0]
        / z,
    }


def _check_against(fb, ref):
    assert fb.tau_mean == pytest.approx(ref["tau_mean"], rel=2e-5)
    assert fb.mu_mean == pytest.approx(ref["mu_mean"], rel=1e-7)
    assert fb.mu_sd == pytest.approx(ref["mu_sd"], rel=1e-6)
    assert fb.theta_mean[0] == pytest.approx(ref["theta1_mean"], rel=1e-7)
    assert fb.theta_sd[0] == pytest.approx(ref["theta1_sd"], rel=1e-6)
    cdf_at_5 = np.interp(5.0, fb.tau_grid, fb.tau_cdf)
    assert cdf_at_5 == pytest.approx(ref["p_tau_below_5"], abs=2e-5)


def test_eight_schools_uniform_prior_matches_brute_force(eight_schools):
    y, v = eight_schools
    _check_against(full_bayes(y, v), _brute_force(y, v, lambda t: 0.0))


def test_half_cauchy_prior_matches_brute_force():
    rng = np.random.default_rng(7)
    y = rng.normal(3.0, 4.0, 6)
    v = rng.uniform(4.0, 30.0, 6)
    fb = full_bayes(y, v, prior="half-cauchy", scale=5.0)
    _check_against(fb, _brute_force(y, v, lambda t: -math.log1p((t / 5.0) ** 2)))


def test_eight_schools_keeps_spread_where_empirical_bayes_collapses(eight_schools):
    # BDA3 section 5.5: tau_hat = 0 pools completely; full Bayes does not.
    y, v = eight_schools
    fb = full_bayes(y, v)
    pooled = complete_pool(y, v).theta
    assert np.ptp(fb.theta_mean) > 3.0 > np.ptp(pooled)
    assert 4.0 < fb.tau_quantiles(0.5) < 6.0  # BDA3 Table 5.3 reports a median near 5
    np.testing.assert_array_less(fb.tau_quantiles([0.025, 0.5]), fb.tau_quantiles([0.5, 0.975]))


def test_density_integrates_to_one(eight_schools):
    y, v = eight_schools
    fb = full_bayes(y, v)
    assert np.sum(fb.tau_weights * fb.tau_density) == pytest.approx(1.0, rel=1e-12)
    assert np.trapezoid(fb.tau_density, fb.tau_grid) == pytest.approx(1.0, rel=1e-4)
    assert fb.tau_cdf[0] == 0.0 and fb.tau_cdf[-1] == 1.0
    assert np.all(np.diff(fb.tau_cdf) >= 0)
    assert fb.tau_grid[0] == 0.0


def test_theta_means_lie_between_no_pool_and_complete_pool(eight_schools):
    y, v = eight_schools
    fb = full_bayes(y, v)
    mu = complete_pool(y, v).mu
    lo, hi = np.minimum(y, mu), np.maximum(y, mu)
    assert np.all((fb.theta_mean > lo) & (fb.theta_mean < hi))


def test_many_observations_per_group_approach_no_pooling():
    rng = np.random.default_rng(4)
    theta = rng.normal(0, 1, 10)
    v = np.full(10, 1e-6)  # sigma = 1, n = 10^6 per group
    y = theta + rng.normal(0, 1e-3, 10)
    fb = full_bayes(y, v)
    np.testing.assert_allclose(fb.theta_mean, y, atol=1e-5)
    np.testing.assert_allclose(fb.theta_sd, 1e-3, rtol=1e-3)


def test_tight_posterior_from_many_groups_is_resolved():
    # J = 5000 groups: p(tau | y) is narrow; the grid must zoom in on it.
    rng = np.random.default_rng(8)
    v = rng.uniform(0.5, 1.5, 5000)
    y = rng.normal(0, 1.0, 5000) + rng.normal(0, np.sqrt(v))
    fb = full_bayes(y, v)
    assert fb.tau_mean == pytest.approx(1.0, abs=0.05)
    assert np.sum(fb.tau_weights * fb.tau_density) == pytest.approx(1.0)
    width = np.diff(fb.tau_quantiles([0.16, 0.84]))[0]
    assert 0.005 < width < 0.05
    assert np.sum((fb.tau_grid > fb.tau_mean - width) & (fb.tau_grid < fb.tau_mean + width)) > 50


def test_grid_refinement_does_not_move_the_answer(eight_schools):
    y, v = eight_schools
    coarse, fine = full_bayes(y, v, grid_size=300), full_bayes(y, v, grid_size=5000)
    assert coarse.tau_mean == pytest.approx(fine.tau_mean, rel=1e-4)
    np.testing.assert_allclose(coarse.theta_mean, fine.theta_mean, rtol=1e-8)
    np.testing.assert_allclose(coarse.theta_sd, fine.theta_sd, rtol=1e-8)


@pytest.mark.parametrize("factor", [1e-8, 1e-3, 1.0, 1e4, 1e9])
def test_accurate_whatever_the_scale_of_y(eight_schools, factor):
    y, v = eight_schools
    base = full_bayes(y, v)
    fb = full_bayes(y * factor, v * factor**2)
    assert fb.tau_mean == pytest.approx(base.tau_mean * factor, rel=1e-9)
    np.testing.assert_allclose(fb.theta_mean, base.theta_mean * factor, rtol=1e-9)
    assert fb.tau_quantiles(0.5) == pytest.approx(base.tau_quantiles(0.5) * factor, rel=1e-9)


def test_missing_moments_are_infinite_not_truncated():
    y, v = np.array([0.0, 1.0, 3.0]), np.ones(3)
    fb3 = full_bayes(y, v)
    assert fb3.tau_mean == math.inf and fb3.mu_sd == math.inf
    assert np.all(np.isfinite(fb3.theta_mean)) and np.isfinite(fb3.mu_mean)
    fb4 = full_bayes(np.append(y, 2.0), np.ones(4))
    assert np.isfinite(fb4.tau_mean) and fb4.mu_sd == math.inf
    fb2 = full_bayes([0.0, 1.0], [1.0, 1.0], prior="half-cauchy", scale=1.0)
    assert np.isfinite(fb2.tau_mean) and fb2.mu_sd == math.inf


# --- against adaptive quadrature in tau ----------------------------------------------------------

QUANTILES = (0.025, 0.25, 0.5, 0.75, 0.975)


def _quad_posterior(y, v, prior="uniform", scale=None):
    """Posterior summaries by scipy.integrate.quad, written afresh from BDA3 eqs. 5.20-5.21:

    p(tau | y) ∝ p(tau) V_mu^(1/2) prod_j (v_j + tau^2)^(-1/2) exp(-(y_j - mu_hat)^2 / (2 (v_j
    + tau^2))), with E(mu | tau, y) = mu_hat, Var(mu | tau, y) = V_mu, E(theta_j | tau, y) =
    y_j + B_j (mu_hat - y_j) and Var(theta_j | tau, y) = v_j (1 - B_j) + B_j^2 V_mu.

    The integrals run over [0, e^x_lo] in tau, the bulk in x = log tau in pieces two units wide,
    and [e^x_hi, inf) in tau, so nothing is cut off; quantiles by Brent's method on the CDF.
    """
    y = np.asarray(y, dtype=float)
    v = np.broadcast_to(np.asarray(v, dtype=float), y.shape)
    tail = y.size - 1 if prior == "uniform" else y.size + 1

    def given(t):
        var = v + t * t
        w = 1.0 / var
        mu_var = 1.0 / w.sum()
        mu_hat = mu_var * (w @ y)
        log_p = 0.5 * math.log(mu_var) - 0.5 * np.log(var).sum() - 0.5 * (w @ (y - mu_hat) ** 2)
        if prior == "half-cauchy":
            log_p -= math.log1p((t / scale) ** 2)
        return log_p, mu_hat, mu_var, v / var

    sizes = [math.sqrt(v.min()), math.sqrt(v.max()) + np.ptp(y), *([scale] if scale else [])]
    x_lo, x_hi = math.log(min(sizes)) - 20.0, math.log(max(sizes)) + 60.0
    xs = np.linspace(x_lo, x_hi, 2000)
    log_px = np.array([given(math.exp(x))[0] + x for x in xs])
    log_ref = max(given(0.0)[0], (log_px - xs).max())
    bulk = xs[log_px >= log_px.max() - 60.0]
    breaks = [x_lo, *np.arange(bulk[0], bulk[-1], 2.0)[1:], x_hi]

    def quad(f, a, b, in_log_tau, eps_abs):
        def integrand(s):
            t = math.exp(s) if in_log_tau else s
            log_p, *rest = given(t)
            return f(t, *rest) * math.exp(log_p - log_ref + (s if in_log_tau else 0.0))

        return integrate.quad(integrand, a, b, epsabs=eps_abs, epsrel=1e-12, limit=1000)[0]

    def integral(f, eps_abs=0.0):
        """eps_abs = 0 for positive f; the two ends then get 1e-15 of the bulk."""
        middle = sum(quad(f, a, b, True, eps_abs) for a, b in itertools.pairwise(breaks))
        eps = eps_abs or 1e-15 * middle
        ends = quad(f, 0.0, math.exp(x_lo), False, eps)
        return middle + ends + quad(f, math.exp(x_hi), math.inf, False, eps)

    z = integral(lambda t, *_: 1.0)
    # Means can be near 0: their absolute error is held to 1e-14 of a lower bound on the sds.
    eps_mean = 1e-14 * z * math.sqrt(v.min() / (y.size + 1))
    out = {"tau_mean": integral(lambda t, *_: t) / z if tail > 2 else math.inf}
    cdf = [quad(lambda t, *_: 1.0, 0.0, math.exp(x_lo), False, 1e-15 * z) / z]
    for a, b in itertools.pairwise(breaks):
        cdf.append(cdf[-1] + quad(lambda t, *_: 1.0, a, b, True, 0.0) / z)
    quantiles = []
    for q in QUANTILES:
        k = int(np.searchsorted(cdf, q)) - 1

        def excess(x, k=k, q=q):
            return cdf[k] + quad(lambda t, *_: 1.0, breaks[k], x, True, 0.0) / z - q

        quantiles.append(math.exp(optimize.brentq(excess, breaks[k], breaks[k + 1], xtol=1e-13)))
    out["tau_quantiles"] = np.array(quantiles)
    mu_mean = integral(lambda t, m, *_: m, eps_mean) / z
    out["mu_mean"] = mu_mean
    out["mu_sd"] = math.inf
    if tail > 3:
        out["mu_sd"] = math.sqrt(integral(lambda t, m, mu_var, b: mu_var + (m - mu_mean) ** 2) / z)
    means, sds = [], []
    for j in range(y.size):

        def mean_j(t, m, mu_var, b, j=j):
            return y[j] + b[j] * (m - y[j])

        mean = integral(mean_j, eps_mean) / z

        def second_j(t, m, mu_var, b, j=j, mean=mean):
            # v_j (1 - B_j) written as B_j tau^2, which does not cancel when tau^2 << v_j
            spread = (mean_j(t, m, mu_var, b) - mean) ** 2
            return b[j] * t * t + b[j] ** 2 * mu_var + spread

        means.append(mean)
        sds.append(math.sqrt(integral(second_j) / z))
    out["theta_mean"], out["theta_sd"] = np.array(means), np.array(sds)
    return out


def _assert_matches_quadrature(fb, ref, rel=1e-9):
    """Every summary to `rel` relative; means to `rel` of max(|mean|, sd), since they can be 0."""
    assert fb.tau_mean == pytest.approx(ref["tau_mean"], rel=rel)
    np.testing.assert_allclose(fb.tau_quantiles(QUANTILES), ref["tau_quantiles"], rtol=rel)
    assert fb.mu_sd == pytest.approx(ref["mu_sd"], rel=rel)
    assert fb.mu_mean == pytest.approx(ref["mu_mean"], rel=rel, abs=rel * ref["theta_sd"].min())
    np.testing.assert_allclose(fb.theta_sd, ref["theta_sd"], rtol=rel)
    err = np.abs(fb.theta_mean - ref["theta_mean"])
    assert np.all(err <= rel * np.maximum(np.abs(ref["theta_mean"]), ref["theta_sd"]))


@pytest.mark.parametrize(("prior", "scale"), [("uniform", None), ("half-cauchy", 25.0)])
def test_eight_schools_matches_quadrature(eight_schools, prior, scale):
    # Before issue 14 the quantiles were 4e-5 off (the CDF interpolated linearly between grid
    # points) and E(tau | y) 6e-6 (the trapezoid rule on tau p(tau | y), odd in u).
    y, v = eight_schools
    _assert_matches_quadrature(full_bayes(y, v, prior, scale), _quad_posterior(y, v, prior, scale))


@pytest.mark.parametrize(
    ("J", "prior"),
    [(2, "half-cauchy"), *((J, p) for J in (3, 4, 5, 8, 12) for p in ("uniform", "half-cauchy"))],
)
def test_random_data_sets_match_quadrature(J, prior):
    # Few groups mean heavy tails: p(tau | y) ~ tau^-(J - 1) under the uniform prior. Before
    # issue 14 the quantiles were up to 2e-3 off at J = 3 and 4, and the sd of mu lost 5e-7 at
    # J = 5 to the grid ending where tau^2 p(tau | y) was still 1e-6 of its peak.
    rng = np.random.default_rng(100 + J)
    v = np.exp(rng.uniform(-2.0, 2.0, J))
    y = rng.normal(3.0, 1.0, J) + np.sqrt(v) * rng.standard_normal(J)
    scale = None if prior == "uniform" else 1.0
    _assert_matches_quadrature(full_bayes(y, v, prior, scale), _quad_posterior(y, v, prior, scale))


@pytest.mark.parametrize(
    ("y", "v"),
    [
        # sampling variances over eight decades
        ([0.3, -1.2, 0.8, 2.5, 0.0, -0.4], [1e-4, 3e-3, 0.2, 5.0, 80.0, 1e4]),
        # nearly no pooling: the spread of y is 300 standard errors
        (np.linspace(-3.0, 3.0, 10) ** 3 / 9, 1e-4),
        # 60 groups: a narrow posterior of tau, away from 0
        (np.random.default_rng(9).normal(0.0, 1.2, 60), np.linspace(0.5, 1.5, 60)),
    ],
)
@pytest.mark.parametrize(("prior", "scale"), [("uniform", None), ("half-cauchy", 0.5)])
def test_other_regimes_match_quadrature(y, v, prior, scale):
    _assert_matches_quadrature(full_bayes(y, v, prior, scale), _quad_posterior(y, v, prior, scale))


@pytest.mark.parametrize(
    ("prior", "scale"), [("uniform", None), ("half-cauchy", 1e-100), ("half-cauchy", 1.0)]
)
def test_data_at_the_edge_of_the_float_range_match_quadrature(prior, scale):
    # v spans 200 decades down to the smallest check_groups accepts; p(tau | y) is flat below
    # tau = 1e-100 and falls like 1 / tau up to 1e-50. Before issue 14, mu_mean was 0.3 % off
    # under the uniform prior (the grid stopped short of the bulk of the posterior), and the
    # half-Cauchy prior with scale 1 raised IndexError (the search grid overflowed tau^2).
    # (squares of 1e-150 underflow in the reference, so it runs on the data times 1e100.)
    y, v = np.array([1e-150, 2e-150, 0.0]), np.array([1e-300, 1e-200, 1e-100])
    ref = _quad_posterior(y * 1e100, v * 1e200, prior, None if scale is None else scale * 1e100)
    ref = {key: value / 1e100 for key, value in ref.items()}
    _assert_matches_quadrature(full_bayes(y, v, prior, scale), ref)


def test_imprecise_group_far_from_a_tight_mean_matches_quadrature():
    # The prior holds tau near 5e-4, so theta_4 (y = -100, se = 100) is pulled all the way to
    # mu: its sd, 0.0035, is the spread of a shift of about 100 from y_4. Before issue 14 the
    # sd came from E(shift^2) - E(shift)^2 and lost 7e-7 relative to the cancellation.
    y = np.array([-0.33, -0.004, -0.004, -100.0, -0.68, 0.002])
    v = np.array([0.52, 1.9e-5, 2.7e-5, 1e4, 2.1, 3.2e-5])
    fb = full_bayes(y, v, "half-cauchy", 5e-4)
    _assert_matches_quadrature(fb, _quad_posterior(y, v, "half-cauchy", 5e-4))


@pytest.mark.parametrize(("y0", "v"), [(0.0, 1.0), (1e10, 1e-300), (-3e120, 1e200)])
def test_three_equal_groups_have_a_half_cauchy_posterior(y0, v):
    # y_j all equal, v_j all v, flat prior, J = 3: p(tau | y) ∝ V_mu^(1/2) (v + tau^2)^(-3/2)
    # ∝ 1 / (v + tau^2), a half-Cauchy with scale sqrt(v): its quantiles are sqrt(v) tan(pi q / 2)
    # and E(Var(theta_j | tau, y)) = v - v^2 E(1 / (v + tau^2)) + v^2 / 3 E(1 / (v + tau^2))
    # = 2 v / 3, with E(1 / (v + tau^2)) = 1 / (2 v).
    fb = full_bayes([y0, y0, y0], v)
    expected = math.sqrt(v) * np.tan(np.pi * np.array(QUANTILES) / 2)
    np.testing.assert_allclose(fb.tau_quantiles(QUANTILES), expected, rtol=1e-9)
    np.testing.assert_allclose(fb.theta_sd, math.sqrt(2 * v / 3), rtol=1e-9)
    assert fb.mu_mean == y0 and np.all(fb.theta_mean == y0)
    assert fb.tau_mean == math.inf and fb.mu_sd == math.inf


def test_quantiles_lie_on_the_plotted_cdf(eight_schools):
    fb = full_bayes(*eight_schools)
    inside = (fb.tau_cdf > 1e-6) & (fb.tau_cdf < 1.0 - 1e-6)
    np.testing.assert_allclose(fb.tau_quantiles(fb.tau_cdf[inside]), fb.tau_grid[inside], rtol=1e-9)
    assert fb.tau_quantiles(0.0) == fb.tau_grid[0] == 0.0


# --- any scale ---------------------------------------------------------------------------------


def _assert_scaled(fb, base, c, shift, rel=1e-9):
    """fb is the posterior of c y + shift, c^2 v, and base that of y, v."""
    sd = base.theta_sd.min()
    assert fb.tau_mean == pytest.approx(c * base.tau_mean, rel=rel)
    np.testing.assert_allclose(fb.tau_quantiles(QUANTILES), c * base.tau_quantiles(QUANTILES), rel)
    np.testing.assert_allclose(fb.tau_grid, c * base.tau_grid, rtol=rel)
    np.testing.assert_allclose(fb.tau_cdf, base.tau_cdf, rtol=rel, atol=1e-15)
    assert fb.mu_sd == pytest.approx(c * base.mu_sd, rel=rel)
    np.testing.assert_allclose(fb.theta_sd, c * base.theta_sd, rtol=rel)
    size = np.abs(base.theta_mean).max() + sd + abs(shift) / c
    assert abs(fb.mu_mean - (c * base.mu_mean + shift)) <= rel * c * size
    np.testing.assert_allclose(
        fb.theta_mean, c * base.theta_mean + shift, rtol=0, atol=rel * c * size
    )


@pytest.mark.parametrize("c", [1e-150, 1e-80, 1.0, 1e80, 1e150])
@pytest.mark.parametrize(("prior", "scale"), [("uniform", None), ("half-cauchy", 2.0)])
def test_equivariant_across_the_float_range(c, prior, scale):
    # v = 1 keeps c^2 v inside [1e-300, 1e300] for every c; eight schools divided by 10.
    y = np.array([2.8, 0.8, -0.3, 0.7, -0.1, 0.1, 1.8, 1.2])
    base = full_bayes(y, 1.0, prior, scale)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fb = full_bayes(c * y, c * c, prior, None if scale is None else c * scale)
    _assert_scaled(fb, base, c, 0.0)


@pytest.mark.parametrize("c", [1e-149, 1e-80, 1e80, 1e149])
@pytest.mark.parametrize(("prior", "scale"), [("uniform", None), ("half-cauchy", 0.3)])
def test_equivariant_with_unequal_variances(c, prior, scale):
    y = np.array([0.3, -1.2, 0.8, 2.5, 0.0, -0.4])
    v = np.array([0.01, 0.05, 0.2, 5.0, 80.0, 100.0])
    base = full_bayes(y, v, prior, scale)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fb = full_bayes(c * y, c * c * v, prior, None if scale is None else c * scale)
    _assert_scaled(fb, base, c, 0.0)


@pytest.mark.parametrize(("prior", "scale"), [("uniform", None), ("half-cauchy", 1.0)])
def test_smallest_variance_accepted(prior, scale):
    # Issue 14: full_bayes([1e-150, 2e-150, 0], 1e-300) raised IndexError.
    base = full_bayes([1.0, 2.0, 0.0], 1.0, prior, scale)
    fb = full_bayes([1e-150, 2e-150, 0.0], 1e-300, prior, None if scale is None else 1e-150)
    _assert_scaled(fb, base, 1e-150, 0.0)


def test_prior_scale_too_far_from_the_data_is_refused():
    # With J = 3 the sd of mu grows with the half-Cauchy scale: at 1e150 times the data's scale
    # tau^2 p(tau | y) peaks where tau^2 is no longer a float (on data scaled to unit v).
    # Before issue 14 the grid was cut off there without a word.
    with pytest.raises(ValueError, match=r"scale == 1\.0 is too far from the scale of the data"):
        full_bayes([1e-150, 2e-150, 0.0], 1e-300, "half-cauchy", 1.0)


# --- invariants --------------------------------------------------------------------------------

finite = st.floats(-100, 100, allow_nan=False, allow_infinity=False)
positive = st.floats(0.01, 100, allow_nan=False, allow_infinity=False)


@st.composite
def groups(draw):
    J = draw(st.integers(5, 12))
    y = np.array(draw(st.lists(finite, min_size=J, max_size=J)))
    v = np.array(draw(st.lists(positive, min_size=J, max_size=J)))
    return y, v


@settings(max_examples=40)
@given(groups(), st.floats(-1e4, 1e4))
def test_shift_equivariance(data, c):
    y, v = data
    a, b = full_bayes(y, v), full_bayes(y + c, v)
    atol = 1e-7 * (np.abs(y).max() + abs(c) + np.sqrt(v.max()))
    np.testing.assert_allclose(b.theta_mean, a.theta_mean + c, atol=atol)
    assert b.tau_mean == pytest.approx(a.tau_mean, rel=1e-6)


@settings(max_examples=40)
@given(groups(), st.randoms(use_true_random=False))
def test_order_of_groups_does_not_matter(data, rnd):
    y, v = data
    order = list(range(y.size))
    rnd.shuffle(order)
    a, b = full_bayes(y, v), full_bayes(y[order], v[order])
    atol = 1e-8 * (np.abs(y).max() + np.sqrt(v.max()))
    np.testing.assert_allclose(b.theta_mean, a.theta_mean[order], atol=atol)
    np.testing.assert_allclose(b.theta_sd, a.theta_sd[order], rtol=1e-6)


@settings(max_examples=40)
@given(groups())
def test_posterior_is_a_distribution(data):
    y, v = data
    fb = full_bayes(y, v, prior="half-cauchy", scale=1.0)
    assert np.all(fb.tau_density >= 0)
    assert np.sum(fb.tau_weights * fb.tau_density) == pytest.approx(1.0, rel=1e-9)
    assert np.all(fb.theta_sd > 0)
    # mu_hat(tau) moves from the precision-weighted to the plain mean as tau grows, so theta_j
    # need not lie between y_j and the complete-pool mean, but it stays inside the data's hull.
    tol = 1e-6 * (np.abs(y).max() + 1)
    assert np.all(fb.theta_mean >= y.min() - tol)
    assert np.all(fb.theta_mean <= y.max() + tol)


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (
            ([1.0, 2.0], [1.0, 1.0]),
            {},
            "uniform prior on tau .* needs at least 3 groups; got J == 2",
        ),
        (([1.0, 2.0, 3.0], 1.0), {"prior": "half-cauchy"}, "needs a scale > 0"),
        (([1.0, 2.0, 3.0], 1.0), {"prior": "half-cauchy", "scale": -1.0}, "scale must be > 0"),
        (([1.0, 2.0, 3.0], 1.0), {"scale": 2.0}, "scale applies only to the half-cauchy prior"),
        (
            ([1.0, 2.0, 3.0], 1.0),
            {"prior": "gamma"},
            "unknown prior 'gamma'; valid are 'uniform', 'half-cauchy'",
        ),
        (([1.0, 2.0, 3.0], 1.0), {"grid_size": 10}, "grid_size must be >= 100"),
        (([1.0, 2.0, np.inf], 1.0), {}, "y must be finite"),
    ],
)
def test_bad_input_is_named(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        full_bayes(*args, **kwargs)


def test_bad_quantile_is_named(eight_schools):
    with pytest.raises(ValueError, match=r"quantiles must lie in \[0, 1\]"):
        full_bayes(*eight_schools).tau_quantiles(1.5)


@settings(max_examples=60)
@given(
    groups(),
    st.integers(-140, 140),
    st.floats(-1e3, 1e3),
    st.sampled_from([("uniform", None), ("half-cauchy", 3.0)]),
)
def test_scale_and_shift_equivariance(data, exponent, shift, prior):
    # full_bayes(c y + c shift, c^2 v) is c full_bayes(y, v) shifted, for c = 10^exponent.
    y, v = data
    c = 10.0**exponent
    name, scale = prior
    base = full_bayes(y, v, name, scale)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fb = full_bayes(c * y + c * shift, c * c * v, name, None if scale is None else c * scale)
    _assert_scaled(fb, base, c, c * shift)
