"""app.py's page as a document: Bokeh's integrity checks and its check of every callback's
signature, which the served app skips for each new session (about 20 ms and 8 % of a page's
build), pass here. The page is built in a child process: app.py registers its template's busy
indicator with Panel's global state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bokeh.models import Row

from partialpool.app import PoolingState
from partialpool.app.main_views import main_views
from partialpool.app.page import computing_note, figure_block

ROOT = Path(__file__).resolve().parents[2]

BUILD = """
import json, runpy
from bokeh.core.validation.check import check_integrity
from bokeh.document import Document
from bokeh.settings import settings
from panel.io.state import set_curdoc, state

doc = Document()
with set_curdoc(doc):
    app = runpy.run_path("app.py")
    diagnosing = settings.perform_error_diagnostics()
    settings.perform_error_diagnostics.set_value(True)  # each on_change checks its callback
    app["template"].server_doc(doc)
    state._on_load(doc)  # the parts filled once the page has loaded
issues = check_integrity(doc.models)
print(json.dumps({
    "roots": len(doc.roots),
    "validating": settings.perform_document_validation(),
    "diagnosing": diagnosing,
    "issues": [str(i) for i in issues.error + issues.warning],
}))
"""


def test_the_page_passes_bokehs_integrity_checks():
    out = subprocess.run(
        [sys.executable, "-c", BUILD], cwd=ROOT, capture_output=True, text=True, check=True
    )
    page = json.loads(out.stdout.strip().splitlines()[-1])
    assert page["roots"] > 0  # app.py turns both checks off
    assert not page["validating"] and not page["diagnosing"]
    assert page["issues"] == []


WALKS = """
import sys
sys.path.insert(0, "tests/app")
from panel.io.state import set_curdoc
from served import count_walks, served_document
from partialpool.app import PoolingState
from partialpool.app.page import configure, serve_page, template

if __name__ == "__main__":
    configure()
    doc = served_document()
    walks = count_walks()
    with set_curdoc(doc):
        serve_page(template(PoolingState()))
    print(*sorted(type(root).__name__ for root in doc.roots))
    print(len(walks), len(doc.roots))
"""


def test_a_served_page_is_added_to_its_document_in_one_walk_of_its_models():
    out = subprocess.run(
        [sys.executable, "-c", WALKS], cwd=ROOT, capture_output=True, text=True, check=True
    )
    *_, types, counts = out.stdout.strip().splitlines()
    walks, roots = map(int, counts.split())
    assert roots > 1 and walks == 1  # Bokeh otherwise walks the models once per root
    # no BrowserInfo root: the page does not ask the browser for its settings, which it would
    # send back as ten messages the server handles per session
    assert "Location" in types.split() and "BrowserInfo" not in types.split()


def test_the_computing_note_follows_the_state():
    state = PoolingState()
    note = computing_note(state)
    assert not note.visible
    state.computing = True
    assert note.visible and "role='status'" in note.text
    state.computing = False
    assert not note.visible


def test_the_figure_block_fades_while_new_estimates_are_computed():
    state = PoolingState()
    block = figure_block(state, main_views(state), linked=False)
    (views,) = [child for child in block.children if isinstance(child, Row)]
    assert views.css_classes == [] and views.styles["flex-wrap"] == "wrap"
    assert ":host(.busy)" in views.stylesheets[0]
    state.computing = True
    assert views.css_classes == ["busy"]
    state.computing = False
    assert views.css_classes == []
