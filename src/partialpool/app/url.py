"""Keep the app state in the page's URL, so that a link reproduces the view."""

from __future__ import annotations

import html
from collections.abc import Callable

import param

URL_PARAMETERS = {
    "J": "J",
    "n_range": "n",
    "tau_true": "tau_true",
    "sigma": "sigma",
    "mu": "mu",
    "seed": "seed",
    "method": "method",
    "sort": "sort",
}
"""Synced both ways at once: parameter name -> query key."""

LIVE_PARAMETER, LIVE_KEY = "tau", "tau"
"""tau changes many times a second while its slider moves. Each URL change costs a round trip
(the browser pushes a history entry and reports the new href), so tau is read from the URL once
and written back only after it has been still for `LIVE_DELAY_MS`."""
LIVE_DELAY_MS = 300


def sync_url(
    state: param.Parameterized,
    location: object,
    report: Callable[[str], None],
    defer: Callable[[Callable[[], None], int], object],
) -> None:
    """Two-way sync of `state` with the query string of `location` (a `pn.state.location`).

    Panel applies the query in one batch and gives up on all of it when one value is invalid;
    here the valid values are then applied one by one, and `report` gets an escaped HTML
    message naming the rejected ones. `defer(callback, ms)` runs callback once, ms later.
    """
    rejected: list[str] = []

    def apply_one_by_one(mapped: dict[str, object]) -> None:
        for name, value in mapped.items():
            try:
                state.param.update(**{name: value})
            except Exception as err:  # a value that param or the core rejects
                rejected.append(f"{URL_PARAMETERS[name]}={value!r} ({err})")

    location.sync(state, URL_PARAMETERS, on_error=apply_one_by_one)
    if LIVE_KEY in location.query_params:
        value = location.query_params[LIVE_KEY]
        try:
            state.param.update(**{LIVE_PARAMETER: value})
        except Exception as err:
            rejected.append(f"{LIVE_KEY}={value!r} ({err})")
    if rejected:
        report(
            "The link had values this app cannot use; they were ignored: "
            + html.escape("; ".join(rejected))
        )

    pending: list[bool] = []

    def write_live() -> None:
        pending.clear()
        location.update_query(**{LIVE_KEY: str(getattr(state, LIVE_PARAMETER))})

    def on_live(_: param.parameterized.Event) -> None:
        if not pending:
            pending.append(True)
            defer(write_live, LIVE_DELAY_MS)

    state.param.watch(on_live, [LIVE_PARAMETER])
