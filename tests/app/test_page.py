"""app.py's page as a document: Bokeh's integrity checks, which the served app skips for each
new session (they cost about 20 ms of each page's first render), pass here."""

from __future__ import annotations

import runpy
from pathlib import Path

from bokeh.core.validation.check import check_integrity
from bokeh.document import Document
from bokeh.settings import settings
from panel.io.state import set_curdoc

APP = Path(__file__).resolve().parents[2] / "app.py"


def test_the_page_passes_bokehs_integrity_checks():
    validating = settings.perform_document_validation()
    doc = Document()
    try:
        with set_curdoc(doc):
            runpy.run_path(str(APP))["template"].server_doc(doc)
        assert not settings.perform_document_validation()  # app.py turns them off
    finally:
        settings.perform_document_validation.set_value(validating)
    issues = check_integrity(doc.models)
    assert doc.roots and issues.error == [] and issues.warning == []
