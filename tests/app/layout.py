"""Find what a view sends to the page: its Bokeh models by name and its HTML by CSS class, as
the page (and the browser tests) find them, not through the view's attributes."""

from __future__ import annotations

import panel as pn
from bokeh.model import Model
from bokeh.models import Div


def bokeh_model(view: pn.viewable.Viewer, name: str) -> Model:
    """The Bokeh model called `name` (a source, a figure) in the view's layout."""
    for pane in view.__panel__().select(pn.pane.Bokeh):
        found = pane.object.select_one({"name": name})
        if found is not None:
            return found
    raise LookupError(f"no Bokeh model named {name!r}")


def column(view: pn.viewable.Viewer, source: str, key: str) -> list:
    """One column of the named source, as a list."""
    return list(bokeh_model(view, source).data[key])


def html_text(view: pn.viewable.Viewer, css_class: str) -> str:
    """The text of the one Bokeh Div of the view's layout with the CSS class `css_class`."""
    divs = [
        div
        for pane in view.__panel__().select(pn.pane.Bokeh)
        for div in pane.object.select({"type": Div})
        if css_class in div.css_classes
    ]
    if len(divs) != 1:
        raise LookupError(f"{len(divs)} Divs of class {css_class!r}")
    return divs[0].text
