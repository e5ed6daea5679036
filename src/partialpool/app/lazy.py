"""Columns whose contents are built later than the page: once it has loaded (`deferred`), the
first time they are shown (`when_shown`), or the first time the reader scrolls to them
(`when_seen`). Each Panel widget or pane costs the server a few milliseconds per session to
build and send (benchmarks/sessions.py); a part that nobody looks at is never built.

Bokeh walks a document's whole model graph (`DocumentModelManager.recompute`, about 90 µs a
model) whenever models are added outside `doc.models.freeze()`: once per filled column, once
per root of a page. `built_at_once` and `after_load` keep each of those to one walk."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext

import panel as pn
from bokeh.document import Document
from bokeh.models import CustomJS, Div

from .throttle import served_document

Build = Callable[[], object]
"""build(): the contents of a column, one viewable (or a list of them)."""

PLACEHOLDER_HEIGHT = 120
"""An empty column this tall shows its loading spinner."""


_AFTER_LOAD: weakref.WeakKeyDictionary[Document, list[Callable[[], None]]] = (
    weakref.WeakKeyDictionary()
)
"""Per served document, the fills waiting for its page to load."""


@contextmanager
def built_at_once(doc: Document | None) -> Iterator[None]:
    """Models added to `doc` inside this block cost one walk of its model graph at the end,
    not one per change (None: outside a server, nothing to hold)."""
    with doc.models.freeze() if doc is not None else nullcontext():
        yield


def after_load(fill: Callable[[], None]) -> None:
    """Run `fill` once the session's page has loaded (`pn.state.onload`: at once outside a
    server or on a loaded page), all such fills of one page in one `built_at_once`."""
    doc = served_document()
    if doc is None or pn.state.loaded:
        pn.state.onload(fill)
        return
    if doc in _AFTER_LOAD:
        _AFTER_LOAD[doc].append(fill)
        return
    _AFTER_LOAD[doc] = [fill]

    def fill_all() -> None:
        with built_at_once(doc):
            while fills := _AFTER_LOAD.get(doc):  # a fill may defer more: it joins the list
                _AFTER_LOAD[doc] = []
                for each in fills:
                    each()
            del _AFTER_LOAD[doc]

    pn.state.onload(fill_all)


def _fill(column: pn.Column, build: Build, min_height: int | None = None) -> None:
    """Put `build()` into `column`, no longer loading and `min_height` tall at least."""
    contents = build()
    objects = contents if isinstance(contents, list) else [contents]
    column.param.update(objects=objects, loading=False, min_height=min_height)


def built_now(build: Build, **layout: object) -> pn.Column:
    """A column filled at once with `build()`: a lazy part where nothing waits (outside a
    served page)."""
    column = pn.Column(**layout)
    _fill(column, build, layout.get("min_height"))
    return column


def deferred(build: Build, placeholder_height: int | None = None, **layout: object) -> pn.Column:
    """A column filled once the page has loaded (`after_load`; at once outside a server),
    so that the tau controls and the figure are drawn first (benchmarks/app.py measures the
    first render); `placeholder_height` pixels tall until then, to keep what follows where
    it will be. An empty column, not Panel's `defer_load`: each of its ParamFunctions costs
    the server about 19 ms per session to create (benchmarks/sessions.py)."""
    column = pn.Column(loading=True, **layout)
    if placeholder_height is not None:
        column.min_height = placeholder_height
    after_load(lambda: _fill(column, build, layout.get("min_height")))
    return column


def when_shown(build: Build, shown: object, **layout: object) -> pn.Column:
    """A column visible while `shown` (a parameter or reactive expression) is true, filled the
    first time it is: hidden parts of the page cost the server nothing until then."""
    column = pn.Column(pn.Spacer(height=0, margin=0), visible=shown, **layout)
    filled = []  # the spacer until then: Bokeh warns of an empty layout

    def fill(*_: object) -> None:
        if column.visible and not filled:
            filled.append(True)
            _fill(column, build, layout.get("min_height"))

    column.param.watch(fill, "visible")
    fill()
    return column


SETTLE_MS = 5000
"""Without a scroll the page starts watching the marker this long after it is ready: a window
tall enough to show the marker at once gets the column then."""

OBSERVE = f"""
const fill = () => {{ marker.tags = ["seen"]; }};
const view = Bokeh.index.find_one(marker);
if (view == null || typeof IntersectionObserver === "undefined") {{ fill(); return; }}
let watching = false;
const watch = () => {{
  if (watching) return;
  watching = true;
  document.removeEventListener("scroll", watch, true);
  const observer = new IntersectionObserver((entries) => {{
    if (entries.some((entry) => entry.isIntersecting)) {{ observer.disconnect(); fill(); }}
  }});
  observer.observe(view.el);
}};
document.addEventListener("scroll", watch, {{capture: true, passive: true}});
setTimeout(watch, {SETTLE_MS});
"""
"""Run once the page is ready: tell the server (a change of the marker's `tags`) the first
time the marker is in the window, watched from the reader's first scroll (before it, the
parts above it may still be arriving and leave it in view for a moment)."""


def when_seen(build: Build, doc: Document | None, **layout: object) -> pn.Column:
    """A column filled the first time the reader scrolls to it, a spinner until then: a marker
    at its top, watched in the page by an IntersectionObserver, tells the server. Whatever is
    above it must hold its place while the page loads (`deferred`'s `placeholder_height`),
    or the marker is seen at once. `doc`: the session's document; None (outside a served
    page) fills it at once."""
    if doc is None:
        return built_now(build, **layout)
    marker = Div(text="", height=1, sizing_mode="stretch_width", css_classes=["when-seen"])
    column = pn.Column(marker, loading=True, **layout)
    column.min_height = PLACEHOLDER_HEIGHT

    def seen(_attr: str, _old: object, _new: object) -> None:
        if column.loading:
            _fill(column, build, layout.get("min_height"))

    marker.on_change("tags", seen)
    doc.js_on_event("document_ready", CustomJS(args={"marker": marker}, code=OBSERVE))
    return column
