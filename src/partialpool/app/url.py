"""Keep the app state in the page's URL, so that a link reproduces the view."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import param

from .throttle import Schedule, Throttled

URL_PARAMETERS = {
    "source": "data",
    "J": "J",
    "n_range": "n",
    "tau_true": "tau_true",
    "sigma": "sigma",
    "mu": "mu",
    "seed": "seed",
    "method": "method",
    "sort": "sort",
    "outlier": "outlier",
    "outlier_shift": "outlier_shift",
    "outlier_n": "outlier_n",
    "population": "population",
    "nu": "nu",
    "structure": "structure",
}
"""Synced both ways at once: parameter name -> query key."""

LIVE_PARAMETER, LIVE_KEY = "tau", "tau"
"""tau changes many times a second while its slider moves. Each URL change costs a round trip
(the browser pushes a history entry and reports the new href), so tau is read from the URL once
and written back at most once per `LIVE_DELAY_MS`, with its value at that time."""
LIVE_DELAY_MS = 300


def in_words(key: str, error: Exception) -> str:
    """param's message about a rejected value, in the link's words: "J must be at most 200"
    rather than "Integer parameter 'PoolingState.J' must be at most 200, not 500."."""
    text = re.sub(r"^\w+ parameter '[\w.]+'", key, str(error)).rstrip(".")
    text = re.sub(r", not <class '(\w+)'>$", "", text)
    text = text.replace("only takes numeric values", "must be a number")
    text = re.sub(r", not [^,]+$", "", text)
    return text.replace("'[", "").replace("]'", "")


def sync_url(
    state: param.Parameterized,
    location: object,
    report: Callable[[str], None],
    defer: Schedule,
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
                key = URL_PARAMETERS[name]
                rejected.append(f"{key}={value!r}: {in_words(key, err)}")

    location.sync(state, URL_PARAMETERS, on_error=apply_one_by_one)
    if LIVE_KEY in location.query_params:
        value = location.query_params[LIVE_KEY]
        try:
            state.param.update(**{LIVE_PARAMETER: value})
        except Exception as err:
            rejected.append(f"{LIVE_KEY}={value!r}: {in_words(LIVE_KEY, err)}")
    if rejected:
        report(
            "The link had values this app cannot use; they were ignored: "
            + html.escape("; ".join(rejected))
        )

    def write_live() -> None:
        location.update_query(**{LIVE_KEY: str(getattr(state, LIVE_PARAMETER))})

    state.param.watch(Throttled(write_live, LIVE_DELAY_MS, defer), [LIVE_PARAMETER])
