"""Figure 1 without a browser: its sources hold the comparison's numbers; new data replace
the data, never the figure; a tau move is left to the page (see test_live_tau)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from partialpool import complete_pool, james_stein, partial_pool
from partialpool.app import PoolingState
from partialpool.app.figure import (
    BASE_FRAME,
    FADED_ALPHA,
    FULL_BAYES_OFFSET,
    JAMES_STEIN_LANES,
    ShrinkageFigure,
)
from partialpool.pooling import Z_95


@pytest.fixture
def state() -> PoolingState:
    return PoolingState(seed=5)


def test_figure_sources_hold_the_state(state):
    view = ShrinkageFigure(state=state)
    groups = view.groups.data
    y, v = state.data.y, state.data.v
    np.testing.assert_allclose(groups["theta_hat"], partial_pool(y, v, state.tau**2).theta, 1e-9)
    np.testing.assert_array_equal(groups["ybar"], y)
    np.testing.assert_array_equal(groups["theta"], state.simulation.theta)
    assert len(view._observations.data["x"]) == state.simulation.values.size
    rows = view._observations.data["y"]
    assert np.all(np.abs(rows - state.order[state.simulation.groups]) <= 0.25)
    assert view._grand_mean.data["x"][0] == pytest.approx(complete_pool(y, v).mu, rel=1e-12)
    assert view.__panel__().object.children == [view.heading, view._figure]


def test_a_tau_move_sends_nothing_and_keeps_ranges_and_observations(state):
    view = ShrinkageFigure(state=state)
    figure, data, observations = view._figure, view.groups.data, view._observations.data
    x_range = (view._x_range.start, view._x_range.end)
    state.tau = float(state.comparison.path.tau[7])
    assert view.groups.data is data and view._observations.data is observations
    assert (view._x_range.start, view._x_range.end) == x_range and view._figure is figure


def test_new_data_replace_data_not_the_figure(state):
    view = ShrinkageFigure(state=state)
    figure = view._figure
    state.param.update(J=30, seed=99)
    assert view._figure is figure
    assert len(view.groups.data["row"]) == 30
    assert view._figure.yaxis[0].ticker.ticks == list(range(30))
    lo, hi = view._x_range.start, view._x_range.end
    assert lo <= state.simulation.values.min() and hi >= state.simulation.values.max()


def test_switching_data_keeps_every_column_the_same_length(state):
    view = ShrinkageFigure(state=state)
    for source, J, model in [
        ("efron_morris", 18, "binomial"),
        ("eight_schools", 8, "normal"),
        ("surgical", 12, "binomial"),
        ("pumps", 10, "poisson"),
        ("efron_morris", 18, "binomial"),
    ]:
        state.source = source
        groups = view.groups.data
        assert {len(column) for column in groups.values()} == {J}
        assert state.model.key == model
        c = state.comparison
        np.testing.assert_allclose(
            groups["theta_hat"], c.model.pool(c.data, state.tau**2, c.fit).theta, rtol=1e-9
        )
    state.population = "normal"
    np.testing.assert_allclose(
        view.groups.data["theta_hat"],
        partial_pool(state.data.y, state.data.v, state.tau**2).theta,
        rtol=1e-9,
    )


def in_lane(view: ShrinkageFigure, *fields: str) -> list:
    """The figure's renderers drawn at the given y columns."""
    return [
        r
        for r in view._figure.renderers
        if getattr(r.glyph, "y", None) in fields or getattr(r.glyph, "y0", None) in fields
    ]


def test_full_bayes_glyph_is_the_posterior_and_follows_the_toggle(state):
    view = ShrinkageFigure(state=state)
    assert in_lane(view, "fb_row") == []  # not drawn until asked for
    state.show_full_bayes = True
    renderers = in_lane(view, "fb_row")
    assert len(renderers) == 2 and all(r.visible for r in renderers)
    fb = state.comparison.posterior
    groups = view.groups.data
    np.testing.assert_array_equal(groups["fb_mean"], fb.theta_mean)
    np.testing.assert_allclose(groups["fb_high"], fb.theta_mean + Z_95 * fb.theta_sd)
    state.prior = "half-cauchy"
    np.testing.assert_array_equal(
        view.groups.data["fb_mean"], state.comparison.posterior.theta_mean
    )
    items = [i for i in view._figure.legend[0].items if i.renderers[0] in renderers]
    assert items and all(i.visible for i in items)
    state.show_full_bayes = False
    assert not any(r.visible for r in renderers) and not any(i.visible for i in items)
    state.show_full_bayes = True
    assert in_lane(view, "fb_row") == renderers  # drawn once, shown again


def test_james_stein_glyphs_are_the_cores_estimates_and_follow_the_toggle(state):
    view = ShrinkageFigure(state=state)
    assert in_lane(view, "js_row", "jsm_row") == []
    state.show_james_stein = True
    renderers = in_lane(view, "js_row", "jsm_row")
    assert len(renderers) == 2 and all(r.visible for r in renderers)
    y, v = state.data.y, state.data.v
    groups = view.groups.data
    np.testing.assert_array_equal(groups["js0"], james_stein(y, v, "zero").theta)
    np.testing.assert_array_equal(groups["js_mean"], james_stein(y, v, "mean").theta)
    np.testing.assert_array_equal(groups["js_row"], state.order + JAMES_STEIN_LANES["js_row"])
    np.testing.assert_array_equal(groups["jsm_row"], state.order + JAMES_STEIN_LANES["jsm_row"])
    items = [i for i in view._figure.legend[0].items if i.renderers[0] in renderers]
    assert len(items) == 2 and all(i.visible for i in items)


