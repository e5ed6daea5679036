"""What the tau views share: a tau move alone follows cheaply, anything else redraws; the marks
stand at the slider's tau, the fitted tau_hat and the true tau."""

from __future__ import annotations

import math

import pytest

from partialpool import estimate_tau2
from partialpool.app import PoolingState
from partialpool.app.tau_axis import TauMarks, TauView, tau_figure


class Counting(TauView):
    """A TauView that counts its redraws and tau follows."""

    redraw_on = ("structure",)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self.calls: list[str] = []
        figure, _, _ = tau_figure("counting", "y", height=200)
        self.marks = TauMarks(figure, "counting_marks")
        self._follow_state()

    def _refresh(self) -> None:
        self.calls.append("refresh")
        self.marks.draw(self.state)

    def _follow_tau(self) -> None:
        self.calls.append("follow")
        self.marks.move_slider(self.state.tau)


@pytest.fixture
def state() -> PoolingState:
    return PoolingState(seed=4)


def test_a_tau_move_on_the_grid_only_follows(state):
    view = Counting(state=state)
    assert view.calls == ["refresh"]
    state.tau = float(state.comparison.path.tau[9])
    assert view.calls == ["refresh", "follow"]
    assert view.marks.source.data["x"][0] == state.tau
    assert view.marks.source.data["text"][0] == f"slider {state.tau:.3g}"


@pytest.mark.parametrize(
    "change",
    [
        {"tau": 0.1234},  # off the grid: the grid changes
        {"seed": 5},  # new data
        {"method": "REML"},  # new fit
        {"prior": "half-cauchy"},  # new posterior
        {"source": "eight_schools"},
        {"structure": "pooled"},  # in redraw_on
    ],
)
def test_anything_but_a_tau_move_redraws(state, change):
    view = Counting(state=state)
    state.param.update(**change)
    assert view.calls[0] == "refresh" and set(view.calls[1:]) == {"refresh"}


def test_the_marks_are_the_slider_the_fit_and_the_truth(state):
    view = Counting(state=state)
    y, v = state.data.y, state.data.v
    x = list(view.marks.source.data["x"])
    assert x[0] == state.tau
    assert x[1] == pytest.approx(math.sqrt(estimate_tau2(y, v, "HE")), rel=1e-12)
    assert x[2] == state.tau_true
    state.source = "eight_schools"
    assert math.isnan(view.marks.source.data["x"][2])  # no truth to mark
