"""The link in the URL without a browser: every value is read by one strict parser, refused ones
are reported escaped and the rest applied; tau reaches the URL once it is still."""

from __future__ import annotations

import html
from urllib.parse import parse_qsl, urlencode

import numpy as np
import param
import pytest
from panel.util import parse_query

from partialpool.app import PoolingState
from partialpool.app.link import MAX_LINK
from partialpool.app.url import LIVE_DELAY_MS, sync_url


@pytest.fixture
def state() -> PoolingState:
    return PoolingState()


class FakeLocation(param.Parameterized):
    """The part of `pn.state.location` that sync_url uses: its query string."""

    search = param.String("")

    @property
    def query_params(self) -> dict[str, str]:
        return dict(parse_qsl(self.search[1:]))


def located(query: dict[str, object] | str) -> FakeLocation:
    return FakeLocation(search=query if isinstance(query, str) else "?" + urlencode(query))


def link(state, query) -> tuple[FakeLocation, list[str]]:
    location, messages = located(query), []
    sync_url(state, location, messages.append, lambda callback, ms: None)
    return location, [html.unescape(m) for m in messages]


def test_bad_url_values_are_reported_escaped_and_the_rest_applied(state):
    location, messages = (
        located({"tau": 0.3, "J": "<script>x</script>", "seed": 9, "sigma": -1}),
        [],
    )
    sync_url(state, location, messages.append, lambda callback, ms: None)
    assert state.tau == 0.3 and state.J == 12 and state.seed == 9 and state.sigma == 1.0
    assert state.comparison.tau == pytest.approx(0.3)
    assert len(messages) == 1 and "J=" in messages[0] and "sigma=" in messages[0]
    assert "<script>" not in messages[0] and "&lt;script&gt;" in messages[0]
    assert "sigma must be a number between 0.1 and 10" in messages[0]
    # the link now says what the page shows
    assert location.query_params["seed"] == "9" and location.query_params["J"] == "12"


@pytest.mark.parametrize(
    "query, words",
    [
        ({"J": 500}, "J='500': J must be a whole number between 3 and 200"),
        ({"J": "abc"}, "J='abc': J must be a whole number between 3 and 200"),
        ({"tau": "x"}, "tau='x': tau must be a number between 0 and 3"),
        ({"tau": -2.0}, "tau='-2.0': tau must be a number between 0 and 3"),
        ({"tau": "true"}, "tau='true': tau must be a number between 0 and 3"),
        ({"tau": "1e100"}, "tau='1e100': tau must be a number between 0 and 3"),
        ({"tau": "nan"}, "tau='nan': tau must be a number between 0 and 3"),
        ({"mu": "true"}, "mu='true': mu must be a number between -100 and 100"),
        ({"tau_true": "true"}, "tau_true='true': tau_true must be a number between 0 and 10"),
        ({"outlier": "1"}, "outlier='1': outlier must be true or false"),
        ({"n": "[1,[2]]"}, "n='[1,[2]]': n must be two whole numbers from 1 to 200"),
        ({"n": "[40, 2]"}, "n='[40, 2]': n must be two whole numbers from 1 to 200"),
        ({"data": "nope"}, "data='nope': data must be one of simulated,"),
        ({"J": "1_000"}, "J='1_000': J must be a whole number between 3 and 200"),
    ],
)
def test_refused_values_are_named_in_the_links_words(state, query, words):
    _, messages = link(state, query)
    assert len(messages) == 1 and words in messages[0]


@pytest.mark.parametrize(
    "query",
    [
        "?tau=" + "9" * 10_000,  # beyond Python's int-digit limit in Panel's reader
        "?J=" + "1" * 5_000,
        "?x=" + "9" * 4_000,  # a key the app does not know
        "?n=" + "[" * 3_000,
        "?" + "&".join(f"k{i}=1" for i in range(100)),
        "?tau=0.2&" + "a" * 70_000,
    ],
)
def test_hostile_links_leave_the_page_as_it_was_with_a_message(state, query):
    before = state.comparison
    location, messages = link(state, query)
    assert state.comparison.data is before.data and state.J == 12
    # nothing that Panel's reader might trip on is left
    assert len(location.search) < 400 and parse_query(location.search)["J"] == 12
    assert len(messages) <= 1
    if len(query) > 4000 and not query.startswith("?x="):
        assert len(messages) == 1 and len(messages[0]) < 300


def test_a_long_link_is_refused_whole_and_says_so(state):
    _, messages = link(state, "?tau=0.2&" + "a" * 70_000)
    assert state.tau != 0.2 and len(messages) == 1
    assert f"the link is 70,008 characters long; up to {MAX_LINK:,} are read" in messages[0]


def test_a_tiny_tau_is_the_slider_at_zero(state):
    _, messages = link(state, {"tau": "1e-300"})
    # within 1e-12 of the slider's end from its step at 0 (`state.on_grid`): complete pooling
    assert messages == [] and state.tau == 1e-300 and state.comparison.tau == 0.0
    np.testing.assert_allclose(state.comparison.pooled.shrinkage, 1.0)


def test_a_linked_data_set_and_tau_are_both_kept(state):
    _, messages = link(state, {"data": "eight_schools", "tau": 7.5})
    assert messages == []
    assert state.source == "eight_schools" and state.tau == 7.5
    assert state.comparison.data.J == 8 and state.comparison.tau == 7.5


def test_a_linked_range_and_flag_are_read(state):
    _, messages = link(state, {"n": "[3, 9]", "outlier": "TRUE", "J": "+20", "seed": "5"})
    assert messages == []
    assert state.n_range == (3, 9) and state.outlier and state.J == 20 and state.seed == 5


def test_tau_reaches_the_url_once_it_is_still(state):
    scheduled = []
    location = located({})
    sync_url(state, location, [].append, lambda callback, ms: scheduled.append((callback, ms)))
    for tau in (0.1, 0.2, 0.3):
        state.tau = tau
    assert len(scheduled) == 1 and location.query_params["tau"] == "0.5"
    callback, ms = scheduled.pop()
    assert ms == LIVE_DELAY_MS
    callback()
    assert location.query_params["tau"] == "0.3"
    state.tau = 0.4
    assert len(scheduled) == 1


def test_the_query_the_page_reports_is_read_the_same_way(state):
    """The page reports its own URL once shown (Panel's Location); a query other than the one
    written is read by the same parser, and the link is written again."""
    location, messages = located({"seed": "4"}), []
    sync_url(state, location, messages.append, lambda callback, ms: None)
    written = location.search
    location.search = "?seed=4&mu=true&J=" + "7" * 1000
    assert state.mu == 0.0 and state.J == 12 and state.seed == 4
    assert len(messages) == 1 and "mu='true': mu must be a number between -100 and 100" in (
        html.unescape(messages[0])
    )
    assert location.search == written
    location.search = "?seed=4&J=30"
    assert state.J == 30 and location.query_params["J"] == "30"
