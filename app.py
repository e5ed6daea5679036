"""partialpool app: `panel serve app.py`. Builds the page from the views; one state per session."""

from collections.abc import Callable

import panel as pn
from bokeh.settings import settings

from partialpool.app import PoolingState
from partialpool.app.check_view import PredictiveCheckView
from partialpool.app.css import CSS
from partialpool.app.data_source import DataSource
from partialpool.app.first_visit import first_visit_hint
from partialpool.app.guide import GUIDE
from partialpool.app.main_views import main_views
from partialpool.app.panel_private import load_mathjax_only_for_tex
from partialpool.app.paths_view import ShrinkagePathsView
from partialpool.app.posterior_view import PosteriorView
from partialpool.app.rank_view import RankingsView
from partialpool.app.results_table import ResultsTable
from partialpool.app.ridge_view import RidgeView
from partialpool.app.risk_view import RiskCurveView
from partialpool.app.sidebar import SimulationSettings
from partialpool.app.stein_view import SteinView
from partialpool.app.structure_view import StructureChooser
from partialpool.app.study import MonteCarloRun
from partialpool.app.study_view import MonteCarloView
from partialpool.app.url import sync_url

pn.extension("filedropper", design="bootstrap", loading_indicator=True)
load_mathjax_only_for_tex()
settings.perform_document_validation.set_value(False)  # tests/app/test_page.py runs them


state = PoolingState()
problem = pn.pane.HTML("", visible=False, stylesheets=[CSS], sizing_mode="stretch_width")


def report(message: str) -> None:
    problem.object = f"<div class='problem'>{message}</div>"
    problem.visible = True


if pn.state.location is not None:
    sync_url(state, pn.state.location, report, pn.state.curdoc.add_timeout_callback)

NARROW_CSS = """
@media (max-width: 700px) {
  #container.vh-100 { height: auto !important; overflow: visible !important; }
  #content { flex-direction: column-reverse; overflow: visible !important; }
  html body #sidebar { max-width: none !important; width: 100% !important; border-right: none; }
  #main { overflow: visible; padding: 6px; }
  #header { flex-wrap: nowrap; padding: 4px 8px; }
  #header .app-header { flex: 1 1 auto; min-width: 0; text-align: left; }
  #header .title { font-size: 0.95em; white-space: normal; line-height: 1.25em; }
}
"""
"""Phones and narrow windows: one scrolling page, the figure first and the sidebar after it."""

TABS_CSS = ".bk-tab { padding: 6px 9px !important; } .bk-headers-wrapper { flex-wrap: wrap; }"
"""Nine tabs fit a phone's width in two rows: the header wraps."""

FIGURE_COLUMN = {"flex": "1000 1 560px", "min-width": "0"}
SCORE_COLUMN = {"flex": "1 1 360px", "min-width": "0"}
"""Figure 1 and the slider above it take the width; the MSE table and the Fit row beside them
keep 360 pixels (the growth factors 1000 : 1). In a narrow window each wraps under its
neighbour and, alone in its line, takes the whole width."""


def when_shown(build: Callable[[], object]) -> pn.param.ParamFunction:
    """A tab built the first time it is shown (the tabs are `dynamic`), not with the page."""
    return pn.param.ParamFunction(build, lazy=True, sizing_mode="stretch_width")


def after_the_figure(build: Callable[[], object], **layout: object) -> pn.param.ParamFunction:
    """Built and sent once the page has loaded (Panel's `defer_load`), so that the tau controls
    and the figure are drawn first (benchmarks/app.py measures the first render)."""
    return pn.param.ParamFunction(build, defer_load=True, **layout)


def tabs() -> pn.Tabs:
    """The explanations beside the figure; each beyond the first is built when first opened."""
    return pn.Tabs(
        ("Guide", pn.pane.Markdown(GUIDE, sizing_mode="stretch_width", max_width=900)),
        ("Risk", when_shown(lambda: RiskCurveView(state=state))),
        ("Posterior", when_shown(lambda: PosteriorView(state=state))),
        ("Ranks", when_shown(lambda: RankingsView(state=state))),
        ("Check", when_shown(lambda: PredictiveCheckView(state=state))),
        ("Paths", when_shown(lambda: ShrinkagePathsView(state=state))),
        ("Monte Carlo", when_shown(lambda: MonteCarloView(run=MonteCarloRun(state=state)))),
        ("Stein", when_shown(lambda: SteinView(state=state))),
        ("Ridge", when_shown(lambda: RidgeView(state=state))),
        dynamic=True,
        sizing_mode="stretch_width",
        css_classes=["views"],
        stylesheets=[TABS_CSS],
    )


main = main_views(state)

template = pn.template.BootstrapTemplate(
    title="partialpool: no, complete and partial pooling of group means",
    sidebar=[
        after_the_figure(
            lambda: pn.Column(
                DataSource(state=state),
                SimulationSettings(state=state),
                StructureChooser(state=state),
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
    ],
    main=[  # one root: the template adds each item to the document apart, each a full pass
        pn.Column(
            first_visit_hint(pn.state.curdoc),
            problem,
            pn.FlexBox(  # two columns when they fit; else slider, Fit, figure, MSE table
                pn.Column(main.controls.layout(), styles=FIGURE_COLUMN),
                after_the_figure(
                    lambda: main.controls.actions(), min_height=64, styles=SCORE_COLUMN
                ),
                pn.Column(main.figure, styles=FIGURE_COLUMN),
                after_the_figure(lambda: main.mse_table, styles=SCORE_COLUMN),
                flex_wrap="wrap",
                gap="0 16px",
                sizing_mode="stretch_width",
            ),
            after_the_figure(
                lambda: pn.Column(tabs(), ResultsTable(state=state), sizing_mode="stretch_width"),
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
    ],
    sidebar_width=300,
    meta_viewport="width=device-width, initial-scale=1",
    raw_css=[NARROW_CSS],
)
template.servable(title="partialpool")
