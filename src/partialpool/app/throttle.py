"""Run an update at most once per interval, on the state as it is when the update runs."""

from __future__ import annotations

from collections.abc import Callable

import panel as pn

Schedule = Callable[[Callable[[], None], int], object]
"""schedule(callback, ms): run callback once, ms milliseconds later."""


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
            doc = pn.state.curdoc
            if doc is None or doc.session_context is None:
                self._action()
                return
            schedule = doc.add_timeout_callback
        self._pending = True
        schedule(self._run, self._delay_ms)

    def _run(self) -> None:
        self._pending = False
        with pn.io.hold():
            self._action()