@pytest.mark.parametrize("structure", ["separate", "pooled", "hierarchical"])
def test_the_structure_fades_the_estimates_it_does_not_use(state, structure):
    view = ShrinkageFigure(state=state)
    state.structure = structure
    shown = {"separate": ["no_pool"], "pooled": ["complete_pool"]}.get(
        structure, ["no_pool", "complete_pool", "partial_pool"]
    )
    for name, renderers in view._estimators.items():
        for renderer, alpha in renderers:
            expected = alpha if name in shown else FADED_ALPHA * alpha
            assert renderer.glyph.line_alpha == pytest.approx(expected)


def test_the_heading_names_the_data_and_says_what_they_lack(state):
    view = ShrinkageFigure(state=state)
    assert "<b>Simulated groups</b>: each row is a group" in view.heading.text
    assert "figure-note" not in view.heading.text  # simulated: observations and the truth
    assert state.upload(b"group,value\nA,1\nA,2\nB,3\nB,5\nC,0\nC,1\n", "<b>raw</b>.csv")
    assert "<b>&lt;b&gt;raw&lt;/b&gt;.csv</b>" in view.heading.text
    assert "No true theta_j for these data." in view.heading.text
    state.source = "eight_schools"
    assert "Summary data: no raw observations" in view.heading.text
    assert "; no true theta_j." in view.heading.text


def legend_labels(view: ShrinkageFigure) -> set[str]:
    return {item.label["value"] for item in view._figure.legend[0].items if item.visible}


def test_the_legend_lists_only_what_is_drawn(state):
    view = ShrinkageFigure(state=state)
    assert {"observations y_ij", "true theta_j"} <= legend_labels(view)
    assert "y_j ± 1.96 se_j" not in legend_labels(view)
    state.source = "eight_schools"  # summary data, no truth
    labels = legend_labels(view)
    assert "observations y_ij" not in labels and "true theta_j" not in labels
    assert "y_j ± 1.96 se_j" in labels


def test_extra_marks_get_lanes_that_do_not_overlap(state):
    view = ShrinkageFigure(state=state)
    height = view._figure.height
    state.param.update(show_full_bayes=True, show_james_stein=True)
    assert view._figure.height > height  # taller rows for the extra lanes
    pixels = (view._figure.height - BASE_FRAME) / state.data.J  # per row
    size = {r.glyph.y: r.glyph.size for r in view._scatters if r.glyph.y != "y"}
    lanes = sorted(  # (offset from the row, marker size); the row above's full Bayes lane too
        [(0.0, size["row"]), (FULL_BAYES_OFFSET, size["fb_row"])]
        + [(FULL_BAYES_OFFSET - 1.0, size["fb_row"])]
        + [(offset, size[lane]) for lane, offset in JAMES_STEIN_LANES.items()]
    )
    for (below, small), (above, large) in itertools.pairwise(lanes):
        assert (above - below) * pixels >= (small + large) / 2 + 1.0, (below, above)


def test_many_groups_drop_the_row_labels_and_shrink_the_marks():
    state = PoolingState(J=200)
    view = ShrinkageFigure(state=state)
    pixels = (view._figure.height - BASE_FRAME) / 200
    assert view._figure.yaxis[0].major_label_text_font_size == "0px"
    assert all(r.glyph.size <= max(3.0, pixels) for r in view._scatters)
    assert "Hover over a row" in view.heading.text
    state.J = 12
    assert view._figure.yaxis[0].major_label_text_font_size == "11px"
    assert max(r.glyph.size for r in view._scatters) == 13


def test_the_dots_or_the_bars_are_drawn_when_data_of_their_kind_are_first_shown(state):
    view = ShrinkageFigure(state=state)
    dots = view._spreads[True]
    assert set(view._spreads) == {True}  # raw observations: no interval bars yet
    renderers = view._figure.renderers
    assert renderers.index(dots) == renderers.index(view._pull_line) + 1  # under the marks
    state.source = "eight_schools"  # estimates and standard errors
    bars = view._spreads[False]
    assert bars.visible and not dots.visible
    assert renderers.index(bars) == renderers.index(view._pull_line) + 1
    assert view._legend.items[0].renderers == [bars]  # first in the legend
    shown = {item.label["value"]: item.visible for item in view._legend.items}
    assert shown["y_j ± 1.96 se_j"] and not shown["observations y_ij"]
    state.source = "simulated"
    assert dots.visible and not bars.visible and view._spreads == {True: dots, False: bars}
    state.source = "rat_tumors"  # counts: each group's own 95% interval
    labels = [item.label["value"] for item in view._legend.items if item.visible]
    assert labels[0] == "own 95% interval" and view._spreads[False] is bars


def test_counts_first_shown_draw_their_own_intervals(state):
    state.source = "surgical"
    view = ShrinkageFigure(state=state)
    (bars,) = view._spreads.values()
    assert bars.visible and view._legend.items[0].label["value"] == "own 95% interval"
