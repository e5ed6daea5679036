"""Every place the app leans on Panel beyond its documented API, checked with Panel CHECKED_WITH.

- `upload.CsvUpload` (a `JSComponent`) names its server-only parameters in `_rename`, which
  keeps them off the component's Bokeh model (tests/app/test_upload.py).
- `load_mathjax_only_for_tex` replaces `panel.io.resources._panel_use_mathjax`, which makes
  every page holding any Panel HTML model (a template always holds two) load Bokeh's MathJax
  bundle, 1.8 MB of script parsed before the first render.
- `read_no_link_in_panel` makes `panel.io.location.Location._update_synced`, which parses the
  query string (`panel.util.parse_query`) on every change of `search` even with nothing
  synced, return at once when nothing is synced: that parser raises on a link with a value of
  more than 4300 digits, and the session's page is then never built. The app reads its link
  itself (`url.sync_url`).
- `link_stylesheets_here` sets the document's `dist_url` template variable, which Panel sets
  only when it renders a session's HTML page, and patches the stylesheets' URLs with
  `panel.io.resources.patch_model_css`. A session the server makes when a page's websocket
  connects after its own session expired (15 s unused, on a busy server) never has its page
  rendered, and Panel then links every stylesheet on its CDN.
- `patch_stylesheets_once_per_page` replaces `panel.io.server.patch_model_css`, with which
  Panel's page for a session walks each root's model graph to link its stylesheets (a walk of
  every model, about 8 ms per session), by one pass over the document's set of models
  (`models_under`, which reads Bokeh's private `DocumentModelManager._freeze_count` to
  know the set is current), which `needs_mathjax` and `link_stylesheets_here` also use.
- `BokehPane` is Panel's Bokeh pane without the walk its `_get_model` makes of the wrapped
  model's graph, in every session, to rewrite CustomJS code that names the model's id (about
  4 ms per session for the figure's 97 models): no callback of the app names a model's id.
- `run_periodically` uses only the public `pn.state.add_periodic_callback`, but for behaviour
  Panel does not document: the updates a periodic callback makes reach the browser, where
  those of the last of a chain of `add_next_tick_callback`s were lost in some sessions.

Panel has no public setting for any of these. tests/test_panel_private.py asserts each
assumption, so an upgrade of Panel that breaks one fails there first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import panel as pn
import panel.io.resources
import panel.io.server
from bokeh.document import Document
from bokeh.embed.util import contains_tex_string
from bokeh.model import Model
from bokeh.models import ImportedStyleSheet, Spacer
from panel.io.location import Location
from panel.io.model import remove_root
from panel.io.resources import get_dist_path
from panel.models import markup as panel_markup

CHECKED_WITH = "1.9.4"
"""The Panel version whose internals this module was read against."""


def run_periodically(step: Callable[[], bool], period_ms: int) -> None:
    """Call `step` every `period_ms` milliseconds on the session's event loop until it returns
    False.

    A periodic callback rather than a chain of `add_next_tick_callback`s: with the chain, the
    last call's updates never reached the browser in some sessions.
    """

    def tick() -> None:
        if not step():
            ticker.stop()

    ticker = pn.state.add_periodic_callback(tick, period=period_ms)


PANEL_BOKEH_GET_MODEL = "b6d5f9150ecdf870"
"""The first 16 hex digits of the SHA-256 of `pn.pane.Bokeh._get_model`'s source, as
`BokehPane._get_model` copies it (Panel CHECKED_WITH)."""


class BokehPane(pn.pane.Bokeh):
    """`pn.pane.Bokeh` for models whose CustomJS callbacks take other models as `args`, never by
    id in their code: Panel's pane walks the model's graph in each session to rewrite such ids.
    Everything else its `_get_model` does (Panel CHECKED_WITH) is done the same way."""

    def _get_model(
        self,
        doc: Document,
        root: Model | None = None,
        parent: Model | None = None,
        comm: object | None = None,
    ) -> Model:
        if root is None:
            return self.get_root(doc, comm)
        model = Spacer() if self.object is None else self.object
        if comm and self.autodispatch:
            self._wrap_bokeh_callbacks(root, model, doc, comm)
        if model._document and doc is not model._document:
            remove_root(model, doc)
        self._models[root.ref["id"]] = (model, parent)
        self._design.apply_bokeh_theme_to_model(model, self.theme)
        return model


def models_under(roots: Iterable[Model]) -> Iterable[Model]:
    """Every model under `roots`: the set their document keeps (no walk of the model graph)
    when they are its roots and it is not frozen, else each root's `references()`."""
    roots = list(roots)
    doc = roots[0].document if roots else None
    if doc is not None and doc.models._freeze_count == 0 and set(roots) == set(doc.roots):
        return doc.models
    return {model for root in roots for model in root.references()}


