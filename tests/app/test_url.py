"""The link in the URL without a browser: bad values are reported escaped and the rest applied;
tau reaches the URL once it is still."""

from __future__ import annotations

import html

import pytest

from partialpool.app import PoolingState
from partialpool.app.url import LIVE_DELAY_MS, URL_PARAMETERS, sync_url


@pytest.fixture
def state() -> PoolingState:
    return PoolingState()


class FakeLocation:
    """The part of `pn.state.location` that sync_url uses, with Panel's all-or-nothing update."""

    def __init__(self, query: dict[str, object]) -> None:
        self.query_params = dict(query)
        self.synced: dict[str, str] = {}

    def sync(self, state, parameters, on_error) -> None:
        self.synced = parameters
        mapped = {n: self.query_params[k] for n, k in parameters.items() if k in self.query_params}
        try:
            state.param.update(**mapped)
        except Exception:
            on_error(mapped)

    def update_query(self, **values: str) -> None:
        self.query_params.update(values)


def test_bad_url_values_are_reported_escaped_and_the_rest_applied(state):
    messages = []
    location = FakeLocation({"tau": 0.3, "J": "<script>x</script>", "seed": 9, "sigma": -1})
    sync_url(state, location, messages.append, lambda callback, ms: None)
    assert location.synced == URL_PARAMETERS
    assert state.tau == 0.3 and state.J == 12 and state.seed == 9 and state.sigma == 1.0
    assert state.comparison.tau == pytest.approx(0.3)
    assert len(messages) == 1 and "J=" in messages[0] and "sigma=-1" in messages[0]
    assert "<script>" not in messages[0] and "&lt;script&gt;" in messages[0]
    assert "sigma must be at least 0.1" in messages[0] and "PoolingState" not in messages[0]


@pytest.mark.parametrize(
    "query, words",
    [
        ({"J": 500}, "J=500: J must be at most 200"),
        ({"J": "abc"}, "J='abc': J must be an integer"),
        ({"tau": "x"}, "tau='x': tau must be a number"),
        ({"tau": -2.0}, "tau=-2.0: tau must be at least 0.0"),
    ],
)
def test_rejected_values_are_named_in_the_links_words(state, query, words):
    messages = []
    sync_url(state, FakeLocation(query), messages.append, lambda callback, ms: None)
    assert len(messages) == 1 and words in html.unescape(messages[0])


def test_a_linked_data_set_and_tau_are_both_kept(state):
    location = FakeLocation({"data": "eight_schools", "tau": 7.5})
    sync_url(state, location, [].append, lambda callback, ms: None)
    assert state.source == "eight_schools" and state.tau == 7.5
    assert state.comparison.data.J == 8 and state.comparison.tau == 7.5


def test_tau_reaches_the_url_once_it_is_still(state):
    location, scheduled = FakeLocation({}), []
    sync_url(state, location, [].append, lambda callback, ms: scheduled.append((callback, ms)))
    for tau in (0.1, 0.2, 0.3):
        state.tau = tau
    assert len(scheduled) == 1 and "tau" not in location.query_params
    callback, ms = scheduled.pop()
    assert ms == LIVE_DELAY_MS
    callback()
    assert location.query_params["tau"] == "0.3"
    state.tau = 0.4
    assert len(scheduled) == 1
