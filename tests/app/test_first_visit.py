"""The first-visit hint: it says what to do first and where the Guide is, and its button and
the page's load script agree on where the dismissal is kept."""

from __future__ import annotations

from bokeh.document import Document

from partialpool.app.first_visit import STORAGE_KEY, first_visit_hint


def test_the_hint_names_the_first_steps_and_the_guide():
    hint = first_visit_hint(None)
    for words in ("tau slider", "Fit tau from data", "MSE table", "Guide", "your own data"):
        assert words in hint.text
    assert "button" in hint.text and STORAGE_KEY in hint.text


def test_a_served_page_hides_the_hint_once_dismissed():
    doc = Document()
    hint = first_visit_hint(doc)
    (callback,) = doc.callbacks.js_event_callbacks["document_ready"]
    assert callback.args["hint"] is hint and STORAGE_KEY in callback.code
