"""The app's page: the template, its sidebar, the figure with its controls and the tabs, for one
session's `PoolingState`. `app.py` serves it; `explore` gives its views for Jupyter; the
`partialpool serve` command serves it on a file."""

from __future__ import annotations

from collections.abc import Callable

import panel as pn
from bokeh.models import Column, Div, Row
from bokeh.settings import settings

from . import workers
from .css import CSS, text_box
from .data_source import DataSource
from .first_visit import first_visit_hint
from .lazy import built_at_once, built_now, deferred, when_seen
from .main_views import MainViews, main_views
from .panel_private import (
    BokehPane,
    link_stylesheets_here,
    load_mathjax_only_for_tex,
    patch_stylesheets_once_per_page,
    read_no_link_in_panel,
)
from .results_table import ResultsTable
from .sidebar import SimulationSettings
from .state import PoolingState
from .structure_view import StructureChooser
from .throttle import served_document
from .url import sync_url
from .view_tabs import view_tabs


def configure(served: bool = True) -> None:
    """Load what the page needs into Panel (once per process, or per notebook). `served`: for
    the app's server, whose pages ask the browser for none of its settings (Panel's
    `browser_info`: the app reads none, and each page would send them back as about ten
    messages for the server to handle); else (Jupyter) Panel's default is kept."""
    pn.extension(design="bootstrap", loading_indicator=True)
    if served:
        pn.config.browser_info = False
    load_mathjax_only_for_tex()
    read_no_link_in_panel()
    patch_stylesheets_once_per_page()
    settings.perform_document_validation.set_value(False)  # tests/app/test_page.py runs them
    settings.perform_error_diagnostics.set_value(False)  # and checks the callbacks' signatures


NARROW_CSS = """
@media (max-width: 700px) {
  html, body { overflow-anchor: none; }
  #container.vh-100 { height: auto !important; overflow: visible !important; }
  #content { flex-direction: column-reverse; overflow: visible !important; }
  html body #sidebar { max-width: none !important; width: 100% !important; border-right: none; }
  #main { overflow: visible; padding: 6px; }
  #header { flex-wrap: nowrap; padding: 4px 8px; }
  #header .app-header { flex: 1 1 auto; min-width: 0; text-align: left; }
  #header .title { font-size: 0.95em; white-space: normal; line-height: 1.25em; }
}
"""
"""Phones and narrow windows: one scrolling page, the figure first and the sidebar after it.
No scroll anchoring: when a shorter tab replaced the Guide, Chromium anchored on the sidebar
and, as the per-group table above it was built, scrolled the tab bar out of sight."""

FIGURE_COLUMN = {"flex": "1000 1 560px", "min-width": "0"}
SCORE_COLUMN = {"flex": "1 1 360px", "min-width": "0"}
"""Figure 1 and the slider above it take the width; the MSE table and the Fit row beside them
keep 360 pixels (the growth factors 1000 : 1). In a narrow window each wraps under its
neighbour and, alone in its line, takes the whole width."""


TABS_HEIGHT = 700
"""Pixels the tabs take (the Guide's, in a wide window: 800) until they arrive: the results
table below them is built when scrolled to (`lazy.when_seen`)."""


def problem_pane(state: PoolingState, linked: bool) -> Div:
    """The page's warning line (a link's values that were refused); with `linked`, the state
    is kept in step with the page's URL."""
    problem = text_box("link-problem", visible=False, stylesheet=CSS)

    def report(message: str) -> None:
        problem.update(text=f"<div class='problem'>{message}</div>", visible=True)

    if linked and pn.state.location is not None:
        sync_url(state, pn.state.location, report, pn.state.curdoc.add_timeout_callback)
    return problem


COMPUTING = (
    "<div class='computing' role='status'>Computing the estimates for the new settings… "
    "the figure shows the previous ones until then.</div>"
)


def computing_note(state: PoolingState) -> Div:
    """A line shown while new estimates are computed (`PoolingState.computing`)."""
    note = text_box("computing-note", COMPUTING, visible=state.computing, stylesheet=CSS)
    state.param.watch(lambda event: setattr(note, "visible", event.new), "computing")
    return note


