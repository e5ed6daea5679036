"""Keep the app state in the page's URL, so that a link reproduces the view."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import param

from .link import link_text, query_pairs, query_string, quoted, read_values
from .state import PoolingState
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
    state: PoolingState,
    location: param.Parameterized,
    report: Callable[[str], None],
    defer: Schedule,
) -> None:
    """Two-way sync of `state` with the query string of `location` (a `pn.state.location`).

    The query is read by `link.query_pairs` and `link.read_values`, never by Panel's
    `Location.sync` (whose reader breaks on hostile links): each usable value is applied (tau
    last, between 0 and the slider's end for the data then on show) and the link is rewritten
    to the state's values.
    The page reports its own URL once it is shown; a query that differs from the one written
    is read the same way. `report` gets an escaped HTML message naming the refused values.
    `defer(callback, ms)` runs callback once, ms later.
    """
    written = [""]

    def write() -> None:
        texts = {
            key: link_text(state.param[name], getattr(state, name))
            for name, key in URL_PARAMETERS.items()
        }
        texts[LIVE_KEY] = str(getattr(state, LIVE_PARAMETER))
        written[0] = query_string(texts)
        if location.search != written[0]:
            location.search = written[0]

    def read(search: str) -> None:
        refused = apply_link(state, search)
        if refused:
            report(
                "The link had values this app cannot use; they were ignored: "
                + html.escape("; ".join(refused))
            )
        write()

    def on_search(event: param.parameterized.Event) -> None:
        if event.new != written[0]:
            read(str(event.new or ""))

    read(str(location.search or ""))
    location.param.watch(on_search, ["search"])
    state.param.watch(lambda *_: write(), list(URL_PARAMETERS))
    state.param.watch(Throttled(write, LIVE_DELAY_MS, defer), [LIVE_PARAMETER])


def apply_link(state: PoolingState, search: str) -> list[str]:
    """Apply each usable value of the query string `search` to `state` (tau last, between 0
    and the slider's end for the data then on show: the comparisons are computed at once);
    the messages naming the refused ones."""
    with state.computing_at_once():
        return _apply_link(state, search)


def _apply_link(state: PoolingState, search: str) -> list[str]:
    keys = {key: name for name, key in URL_PARAMETERS.items()}
    pairs, refused = query_pairs(search)
    values, more = read_values(pairs, {key: state.param[name] for key, name in keys.items()})
    refused += more
    settings = {keys[key]: value for key, value in values.items()}
    try:
        state.param.update(**settings)  # at once: one new comparison
    except Exception:  # a value in range that the state or the core refuses: find which
        for key, value in values.items():
            try:
                state.param.update(**{keys[key]: value})
            except Exception as err:
                refused.append(f"{key}={quoted(str(value))}: {in_words(key, err)}")
    tau, more = read_values(
        pairs, {LIVE_KEY: param.Number(bounds=(0.0, float(f"{state.tau_max:g}")))}
    )
    refused += more
    if LIVE_KEY in tau:
        state.param.update(**{LIVE_PARAMETER: tau[LIVE_KEY]})
    return refused
