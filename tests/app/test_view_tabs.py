"""The tabs under the figure without a browser: a tab's view is built when first opened and
kept, only the open tab is in the page, a forged tab index is put back."""

from __future__ import annotations

from bokeh.document import Document
from bokeh.models import Div, RadioButtonGroup

from partialpool.app import PoolingState
from partialpool.app.panel_private import BokehPane
from partialpool.app.view_tabs import TITLES, view_tabs


def _parts(state: PoolingState):
    tabs = view_tabs(state)
    root = tabs.get_root(Document())
    bar = root.select_one({"type": RadioButtonGroup})
    return tabs, bar, tabs.objects[1]


def test_the_bar_names_every_tab_and_opens_the_guide():
    tabs, bar, shown = _parts(PoolingState())
    assert (
        bar.labels
        == TITLES
        == [
            "Guide",
            "Risk",
            "Posterior",
            "Ranks",
            "Check",
            "Paths",
            "Monte Carlo",
            "Stein",
            "Ridge",
        ]
    )
    assert bar.active == 0 and "views" in tabs.css_classes
    (guide,) = shown.objects
    assert isinstance(guide.object, Div) and "What to look for" in guide.object.text


def test_a_tab_is_built_when_first_opened_and_kept():
    _, bar, shown = _parts(PoolingState())
    guide = shown.objects[0]
    bar.active = 1
    (risk,) = shown.objects
    assert "risk_figure" in [pane.object.name for pane in risk.select(BokehPane)]
    bar.active = 0
    assert shown.objects == [guide]
    bar.active = 1
    assert shown.objects[0] is risk  # not built again


def test_a_forged_tab_index_is_put_back():
    _, bar, shown = _parts(PoolingState())
    bar.active = 2
    view = shown.objects[0]
    for forged in (9, -1, None):  # (Bokeh refuses a non-integer itself)
        bar.active = forged
        assert bar.active == 2 and shown.objects == [view]
