"""Bokeh widgets linked to a parameter: each sets it when the page sends a value, follows it
when it changes elsewhere, and puts itself back when the page sends a value it refuses."""

from __future__ import annotations

import math

import param
import pytest
from bokeh.events import ButtonClick
from conftest import let_go
from hypothesis import given
from hypothesis import strategies as st

from partialpool.app.bokeh_widgets import (
    checkbox,
    choice_buttons,
    event_button,
    number_input,
    slider,
)


class Settings(param.Parameterized):
    J = param.Integer(12, bounds=(3, 200), label="Groups")
    sd = param.Number(1.0, bounds=(0.1, 10.0), softbounds=(0.1, 5.0), step=0.05, label="sd")
    n = param.Range((2, 40), bounds=(1, 200), step=1, label="Sizes")
    mu = param.Number(0.0, bounds=(-100.0, 100.0), step=0.1, label="mu")
    seed = param.Integer(27, bounds=(0, 2**31 - 1), label="Seed")
    flag = param.Boolean(False, label="Flag")
    order = param.Selector(default="a", objects=["a", "b", "c"])
    again = param.Event(label="Again")


@pytest.fixture
def settings() -> Settings:
    return Settings()


def test_a_slider_sets_its_parameter_when_let_go_and_follows_it(settings):
    widget = slider(settings, "sd")
    assert (widget.start, widget.end, widget.step, widget.title) == (0.1, 5.0, 0.05, "sd")
    widget.value = 2.0  # while dragging: nothing yet
    assert settings.sd == 1.0
    let_go(widget, 2.0)
    assert settings.sd == 2.0
    settings.sd = 3.0
    assert widget.value == 3.0


def test_whole_number_sliders_send_whole_numbers(settings):
    widget, sizes = slider(settings, "J"), slider(settings, "n")
    let_go(widget, 20.0)
    let_go(sizes, (3.0, 30.0))
    assert settings.J == 20 and type(settings.J) is int
    assert settings.n == (3, 30) and sizes.step == 1 and sizes.format == "0"
    let_go(sizes, (30.0, 3.0))  # the wrong way round: refused
    assert settings.n == (3, 30) and sizes.value == (3, 30)


@pytest.mark.parametrize("sent", [math.nan, math.inf, 1e300, -5.0, 11.0])
def test_a_refused_value_puts_the_slider_back(settings, sent):
    widget = slider(settings, "sd")
    widget.value = 2.0  # dragged, then let go at a value a forged message sends
    let_go(widget, sent)
    assert settings.sd == 1.0 and widget.value == 1.0


def test_a_number_box_sets_and_follows_its_parameter(settings):
    seed, mu = number_input(settings, "seed"), number_input(settings, "mu")
    assert (seed.low, seed.high, seed.mode, mu.mode) == (0, 2**31 - 1, "int", "float")
    seed.value = 5
    mu.value = -2.5
    assert (settings.seed, settings.mu) == (5, -2.5)
    mu.value = 1e9  # beyond the bounds: refused
    assert settings.mu == -2.5 and mu.value == -2.5
    settings.seed = 9
    assert seed.value == 9


def test_checkbox_choice_buttons_and_event_button(settings):
    box = checkbox(settings, "flag")
    box.active = True
    assert settings.flag and box.label == "Flag"
    buttons = choice_buttons(settings, "order", {"a": "A", "b": "B", "c": "C"})
    buttons.active = 2
    assert settings.order == "c"
    settings.order = "b"
    assert buttons.active == 1
    buttons.active = 7  # no such button: put back
    assert settings.order == "b" and buttons.active == 1
    pressed = []
    settings.param.watch(lambda e: pressed.append(e.name), "again")
    button = event_button(settings, "again")
    button._trigger_event(ButtonClick(button))
    assert pressed == ["again"] and button.label == "Again"


ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.text(max_size=8),
    st.tuples(st.floats(), st.floats()),
    st.lists(st.integers(-5, 300), max_size=3),
)


@given(st.lists(st.tuples(st.sampled_from(["J", "sd", "n", "mu", "seed"]), ANYTHING), max_size=8))
def test_no_value_a_page_sends_raises_or_leaves_a_parameter_out_of_bounds(sends):
    settings = Settings()
    widgets = {
        "J": (slider(settings, "J"), "value_throttled"),
        "sd": (slider(settings, "sd"), "value_throttled"),
        "n": (slider(settings, "n"), "value_throttled"),
        "mu": (number_input(settings, "mu"), "value"),
        "seed": (number_input(settings, "seed"), "value"),
    }
    for name, value in sends:
        widget, attr = widgets[name]
        widget.trigger(attr, None, value)  # as a forged message sends it, unvalidated
    assert 3 <= settings.J <= 200 and 0.1 <= settings.sd <= 10 and -100 <= settings.mu <= 100
    assert 1 <= settings.n[0] <= settings.n[1] <= 200 and 0 <= settings.seed < 2**31
