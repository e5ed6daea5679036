"""The results table without a browser: the core's group table, rounded for the screen, and
the download in full precision."""

from __future__ import annotations

import math

import numpy as np
import pytest

from partialpool import estimate_tau2, partial_pool
from partialpool.app import PoolingState
from partialpool.app.results_table import HEADINGS, ResultsTable, _rounded
from partialpool.results import group_table, to_csv
from partialpool.student_t import fit_t


@pytest.fixture
def state() -> PoolingState:
    return PoolingState(seed=3)


def test_table_shows_the_core_numbers_at_the_slider_tau(state):
    view = ResultsTable(state=state)
    state.tau = 0.37
    frame = view.frame
    fit = partial_pool(state.data.y, state.data.v, 0.37**2)
    assert list(frame.columns) == [HEADINGS[k] for k in group_table(state.data, fit).columns]
    for heading, exact in (("partial", fit.theta), ("B_j", fit.shrinkage)):
        np.testing.assert_allclose(frame[heading], exact, rtol=0, atol=5e-4 * np.abs(exact).max())
    truth = state.data.truth  # four significant digits of the column's largest value
    np.testing.assert_allclose(frame["truth"], truth, rtol=0, atol=5e-4 * np.abs(truth).max())
    assert len(frame) == state.data.J


def test_download_is_the_full_precision_csv(state):
    view = ResultsTable(state=state)
    state.tau = 0.37
    text = view._csv().getvalue()
    assert text == to_csv(
        group_table(state.data, partial_pool(state.data.y, state.data.v, 0.37**2))
    )
    assert view._csv().getvalue().startswith("# Normal population, tau^2 given\n")
    state.param.trigger("fit_tau")
    assert view._csv().getvalue().startswith("# Normal population, tau^2 by HE\n")


def test_a_student_t_population_is_named_with_its_fit(state):
    # Issue 14: under the t population the table said "estimated by HE" and "se 0" while it
    # showed fit_t's tau and mu.
    view = ResultsTable(state=state)
    state.population = "student-t"
    state.param.trigger("fit_tau")
    fitted = fit_t(state.data.y, state.data.v, 4.0)
    text = view._csv().getvalue()
    assert text.splitlines()[:3] == [
        "# Student-t(nu = 4) population, mu and tau by marginal ML",
        f"# tau2 = {fitted.tau**2:.6g}; tau = {fitted.tau:.6g}",
        f"# mu = {fitted.mu:.6g} (se {fitted.mu_se:.6g})",
    ]
    assert "Student-t(nu = 4) population, mu and tau by marginal ML; " in view._model.text
    assert f"(se {fitted.mu_se:.6g})" in view._model.text
    state.nu = 7.0
    state.param.trigger("fit_tau")
    assert (
        view._csv()
        .getvalue()
        .startswith("# Student-t(nu = 7) population, mu and tau by marginal ML\n")
    )
    state.tau = 0.3  # the slider's own tau: the t fit's mu is kept
    assert (
        view._csv()
        .getvalue()
        .startswith("# Student-t(nu = 7) population, tau given, mu by marginal ML\n")
    )
    state.population = "normal"
    state.param.trigger("fit_tau")
    assert view._csv().getvalue().startswith("# Normal population, tau^2 by HE\n")
    assert "(se not available)" not in view._csv().getvalue()


def test_a_student_t_population_that_fell_back_is_named_normal(state):
    view = ResultsTable(state=state)
    state.population = "student-t"
    assert state.upload(b"group,estimate,se\nA,1,1\nB,4,1\n", "two.csv")
    assert "at least 3 groups" in state.population_problem
    y, v = state.data.y, state.data.v
    tau2 = estimate_tau2(y, v, "HE")
    fit = partial_pool(y, v, tau2)
    assert view._csv().getvalue().splitlines()[:3] == [
        "# Normal population, tau^2 by HE",
        f"# tau2 = {tau2:.6g}; tau = {math.sqrt(tau2):.6g}",
        f"# mu = {fit.mu:.6g} (se {fit.mu_se:.6g})",
    ]


def test_a_tau_move_and_new_data_redraw_the_table(state):
    view = ResultsTable(state=state)
    tau = float(state.comparison.path.tau[10])
    state.tau = tau  # on the grid: a tau move alone
    fit = partial_pool(state.data.y, state.data.v, tau**2)
    np.testing.assert_allclose(view.frame["B_j"], fit.shrinkage, atol=5e-4)
    assert "tau^2 given; tau2 = " in view._model.text
    state.param.update(J=20, seed=8)
    assert len(view.frame) == 20


def test_summary_data_have_no_n_and_no_truth_columns(state):
    view = ResultsTable(state=state)
    state.source = "eight_schools"
    assert "n_j" not in view.frame.columns and "truth" not in view.frame.columns
    assert list(view.frame["group"]) == [f"school {c}" for c in "ABCDEFGH"]


def test_rounding_keeps_four_significant_digits():
    np.testing.assert_array_equal(_rounded(np.array([0.0123456, 0.5])), [0.0123, 0.5])
    np.testing.assert_array_equal(_rounded(np.array([1234.567, -2.0])), [1235.0, -2.0])
    np.testing.assert_array_equal(_rounded(np.zeros(3)), np.zeros(3))
