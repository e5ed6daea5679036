"""Bokeh widgets kept in step with one parameter of a Parameterized (the session's
`PoolingState`), for the sidebar's settings: a plain Bokeh widget costs the server about half
of what the same Panel widget does to build and send with each session (benchmarks/sessions.py);
the rest is Panel's machinery per widget.

A widget sets its parameter when the reader lets go of it (a slider's `value_throttled`) and
follows the parameter when it changes elsewhere (a link, a button, new data). A value the
parameter refuses, which only a forged message can send, puts the widget back.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import param
from bokeh.models import (
    Button,
    Checkbox,
    Div,
    RadioButtonGroup,
    RangeSlider,
    Select,
    Slider,
    Spinner,
    Widget,
)

HEADING_CSS = "h3 { font-size: 1.75rem; font-weight: 500; line-height: 1.2; margin: 0.4em 0 0; }"
"""As the sidebar's Markdown headings show in Panel's Bootstrap design."""


def heading(text: str) -> Div:
    """A section's heading in the sidebar (`text` is HTML)."""
    return Div(text=f"<h3>{text}</h3>", sizing_mode="stretch_width", stylesheets=[HEADING_CSS])


def _named(widget: Widget, name: str) -> Widget:
    """The widget for parameter `name`, named "setting_<name>", with CSS class "setting-<name>"
    (for `get_model_by_name` and for selectors)."""
    widget.update(name=f"setting_{name}", css_classes=[*widget.css_classes, f"setting-{name}"])
    return widget


def _link(
    owner: param.Parameterized,
    name: str,
    widget: Widget,
    sent: str,
    shown: Callable[[Any], dict[str, Any]],
    read: Callable[[Any], Any],
) -> Widget:
    """Two-way link: the widget's `sent` property, `read` into a value, sets `owner.name`; a new
    value of it updates the widget's properties `shown(value)` (`_named`)."""

    def show(value: Any) -> None:
        changed = {k: v for k, v in shown(value).items() if getattr(widget, k) != v}
        if changed:
            widget.update(**changed)

    def on_widget(_attr: str, _old: Any, new: Any) -> None:
        try:
            value = read(new)
            if value != getattr(owner, name):
                setattr(owner, name, value)
        except (TypeError, ValueError, OverflowError, IndexError):
            show(getattr(owner, name))

    widget.on_change(sent, on_widget)
    owner.param.watch(lambda event: show(event.new), name)
    return _named(widget, name)


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"not a whole number: {value!r}")
    return round(value)


def _real(value: Any) -> float:
    if isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    return float(value)


def slider(owner: param.Parameterized, name: str, **layout: Any) -> Slider | RangeSlider:
    """A slider over the parameter's soft bounds in its step (whole numbers for an Integer or
    a Range), titled with its label."""
    p = owner.param[name]
    start, end = p.get_soft_bounds()
    whole = isinstance(p, param.Integer | param.Range)
    step = 1 if whole and not p.step else p.step or (end - start) / 100
    number = _whole if whole else _real
    common = {"start": start, "end": end, "step": step, "title": p.label, **layout}
    if whole:
        common["format"] = "0"
    value = getattr(owner, name)
    if isinstance(p, param.Range):
        widget = RangeSlider(value=value, value_throttled=value, **common)
        return _link(
            owner,
            name,
            widget,
            "value_throttled",
            lambda v: {"value": tuple(v)},
            lambda v: tuple(number(x) for x in v),
        )
    widget = Slider(value=value, value_throttled=value, **common)
    return _link(owner, name, widget, "value_throttled", lambda v: {"value": v}, number)


def number_input(owner: param.Parameterized, name: str, **layout: Any) -> Spinner:
    """A number box with arrows within the parameter's bounds, titled with its label."""
    p = owner.param[name]
    low, high = p.bounds or (None, None)
    whole = isinstance(p, param.Integer)
    widget = Spinner(
        value=getattr(owner, name),
        low=low,
        high=high,
        step=1 if whole else p.step or 0.1,
        mode="int" if whole else "float",
        title=p.label,
        **layout,
    )
    return _link(owner, name, widget, "value", lambda v: {"value": v}, _whole if whole else _real)


def checkbox(owner: param.Parameterized, name: str, **layout: Any) -> Checkbox:
    """A checkbox for a Boolean, labelled with its label."""
    widget = Checkbox(active=getattr(owner, name), label=owner.param[name].label, **layout)
    return _link(owner, name, widget, "active", lambda v: {"active": v}, lambda v: v is True)


def choice_buttons(
    owner: param.Parameterized, name: str, labels: Mapping[str, str], **layout: Any
) -> RadioButtonGroup:
    """One button per value of a Selector (`labels`: value -> text), the chosen one pressed."""
    keys = list(labels)
    widget = RadioButtonGroup(
        labels=list(labels.values()), active=keys.index(getattr(owner, name)), **layout
    )
    return _link(
        owner, name, widget, "active", lambda v: {"active": keys.index(v)}, lambda i: keys[i]
    )


def select(
    owner: param.Parameterized, name: str, labels: Mapping[str, str], **layout: Any
) -> Select:
    """A drop-down of a Selector's values (`labels`: value -> text), titled with its label."""
    widget = Select(
        options=list(labels.items()), value=getattr(owner, name), title=owner.param[name].label
    )
    widget.update(**layout)
    return _link(owner, name, widget, "value", lambda v: {"value": v}, lambda v: v)


def event_button(owner: param.Parameterized, name: str, **layout: Any) -> Button:
    """A button that triggers an Event parameter, labelled with its label (`_named`)."""
    widget = Button(label=owner.param[name].label, **layout)
    widget.on_event("button_click", lambda _event: owner.param.trigger(name))
    return _named(widget, name)
