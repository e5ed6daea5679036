"""The Panel internals that `partialpool.app.panel_private` relies on, as Panel CHECKED_WITH has
them: each test fails when an upgrade renames one, changes its value or stops using it, and its
message names the version the assumption was checked against."""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import threading

import panel as pn
import panel.io.resources
import panel.io.server
import pytest
from bokeh.document import Document
from bokeh.models import Column, CustomJS, Div, ImportedStyleSheet
from bokeh.resources import Resources
from panel.io.location import Location
from panel.io.resources import CDN_DIST, bundle_resources
from panel.io.state import set_curdoc
from pyviz_comms import Comm

from partialpool.app.panel_private import (
    CHECKED_WITH,
    PANEL_BOKEH_GET_MODEL,
    PANEL_UPDATE_SYNCED,
    BokehPane,
    _update_synced_if_synced,
    link_stylesheets_here,
    load_mathjax_only_for_tex,
    models_under,
    needs_mathjax,
    patch_document_css,
    patch_stylesheets_once_per_page,
    read_no_link_in_panel,
    run_periodically,
)

CHECKED = f"assumed as of Panel {CHECKED_WITH}; this is Panel {pn.__version__}"


def test_run_periodically_calls_the_step_until_it_says_stop():
    calls = []

    def step() -> bool:
        calls.append(len(calls))
        return len(calls) < 3

    async def run_for_a_while() -> None:
        run_periodically(step, period_ms=1)
        await asyncio.sleep(0.1)

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in the
    # main thread, where asyncio.run would refuse to start.
    thread = threading.Thread(target=asyncio.run, args=(run_for_a_while(),))
    thread.start()
    thread.join()
    assert calls == [0, 1, 2], CHECKED


def _page_scripts(*panes: pn.viewable.Viewable) -> list[str]:
    roots = [pane.get_root(Document()) for pane in panes]
    return [str(f) for f in bundle_resources(roots, Resources(mode="server")).js_files]


def test_panel_loads_mathjax_for_any_panel_html_model():
    assert any("mathjax" in f for f in _page_scripts(pn.pane.HTML("plain"))), CHECKED
    assert panel.io.resources._panel_use_mathjax is not needs_mathjax


def test_pages_load_mathjax_only_when_a_pane_renders_tex(monkeypatch):
    monkeypatch.setattr(
        panel.io.resources, "_panel_use_mathjax", panel.io.resources._panel_use_mathjax
    )
    load_mathjax_only_for_tex()
    assert not any("mathjax" in f for f in _page_scripts(pn.pane.HTML("plain"), pn.pane.Str(" ")))
    assert not any("mathjax" in f for f in _page_scripts(pn.pane.HTML("costs $$5")))
    assert any("mathjax" in f for f in _page_scripts(pn.pane.Markdown("$$x^2$$")))


HOSTILE_SEARCH = "?x=" + "9" * 5000


def test_panel_parses_a_locations_query_on_every_change_even_with_nothing_synced():
    location = Location()  # as Location.from_request builds it: then the request's query
    with pytest.raises(ValueError, match="4300 digits"):
        location.search = HOSTILE_SEARCH
    assert PANEL_UPDATE_SYNCED is Location._update_synced or (
        Location._update_synced is _update_synced_if_synced
    ), CHECKED


def test_read_no_link_in_panel_leaves_an_unsynced_query_unparsed(monkeypatch):
    monkeypatch.setattr(Location, "_update_synced", Location._update_synced)
    read_no_link_in_panel()
    location = Location()
    location.search = HOSTILE_SEARCH
    location.search = "?y=" + "8" * 5000
    assert location.search.startswith("?y=888")


def test_stylesheets_are_linked_here_in_a_session_whose_page_was_not_rendered():
    doc = Document()
    with set_curdoc(doc):
        pn.Column(pn.widgets.Button(label="Fit")).server_doc(doc)

    def urls() -> list[str]:
        return [sheet.url for sheet in doc.select({"type": ImportedStyleSheet})]

    assert "dist_url" not in doc.template_variables, f"checked with Panel {CHECKED_WITH}"
    assert any(url.startswith(CDN_DIST) for url in urls()), f"checked with {CHECKED_WITH}"
    link_stylesheets_here(doc)
    assert doc.template_variables["dist_url"] == "static/extensions/panel/"
    assert urls() and not [url for url in urls() if "//" in url]


def _served_doc(*parts: pn.viewable.Viewable) -> Document:
    doc = Document()
    with set_curdoc(doc):
        for part in parts:
            part.server_doc(doc)
    return doc


