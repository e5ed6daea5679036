"""Rankings and the predictive check without a browser: the core's numbers in the sources, the
caption naming the highest and lowest, no work on a tau move, and why there is none."""

from __future__ import annotations

import numpy as np

from partialpool.app import PoolingState
from partialpool.app.check_view import PredictiveCheckView
from partialpool.app.rank_view import RankingsView

from .layout import bokeh_model, column, html_text


def test_the_caterpillar_is_the_cores_rankings():
    state = PoolingState(source="eight_schools")
    view = RankingsView(state=state)
    rankings = state.comparison.rankings()
    np.testing.assert_array_equal(column(view, "rankings", "p_highest"), rankings.p_highest)
    np.testing.assert_array_equal(column(view, "rankings", "rank_lower"), rankings.rank_lower)
    np.testing.assert_array_equal(column(view, "rankings", "upper"), rankings.theta_upper)
    rows = np.array(column(view, "rankings", "row"))
    assert list(np.argsort(rows)) == list(rankings.order)  # sorted by the posterior mean
    text = html_text(view, "rankings-text")
    assert "Highest: <b>school A</b> (probability 0.25)" in text
    assert "8 of 8 groups could rank anywhere" in text


def test_a_tau_move_leaves_the_rankings_alone():
    state = PoolingState(source="eight_schools")
    view = RankingsView(state=state)
    source = bokeh_model(view, "rankings")
    before = source.data
    state.tau = 3.0
    assert source.data is before


def test_without_a_posterior_the_views_say_why():
    state = PoolingState(source="eight_schools", population="student-t")
    text = html_text(RankingsView(state=state), "rankings-text")
    assert "Rankings need the exact full-Bayes posterior." in text
    assert "no exact full-Bayes posterior" in text
    check = html_text(PredictiveCheckView(state=state), "check-text")
    assert "replicates data from the exact full-Bayes posterior" in check


def test_the_check_marks_the_groups_outside_their_replicates():
    state = PoolingState(source="eight_schools")
    view = PredictiveCheckView(state=state)
    check = state.comparison.predictive_check()
    np.testing.assert_array_equal(column(view, "predictive_check", "p_value"), check.p_value)
    np.testing.assert_array_equal(column(view, "predictive_check", "row"), state.order)
    assert "All 8 groups lie inside the middle 95%" in html_text(view, "check-text")
    state.sort = "mean"
    np.testing.assert_array_equal(column(view, "predictive_check", "row"), state.order)
