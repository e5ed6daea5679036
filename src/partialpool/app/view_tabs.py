"""The tabs under the figure: the Guide, and the views that say why partial pooling wins, each
built the first time its tab is opened.

A bar of buttons over one column that shows the open tab, not Panel's `Tabs`: those cost the
server a Bokeh panel and a placeholder per tab with every session (about 12 ms of the page's
build; benchmarks/sessions.py), a tab bar one model."""

from __future__ import annotations

from collections.abc import Callable

import panel as pn
from bokeh.models import RadioButtonGroup

from .check_view import PredictiveCheckView
from .css import text_box
from .guide import GUIDE, GUIDE_CSS
from .panel_private import BokehPane
from .paths_view import ShrinkagePathsView
from .posterior_view import PosteriorView
from .rank_view import RankingsView
from .ridge_view import RidgeView
from .risk_view import RiskCurveView
from .state import PoolingState
from .stein_view import SteinView
from .study import MonteCarloRun
from .study_view import MonteCarloView

TABS: dict[str, Callable[[PoolingState], pn.viewable.Viewer]] = {
    "Risk": lambda state: RiskCurveView(state=state),
    "Posterior": lambda state: PosteriorView(state=state),
    "Ranks": lambda state: RankingsView(state=state),
    "Check": lambda state: PredictiveCheckView(state=state),
    "Paths": lambda state: ShrinkagePathsView(state=state),
    "Monte Carlo": lambda state: MonteCarloView(run=MonteCarloRun(state=state)),
    "Stein": lambda state: SteinView(state=state),
    "Ridge": lambda state: RidgeView(state=state),
}
"""The tabs beyond the Guide."""

TITLES = ["Guide", *TABS]
"""The tab bar's titles, in order."""

TAB_BAR_CSS = """
.bk-btn-group { flex-wrap: wrap; border-bottom: 1px solid #dee2e6; }
.bk-btn-group > .bk-btn.bk-btn-default {
  flex: 0 0 auto; margin: 0 0 -1px 0; padding: 6px 9px; border: 1px solid transparent;
  border-radius: 6px 6px 0 0; background: none; box-shadow: none; color: #495057;
  font-size: 14px;
}
.bk-btn-group > .bk-btn.bk-btn-default:hover { border-color: #e9ecef #e9ecef #dee2e6; }
.bk-btn-group > .bk-btn.bk-btn-default.bk-active {
  border-color: #dee2e6 #dee2e6 #ffffff; background: #ffffff; color: #212529;
}
"""
"""Buttons drawn as tabs (as Panel's Bootstrap design draws its own); their row wraps, so that
the nine titles fit a phone's width in two rows."""


def view_tabs(state: PoolingState) -> pn.Column:
    """The tab bar (a Bokeh `RadioButtonGroup` named "view_tabs") over the open tab, in a
    column with CSS class "views". A tab's view is built the first time it is opened and kept;
    only the open one is in the page."""
    bar = RadioButtonGroup(
        labels=TITLES,
        active=0,
        name="view_tabs",
        css_classes=["view-tabs"],
        stylesheets=[TAB_BAR_CSS],
        sizing_mode="stretch_width",
    )
    guide = text_box("guide", GUIDE, stylesheet=GUIDE_CSS)
    views: list[pn.viewable.Viewable | None] = [BokehPane(guide, sizing_mode="stretch_width")]
    views += [None] * len(TABS)
    shown = pn.Column(views[0], sizing_mode="stretch_width")
    builders = list(TABS.values())

    def show(_attr: str, old: object, active: object) -> None:
        if not (isinstance(active, int) and 0 <= active < len(views)):
            bar.active = old  # only a forged message sends no tab's index
            return
        if views[active] is None:
            views[active] = pn.panel(builders[active - 1](state))
        shown.objects = [views[active]]

    bar.on_change("active", show)
    return pn.Column(
        BokehPane(bar, sizing_mode="stretch_width"),
        shown,
        css_classes=["views"],
        sizing_mode="stretch_width",
    )