def needs_mathjax(roots: list[Model]) -> bool:
    """Whether a Panel HTML model among `roots` renders TeX: math enabled and a TeX delimiter in
    its text, the test Bokeh applies to its own Div (`bokeh.embed.bundle`)."""
    return any(
        isinstance(model, panel_markup.HTML)
        and not model.disable_math
        and contains_tex_string(model.text)
        for model in models_under(roots)
    )


def load_mathjax_only_for_tex() -> None:
    """Pages load Bokeh's MathJax bundle only when a Panel HTML model in them renders TeX.

    Text that arrives after the page has loaded is shown as it is: Bokeh's bundle provider
    finds no MathJax and requests none.
    """
    panel.io.resources._panel_use_mathjax = needs_mathjax


def _update_synced_if_synced(self: Location, event: object = None) -> None:
    if self._synced:
        PANEL_UPDATE_SYNCED(self, event)


PANEL_UPDATE_SYNCED = Location._update_synced


def read_no_link_in_panel() -> None:
    """A `Location` with nothing synced to it leaves its query string unparsed (see above)."""
    Location._update_synced = _update_synced_if_synced


def link_stylesheets_here(doc: Document) -> None:
    """Link the stylesheets of `doc`'s roots from this server (as Panel does when it renders a
    session's page), also in a session made for a websocket, whose page is never rendered."""
    dist_url = get_dist_path()  # what Panel's page would set: this server's, or its CDN's
    doc.template_variables["dist_url"] = dist_url
    patch_document_css(doc.roots, dist_url)


def patch_document_css(roots: list[Model], dist_url: str) -> None:
    """`panel.io.resources.patch_model_css` for all `roots` of a document at once: its
    stylesheets' URLs set to `dist_url`, the change not sent to the page (held, as Panel does)
    before the page has loaded."""
    doc = roots[0].document if roots else None
    if doc is None:
        for root in roots:
            PANEL_PATCH_MODEL_CSS(root, dist_url)
        return
    held, events = doc.callbacks.hold_value, list(doc.callbacks._held_events)
    doc.hold()
    for model in models_under(roots):
        if isinstance(model, ImportedStyleSheet):
            panel.io.resources.patch_stylesheet(model, dist_url)
    doc.callbacks._held_events = events
    if held or not pn.state._loaded.get(doc):
        doc.callbacks._hold = held
    else:
        doc.unhold()


def _patch_root_css(root: Model, dist_url: str) -> None:
    doc = root.document
    if doc is not None and root in doc.roots:  # again for each root: a pass, not a walk
        patch_document_css(doc.roots, dist_url)
    else:
        PANEL_PATCH_MODEL_CSS(root, dist_url)


PANEL_PATCH_MODEL_CSS = panel.io.resources.patch_model_css


def patch_stylesheets_once_per_page() -> None:
    """Panel's page for a session patches each root's stylesheets by a walk of its models; one
    pass over the document's models does the same (`patch_document_css`)."""
    panel.io.server.patch_model_css = _patch_root_css
