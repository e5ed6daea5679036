"""The results table without a browser: the core's group table, rounded for the screen, and
the download in full precision."""

from __future__ import annotations

import numpy as np
import pytest

from partialpool import partial_pool
from partialpool.app import PoolingState
from partialpool.app.results_table import HEADINGS, ResultsTable, _rounded
from partialpool.results import group_table, to_csv


@pytest.fixture
def state() -> PoolingState:
    return PoolingState(seed=3)


def test_table_shows_the_core_numbers_at_the_slider_tau(state):
    view = ResultsTable(state=state)
    state.tau = 0.37
    frame = view._table.value
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
    state.param.trigger("fit_tau")
    assert "(estimated by HE)" in view._csv().getvalue()


def test_summary_data_have_no_n_and_no_truth_columns(state):
    view = ResultsTable(state=state)
    state.source = "eight_schools"
    assert "n_j" not in view._table.value.columns and "truth" not in view._table.value.columns
    assert list(view._table.value["group"]) == [f"school {c}" for c in "ABCDEFGH"]


def test_rounding_keeps_four_significant_digits():
    np.testing.assert_array_equal(_rounded(np.array([0.0123456, 0.5])), [0.0123, 0.5])
    np.testing.assert_array_equal(_rounded(np.array([1234.567, -2.0])), [1235.0, -2.0])
    np.testing.assert_array_equal(_rounded(np.zeros(3)), np.zeros(3))
