"""Columns built later than the page, without a browser (tests/browser/test_lazy_browser.py
scrolls a served page)."""

from __future__ import annotations

import panel as pn
from bokeh.document import Document
from panel.io.state import set_curdoc

from partialpool.app.lazy import PLACEHOLDER_HEIGHT, after_load, deferred, when_seen, when_shown

from .served import count_walks, served_document


def test_a_served_pages_fills_wait_for_its_load_and_cost_one_walk_of_the_document(monkeypatch):
    doc = served_document()
    monkeypatch.setattr(type(doc.models), "recompute", type(doc.models).recompute)  # undone after
    walks = count_walks()
    root = pn.Column()
    doc.add_root(root.get_root(doc))
    with set_curdoc(doc):
        columns = [deferred(lambda i=i: pn.pane.HTML(f"part {i}")) for i in range(3)]
        after_load(lambda: after_load(lambda: columns.append("nested")))
        root.objects = columns[:3]
        walks.clear()
        assert all(c.loading and not c.objects for c in columns)
        pn.state._on_load(doc)
    assert [c.objects[0].object for c in columns[:3]] == ["part 0", "part 1", "part 2"]
    assert not any(c.loading for c in columns[:3]) and columns[3] == "nested"
    assert len(walks) == 1  # three columns of new models, one walk
    known = {model.id for model in doc.models}
    assert all(m.id in known for c in columns[:3] for m, _ in c.objects[0]._models.values())


def test_outside_a_served_page_a_deferred_column_is_filled_at_once():
    column = deferred(lambda: pn.pane.HTML("later"))
    assert column.objects[0].object == "later" and not column.loading


def test_outside_a_served_page_the_column_is_filled_at_once():
    column = when_seen(lambda: pn.pane.HTML("table"), None, sizing_mode="stretch_width")
    assert [o.object for o in column.objects] == ["table"] and not column.loading


def test_a_served_column_is_built_once_when_its_marker_is_seen():
    built = []
    doc = Document()
    column = when_seen(lambda: built.append(1) or pn.pane.HTML("table"), doc)
    assert built == [] and column.loading and column.min_height == PLACEHOLDER_HEIGHT
    marker = column.objects[0].object
    assert doc.callbacks._js_event_callbacks["document_ready"]  # the observer
    marker.tags = ["seen"]  # what the page's observer sends
    assert built == [1] and not column.loading and column.min_height is None
    assert column.objects[0].object == "table"
    marker.tags = ["seen", "again"]
    assert built == [1]


def test_a_hidden_column_is_built_the_first_time_it_is_shown():
    import param

    class Shown(param.Parameterized):
        on = param.Boolean(False)

    shown, built = Shown(), []
    column = when_shown(
        lambda: built.append(1) or [pn.pane.HTML("a"), pn.pane.HTML("b")], shown.param.on
    )
    assert built == [] and not column.visible
    shown.on = True
    assert built == [1] and column.visible and [o.object for o in column] == ["a", "b"]
    shown.on = False
    shown.on = True
    assert built == [1] and not column.loading
