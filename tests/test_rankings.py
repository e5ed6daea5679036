"""Rankings from posterior draws against exact integrals; their invariants; exact posterior draws
of the normal model (`FullBayes.draws`) against the grid's moments and CDF."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, special, stats

from partialpool import datasets, full_bayes
from partialpool.bayes import FullBayes
from partialpool.rankings import rank_draws, rank_probabilities


def _mc_tolerance(p: np.ndarray, draws: int) -> np.ndarray:
    """Five Monte Carlo standard errors of a proportion p estimated from independent draws
    (p itself is the exact value; the floor keeps p = 0 or 1 from asking for exact equality
    where a rare event may still happen)."""
    return 5.0 * np.sqrt(np.maximum(p * (1.0 - p), 1e-4) / draws)


# Independent normal groups: P(rank_j = 1) and P(rank_j = J) as one-dimensional integrals.


def _p_extreme_independent(means, sds):
    """P(theta_j is the largest) = integral of phi_j(t) prod_{k != j} Phi_k(t) dt and
    P(theta_j is the smallest) with 1 - Phi_k, for independent normal theta_j, by quad."""
    J = len(means)
    highest, lowest = np.empty(J), np.empty(J)
    for j in range(J):
        others = [k for k in range(J) if k != j]

        def integrand(t, j=j, others=others, upper=True):
            cdf = stats.norm.cdf(t, np.take(means, others), np.take(sds, others))
            return stats.norm.pdf(t, means[j], sds[j]) * np.prod(cdf if upper else 1.0 - cdf)

        highest[j] = integrate.quad(integrand, -np.inf, np.inf, epsabs=1e-12)[0]
        lowest[j] = integrate.quad(
            lambda t, f=integrand: f(t, upper=False), -np.inf, np.inf, epsabs=1e-12
        )[0]
    return highest, lowest


def test_independent_normals_match_the_exact_integrals():
    means, sds = np.array([0.0, 0.5, 1.0]), np.array([1.0, 2.0, 0.5])
    S = 20_000
    theta = np.random.default_rng(11).normal(means, sds, size=(S, 3))
    r = rank_draws(theta, seed=11)
    highest, lowest = _p_extreme_independent(means, sds)
    assert highest.sum() == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_array_less(np.abs(r.p_highest - highest), _mc_tolerance(highest, S))
    np.testing.assert_array_less(np.abs(r.p_lowest - lowest), _mc_tolerance(lowest, S))
    # With J = 3 the middle rank takes what is left.
    middle = 1.0 - highest - lowest
    P = rank_probabilities(theta)
    np.testing.assert_array_less(np.abs(P[:, 1] - middle), _mc_tolerance(middle, S))
    np.testing.assert_allclose(r.rank_mean, 1 * highest + 2 * middle + 3 * lowest, atol=0.03)
    # Exact rank intervals: every cumulative probability is at least 0.01 away from 2.5%,
    # 35 Monte Carlo standard errors, so the draws must give the same integers.
    exact = np.stack((highest, middle, lowest), axis=1)
    below, above = np.cumsum(exact, axis=1), np.cumsum(exact[:, ::-1], axis=1)[:, ::-1]
    assert np.all(np.abs(below - 0.025) > 0.01) and np.all(np.abs(above - 0.025) > 0.01)
    np.testing.assert_array_equal(r.rank_lower, np.argmax(below >= 0.025, axis=1) + 1)
    np.testing.assert_array_equal(r.rank_upper, 3 - np.argmax(above[:, ::-1] >= 0.025, axis=1))
    np.testing.assert_array_equal(r.order, [2, 1, 0])
    np.testing.assert_array_less(np.abs(r.theta_mean - means), 5 * sds / math.sqrt(S))
    # The 2.5% quantile of S draws has sd about sqrt(0.025 * 0.975 / S) / phi(1.96) = 0.019 sd.
    z = stats.norm.ppf(0.975)
    np.testing.assert_array_less(np.abs(r.theta_lower - (means - z * sds)), 0.1 * sds)
    np.testing.assert_array_less(np.abs(r.theta_upper - (means + z * sds)), 0.1 * sds)
    assert (r.draws, r.seed) == (S, 11)


@pytest.mark.parametrize(("above_in", "lower"), [(5, 1), (4, 2)])
def test_rank_interval_ends_at_two_and_a_half_percent(above_in, lower):
    # Two groups, 200 draws: group 0 is the higher in `above_in` of them. 5 / 200 = 2.5% is
    # enough for rank 1 to enter its interval; 4 / 200 = 2% is not.
    theta = np.zeros((200, 2))
    theta[:, 1] = 1.0
    theta[:above_in, 0] = 2.0
    r = rank_draws(theta)
    assert r.p_highest[0] == above_in / 200
    assert (r.rank_lower[0], r.rank_upper[0]) == (lower, 2)
    assert (r.rank_lower[1], r.rank_upper[1]) == (1, 3 - lower)
    assert r.rank_mean[0] == pytest.approx(2.0 - above_in / 200)


def test_ties_go_to_the_earlier_group():
    r = rank_draws(np.zeros((100, 3)))
    np.testing.assert_array_equal(r.p_highest, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(r.p_lowest, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(r.rank_mean, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(r.order, [0, 1, 2])
    # Many ties: rank_j = 1 + #{k : theta_k > theta_j} + #{k < j : theta_k == theta_j}.
    theta = np.random.default_rng(5).integers(0, 3, size=(200, 30)).astype(float)
    above = (theta[:, None, :] > theta[:, :, None]).sum(axis=2)
    earlier_tie = np.tril(theta[:, None, :] == theta[:, :, None], k=-1).sum(axis=2)
    ranks = 1 + above + earlier_tie
    expected = (ranks[:, :, None] == np.arange(1, 31)).mean(axis=0)
    np.testing.assert_allclose(rank_probabilities(theta), expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("draws", "message"),
    [
        (np.zeros(200), "two-dimensional"),
        (np.zeros((200, 2, 2)), "two-dimensional"),
        (np.zeros((200, 1)), "at least 2 groups"),
        (np.zeros((99, 3)), "at least 100 draws"),
        (np.where(np.eye(200, 3) == 1, np.nan, 0.0), r"draws\[0, 0\] == nan"),
        (np.full((200, 3), np.inf), r"finite; got draws\[0, 0\] == inf"),
        ([["a", "b"]] * 200, "numeric"),
    ],
)
def test_bad_draws_are_refused(draws, message):
    with pytest.raises(ValueError, match=message):
        rank_draws(draws)
    with pytest.raises(ValueError, match=message):
        rank_probabilities(draws)


# Properties.


@st.composite
def posterior_draws(draw: st.DrawFn) -> np.ndarray:
    """S x J independent normal draws, means and sds chosen by hypothesis: continuous, so ties
    have probability 0."""
    J = draw(st.integers(2, 8))
    S = draw(st.integers(100, 400))
    means = draw(st.lists(st.floats(-5.0, 5.0), min_size=J, max_size=J))
    sds = draw(st.lists(st.floats(0.1, 5.0), min_size=J, max_size=J))
    seed = draw(st.integers(0, 2**32 - 1))
    return np.random.default_rng(seed).normal(means, sds, size=(S, J))


@given(posterior_draws(), st.data())
def test_permuting_the_groups_permutes_every_result(theta, data):
    perm = np.array(data.draw(st.permutations(range(theta.shape[1]))))
    a, b = rank_draws(theta), rank_draws(theta[:, perm])
    for name in ("p_highest", "p_lowest", "rank_mean", "rank_lower", "rank_upper"):
        np.testing.assert_array_equal(getattr(b, name), getattr(a, name)[perm], err_msg=name)
    scale = np.abs(theta).max()  # a mean near 0 is known to ~1e-16 of the draws, not of itself
    for name in ("theta_mean", "theta_lower", "theta_upper"):
        np.testing.assert_allclose(
            getattr(b, name), getattr(a, name)[perm], rtol=1e-12, atol=1e-12 * scale
        )
    np.testing.assert_array_equal(perm[b.order], a.order)
    np.testing.assert_array_equal(
        rank_probabilities(theta[:, perm]), rank_probabilities(theta)[perm]
    )


@given(posterior_draws())
def test_ranks_are_a_distribution_over_one_to_j(theta):
    J = theta.shape[1]
    r = rank_draws(theta)
    P = rank_probabilities(theta)
    assert r.p_highest.sum() == pytest.approx(1.0, abs=1e-12)
    assert r.p_lowest.sum() == pytest.approx(1.0, abs=1e-12)
    assert r.rank_mean.sum() == pytest.approx(J * (J + 1) / 2, rel=1e-12)
    np.testing.assert_allclose(P.sum(axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(P[:, 0], r.p_highest)
    np.testing.assert_array_equal(P[:, -1], r.p_lowest)
    assert r.rank_lower.dtype.kind == r.rank_upper.dtype.kind == "i"
    assert np.all((r.rank_lower >= 1) & (r.rank_lower <= r.rank_upper) & (r.rank_upper <= J))
    # The defining property of the interval: each tail left out holds less than 2.5%, and
    # each end could not move inward without that failing.
    ranks = np.arange(1, J + 1)
    for j in range(J):
        lo, hi = r.rank_lower[j], r.rank_upper[j]
        assert P[j, ranks < lo].sum() < 0.025 <= P[j, ranks <= lo].sum() + 1e-12
        assert P[j, ranks > hi].sum() < 0.025 <= P[j, ranks >= hi].sum() + 1e-12
    np.testing.assert_array_equal(np.sort(r.order), np.arange(J))
    assert np.all(np.diff(r.theta_mean[r.order]) <= 0)
    assert np.all(r.theta_lower <= r.theta_upper)


@given(posterior_draws(), st.floats(-100.0, 100.0), st.floats(0.01, 100.0))
def test_shifting_and_scaling_the_draws_keeps_the_ranks(theta, a, c):
    before, after = rank_draws(theta), rank_draws(a + c * theta)
    for name in ("p_highest", "p_lowest", "rank_mean", "rank_lower", "rank_upper", "order"):
        np.testing.assert_array_equal(getattr(after, name), getattr(before, name), err_msg=name)
    np.testing.assert_allclose(after.theta_mean, a + c * before.theta_mean, atol=1e-9 * (1 + c))


@given(posterior_draws(), st.data())
def test_a_group_above_all_others_in_every_draw_is_surely_the_highest(theta, data):
    k = data.draw(st.integers(0, theta.shape[1] - 1))
    theta = theta.copy()
    theta[:, k] = theta.max(axis=1) + 1.0
    r = rank_draws(theta)
    assert r.p_highest[k] == 1.0 and r.p_lowest[k] == 0.0 and r.rank_mean[k] == 1.0
    assert r.rank_lower[k] == r.rank_upper[k] == 1
    assert r.order[0] == k
    assert np.all(np.delete(r.rank_lower, k) >= 2)


# FullBayes.draws: exact simulation from the grid posterior.


def _moment_checks(fb: FullBayes, S: int, seed: int) -> None:
    """Means of theta, mu and tau and sds of theta within 5 Monte Carlo standard errors of the
    grid's values; the empirical CDF of tau within the KS bound of tau_cdf."""
    d = fb.draws(S, seed)
    J = fb.theta_mean.size
    assert d.theta.shape == (S, J) and d.mu.shape == d.tau.shape == (S,)
    assert d.seed == seed
    np.testing.assert_array_less(
        np.abs(d.theta.mean(axis=0) - fb.theta_mean), 5 * fb.theta_sd / math.sqrt(S)
    )
    assert abs(d.mu.mean() - fb.mu_mean) < 5 * d.mu.std() / math.sqrt(S)
    assert abs(d.tau.mean() - fb.tau_mean) < 5 * d.tau.std() / math.sqrt(S)
    # The sample sd s has standard error about sqrt(m4 - s^4) / (2 s sqrt(S)).
    centred = d.theta - d.theta.mean(axis=0)
    s = centred.std(axis=0)
    se_sd = np.sqrt(np.mean(centred**4, axis=0) - s**4) / (2 * s * math.sqrt(S))
    np.testing.assert_array_less(np.abs(s - fb.theta_sd), 5 * se_sd)
    # Kolmogorov-Smirnov: sup over the grid <= the sup over all t, at the 1e-4 level.
    empirical = np.searchsorted(np.sort(d.tau), fb.tau_grid, side="right") / S
    assert np.abs(empirical - fb.tau_cdf).max() < stats.kstwo.isf(1e-4, S)
    assert np.all(d.tau >= 0)


