"""The strict reader of a link's values (`link`): any text is a value in range or refused in
words, for every parameter the URL carries."""

from __future__ import annotations

from urllib.parse import urlencode

import param
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partialpool.app import PoolingState
from partialpool.app.link import MAX_TEXT, LinkError, parse_value, read_link
from partialpool.app.url import LIVE_KEY, URL_PARAMETERS

PARAMETERS = {key: PoolingState.param[name] for name, key in URL_PARAMETERS.items()} | {
    LIVE_KEY: param.Number(bounds=(0.0, 3.0))
}


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(sorted(PARAMETERS)), text=st.text(max_size=80))
def test_any_text_is_a_value_in_range_or_refused_in_words(key, text):
    parameter = PARAMETERS[key]
    try:
        value = parse_value(parameter, key, text)
    except LinkError as err:
        assert str(err).startswith(f"{key} must be ")
        return
    assert len(text.strip()) <= MAX_TEXT
    if isinstance(parameter, param.Selector):
        assert value in parameter.objects
    elif isinstance(parameter, param.Boolean):
        assert isinstance(value, bool)
    elif isinstance(parameter, param.Range):
        low, high = parameter.bounds
        assert low <= value[0] <= value[1] <= high
    else:
        low, high = parameter.bounds
        assert isinstance(value, (int, float)) and not isinstance(value, bool)
        assert low <= value <= high


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(PARAMETERS)), st.text(max_size=30), max_size=4))
def test_any_query_reads_without_an_exception(query):
    values, refused = read_link("?" + urlencode(query), PARAMETERS)
    assert set(values) | {m.split("=")[0] for m in refused} == set(query)


@pytest.mark.parametrize(
    "key, text, value",
    [
        ("n", "[2, 40]", (2, 40)),
        ("n", "2,40", (2, 40)),
        ("J", "+20", 20),
        ("tau", " 1e-3 ", 0.001),
        ("tau", ".5", 0.5),
        ("outlier", "FALSE", False),
        ("data", "eight_schools", "eight_schools"),
    ],
)
def test_each_grammar_reads_what_a_link_writes(key, text, value):
    assert parse_value(PARAMETERS[key], key, text) == value


@pytest.mark.parametrize(
    "key, text",
    [
        ("tau", "0." + "1" * MAX_TEXT),
        ("tau", "1e99999"),
        ("tau", "0x10"),
        ("tau", "1_0"),
        ("J", "1" * 13),
        ("J", "\uff12\uff10"),  # fullwidth digits
        ("n", "[2, 40, 60]"),
        ("data", "Eight_Schools"),
    ],
)
def test_text_outside_the_grammar_is_refused(key, text):
    with pytest.raises(LinkError, match=f"^{key} must be "):
        parse_value(PARAMETERS[key], key, text)


def test_a_link_of_too_many_values_is_refused_whole():
    values, refused = read_link("?" + "&".join(f"J={j}" for j in range(100)), PARAMETERS)
    assert values == {} and refused == ["the link has more than 64 values"]
