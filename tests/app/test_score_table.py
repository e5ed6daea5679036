"""The MSE table without a browser: each row of it, at every grid tau, shows the core's MSE."""

from __future__ import annotations

import pytest

from partialpool import mse, partial_pool
from partialpool.app import PoolingState
from partialpool.app.main_views import main_views
from partialpool.app.score_table import MSETable
from partialpool.estimators import ESTIMATORS, Estimator, GroupEstimates


@pytest.fixture
def state() -> PoolingState:
    return PoolingState()


def test_the_table_shows_each_number_and_marks_the_best(state):
    table = main_views(state).mse_table  # its text comes with the rows
    c = state.comparison
    k = 0  # tau = 0: partial pooling is complete pooling
    text = table.rows(c)[k]
    toggled = ("full_bayes", "james_stein", "james_stein_mean")
    for key in toggled:
        assert f"data-estimator='{key}'" not in text
    shown = {key: value for key, value in c.mse.items() if key not in toggled}
    shown["partial_pool"] = mse(partial_pool(state.data.y, state.data.v, 0.0), state.data.truth)
    for value in shown.values():
        assert f"{value:.4g}" in text
    best = min(shown, key=shown.get)
    assert f"class='best' data-estimator='{best}'" in text
    assert text.count("class='best'") == 1
    state.show_full_bayes = True
    assert "data-estimator='full_bayes'>" in table.pane.text
    assert f"{state.comparison.mse['full_bayes']:.4g}" in table.pane.text
    state.show_james_stein = True
    for key in ("james_stein", "james_stein_mean"):
        assert f"data-estimator='{key}'>" in table.pane.text
        assert f"{state.comparison.mse[key]:.4g}" in table.pane.text


def test_an_outlier_is_scored_apart_at_every_row(state):
    state.param.update(outlier=True, outlier_shift=6.0)
    table = MSETable(state=state)
    c = state.comparison
    rows = table.rows(c)
    assert "<th>outlier</th><th>the rest</th>" in rows[0] and "vs no pooling" not in rows[0]
    for k in (3, 60):
        theta = partial_pool(state.data.y, state.data.v, c.path.tau[k] ** 2).theta
        j = state.data.outlier
        outlier = (theta[j] - state.data.truth[j]) ** 2
        assert f"<td class='outlier'>{outlier:.4g}</td>" in rows[k]


def test_without_a_truth_the_table_says_why(state):
    table = main_views(state).mse_table
    state.source = "eight_schools"
    assert "no-truth" in table.pane.text


def test_a_registered_estimator_gets_its_row(state, monkeypatch):
    toy = Estimator(
        "toy",
        "Toy estimator",
        "toy",
        "star",
        "#999999",
        2,
        lambda c: GroupEstimates(theta=0.5 * (c.y + c.fit.mu)),
    )
    monkeypatch.setitem(ESTIMATORS, toy.key, toy)
    state.seed = 3  # new data: the comparison runs every registered estimator
    text = main_views(state).mse_table.pane.text
    assert "data-estimator='toy'" in text and "Toy estimator" in text
