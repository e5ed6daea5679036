"""Run an update at most once per interval, on the state as it is when the update runs."""

from __future__ import annotations

from collections.abc import Callable

import panel as pn
from bokeh.document import Document

Schedule = Callable[[Callable[[], None], int], object]
"""schedule(callback, ms): run callback once, ms milliseconds later."""

TEXT_DELAY_MS = 40
"""The views the server redraws when tau is set there (the tabs, the results table) follow a
burst of tau changes (arrow keys on the slider, each a release) this much later, at most once
per this interval. The figure, readout and MSE table follow the slider in the page itself."""


def served_document() -> Document | None:
    """The document of the session being served, or None outside a server (e.g. in tests)."""
    doc = pn.state.curdoc
    return doc if doc is not None and doc.session_context is not None else None


class Throttled:
    """Calling this object runs `action` `delay_ms` later; calls made before it runs are absorbed,
    so a burst of calls costs one run, which sees the last state. It therefore trails the first
    call of a burst by `delay_ms` and runs at most once per `delay_ms`.

    `schedule` defaults to the served document's `add_timeout_callback`; outside a served
    document (e.g. in tests) the action then runs at once.
    """

    def __init__(
        self, action: Callable[[], None], delay_ms: int, schedule: Schedule | None = None
    ) -> None:
        self._action = action
        self._delay_ms = delay_ms
        self._schedule = schedule
        self._pending = False

    def __call__(self, *_: object) -> None:
        if self._pending:
            return
        schedule = self._schedule
        if schedule is None:
            doc = served_document()
            if doc is None:
                self._action()
                return
            schedule = doc.add_timeout_callback
        self._pending = True
        schedule(self._run, self._delay_ms)

    def _run(self) -> None:
        self._pending = False
        with pn.io.hold():
            self._action()
