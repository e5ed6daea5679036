"""Full Bayes for binomial and Poisson groups on a (mu, tau) grid: against scipy's brute force,
the complete-pooling limit, symmetries, the marginal of tau, the refusal of improper
posteriors, and the draws (reproducible, their means and spreads, no ties, and each group's
conditional draws against scipy's CDF)."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from conftest import SHARED_DATA, count_data
from scipy import integrate, optimize, special, stats

from partialpool._link_normal import BINOMIAL, POISSON
from partialpool.full_bayes_rates import (
    FullBayesRates,
    RateDraws,
    _conditional_draws,
    full_bayes_binomial,
    full_bayes_log_normal_poisson,
)

BOUND = 1e-4
"""The documented accuracy of p_mean, p_sd, p_lower and p_upper: absolute for binomial rates,
relative for Poisson ones."""

# Golden numbers: tests/reference/full_bayes_rates_quad.py, scipy.integrate.quad for every
# per-group integral over eta, Gauss-Legendre in tau (96 nodes) and in mu (6 panels of 12) for
# the moments, brentq on quad-based CDFs for the quantiles. The outer rules' error, from the
# same run with two thirds of the nodes, is below 1e-8 on every number used here. mu_mean is
# nan and tau_mean, mu_sd inf where they do not exist (p(tau | y) ~ tau^-2).
REFERENCE = {
    "surgical_uniform": {
        "family": "binomial",
        "y": [0, 18, 8, 46, 8, 13, 9, 31, 14, 8, 29, 24],
        "n": [47, 148, 119, 810, 211, 196, 148, 215, 207, 97, 256, 360],
        "prior": "uniform",
        "scale": None,
        "p_mean": [
            0.0495407957,
            0.105882607,
            0.0701388499,
            0.0586950813,
            0.0496362144,
            0.0686700956,
            0.0657657039,
            0.1268258461,
            0.069482882,
            0.0788729817,
            0.1040526707,
            0.0680745479,
        ],
        "p_sd": [
            0.0202791121,
            0.0227047567,
            0.0183126194,
            0.0079257934,
            0.0132496793,
            0.015243409,
            0.0164820471,
            0.0224721878,
            0.0150277798,
            0.0210352334,
            0.0178798334,
            0.0119743939,
        ],
        "p_lower": [
            0.0144730523,
            0.0675657627,
            0.0384731501,
            0.0440662104,
            0.0261960551,
            0.0417092855,
            0.0368404702,
            0.0866641147,
            0.0428657641,
            0.0434760728,
            0.0725236771,
            0.0464157778,
        ],
        "p_upper": [
            0.0928121078,
            0.1558846663,
            0.11035983,
            0.0750793574,
            0.0776612012,
            0.1014503622,
            0.101410093,
            0.174373189,
            0.1017666536,
            0.1261277807,
            0.1422672075,
            0.0933062571,
        ],
        "mu_mean": -2.5644896545,
        "mu_sd": 0.170819756,
        "tau_mean": 0.4647555891,
        "tau_quantiles": [0.2030005479, 0.4344596148, 0.9038757113],
    },
    "random_small_half_cauchy": {
        "family": "binomial",
        "y": [1, 2, 2, 5, 3],
        "n": [12, 29, 7, 11, 15],
        "prior": "half-cauchy",
        "scale": 1.0,
        "p_mean": [0.1412415378, 0.1156766873, 0.2262774753, 0.3163062486, 0.1924777702],
        "p_sd": [0.0731162261, 0.0552648579, 0.11090914, 0.1313787446, 0.078991883],
        "p_lower": [0.0248226412, 0.027391884, 0.0660792807, 0.1200610783, 0.0668585135],
        "p_upper": [0.3054913195, 0.2368156765, 0.5010532652, 0.6114778629, 0.376679711],
        "mu_mean": -1.5654793218,
        "mu_sd": 0.5781293773,
        "tau_mean": 0.8521033655,
        "tau_quantiles": [0.0567185912, 0.7432869588, 2.3405880680],
    },
    "three_inside_uniform": {
        "family": "binomial",
        "y": [0, 3, 7, 12],
        "n": [15, 20, 25, 30],
        "prior": "uniform",
        "scale": None,
        "p_mean": [0.03333909, 0.1536279755, 0.2728412442, 0.3868774319],
        "p_sd": [0.05269558, 0.0763302243, 0.0856273673, 0.0883780908],
        "mu_mean": math.nan,
        "mu_sd": math.inf,
        "tau_mean": math.inf,
    },
    "pumps_uniform": {
        "family": "poisson",
        "y": [5, 1, 5, 14, 3, 19, 1, 1, 4, 22],
        "n": [94.3, 15.7, 62.9, 126.0, 5.24, 31.4, 1.05, 1.05, 2.1, 10.5],
        "prior": "uniform",
        "scale": None,
        "p_mean": [
            0.0615245549,
            0.1025692227,
            0.0894134734,
            0.1149859143,
            0.5363595581,
            0.5952416842,
            0.7489006465,
            0.7489006465,
            1.5722228838,
            2.0095326298,
        ],
        "p_sd": [
            0.0250680387,
            0.0740876477,
            0.0367434981,
            0.0298569298,
            0.2998371022,
            0.1362578971,
            0.712843387,
            0.712843387,
            0.8324678674,
            0.4357969123,
        ],
        "mu_mean": -1.1898624451,
        "mu_sd": 0.5801422776,
        "tau_mean": 1.6284087446,
        "tau_quantiles": [0.9131151690, 1.5271313647, 2.9371615521],
    },
}
RATES = ("p_mean", "p_sd", "p_lower", "p_upper")
HYPER = ("mu_mean", "mu_sd", "tau_mean")

FIT = {"binomial": full_bayes_binomial, "poisson": full_bayes_log_normal_poisson}


def run(case: dict) -> FullBayesRates:
    return FIT[case["family"]](case["y"], case["n"], case["prior"], case["scale"])


def pumps() -> tuple[np.ndarray, np.ndarray]:
    """Failures and thousands of hours of 10 pumps (Gaver and O'Muircheartaigh 1987)."""
    path = SHARED_DATA / "pumps.csv"
    if not path.exists():
        pytest.skip("../shared/data is not beside this clone")
    with path.open() as f:
        rows = list(csv.DictReader(f))
    x = np.array([float(r["failures"]) for r in rows])
    return x, np.array([float(r["time_khours"]) for r in rows])


def test_the_reference_data_are_the_shared_data_sets():
    y, n = count_data("surgical")
    np.testing.assert_array_equal(y, REFERENCE["surgical_uniform"]["y"])
    np.testing.assert_array_equal(n, REFERENCE["surgical_uniform"]["n"])
    x, t = pumps()
    np.testing.assert_array_equal(x, REFERENCE["pumps_uniform"]["y"])
    np.testing.assert_array_equal(t, REFERENCE["pumps_uniform"]["n"])


@pytest.mark.parametrize("name", REFERENCE)
def test_rates_match_scipys_brute_force_to_the_bound(name):
    case = REFERENCE[name]
    fb = run(case)
    # binomial rates: absolute; Poisson rates: relative (per unit of exposure)
    size = 1.0 if case["family"] == "binomial" else np.asarray(case["p_mean"])
    for key in (key for key in RATES if key in case):
        error = np.abs(getattr(fb, key) - case[key]) / size
        assert error.max() <= BOUND, (key, error.max())


@pytest.mark.parametrize("name", REFERENCE)
def test_hyperparameters_match_scipys_brute_force(name):
    case = REFERENCE[name]
    fb = run(case)
    for key in (key for key in HYPER if key in case):
        value = getattr(fb, key)
        if math.isnan(case[key]):
            assert math.isnan(value), key
        elif math.isinf(case[key]):
            assert value == math.inf, key
        elif key == "mu_mean":
            assert value == pytest.approx(case[key], abs=1e-5)
        else:
            assert value == pytest.approx(case[key], rel=1e-5), key
    if "tau_quantiles" in case:
        np.testing.assert_allclose(
            fb.tau_quantiles([0.025, 0.5, 0.975]), case["tau_quantiles"], rtol=1e-5
        )


def test_three_groups_inside_under_a_flat_prior_have_no_tau_mean():
    # p(tau | y) ~ tau^-2 in the tail (J' = 3): E(tau | y) and sd(mu | y) are infinite, the
    # rates' moments are not; with a fourth group inside E(tau | y) exists, sd(mu | y) not.
    three = run(REFERENCE["three_inside_uniform"])
    assert three.tau_mean == math.inf and three.mu_sd == math.inf
    assert np.all(np.isfinite(three.p_sd))
    four = full_bayes_binomial([1, 3, 7, 12], [15, 20, 25, 30])
    assert math.isfinite(four.tau_mean) and four.mu_sd == math.inf
    assert three.tau_grid[-1] > 1e6 * three.tau_grid_scale  # the grid reaches far into the tail


def complete_pooling(y: np.ndarray, n: np.ndarray) -> dict[str, float]:
    """Mean, sd, 2.5% and 97.5% quantiles of p = expit(mu) when every p_j equals it, flat on
    mu: p(mu | y) ∝ p^a (1 - p)^b, a = sum(y), b = sum(n - y), by scipy's quad over the mode
    +- 40 sds (of the curvature there) and brentq."""
    a, b = y.sum(), (n - y).sum()
    top = math.log(a / b)
    sd = 1.0 / math.sqrt((a + b) * special.expit(top) * special.expit(-top))
    lo, hi = top - 40 * sd, top + 40 * sd

    def moment(k: int, upper: float = hi) -> float:
        def f(m: float) -> float:
            log_p = a * special.log_expit(m) + b * special.log_expit(-m)
            peak = a * special.log_expit(top) + b * special.log_expit(-top)
            return special.expit(m) ** k * math.exp(log_p - peak)

        points = [top] if lo < top < upper else None
        return integrate.quad(f, lo, upper, points=points, epsabs=0, epsrel=1e-12, limit=200)[0]

    total = moment(0)
    mean = moment(1) / total
    sd_p = math.sqrt(moment(2) / total - mean**2)
    q = [
        special.expit(optimize.brentq(lambda m, p=p: moment(0, m) / total - p, lo, hi))
        for p in (0.025, 0.975)
    ]
    return {"p_mean": mean, "p_sd": sd_p, "p_lower": q[0], "p_upper": q[1]}


def test_a_tiny_half_cauchy_scale_pools_the_groups_completely():
    # With scale 1e-8, tau is about 1e-8 and every p_j is expit(mu), mu's posterior that of
    # the pooled counts; the half-Cauchy's tail leaves about 1e-6 of the mass at tau ~ 0.4.
    y, n = count_data("surgical")
    fb = full_bayes_binomial(y, n, "half-cauchy", 1e-8)
    pooled = complete_pooling(y, n)
    for key, value in pooled.items():
        np.testing.assert_allclose(getattr(fb, key), value, rtol=0, atol=2e-6)
    assert fb.tau_quantiles(0.5) == pytest.approx(1e-8, rel=1e-3)  # the prior's median


def test_permuting_the_groups_permutes_the_rates():
    y, n = count_data("surgical")
    order = np.random.default_rng(3).permutation(y.size)
    fb, shuffled = full_bayes_binomial(y, n), full_bayes_binomial(y[order], n[order])
    for key in ("p_mean", "p_sd", "p_lower", "p_upper"):
        np.testing.assert_allclose(getattr(shuffled, key), getattr(fb, key)[order], rtol=1e-9)
    assert shuffled.tau_mean == pytest.approx(fb.tau_mean, rel=1e-9)


def test_swapping_successes_and_failures_mirrors_the_rates():
    y, n = count_data("surgical")
    fb, flipped = full_bayes_binomial(y, n), full_bayes_binomial(n - y, n)
    np.testing.assert_allclose(flipped.p_mean, 1.0 - fb.p_mean, atol=1e-9)
    np.testing.assert_allclose(flipped.p_sd, fb.p_sd, atol=1e-9)
    np.testing.assert_allclose(flipped.p_lower, 1.0 - fb.p_upper, atol=1e-8)
    assert flipped.mu_mean == pytest.approx(-fb.mu_mean, abs=1e-8)
    assert flipped.tau_mean == pytest.approx(fb.tau_mean, rel=1e-8)


def test_poisson_rates_follow_the_unit_of_exposure():
    x, t = pumps()
    hours = full_bayes_log_normal_poisson(x, t)
    per_hour = full_bayes_log_normal_poisson(x, t * 1000.0)  # exposure in hours
    for key in ("p_mean", "p_sd", "p_lower", "p_upper"):
        np.testing.assert_allclose(getattr(per_hour, key) * 1000.0, getattr(hours, key), rtol=1e-9)
    assert per_hour.mu_mean == pytest.approx(hours.mu_mean - math.log(1000.0), abs=1e-9)
    assert per_hour.tau_mean == pytest.approx(hours.tau_mean, rel=1e-9)


def test_theta_names_read_the_rates():
    fb = full_bayes_binomial(*count_data("efron_morris"))
    assert fb.theta_mean is fb.p_mean and fb.theta_sd is fb.p_sd
    low, high = fb.interval()
    assert low is fb.p_lower and high is fb.p_upper
    d = fb.draws(10, 3)
    assert d.theta is d.rate and d.seed == 3


def test_the_marginal_of_tau_is_a_distribution():
    fb = full_bayes_binomial(*count_data("rats"))
    assert float(fb.tau_weights @ fb.tau_density) == pytest.approx(1.0, abs=1e-12)
    assert fb.tau_cdf[0] == 0.0 and fb.tau_cdf[-1] == 1.0 and np.all(np.diff(fb.tau_cdf) >= 0)
    assert float(fb.tau_weights @ (fb.tau_density * fb.tau_grid)) == pytest.approx(
        fb.tau_mean, rel=1e-6
    )
    inner = (fb.tau_cdf > 1e-9) & (fb.tau_cdf < 1 - 1e-9)  # where the CDF is not flat
    np.testing.assert_allclose(fb.tau_quantiles(fb.tau_cdf[inner]), fb.tau_grid[inner], rtol=1e-9)
    assert fb.grid_mass.sum() == pytest.approx(1.0) and fb.mu_grid.shape == fb.grid_mass.shape
    low, median, high = fb.tau_quantiles([0.025, 0.5, 0.975])
    assert 0.0 < low < median < high
    with pytest.raises(ValueError, match="quantiles must lie in"):
        fb.tau_quantiles(1.5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: full_bayes_binomial([0, 3, 5, 10], [10, 10, 10, 10]), "at least 3 groups"),
        (lambda: full_bayes_binomial([0, 5, 0], [10, 5, 8], "half-cauchy", 1.0), "at least one"),
        (lambda: full_bayes_binomial([0, 0, 0], [10, 5, 8], "half-cauchy", 1.0), "improper"),
        (lambda: full_bayes_log_normal_poisson([0, 2, 5], [1, 1, 1]), "counts > 0"),
        (
            lambda: full_bayes_log_normal_poisson([0, 0], [1, 2], "half-cauchy", 1.0),
            "at least one group with counts > 0",
        ),
        (lambda: full_bayes_binomial([1, 3, 5], [10, 10, 10], scale=1.0), "only to the half"),
        (lambda: full_bayes_binomial([1, 3, 5], [10, 10, 10], "half-cauchy"), "needs a scale"),
        (lambda: full_bayes_binomial([1, 3, 5], [10, 10, 10], "flat"), "unknown prior"),
        (lambda: full_bayes_binomial([1, 3, 12], [10, 10, 10]), r"exceeds trials\[2\]"),
        (lambda: full_bayes_log_normal_poisson([1, 3, 5], [1, 0, 1]), r"exposure\[1\]"),
    ],
)
def test_improper_or_bad_input_is_refused_with_a_reason(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_uniform_refusal_names_the_way_out():
    with pytest.raises(ValueError) as info:
        full_bayes_binomial([0, 3, 10, 5], [10, 10, 10, 10])
    text = str(info.value)
    assert "got 2" in text and "prior='half-cauchy'" in text
    fb = full_bayes_binomial([0, 3, 10, 5], [10, 10, 10, 10], "half-cauchy", 1.0)
    assert np.all((fb.p_lower < fb.p_mean) & (fb.p_mean < fb.p_upper))


def test_draws_are_reproducible():
    fb = full_bayes_binomial(*count_data("surgical"))
    first, again, other = fb.draws(500, 7), fb.draws(500, 7), fb.draws(500, 8)
    assert isinstance(first, RateDraws) and first.rate.shape == (500, 12)
    assert first.mu.shape == first.tau.shape == (500,)
    for key in ("mu", "tau", "rate"):
        np.testing.assert_array_equal(getattr(first, key), getattr(again, key))
    assert not np.array_equal(first.rate, other.rate)
    with pytest.raises(ValueError, match="size"):
        fb.draws(0, 1)
    with pytest.raises(ValueError, match="seed"):
        fb.draws(10, -1)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_draws_average_to_the_posterior_means(family):
    fb = (
        full_bayes_binomial(*count_data("surgical"))
        if family == "binomial"
        else (full_bayes_log_normal_poisson(*pumps()))
    )
    size = 20_000
    d = fb.draws(size, 2024)
    error = d.rate.std(axis=0) / math.sqrt(size)
    assert np.all(np.abs(d.rate.mean(axis=0) - fb.p_mean) < 5 * error)
    # the spreads: sd of a sample sd is about sd / sqrt(2 S) for these near-normal draws
    np.testing.assert_allclose(d.rate.std(axis=0), fb.p_sd, rtol=5 / math.sqrt(size) * 2)
    assert abs(d.mu.mean() - fb.mu_mean) < 5 * fb.mu_sd / math.sqrt(size)
    assert d.mu.std() == pytest.approx(fb.mu_sd, rel=5 / math.sqrt(2 * size))
    assert abs(d.tau.mean() - fb.tau_mean) < 5 * d.tau.std() / math.sqrt(size)


def test_draws_never_tie_the_groups():
    # The batting averages put much of p(tau | y) near 0, where an undithered grid point
    # tau = 0 would give every group the same rate.
    y, n = count_data("efron_morris")
    d = full_bayes_binomial(y, n).draws(5000, 11)
    ordered = np.sort(d.rate, axis=1)
    assert np.all(np.diff(ordered, axis=1) > 0)


def conditional_cdf(family: str, y: float, n: float, mu: float, tau: float):
    """P(eta <= e | mu, tau, y) for one group by scipy: the density, log-concave with
    curvature at least 1 / tau^2, on 20,001 points over the mode +- 14 tau and as many over
    the mode +- 14 of its own sds (from the curvature at the mode, found by brentq), summed by
    cumulative Simpson."""

    def log_density(e):
        if family == "binomial":
            log_f = y * special.log_expit(e) + (n - y) * special.log_expit(-e)
        else:
            log_f = y * e - n * np.exp(e)
        return log_f - (e - mu) ** 2 / (2 * tau * tau)

    def slope(e):
        fitted = n * (special.expit(e) if family == "binomial" else np.exp(e))
        return y - fitted - (e - mu) / tau**2

    mode = optimize.brentq(slope, mu - 40 - 20 * tau, mu + 40 + 20 * tau, xtol=1e-12)
    width = 1.0 / math.sqrt((slope(mode - 1e-6) - slope(mode + 1e-6)) / 2e-6)
    e = np.union1d(
        np.linspace(mode - 14 * tau, mode + 14 * tau, 20_001),
        np.linspace(mode - 14 * width, mode + 14 * width, 20_001),
    )
    f = np.exp(log_density(e) - log_density(mode))
    cdf = integrate.cumulative_simpson(f, x=e, initial=0.0)
    return lambda x: np.interp(x, e, cdf / cdf[-1])


@pytest.mark.parametrize(
    ("family", "y", "n", "mu", "tau"),
    [
        ("binomial", 0.0, 47.0, -2.5, 2.0),  # a group at 0 under a wide population
        ("binomial", 1.0, 2.0, 0.5, 3.0),  # one of two trials, far from normal
        ("binomial", 46.0, 810.0, -2.6, 0.3),  # a large group, near normal
        ("binomial", 9.0, 10.0, -2.0, 0.05),  # the prior dominates
        ("poisson", 0.0, 1.0, 0.0, 2.0),
        ("poisson", 22.0, 10.48, -1.0, 1.2),
    ],
)
def test_conditional_draws_follow_scipys_cdf(family, y, n, mu, tau):
    size = 20_000
    fam = BINOMIAL if family == "binomial" else POISSON
    rng = np.random.default_rng(5)
    eta = _conditional_draws(
        fam, np.array([y]), np.array([n]), np.full(size, mu), np.full(size, tau), rng
    )[:, 0]
    result = stats.kstest(eta, conditional_cdf(family, y, n, mu, tau))
    assert result.pvalue > 1e-3, result
    # and the test can fail: the same draws shifted by 5% of their sd are told apart
    shifted = stats.kstest(eta + 0.05 * eta.std(), conditional_cdf(family, y, n, mu, tau))
    assert shifted.pvalue < 1e-3