def _sheet_urls(doc: Document) -> list[str]:
    return sorted(sheet.url for sheet in doc.select({"type": ImportedStyleSheet}))


def test_models_under_a_documents_roots_are_its_models_else_a_walk():
    doc = _served_doc(pn.Column(pn.widgets.Button(label="Fit")), pn.pane.HTML("x"))
    walked = {model for root in doc.roots for model in root.references()}
    assert models_under(doc.roots) is doc.models and set(doc.models) == walked
    assert set(models_under(doc.roots[:1])) == doc.roots[0].references()
    with doc.models.freeze():  # models added now are not in the set until it thaws
        assert models_under(doc.roots) is not doc.models


def test_one_pass_patches_the_stylesheets_as_panels_walk_of_each_root_does():
    def parts() -> list[pn.viewable.Viewable]:
        return [pn.Column(pn.widgets.Button(label="Fit")), pn.pane.Markdown("**x**")]

    walked, passed = _served_doc(*parts()), _served_doc(*parts())
    for root in walked.roots:
        panel.io.resources.patch_model_css(root, dist_url="static/extensions/panel/")
    patch_document_css(passed.roots, "static/extensions/panel/")
    assert _sheet_urls(walked) == _sheet_urls(passed)
    assert _sheet_urls(passed) and not [url for url in _sheet_urls(passed) if "//" in url]


def test_panels_page_patches_each_roots_stylesheets_through_its_server_module(monkeypatch):
    assert hasattr(panel.io.server, "patch_model_css"), CHECKED
    assert "patch_model_css(root, dist_url=dist_url)" in inspect.getsource(
        panel.io.server.server_html_page_for_session
    ), CHECKED
    monkeypatch.setattr(panel.io.server, "patch_model_css", panel.io.server.patch_model_css)
    patch_stylesheets_once_per_page()
    doc = _served_doc(pn.Column(pn.widgets.Button(label="Fit")))
    for root in doc.roots:
        panel.io.server.patch_model_css(root, dist_url="static/extensions/panel/")
    assert _sheet_urls(doc) and not [url for url in _sheet_urls(doc) if "//" in url]


def _with_callback() -> tuple[Column, CustomJS]:
    """A column whose callback's code names the column's id."""
    div = Div(text="x")
    column = Column(div)
    callback = CustomJS(args={"div": div}, code=f"div.text = '{column.id}'")
    column.js_on_change("visible", callback)
    return column, callback


def test_panels_bokeh_pane_walks_its_model_to_rewrite_ids_in_callbacks_and_ours_does_not():
    source = inspect.getsource(pn.pane.Bokeh._get_model)
    assert "model.select({'type': CustomJS})" in source, CHECKED
    model, callback = _with_callback()
    root = pn.Column(pn.pane.Bokeh(model)).get_root(Document())
    assert callback.code == f"div.text = '{root.id}'"  # Panel put its root's id in its place
    model, callback = _with_callback()
    code = callback.code
    pn.Column(BokehPane(model)).get_root(Document())
    assert callback.code == code


def test_panels_bokeh_pane_gets_its_model_as_bokeh_pane_copies_it():
    source = inspect.getsource(pn.pane.Bokeh._get_model).encode()
    assert hashlib.sha256(source).hexdigest()[:16] == PANEL_BOKEH_GET_MODEL, CHECKED


def test_in_a_notebook_our_bokeh_pane_wraps_the_models_callbacks_as_panels_does():
    def callback(attr: str, old: object, new: object) -> None:
        pass

    for pane_type in (pn.pane.Bokeh, BokehPane):
        div = Div(text="x")
        div.on_change("text", callback)
        pn.Column(pane_type(Column(div))).get_root(Document(), Comm())
        (wrapped,) = div._callbacks["text"]
        assert wrapped is not callback  # pushed to the notebook after it runs


def test_our_bokeh_pane_renders_as_panels_does():
    doc = Document()
    for pane_type in (pn.pane.Bokeh, BokehPane):
        model = Column(Div(text="a"), sizing_mode="stretch_width")
        pane = pane_type(model, sizing_mode="stretch_width")
        root = pn.Column(pane).get_root(doc)
        assert root.children == [model]
        assert pane._models[root.ref["id"]] == (model, root)
        other = Document()
        moved = pn.Column(pane).get_root(other)  # in another document now: taken from the first
        assert moved.children == [model] and model.document in (None, other)
    empty = pn.Column(BokehPane(None)).get_root(Document())
    assert type(empty.children[0]).__name__ == "Spacer"
