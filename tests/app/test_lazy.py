"""Columns built later than the page, without a browser (tests/browser/test_lazy_browser.py
scrolls a served page)."""

from __future__ import annotations

import panel as pn
from bokeh.document import Document

from partialpool.app.lazy import PLACEHOLDER_HEIGHT, when_seen


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
