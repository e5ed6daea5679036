"""Which columns hold what: every layout named, the well-known names recognised, and one message
that lists the columns when they cannot be told apart."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partialpool.columns import LAYOUTS, NAMES, ROLES, ColumnError, map_columns

RECOGNISED = {
    # header -> (layout, {role: column})
    "school,estimate,se": ("estimate_se", {"group": "school", "estimate": "estimate", "se": "se"}),
    "school,effect,se": ("estimate_se", {"group": "school", "estimate": "effect", "se": "se"}),
    "study,yi,vi": ("estimate_variance", {"group": "study", "estimate": "yi", "variance": "vi"}),
    "Study,logOR,SEi": ("estimate_se", {"group": "Study", "estimate": "logOR", "se": "SEi"}),
    "id,d,std_err": ("estimate_se", {"group": "id", "estimate": "d", "se": "std_err"}),
    "label,value": ("long", {"group": "label", "value": "value"}),
    "name,y,truth": ("long", {"group": "name", "value": "y", "truth": "truth"}),
    "Group,Mean,SD,N": ("mean_sd_n", {"group": "Group", "mean": "Mean", "sd": "SD", "n": "N"}),
    "hospital,deaths,operations": (
        "successes_trials",
        {"group": "hospital", "successes": "deaths", "trials": "operations"},
    ),
    "player,hits,at_bats": (
        "successes_trials",
        {"group": "player", "successes": "hits", "trials": "at_bats"},
    ),
    "study,events,total": (
        "successes_trials",
        {"group": "study", "successes": "events", "trials": "total"},
    ),
    "site,events,person_years": (
        "count_exposure",
        {"group": "site", "count": "events", "exposure": "person_years"},
    ),
    "pump,failures,time_khours": (
        "count_exposure",
        {"group": "pump", "count": "failures", "exposure": "time_khours"},
    ),
    "name,team,hits_45,at_bats_45,avg_rest": (
        "successes_trials",
        {"group": "name", "successes": "hits_45", "trials": "at_bats_45"},
    ),
    " Person Years ,count, Hospital ": (
        "count_exposure",
        {"group": " Hospital ", "count": "count", "exposure": " Person Years "},
    ),
}


@pytest.mark.parametrize("header", RECOGNISED)
def test_well_known_names_are_recognised(header):
    layout, roles = RECOGNISED[header]
    mapping = map_columns(header.split(","))
    assert mapping.layout == layout
    assert mapping.columns == roles
    assert mapping.describe().startswith(", ".join(f"{r}={c}" for r, c in roles.items()))


def test_other_columns_are_ignored_and_the_mapping_says_what_was_used():
    mapping = map_columns(["school", "region", "effect", "se", "notes"])
    assert mapping.columns == {"group": "school", "estimate": "effect", "se": "se"}
    assert mapping.describe() == (
        "group=school, estimate=effect, se=se (one row per group: an estimate and its se)"
    )


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_can_be_named_with_any_column_names(layout):
    roles = ("group", *LAYOUTS[layout].roles, "truth")
    names = [f"Column {k}" for k in range(len(roles))]
    mapping = map_columns(names, dict(zip(roles, names, strict=True)))
    assert mapping.layout == layout
    assert mapping.columns == dict(zip(roles, names, strict=True))
    assert mapping.counts == LAYOUTS[layout].counts


def test_named_columns_match_ignoring_case_and_the_rest_are_recognised():
    mapping = map_columns(["Trial", "ES", "se"], {"group": "trial", "estimate": "es"})
    assert mapping.columns == {"group": "Trial", "estimate": "ES", "se": "se"}
    # naming the group alone leaves the layout to the other names
    mapping = map_columns(["school", "name", "effect", "se"], {"group": "name"})
    assert mapping.columns == {"group": "name", "estimate": "effect", "se": "se"}


@pytest.mark.parametrize(
    ("header", "given", "why"),
    [
        ("a,b,c", None, "no layout's columns were recognised"),
        ("id,name,y", None, "group could be id or name"),
        ("study,yi,se,vi", None, "the columns fit more than one layout"),
        ("id,events,n,time", None, "(successes_trials and count_exposure)"),
        ("group,estimate", None, "cannot tell which columns to use"),
        ("group,value,Value", None, "the header repeats a column name"),
        ("a,b,c", {"group": "a", "value": "x"}, "there is no column 'x'"),
        ("a,b,c", {"group": "a", "value": "b", "se": "c"}, "the options se, value do not go"),
        ("a,b,c", {"group": "a", "estimate": "a"}, "one column is named for two roles"),
    ],
)
def test_columns_that_cannot_be_told_apart_get_one_message_listing_them(header, given, why):
    with pytest.raises(ColumnError) as err:
        map_columns(header.split(","), given)
    assert why in str(err.value)
    assert err.value.columns == header.split(",")
    assert f"The columns are: {', '.join(header.split(','))}." in str(err.value)
    cli = err.value.help("--")
    assert "--group COL" in cli and "--se COL or --variance COL" in cli
    assert "--successes COL --trials COL" in cli and "optionally --truth COL" in cli
    assert "group=..." in str(err.value)  # the keyword form, for from_frame and read_data


def test_an_unknown_role_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown role 'values'"):
        map_columns(["a", "b"], {"values": "b"})


def test_every_role_has_names_and_a_layout():
    assert set(NAMES) == set(ROLES)
    assert {r for layout in LAYOUTS.values() for r in layout.roles} == set(ROLES) - {
        "group",
        "truth",
    }


@given(st.lists(st.text(max_size=12), max_size=8), st.randoms())
def test_any_header_maps_to_its_own_columns_or_says_why(header, random):
    try:
        mapping = map_columns(header)
    except ColumnError as err:
        assert err.columns == [str(c) for c in header]
        return
    used = list(mapping.columns.values())
    assert len(set(used)) == len(used) and set(used) <= set(header)
    # the order of the columns does not change the mapping
    shuffled = list(header)
    random.shuffle(shuffled)
    assert map_columns(shuffled) == mapping
