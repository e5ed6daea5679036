"""The boundary checks: each bad input gets a message that names the argument and the rule."""

from __future__ import annotations

import numpy as np
import pytest

from partialpool._validation import (
    as_vector,
    check_choice,
    check_groups,
    check_min_groups,
    check_scalar,
)


def test_clean_input_passes_through_as_floats():
    y, v = check_groups([1, 2, 3], 2)
    assert y.dtype == float and v.dtype == float
    np.testing.assert_array_equal(v, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(as_vector(5, "x"), [5.0])


@pytest.mark.parametrize(
    ("y", "v", "message"),
    [
        ([], 1.0, "y must not be empty"),
        ([1.0, np.nan], 1.0, r"y must be finite; got y\[1\] == nan"),
        ([1.0, 2.0, 3.0], [1.0, 1.0], "y and v must have the same length; got 3 and 2"),
        ([1.0, 2.0], [1.0, -0.2], r"v must be > 0 \(sampling variances\); got v\[1\] == -0.2"),
        ([[1.0, 2.0]], 1.0, r"y must be one-dimensional; got shape \(1, 2\)"),
        (["a", "b"], 1.0, "y must be numeric"),
        ([1.0, 2.0], [1.0, np.inf], r"v must be finite; got v\[1\] == inf"),
    ],
)
def test_check_groups_names_the_problem(y, v, message):
    with pytest.raises(ValueError, match=message):
        check_groups(y, v)


def test_scalars():
    assert check_scalar(2, "tau2", low=0.0) == 2.0
    with pytest.raises(ValueError, match=r"tau2 must be >= 0; got tau2 == -1\.0"):
        check_scalar(-1.0, "tau2", low=0.0)
    with pytest.raises(ValueError, match="scale must be > 0"):
        check_scalar(0.0, "scale", low=0.0, low_inclusive=False)
    with pytest.raises(ValueError, match="mu must be finite"):
        check_scalar(np.nan, "mu")
    with pytest.raises(ValueError, match="mu must be a number"):
        check_scalar("x", "mu")


def test_choices_are_case_insensitive_and_list_the_valid_ones():
    assert check_choice("reml", "method", ("HE", "REML")) == "REML"
    with pytest.raises(ValueError, match="unknown method 'XX'; valid are 'HE', 'REML'"):
        check_choice("XX", "method", ("HE", "REML"))


def test_minimum_number_of_groups():
    check_min_groups(np.zeros(3), 3, "REML")
    with pytest.raises(ValueError, match="REML needs at least 3 groups; got J == 2"):
        check_min_groups(np.zeros(2), 3, "REML")
