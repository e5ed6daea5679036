"""The hint a newcomer sees above the slider: what to do first and where the Guide is. "Got it"
hides it for good in this browser (localStorage; nothing goes to the server)."""

from __future__ import annotations

from bokeh.document import Document
from bokeh.models import CustomJS, Div

STORAGE_KEY = "partialpool.first-visit-hint"

HINT_CSS = """
.first-visit-hint { background: #eef6ee; border: 1px solid #9cc9a4; border-radius: 4px;
  padding: 6px 10px; font-size: 14px; line-height: 1.45; }
.first-visit-hint button { float: right; margin-left: 10px; border: 1px solid #1a7a36;
  background: #ffffff; color: #1a7a36; border-radius: 4px; padding: 2px 10px; cursor: pointer; }
"""

DISMISS = (
    f"try {{ localStorage.setItem('{STORAGE_KEY}', 'dismissed'); }} catch (e) {{}} "
    "Bokeh.documents[0].get_model_by_name('first_visit_hint').visible = false;"
)

HINT = (
    "<div class='first-visit-hint'>"
    f'<button type="button" class="dismiss" onclick="{DISMISS}">Got it</button>'
    "<b>New here?</b> Drag the <b>tau slider</b>: the green circles move between the blue &times; "
    "(each group on its own) and the dashed grand mean (all groups as one). Then press "
    "<b>Fit tau from data</b> and see which estimate the MSE table likes best. The "
    "<b>Guide</b> tab below the figure names every glyph and shows how to use your own data."
    "</div>"
)

HIDE_IF_DISMISSED = f"""
try {{
  if (localStorage.getItem('{STORAGE_KEY}') === 'dismissed') hint.visible = false;
}} catch (e) {{}}
"""


def first_visit_hint(doc: Document | None) -> Div:
    """The hint, hidden as the page loads if this browser dismissed it before (`doc`: the
    session's document; None outside a served page)."""
    hint = Div(
        name="first_visit_hint",
        text=HINT,
        stylesheets=[HINT_CSS],
        sizing_mode="stretch_width",
        margin=(5, 10),
    )
    if doc is not None:
        doc.js_on_event("document_ready", CustomJS(args={"hint": hint}, code=HIDE_IF_DISMISSED))
    return hint
