"""The Stein view: unrelated means from the seed, a run of the core's study, its numbers shown."""

from __future__ import annotations

import numpy as np

from partialpool.app import PoolingState
from partialpool.app.stein_view import SPREAD, SteinView
from partialpool.stein_study import stein_study, unrelated_means


def test_a_run_shows_the_cores_study():
    state = PoolingState(seed=9)
    view = SteinView(state=state, J=8, replications=1000)
    assert not view._figure.visible and "Press Run" in view._text.text
    view.param.trigger("run")
    expected = stein_study(unrelated_means(8, seed=9, spread=SPREAD), 1.0, 1000, seed=9)
    np.testing.assert_array_equal(view.study.james_stein, expected.james_stein)
    risk = expected.risk()
    assert risk["james_stein"] < risk["raw"]
    assert view._figure.visible and view._key.visible
    assert f"{risk['james_stein']:.3f}" in view._text.text
    assert f"{100 * expected.share_better():.1f}%" in view._text.text
    np.testing.assert_allclose(
        view._boxes.data["mean"],
        [risk["raw"], risk["james_stein"], risk["james_stein_mean"]],
        rtol=1e-12,
    )


def test_a_new_seed_or_j_makes_the_result_stale():
    state = PoolingState(seed=9)
    view = SteinView(state=state, J=5, replications=200)
    view.param.trigger("run")
    assert view._figure.visible
    state.seed = 10
    assert not view._figure.visible and "Press Run" in view._text.text
    view.param.trigger("run")
    view.J = 3
    assert not view._figure.visible
    view.param.trigger("run")
    assert len(view._boxes.data["name"]) == 2  # toward the mean needs J >= 4
