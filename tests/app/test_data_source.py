"""The data selector and upload box without a browser: uploads reach the state, problems and
labels are shown escaped, oversized files are dropped chunk by chunk."""

from __future__ import annotations

import pytest
from conftest import upload_chunk

from partialpool.app import PoolingState
from partialpool.app.data_source import DataSource
from partialpool.app.state import SOURCES

GOOD = b"group,estimate,se\n<i>a</i>,1,1\nb,3,2\n"


@pytest.fixture
def state() -> PoolingState:
    return PoolingState()


def test_a_dropped_file_is_read_into_the_state(state):
    view = DataSource(state=state)
    view._upload._handle_msg(upload_chunk("mine.csv", GOOD, 1, 1))
    assert state.source == "upload" and list(state.data.labels) == ["<i>a</i>", "b"]
    assert view._upload.value == {}  # the bytes are not kept after reading
    assert "&lt;i&gt;" not in view._note.text  # the note names the file, not the labels
    assert "mine.csv" in view._note.text and not view._status.visible


def test_problems_are_shown_escaped_and_hidden_after_a_good_file(state):
    view = DataSource(state=state)
    view._upload._handle_msg(upload_chunk("<b>x</b>.csv", b"group,value\n", 1, 1))
    assert view._problem.visible
    assert "&lt;b&gt;x&lt;/b&gt;.csv: the table has a header but no data rows" in (
        view._problem.text
    )
    assert "<b>" not in view._problem.text
    view._upload._handle_msg(upload_chunk("good.csv", GOOD, 1, 1))
    assert not view._problem.visible


def test_the_upload_stops_a_file_that_grows_past_the_limit(state):
    view = DataSource(state=state)
    upload = view._upload
    upload.param.update(limit=10, chunk_bytes=8)
    before = state.data
    upload._handle_msg(upload_chunk("big.csv", b"12345678", 1, 2))
    upload._handle_msg(upload_chunk("big.csv", b"12345678", 2, 2))
    assert upload.too_large == "big.csv" and upload._receiving is None
    assert "larger than 20 MB" in state.problem and "partialpool fit" in state.problem
    assert state.data is before


def test_the_upload_box_shows_only_for_uploads(state):
    layout = DataSource(state=state).__panel__()
    box = layout.objects[1]
    assert not box.visible
    state.source = "upload"
    assert box.visible


def test_the_note_names_the_data_on_show_and_ignores_tau_moves(state):
    view = DataSource(state=state)
    assert f"{state.data.J} groups" in view._note.text
    state.source = "eight_schools"
    assert "8 groups" in view._note.text and state.data.title in view._note.text
    note = view._note.text
    state.tau = 3.0
    assert view._note.text is note


def test_every_data_menu_label_fits_the_sidebars_menu():
    # the 300-pixel sidebar's select shows about 30 characters; beyond that a label is cut
    assert all(len(label) <= 30 for label in SOURCES.values()), SOURCES


def test_the_data_menu_sets_the_source_and_follows_it(state):
    view = DataSource(state=state)
    assert view._source.value == state.source and "setting-source" in view._source.css_classes
    view._source.value = "eight_schools"  # as the page's menu sends it
    assert state.source == "eight_schools" and "8 groups" in view._note.text
    state.source = "simulated"
    assert view._source.value == "simulated"
    view._source.value = "no_such_data"  # a forged choice: refused, the menu put back
    assert state.source == "simulated" and view._source.value == "simulated"


def test_the_upload_box_and_column_picker_are_made_when_first_shown(state):
    view = DataSource(state=state)
    upload_column = view.parts()[1]
    assert not {"_upload", "_status", "_picker"} & set(vars(view))  # most sessions never upload
    state.source = "upload"
    assert {"_upload", "_status", "_picker"} <= set(vars(view))
    assert (
        upload_column.objects[0] is view._upload and upload_column.objects[-1] is view._picker._box
    )
