"""The checks every reader shares (`tables`): what a label may hold."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest

from partialpool.tables import INVISIBLE, DataError, Places, check_labels


def test_invisible_is_every_format_character_of_unicode_14():
    listed = {c for c in map(chr, range(sys.maxunicode + 1)) if re.match(f"[{INVISIBLE}]", c)}
    if unicodedata.unidata_version == "14.0.0":
        assert listed == {
            c for c in map(chr, range(sys.maxunicode + 1)) if unicodedata.category(c) == "Cf"
        }
    assert all(unicodedata.category(c) == "Cf" for c in listed)
    assert {"\u202e", "\u200b", "\u200d", "\u2066", "\ufeff", "\u00ad"} <= listed


@pytest.mark.parametrize("label", ["école", "北京", "Zürich (n=3)", "<b>", "=1+2", "a b"])
def test_labels_that_read_as_they_are_pass(label):
    check_labels([label], Places("row", [1]))


@pytest.mark.parametrize("mark", ["\u202e", "\u200b", "\u2066", "\ufeff"])
def test_a_label_with_an_invisible_character_is_refused_by_its_code_point(mark):
    with pytest.raises(DataError, match=f"row 1: .* U\\+{ord(mark):04X} "):
        check_labels([f"ab{mark}c"], Places("row", [1]))
