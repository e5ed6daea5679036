"""Read a link's query string strictly: each known key's text is accepted as a value in range or
refused with a message a user reads ("tau_true must be a number between 0 and 10").

Panel's own reader (`panel.util.parse_query`) turns any text of digits into an int, any text
starting with "[" into a literal and "true" into a bool, and so fails or builds a value that
breaks the page on hostile links (10,000 digits exceed Python's int-digit limit; "mu=true"
sets a number to True). Here nothing but the grammar of each parameter is read: decimal
numbers of at most `MAX_TEXT` characters, whole numbers of at most 12 digits, one of a
selector's names, true or false, a range "[a, b]" of whole numbers. Unknown keys are dropped.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

import param

MAX_LINK = 4096
"""Longest query string read, in characters; a longer one is ignored whole."""
MAX_FIELDS = 64
"""Most key=value pairs read."""
MAX_TEXT = 64
"""Longest value read, in characters."""
SHOWN = 40
"""A refused value is quoted up to this many characters."""

NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,4})?", re.ASCII)
WHOLE = re.compile(r"[+-]?\d{1,12}", re.ASCII)
RANGE = re.compile(r"\[?\s*(\d{1,12})\s*,\s*(\d{1,12})\s*\]?", re.ASCII)
"""ASCII digits only: Python's int and float also read fullwidth and Arabic-Indic digits."""


class LinkError(ValueError):
    """A link's value that cannot be used; the message says what the key takes."""


def quoted(text: str) -> str:
    """The text as a message quotes it: cut to `SHOWN` characters."""
    return repr(text if len(text) <= SHOWN else text[:SHOWN] + "…")


def _bounds(parameter: param.Parameter) -> tuple[float, float]:
    low, high = parameter.bounds or (None, None)
    return (-math.inf if low is None else low, math.inf if high is None else high)


def between(key: str, low: float, high: float, what: str = "a number") -> str:
    return f"{key} must be {what} between {low:g} and {high:g}"


def parse_value(parameter: param.Parameter, key: str, text: str) -> object:
    """The value of `parameter` that `text` names, or LinkError saying what `key` takes."""
    text = text.strip()
    if isinstance(parameter, param.Boolean):
        if text.lower() not in ("true", "false"):
            raise LinkError(f"{key} must be true or false")
        return text.lower() == "true"
    if isinstance(parameter, param.Selector):
        names = [str(o) for o in parameter.objects]
        if text not in names:
            raise LinkError(f"{key} must be one of {', '.join(names)}")
        return text
    if isinstance(parameter, param.Range):
        low, high = _bounds(parameter)
        match = RANGE.fullmatch(text)
        what = f"two whole numbers from {low:g} to {high:g}, the first no larger, e.g. [2, 40]"
        if match is None:
            raise LinkError(f"{key} must be {what}")
        a, b = int(match[1]), int(match[2])
        if not low <= a <= b <= high:
            raise LinkError(f"{key} must be {what}")
        return (a, b)
    if isinstance(parameter, param.Integer):
        low, high = _bounds(parameter)
        if WHOLE.fullmatch(text) is None or not low <= int(text) <= high:
            raise LinkError(between(key, low, high, "a whole number"))
        return int(text)
    if isinstance(parameter, param.Number):
        low, high = _bounds(parameter)
        if len(text) > MAX_TEXT or NUMBER.fullmatch(text) is None:
            raise LinkError(between(key, low, high))
        value = float(text)
        if not (math.isfinite(value) and low <= value <= high):
            raise LinkError(between(key, low, high))
        return value
    raise TypeError(f"no link grammar for {type(parameter).__name__}")


def query_pairs(search: str) -> tuple[dict[str, str], list[str]]:
    """(key -> text of the query string `search`, and why none was read: a link longer than
    MAX_LINK characters or with more than MAX_FIELDS values is read as empty)."""
    query = search[1:] if search.startswith("?") else search
    if len(query) > MAX_LINK:
        return {}, [f"the link is {len(query):,} characters long; up to {MAX_LINK:,} are read"]
    try:
        return dict(parse_qsl(query, keep_blank_values=True, max_num_fields=MAX_FIELDS)), []
    except ValueError:
        return {}, [f"the link has more than {MAX_FIELDS} values"]


def read_values(
    pairs: Mapping[str, str], parameters: Mapping[str, param.Parameter]
) -> tuple[dict[str, object], list[str]]:
    """(key -> value for each key of `parameters` whose text in `pairs` is a usable value,
    messages naming each refused value). Keys are read in the order of `parameters`; other
    keys are dropped."""
    values: dict[str, object] = {}
    refused: list[str] = []
    for key, parameter in parameters.items():
        if key not in pairs:
            continue
        try:
            values[key] = parse_value(parameter, key, pairs[key])
        except LinkError as err:
            refused.append(f"{key}={quoted(pairs[key])}: {err}")
    return values, refused


def read_link(
    search: str, parameters: Mapping[str, param.Parameter]
) -> tuple[dict[str, object], list[str]]:
    """`read_values` of the query string `search` (`query_pairs`)."""
    pairs, refused = query_pairs(search)
    values, more = read_values(pairs, parameters)
    return values, refused + more


def link_text(parameter: param.Parameter, value: object) -> str:
    """The value as a link writes it (as Panel's `Location` does: param's serialization)."""
    text = parameter.serialize(value)
    return text if isinstance(text, str) else json.dumps(text)


def query_string(texts: Mapping[str, str]) -> str:
    """ "?key=text&..." of the texts, or "" for none."""
    return "?" + urlencode(texts) if texts else ""
