"""The app's state without a browser: it must show exactly what the core computes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from bad_csv import BAD_FILES

from partialpool import (
    complete_pool,
    datasets,
    estimate_tau2,
    full_bayes,
    james_stein,
    mse,
    no_pool,
    partial_pool,
    partial_pool_path,
    simulate,
)
from partialpool.app import PoolingState
from partialpool.app.state import MAX_GROUPS, row_order
from partialpool.files import read_data
from partialpool.student_t import fit_t, partial_pool_t


def test_defaults_show_the_point():
    state = PoolingState()
    assert state.J == 12 and state.n_range == (2, 40) and state.tau_true == state.sigma / 2
    n = state.data.n
    assert n.min() <= 5 and n.max() >= 30  # small and large groups coexist
    e = state.comparison.mse
    assert e["empirical_bayes"] < e["no_pool"] < e["complete_pool"]


def test_data_come_from_the_core():
    state = PoolingState(J=7, n_range=(3, 9), tau_true=0.8, sigma=2.0, mu=1.5, seed=5)
    sim = simulate(7, (3, 9), 0.8, 1.5, 2.0, seed=5)
    np.testing.assert_array_equal(state.simulation.values, sim.values)
    np.testing.assert_array_equal(state.data.v, 4.0 / sim.n)


def test_moving_tau_changes_theta_hat_as_the_core_says():
    state = PoolingState()
    before = state.comparison.pooled.theta.copy()
    state.tau = 0.123
    expected = partial_pool(state.data.y, state.data.v, 0.123**2)
    np.testing.assert_array_equal(state.comparison.pooled.theta, expected.theta)
    np.testing.assert_array_equal(state.comparison.pooled.shrinkage, expected.shrinkage)
    assert not np.allclose(state.comparison.pooled.theta, before)


def test_tau_zero_and_large_reach_the_two_extremes():
    state = PoolingState()
    state.tau = 0.0
    grand_mean = complete_pool(state.data.y, state.data.v).mu
    np.testing.assert_allclose(state.comparison.pooled.theta, grand_mean)
    state.tau = 1000.0
    np.testing.assert_allclose(state.comparison.pooled.theta, state.data.y, atol=1e-5)


@pytest.mark.parametrize("method", ["HE", "REML", "DL"])
def test_fit_sets_tau_to_the_cores_tau_hat(method):
    state = PoolingState(method=method, seed=8)
    state.tau = 2.0
    state.param.trigger("fit_tau")
    expected = math.sqrt(estimate_tau2(state.data.y, state.data.v, method))
    assert state.tau == state.comparison.fit.tau == pytest.approx(expected, rel=1e-15)


def test_mse_table_is_core_mse_of_each_estimator():
    state = PoolingState(seed=11)
    state.tau = 0.3
    y, v, theta = state.data.y, state.data.v, state.simulation.theta
    tau2_hat = estimate_tau2(y, v, "HE")
    assert state.comparison.mse == {
        "no_pool": mse(no_pool(y), theta),
        "complete_pool": mse(complete_pool(y, v), theta),
        "partial_pool": mse(partial_pool(y, v, 0.09), theta),
        "empirical_bayes": mse(partial_pool(y, v, tau2_hat), theta),
        "full_bayes": mse(full_bayes(y, v).theta_mean, theta),
        # James and Stein (1961) toward 0; Efron and Morris (1975) positive part toward the mean
        "james_stein": mse(james_stein(y, v, "zero"), theta),
        "james_stein_mean": mse(james_stein(y, v, "mean"), theta),
    }
    assert state.comparison.outlier_mse == {}


def test_an_outlier_group_is_scored_apart_from_the_rest():
    state = PoolingState(seed=11, outlier=True, outlier_shift=5.0, outlier_n=30)
    data = state.data
    assert data.J == 13 and data.labels[-1] == "outlier" and data.truth[-1] == 5.0
    np.testing.assert_array_equal(data.truth[:12], PoolingState(seed=11).data.truth)
    rest = slice(0, 12)
    for key, (outlier, others) in state.comparison.outlier_mse.items():
        theta = (
            state.comparison.pooled.theta
            if key == "partial_pool"
            else state.comparison.estimates[key].theta
        )
        assert outlier == pytest.approx((theta[12] - 5.0) ** 2, rel=1e-14)
        assert others == pytest.approx(mse(theta[rest], data.truth[rest]), rel=1e-14)
        assert state.comparison.mse[key] == pytest.approx((outlier + 12 * others) / 13, rel=1e-12)
    # at the pack's tau = 0.5 the Normal prior drags the outlier toward the pack (worse than
    # its own mean) and the pack's mu_hat toward the outlier
    assert state.tau == 0.5 and state.comparison.pooled.theta[12] < data.y[12] - 0.4
    assert (
        state.comparison.outlier_mse["partial_pool"][0]
        > 5 * state.comparison.outlier_mse["no_pool"][0]
    )
    assert state.comparison.pooled.mu > PoolingState(seed=11).comparison.pooled.mu + 0.2
    state.outlier = False
    assert state.data.J == 12 and state.comparison.outlier_mse == {}


def test_changing_method_refits_and_rescores():
    state = PoolingState(seed=3)
    he = state.comparison.fit.tau
    state.method = "REML"
    y, v = state.data.y, state.data.v
    assert state.comparison.fit.tau == pytest.approx(math.sqrt(estimate_tau2(y, v, "REML")))
    assert state.comparison.fit.tau != he
    eb = partial_pool(y, v, state.comparison.fit.tau**2)
    assert state.comparison.mse["empirical_bayes"] == pytest.approx(mse(eb, state.simulation.theta))


def test_same_seed_same_data_new_seed_new_data():
    a, b = PoolingState(seed=4), PoolingState(seed=4)
    np.testing.assert_array_equal(a.simulation.values, b.simulation.values)
    seed = a.seed
    a.param.trigger("new_data")
    assert a.seed != seed
    assert not np.array_equal(a.simulation.values, b.simulation.values)
    a.seed = 4
    np.testing.assert_array_equal(a.simulation.values, b.simulation.values)


def test_settings_resimulate_and_keep_tau():
    state = PoolingState()
    state.tau = 0.7
    state.param.update(J=40, n_range=(1, 3), sigma=2.0)
    assert state.data.n.size == 40 and state.data.n.max() <= 3
    assert state.tau == 0.7 and state.comparison.pooled.theta.size == 40


def test_row_order_sorts_by_size_and_mean():
    state = PoolingState(seed=27)
    n, ybar = state.data.n, state.data.y
    np.testing.assert_array_equal(row_order(state.data, "group"), np.arange(12))
    by_size = row_order(state.data, "size")
    assert np.all(np.diff(n[np.argsort(by_size)]) >= 0)  # smallest group at the top
    by_mean = row_order(state.data, "mean")
    assert np.all(np.diff(ybar[np.argsort(by_mean)]) <= 0)  # largest mean at the top
    state.sort = "size"
    np.testing.assert_array_equal(state.order, by_size)


@pytest.mark.parametrize(
    ("name", "value"),
    [("J", 2), ("J", 201), ("sigma", 0.0), ("tau", -0.1), ("n_range", (0, 5)), ("method", "X")],
)
def test_settings_out_of_range_are_refused(name, value):
    state = PoolingState()
    with pytest.raises(ValueError):
        setattr(state, name, value)


GOOD_UPLOAD = b"group,value,truth\nA,1,1.5\nA,2,1.5\nB,4,4\nB,6,4\nB,8,4\nC,0,0.5\nC,1,0.5\n"


@pytest.mark.parametrize("name", ["eight_schools", "efron_morris"])
def test_bundled_data_sets_are_pooled_at_their_tau_hat(name):
    state = PoolingState(population="normal")
    state.source = name
    data = datasets.load(name)
    np.testing.assert_array_equal(state.data.y, data.y)
    tau_hat = math.sqrt(estimate_tau2(data.y, data.v, "HE"))
    assert state.comparison.fit.tau == state.tau == pytest.approx(tau_hat, rel=1e-15)
    np.testing.assert_allclose(
        state.comparison.pooled.theta, partial_pool(data.y, data.v, tau_hat**2).theta
    )
    assert state.data.sigma is None  # no common sigma, so no ridge penalty


def test_eight_schools_has_no_truth_so_no_errors():
    state = PoolingState(source="eight_schools")
    assert state.comparison.mse == {}
    state.tau = 10.0
    assert state.comparison.mse == {}


def test_efron_morris_is_scored_against_the_rest_of_the_season():
    state = PoolingState(source="efron_morris", population="normal")
    data = state.data
    assert state.comparison.mse["no_pool"] == pytest.approx(mse(no_pool(data.y), data.truth))
    ratio = state.comparison.mse["empirical_bayes"] / state.comparison.mse["no_pool"]
    assert ratio < 0.35  # Efron and Morris (1975): James-Stein is about 3.5 times better
    js_ratio = state.comparison.mse["james_stein_mean"] / state.comparison.mse["no_pool"]
    assert js_ratio < 0.35


def test_a_good_upload_is_shown_and_scored():
    state = PoolingState()
    assert state.upload(GOOD_UPLOAD, "mine.csv")
    assert state.source == "upload" and state.problem == ""
    assert list(state.data.labels) == ["A", "B", "C"] and state.data.title == "mine.csv"
    np.testing.assert_array_equal(state.data.truth, [1.5, 4.0, 0.5])
    assert set(state.comparison.mse) == {
        "no_pool",
        "complete_pool",
        "partial_pool",
        "empirical_bayes",
        "full_bayes",
        "james_stein",  # J = 3: toward 0 only; toward the mean needs J >= 4
    }


@pytest.mark.parametrize("content, message", BAD_FILES.values(), ids=BAD_FILES)
def test_a_bad_upload_names_the_problem_and_keeps_the_data(content, message):
    state = PoolingState()
    assert state.upload(GOOD_UPLOAD, "good.csv")
    state.tau = 0.9
    before, fit = state.data, state.comparison.pooled
    assert not state.upload(content, "bad.csv")
    assert state.problem.startswith("bad.csv: ") and message in state.problem
    assert state.data is before and state.comparison.pooled is fit and state.tau == 0.9
    assert state.source == "upload"


def test_too_many_groups_for_the_app_points_to_the_command_line():
    rows = "".join(f"g{j},{j},1\n" for j in range(MAX_GROUPS + 1))
    state = PoolingState()
    assert not state.upload("group,estimate,se\n" + rows, "big.csv")
    assert "partialpool fit FILE.csv" in state.problem and state.source == "simulated"


def test_choosing_upload_before_any_file_keeps_the_data_and_says_so():
    state = PoolingState()
    before = state.data
    state.source = "upload"
    assert state.data is before and "no file" in state.problem
    state.upload(GOOD_UPLOAD)
    assert state.problem == "" and state.data.J == 3


def test_back_to_simulated_shows_the_simulation_again():
    state = PoolingState(seed=5)
    sim = state.simulation
    state.source = "eight_schools"
    state.J = 20  # simulated in the background
    assert state.data.J == 8 and state.simulation.n.size == 20
    state.source = "simulated"
    assert state.data.J == 20 and state.simulation is not sim
    np.testing.assert_array_equal(state.data.truth, state.simulation.theta)


def test_sessions_do_not_share_uploads():
    a, b = PoolingState(), PoolingState()
    a.upload(GOOD_UPLOAD, "a.csv")
    assert b.source == "simulated" and b.data.title == "Simulated groups"
    b.source = "upload"
    assert b.data.title == "Simulated groups" and "no file" in b.problem


def test_starting_on_upload_without_a_file_shows_the_simulation():
    state = PoolingState(source="upload")
    assert state.data.title == "Simulated groups" and "no file" in state.problem


def test_risk_curve_at_the_sliders_tau_is_the_tables_partial_pool_mse():
    state = PoolingState(seed=4)
    k = 37
    state.tau = float(state.comparison.path.tau[k])
    assert state.comparison.path_mse[k] == pytest.approx(
        state.comparison.mse["partial_pool"], rel=1e-12
    )
    assert state.comparison.mse["no_pool"] == state.comparison.mse["no_pool"]
    assert state.comparison.mse["complete_pool"] == pytest.approx(
        state.comparison.mse["complete_pool"], rel=1e-14
    )


def test_grid_spans_the_tau_axis_and_follows_new_data():
    state = PoolingState(seed=4)
    assert (
        state.comparison.path.tau[0] == 0.0
        and state.comparison.path.tau[-1] == state.tau_max == 3.0
    )
    expected = partial_pool_path(state.data.y, state.data.v, state.comparison.path.tau)
    np.testing.assert_array_equal(state.comparison.path.theta, expected.theta)
    state.source = "eight_schools"
    assert state.comparison.path_mse is None
    assert (
        state.comparison.path.theta.shape == (201, 8) and state.tau_max == 55.0
    )  # 3 x 18, rounded up


def test_tau_beyond_the_axis_extends_it():
    state = PoolingState(seed=4)
    state.tau = 7.3
    assert state.tau_max == 7.5 and state.comparison.path.tau[-1] == 7.5


def test_posterior_follows_the_prior():
    state = PoolingState(source="eight_schools")
    y, v = state.data.y, state.data.v
    assert state.comparison.posterior.prior == "uniform"
    np.testing.assert_array_equal(
        state.comparison.posterior.theta_mean, full_bayes(y, v).theta_mean
    )
    assert state.prior_scale == 10.0  # median se_j of the eight schools is 10.5
    state.prior = "half-cauchy"
    expected = full_bayes(y, v, "half-cauchy", 10.0)
    np.testing.assert_array_equal(state.comparison.posterior.tau_density, expected.tau_density)
    state.prior_scale = 25.0
    assert state.comparison.posterior.scale == 25.0
    assert "full_bayes" not in state.comparison.mse  # no truth to score against


def test_full_bayes_is_scored_when_the_truth_is_known():
    state = PoolingState(source="efron_morris", population="normal")
    fb = full_bayes(state.data.y, state.data.v)
    assert state.comparison.mse["full_bayes"] == mse(fb.theta_mean, state.data.truth)
    state.prior = "half-cauchy"
    fb = full_bayes(state.data.y, state.data.v, "half-cauchy", state.prior_scale)
    assert state.comparison.mse["full_bayes"] == mse(fb.theta_mean, state.data.truth)


def test_two_groups_have_no_flat_prior_posterior():
    state = PoolingState()
    assert state.upload(b"group,estimate,se\na,1.0,0.5\nb,3.0,0.8\n", "two.csv")
    assert state.comparison.posterior is None
    assert "choose the half-Cauchy prior" in state.comparison.posterior_problem
    state.prior = "half-cauchy"
    assert state.comparison.posterior is not None and state.comparison.posterior_problem == ""


def test_a_student_t_population_pools_by_the_cores_t_posterior():
    state = PoolingState(seed=11, outlier=True, outlier_shift=6.0)
    normal_fit = state.comparison.pooled
    state.population = "student-t"
    y, v = state.data.y, state.data.v
    fitted = fit_t(y, v, 4.0)
    assert state.comparison.fit.tau == fitted.tau and state.comparison.pooled.mu == fitted.mu
    state.tau = 0.5
    t = partial_pool_t(y, v, 0.5, 4.0, fitted.mu)
    np.testing.assert_array_equal(state.comparison.pooled.theta, t.theta)
    np.testing.assert_array_equal(state.comparison.pooled.shrinkage, t.shrinkage)
    assert state.comparison.mse["empirical_bayes"] == mse(fitted.pooling.theta, state.data.truth)
    # the risk curve and the paths are the t model's too: at a grid tau they are the table's
    k = 40
    state.tau = float(state.comparison.path.tau[k])
    np.testing.assert_allclose(
        state.comparison.path.theta[k], state.comparison.pooled.theta, rtol=1e-14
    )
    assert state.comparison.path_mse[k] == pytest.approx(
        state.comparison.mse["partial_pool"], rel=1e-14
    )
    # at the pack's tau the t population lets the outlier keep its mean; the Normal does not
    state.tau = 0.5
    assert state.comparison.pooled.shrinkage[-1] < 0.05 < normal_fit.shrinkage[-1]
    state.nu = 30.0
    assert state.comparison.fit.tau == fit_t(y, v, 30.0).tau
    state.population = "normal"
    assert state.comparison.fit.tau == pytest.approx(
        math.sqrt(estimate_tau2(y, v, "HE")), rel=1e-15
    )
    np.testing.assert_array_equal(state.comparison.pooled.theta, partial_pool(y, v, 0.25).theta)


def test_the_state_names_the_model_and_estimator_in_use():
    state = PoolingState(seed=11)
    assert (getattr(state.model, "nu", None), state.comparison.tau_method) == (
        None,
        None,
    )  # simulated data keep tau = 0.5
    state.param.trigger("fit_tau")
    assert (getattr(state.model, "nu", None), state.comparison.tau_method) == (None, "HE")
    assert (
        state.comparison.pooled.mu_se
        == partial_pool(state.data.y, state.data.v, state.tau**2).mu_se
        > 0
    )
    state.method = "REML"
    state.param.trigger("fit_tau")
    assert state.comparison.tau_method == "REML"
    state.tau = state.comparison.fit.tau + 0.1
    assert state.comparison.tau_method is None  # the slider's own tau
    state.population = "student-t"
    state.param.trigger("fit_tau")
    assert (getattr(state.model, "nu", None), state.comparison.tau_method) == (4.0, "marginal ML")
    # fit_t gives no standard error of mu yet: NaN ("not available"), never 0
    assert state.comparison.pooled.mu_se == fit_t(state.data.y, state.data.v, 4.0).mu_se > 0
    state.nu = 9.0
    assert getattr(state.model, "nu", None) == 9.0
    assert state.upload(b"group,estimate,se\nA,1,1\nB,2,1\n", "two.csv")
    assert (getattr(state.model, "nu", None), state.comparison.tau_method) == (
        None,
        "REML",
    )  # fell back to the Normal
    assert (
        state.comparison.pooled.mu_se
        == partial_pool(state.data.y, state.data.v, state.tau**2).mu_se
    )


def test_two_groups_under_a_student_t_population_fall_back_to_the_normal_with_a_reason():
    state = PoolingState(population="student-t")
    assert state.population_problem == ""
    assert state.upload(b"group,estimate,se\nA,1,1\nB,2,1\n", "two.csv")
    assert "at least 3 groups" in state.population_problem
    y, v = state.data.y, state.data.v
    assert state.comparison.fit.tau == math.sqrt(estimate_tau2(y, v, "HE"))
    np.testing.assert_array_equal(
        state.comparison.pooled.theta, partial_pool(y, v, state.tau**2).theta
    )
    state.source = "simulated"
    assert (
        state.population_problem == ""
        and state.comparison.fit.tau == fit_t(state.data.y, state.data.v, 4.0).tau
    )


# --- counts -----------------------------------------------------------------------------------


def test_counts_are_shown_under_their_own_model_by_default():
    state = PoolingState(source="surgical")
    assert state.population == "auto" and state.model.key == "binomial"
    assert state.tau == state.comparison.fit.tau  # tau_hat on the logit scale
    assert state.population_problem == ""
    # 3 times the largest sd of an empirical logit: hospital A, 0 of 47
    assert state.tau_max == pytest.approx(4.5)
    state.source = "pumps"
    assert state.model.key == "poisson"
    state.source = "eight_schools"
    assert state.model.key == "normal"


def test_a_model_on_another_scale_starts_at_its_own_tau_hat():
    state = PoolingState(source="surgical")
    state.population = "normal"
    assert state.model.key == "normal"
    assert state.tau == state.comparison.fit.tau == pytest.approx(0.0318929, rel=1e-5)
    state.population = "auto"
    assert state.tau == pytest.approx(0.3577, abs=1e-4)  # lme4's tau on the logit scale


def test_a_count_model_on_other_data_falls_back_to_the_normal_and_says_why():
    state = PoolingState(source="eight_schools", population="binomial")
    assert state.model.key == "normal"
    assert state.population_problem == (
        "The Binomial counts model needs successes out of trials; Eight schools (Rubin 1981) "
        "has only estimates, so the Normal population is shown."
    )
    state.source = "efron_morris"
    assert state.model.key == "binomial" and state.population_problem == ""


def test_simulated_counts_have_a_known_truth():
    state = PoolingState(source="simulated_counts", J=20, seed=3)
    data = state.data
    assert data.counts.kind == "binomial" and data.truth is not None
    assert set(state.comparison.mse) >= {"no_pool", "complete_pool", "partial_pool"}
    assert np.all((data.truth > 0) & (data.truth < 1))
    low, high = state.n_range
    assert np.all((data.counts.n >= low) & (data.counts.n <= high))
    before = data.truth.copy()
    state.mean_rate = 0.6
    assert state.data.truth.mean() > before.mean()


def test_an_upload_with_a_byte_order_mark_reads_as_the_command_line_reads_it(tmp_path):
    content = "\ufeffgroup,value\na,1\na,2\nb,3\nb,5\n".encode()
    path = tmp_path / "bom.csv"
    path.write_bytes(content)
    state = PoolingState()
    assert state.upload(content, "bom.csv"), state.problem
    expected = read_data(path)
    np.testing.assert_array_equal(state.data.labels, expected.labels)
    np.testing.assert_allclose(state.data.v, expected.v, rtol=1e-15)
    assert state.columns_used.startswith("group=group, value=value")


@pytest.mark.parametrize(
    "content, words",
    [
        (
            b"group,estimate,se\na,1,1e100\nb,2,1e100\nc,3,1e100\n",
            "group 'a': the standard error is 1e+100; the app draws values and standard errors "
            "up to 1e+50 in size",
        ),
        (
            b"group,estimate,se\na,1,1e60\nb,-9e99,1e60\nc,3,1e60\n",
            "group 'b': the value is 9e+99; the app draws",
        ),
    ],
)
def test_data_too_large_to_draw_are_refused_and_the_page_keeps_its_data(content, words):
    state = PoolingState()
    before = state.data
    assert not state.upload(content, "big.csv")
    assert words in state.problem and "partialpool fit FILE.csv" in state.problem
    assert state.data is before and state.tau_max < 1e100


def test_the_largest_drawable_data_keep_the_tau_axis_within_taus_bound():
    state = PoolingState()
    content = b"group,estimate,se\na,-1e50,1e50\nb,1e50,1e50\nc,0,1e50\n"
    assert state.upload(content, "edge.csv"), state.problem
    assert state.tau_max <= PoolingState.param.tau.bounds[1]
    state.tau = state.tau_max
    assert state.comparison.tau == state.tau_max


def test_an_upload_beyond_the_group_limit_is_refused_where_the_group_starts():
    rows = "".join(f"g{j},{j % 7}\n" for j in range(MAX_GROUPS + 50))
    state = PoolingState()
    before = state.data
    assert not state.upload(f"group,value\n{rows}".encode(), "many.csv")
    assert state.problem.startswith(
        f"many.csv: line {MAX_GROUPS + 2}: group {MAX_GROUPS + 1} starts here; the app draws "
        f"up to {MAX_GROUPS} groups"
    )
    assert state.data is before