BUSY_CSS = ":host(.busy) { opacity: 0.55; pointer-events: none; cursor: progress; }"
"""The slider, Fit, the figure and the MSE table while new estimates are computed: faded, and
deaf to the pointer until the new ones are shown."""


def _busy_classes(computing: bool) -> list[str]:
    return ["busy"] if computing else []


def figure_block(state: PoolingState, main: MainViews, linked: bool) -> Column:
    """The first-visit hint, the page's warning and computing lines, and under them the
    slider, the Fit row, Figure 1 and the MSE table: two columns when they fit (a row that
    wraps), else one under another in that order; faded and disabled while new estimates are
    computed (`BUSY_CSS`).
    One Bokeh layout: a Panel layout costs the server more per session than its Bokeh model
    (benchmarks/sessions.py)."""
    main.mse_table.pane.styles = SCORE_COLUMN
    views = Row(
        main.controls.controls(styles=FIGURE_COLUMN),
        main.controls.actions(styles=SCORE_COLUMN),
        main.figure.block(styles=FIGURE_COLUMN),
        main.mse_table.pane,
        styles={"flex-wrap": "wrap", "gap": "0 16px"},
        stylesheets=[BUSY_CSS],
        css_classes=_busy_classes(state.computing),
        sizing_mode="stretch_width",
    )
    state.param.watch(
        lambda event: setattr(views, "css_classes", _busy_classes(event.new)), "computing"
    )
    return Column(
        first_visit_hint(pn.state.curdoc),
        problem_pane(state, linked),
        computing_note(state),
        views,
        sizing_mode="stretch_width",
    )


def contents(state: PoolingState, served: bool = True) -> tuple[pn.Column, pn.Column]:
    """(the sidebar, the main area) of the page for one session's state. `served`: the page
    of a server, linked to its URL and sent in parts (`lazy`): the figure, its controls and
    the MSE table, then the sidebar and the tabs once the page has loaded, the results table
    and the sidebar's Model section when scrolled to; else (Jupyter) sent whole and not
    linked to any URL."""
    main = main_views(state)

    def after_the_figure(
        build: Callable[[], object], placeholder_height: int | None = None, **layout: object
    ) -> object:
        if served:
            return deferred(build, placeholder_height, **layout)
        return built_now(build, **layout)

    doc = served_document() if served else None
    sidebar = pn.Column(
        after_the_figure(
            lambda: [*DataSource(state=state).parts(), SimulationSettings(state=state)],
            sizing_mode="stretch_width",
        ),
        when_seen(  # below the fold of a wide window; on a phone the whole sidebar is
            lambda: StructureChooser(state=state), doc, sizing_mode="stretch_width"
        ),
        sizing_mode="stretch_width",
    )
    figure = pn.Column(  # one root: the template adds each item to the document apart
        BokehPane(figure_block(state, main, linked=served), sizing_mode="stretch_width"),
        after_the_figure(
            lambda: view_tabs(state), placeholder_height=TABS_HEIGHT, sizing_mode="stretch_width"
        ),
        when_seen(  # below the fold: built when scrolled to
            lambda: ResultsTable(state=state), doc, sizing_mode="stretch_width"
        ),
        sizing_mode="stretch_width",
    )
    return sidebar, figure


def template(state: PoolingState) -> pn.template.BootstrapTemplate:
    """The whole page for one session's state, its URL kept in step with the state; once it
    is built, new comparisons are computed off the server's event loop."""
    sidebar, figure = contents(state)
    state.run_with(workers.off_the_loop)
    workers.start()
    return pn.template.BootstrapTemplate(
        title="partialpool: no, complete and partial pooling of group means",
        sidebar=[sidebar],
        main=[figure],
        sidebar_width=300,
        meta_viewport="width=device-width, initial-scale=1",
        raw_css=[NARROW_CSS],
        busy_indicator=None,  # Panel's is one for all sessions: busy when any session is
    )


def serve_page(page: pn.template.BootstrapTemplate) -> None:
    """Add `page` to the session's document (`servable`, its roots in one `built_at_once`), its
    stylesheets linked from this server also in a session made for a late websocket
    (`link_stylesheets_here`)."""
    doc = served_document()
    with built_at_once(doc):
        page.servable(title="partialpool")
    if doc is not None:
        link_stylesheets_here(doc)