def test_eight_schools_draws_match_the_grid_posterior():
    data = datasets.load("eight_schools")
    _moment_checks(full_bayes(data.y, data.v), 20_000, 2024)


def test_half_cauchy_draws_match_the_grid_posterior():
    data = datasets.load("eight_schools")
    _moment_checks(full_bayes(data.y, data.v, prior="half-cauchy", scale=5.0), 20_000, 7)


def test_draws_are_reproducible_for_a_seed():
    data = datasets.load("eight_schools")
    fb = full_bayes(data.y, data.v)
    a, b, c = fb.draws(500, 3), fb.draws(500, 3), fb.draws(500, 4)
    for name in ("mu", "tau", "theta"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert not np.any(getattr(a, name) == getattr(c, name))


def test_draws_follow_shifting_and_scaling_of_the_data():
    # Same seed, data a + c y and c^2 v: the same uniforms and normals, so draws a + c theta,
    # up to the 1e-9 accuracy of tau_quantiles.
    data = datasets.load("eight_schools")
    a, c = -3.0, 1e-4
    base = full_bayes(data.y, data.v).draws(1000, 5)
    moved = full_bayes(a + c * data.y, c**2 * data.v).draws(1000, 5)
    np.testing.assert_allclose(moved.tau, c * base.tau, rtol=1e-8)
    np.testing.assert_allclose(moved.mu, a + c * base.mu, rtol=0, atol=1e-8 * c * 100)
    np.testing.assert_allclose(moved.theta, a + c * base.theta, rtol=0, atol=1e-8 * c * 100)


def test_tau_zero_gives_theta_equal_to_mu(monkeypatch):
    # theta_j | mu, tau = 0 is a point mass at mu (BDA3 eq. 5.17 as tau -> 0), and mu | tau = 0
    # is N(precision-weighted mean, 1 / sum(1 / v_j)): complete pooling.
    data = datasets.load("eight_schools")
    fb = full_bayes(data.y, data.v)
    monkeypatch.setattr(FullBayes, "tau_quantiles", lambda self, q: np.zeros_like(q))
    S = 4000
    d = fb.draws(S, 1)
    assert np.all(d.tau == 0.0)
    np.testing.assert_array_equal(d.theta, np.broadcast_to(d.mu[:, None], d.theta.shape))
    w = 1.0 / data.v
    sd = 1.0 / math.sqrt(w.sum())
    assert abs(d.mu.mean() - (w @ data.y) / w.sum()) < 5 * sd / math.sqrt(S)
    assert d.mu.std() == pytest.approx(sd, rel=5 / math.sqrt(2 * S))


@pytest.mark.parametrize(
    ("size", "seed", "message"),
    [(0, 1, "size must be"), (2.5, 1, "size must be"), (True, 1, "size must be"), (10, -1, "seed")],
)
def test_bad_size_or_seed_is_refused(size, seed, message):
    data = datasets.load("eight_schools")
    with pytest.raises(ValueError, match=message):
        full_bayes(data.y, data.v).draws(size, seed)


def test_draws_need_the_data():
    data = datasets.load("eight_schools")
    fb = full_bayes(data.y, data.v)
    bare = dataclasses.replace(fb, y=None, v=None)
    with pytest.raises(ValueError, match="needs the data"):
        bare.draws(10, 1)


def test_stored_data_are_copies():
    y, v = np.array([28.0, 8, -3, 7, -1, 1, 18, 12]), np.full(8, 100.0)
    fb = full_bayes(y, v)
    y[0] = 1e6
    assert fb.y[0] == 28.0


# The worked example: which school has the largest coaching effect, and how sure are we?


def _p_highest_by_quadrature(
    y: np.ndarray, v: np.ndarray, nodes: int = 40, epsrel: float = 1e-6
) -> tuple[np.ndarray, np.ndarray]:
    """P(theta_j is the largest | y) and P(smallest) under the flat prior on tau, by quadrature
    that shares no code with the package: quad_vec over tau of p(tau | y) (BDA3 eq. 5.21)
    times the probability given tau, which is Gauss-Hermite over mu | tau ~ N(mu_hat, V_mu)
    (eq. 5.20) of the one-dimensional integral over t = theta_j of
    phi_j(t) prod_{k != j} Phi_k(t), the theta_k | mu, tau independent normals of eq. 5.17."""
    z, wz = special.roots_hermitenorm(nodes)
    wz = wz / wz.sum()
    J = y.size

    def log_post(tau):
        var = v + tau**2
        vmu = 1.0 / np.sum(1.0 / var)
        mu_hat = vmu * np.sum(y / var)
        return 0.5 * math.log(vmu) - 0.5 * np.sum(np.log(var) + (y - mu_hat) ** 2 / var)

    peak = log_post(5.0)

    def integrand(tau):
        var = v + tau**2
        vmu = 1.0 / np.sum(1.0 / var)
        mu = vmu * np.sum(y / var) + math.sqrt(vmu) * z  # nodes for mu
        prec = 1.0 / v + 1.0 / tau**2
        m = (y / v + mu[:, None] / tau**2) / prec  # (mu node, group)
        s = 1.0 / np.sqrt(prec)
        # theta_j = m_j + s_j z': P(j highest | mu, tau) = E_z' prod_{k != j} Phi((t - m_k)/s_k).
        t = m[:, :, None] + s[:, None] * z  # (mu node, group j, z' node)
        u = (t[:, :, :, None] - m[:, None, None, :]) / s  # (.., k)
        own = np.eye(J, dtype=bool)[None, :, None, :]
        high = np.where(own, 1.0, special.ndtr(u)).prod(axis=3) @ wz
        low = np.where(own, 1.0, special.ndtr(-u)).prod(axis=3) @ wz
        weight = math.exp(log_post(tau) - peak)
        return np.concatenate(([weight], weight * (wz @ high), weight * (wz @ low)))

    total = integrate.quad_vec(integrand, 1e-8, np.inf, epsrel=epsrel)[0]
    return total[1 : J + 1] / total[0], total[J + 1 :] / total[0]


def test_eight_schools_which_school_is_best():
    # We did not find a published table of P(school j is best) (BDA3 exercise 5.3 asks for it
    # but the book gives no numbers), so the draws are checked against the quadrature above.
    data = datasets.load("eight_schools")
    S = 20_000
    r = rank_draws(full_bayes(data.y, data.v).draws(S, 1981).theta, seed=1981)
    highest, lowest = _p_highest_by_quadrature(data.y, data.v)
    assert highest.sum() == pytest.approx(1.0, abs=1e-6)
    assert lowest.sum() == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_array_less(np.abs(r.p_highest - highest), _mc_tolerance(highest, S))
    np.testing.assert_array_less(np.abs(r.p_lowest - lowest), _mc_tolerance(lowest, S))
    # School A (y = 28) is the most likely best, yet only about one time in four (0.2517 by
    # the quadrature). Every school is the best and the worst with probability above 5%, 20
    # Monte Carlo standard errors clear of 2.5%, so every 95% rank interval is all of 1..8.
    assert np.argmax(highest) == np.argmax(r.p_highest) == r.order[0] == 0
    assert highest[0] == pytest.approx(0.2517, abs=1e-4)
    assert min(highest.min(), lowest.min()) > 0.05
    np.testing.assert_array_equal(r.rank_lower, 1)
    np.testing.assert_array_equal(r.rank_upper, 8)
