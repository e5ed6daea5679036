"""A class without a server: one HTML file with the tau slider, its readout, Figure 1 and the MSE
table for the data and settings on show, with every script and style inline.

The page moves by itself (`live_tau`: one precomputed row per slider step, selected in the
browser), so the file needs no server and no network: a teacher hands it out, students open it
from disk. What needs the server (Fit, the menus, the tabs) is left out.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import panel
import panel as pn
from bokeh.document import Document
from bokeh.models import ImportedStyleSheet, InlineStyleSheet
from bokeh.resources import INLINE
from panel.io.model import add_to_doc
from panel.io.resources import CDN_DIST, set_resource_mode
from panel.io.save import save
from panel.io.state import set_curdoc
from pyviz_comms import Comm

from .main_views import main_views
from .state import SIMULATION_SETTINGS, PoolingState

SETTINGS = (
    "source",
    *SIMULATION_SETTINGS,
    "method",
    "sort",
    "prior",
    "prior_scale",
    "show_full_bayes",
    "show_james_stein",
    "population",
    "nu",
    "structure",
)
"""What a copy of a session's state takes over (then its data, then tau)."""

NO_ICONS = {"apple_icon": "data:,", "app_favicon": "data:,"}
"""Panel's file template links its icons on a CDN unless these are given."""

HEADER = """
<div class='export-header'><b>partialpool</b>: {title}. Drag the <b>tau slider</b>: the green
circles move between the blue &times; (each group on its own) and the dashed grand mean (all groups
as one); the MSE table scores each estimator where the truth is known. This page works offline;
the full app is <code>partialpool serve</code>.</div>
"""


def copy_state(state: PoolingState) -> PoolingState:
    """A new state with the settings, the data and the tau of `state` (its views and
    watchers stay with the session)."""
    copy = PoolingState(**{name: getattr(state, name) for name in SETTINGS if name != "source"})
    if state.source == "upload":
        copy.use(state.data, state.columns_used)
    else:
        copy.source = state.source
    copy.param.update(prior_scale=state.prior_scale, tau=state.tau)
    return copy


def standalone_html(state: PoolingState) -> str:
    """The page for the data, settings and tau of `state`, as one self-contained HTML text
    (Panel configured as the app's page is: `page.configure`)."""
    doc = Document()
    with set_curdoc(doc):  # in a served session too: this page is none of the session's
        state = copy_state(state)
        views = main_views(state)
        page = pn.Column(
            pn.pane.HTML(
                HEADER.format(title=html.escape(state.data.title)), sizing_mode="stretch_width"
            ),
            views.controls.layout(),
            views.figure,
            views.mse_table,
            sizing_mode="stretch_width",
            max_width=1100,
            css_classes=["partialpool-export"],
        )
        with set_resource_mode("inline"):
            add_to_doc(page.get_root(doc, Comm()), doc, True)
    inline_panel_stylesheets(doc)
    out = io.StringIO()
    save(
        doc, out, title="partialpool", resources=INLINE, template_variables=NO_ICONS, progress=False
    )
    return out.getvalue()


def inline_panel_stylesheets(doc: Document) -> None:
    """Put the text of each Panel stylesheet that a model of `doc` links on Panel's CDN (its
    components and its design do so even for inline resources) inline, from Panel's own files;
    one stylesheet model per file, shared by the models that link it."""
    dist = Path(panel.__file__).parent / "dist"
    inline: dict[str, InlineStyleSheet] = {}

    def local(sheet: object) -> object:
        url = getattr(sheet, "url", None)
        if not (isinstance(sheet, ImportedStyleSheet) and url and url.startswith(CDN_DIST)):
            return sheet
        path = url[len(CDN_DIST) :].split("?")[0]
        if path not in inline:
            inline[path] = InlineStyleSheet(css=(dist / path).read_text(encoding="utf-8"))
        return inline[path]

    for model in list(doc.models):
        sheets = getattr(model, "stylesheets", None)
        if sheets:
            model.stylesheets = [local(sheet) for sheet in sheets]
