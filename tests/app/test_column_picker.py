"""The column picker without a browser: an upload whose columns cannot be told apart offers its
columns, the choice reads the file, a bad choice keeps the file to choose again."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import upload_chunk

from partialpool.app import PoolingState
from partialpool.app.column_picker import NO_TRUTH, ColumnPicker
from partialpool.app.data_source import DataSource
from partialpool.app.state import read_upload

UNNAMED = b"clinic,m,s,t\nA,1.5,0.5,1.2\nB,3.0,0.8,2.9\nC,2.0,0.4,2.2\n"


@pytest.fixture
def state() -> PoolingState:
    return PoolingState()


def test_recognised_columns_are_read_and_named_in_the_note(state):
    view = DataSource(state=state)
    view._upload._handle_msg(
        upload_chunk("meta.csv", b"study,yi,vi\n1,0.5,0.04\n2,0.1,0.09\n", 1, 1)
    )
    assert state.source == "upload" and state.column_choices == []
    np.testing.assert_allclose(state.data.v, [0.04, 0.09])
    assert "Columns read: group=study, estimate=yi, variance=vi" in view._note.text
    assert not view._picker._box.visible


def test_unrecognised_columns_open_the_picker_and_the_choice_reads_the_file(state):
    view = DataSource(state=state)
    before = state.data
    view._upload._handle_msg(upload_chunk("clinics.csv", UNNAMED, 1, 1))
    assert state.data is before and state.source == "simulated"
    assert "The columns are: clinic, m, s, t" in view._problem.text
    picker = view._picker
    assert picker._box.visible
    assert picker._roles["group"].options == ["clinic", "m", "s", "t"]
    assert picker._roles["truth"].value == NO_TRUTH
    picker._layout.value = "estimate_se"
    visible = {role for role, select in picker._roles.items() if select.visible}
    assert visible == {"group", "estimate", "se", "truth"}
    # each layout's menus start at the file's columns in order
    assert picker.chosen() == {"group": "clinic", "estimate": "m", "se": "s"}
    picker._layout.value = "mean_sd_n"
    assert picker.chosen() == {"group": "clinic", "mean": "m", "sd": "s", "n": "t"}
    picker._layout.value = "estimate_se"
    picker._roles["truth"].value = "t"
    assert picker.chosen() == {"group": "clinic", "estimate": "m", "se": "s", "truth": "t"}
    picker._read.clicks += 1
    assert state.source == "upload" and list(state.data.labels) == ["A", "B", "C"]
    np.testing.assert_allclose(state.data.v, [0.25, 0.64, 0.16])
    np.testing.assert_allclose(state.data.truth, [1.2, 2.9, 2.2])
    assert not picker._box.visible and not view._problem.visible
    assert "Columns read: group=clinic, estimate=m, se=s, truth=t" in view._note.text


def test_a_bad_choice_says_why_and_keeps_the_file(state):
    picker = ColumnPicker(state=state)
    assert not state.upload(UNNAMED, "clinics.csv")
    picker._layout.value = "estimate_se"
    for role, column in {"group": "m", "estimate": "clinic", "se": "s"}.items():
        picker._roles[role].value = column
    picker._read.clicks += 1
    assert "line 2: estimate" not in state.problem  # the file's own column name is used
    assert "clinic 'A' is not a number" in state.problem
    assert picker._box.visible and state.column_choices == ["clinic", "m", "s", "t"]
    picker._roles["group"].value = "clinic"
    picker._roles["estimate"].value = "m"
    picker._read.clicks += 1
    assert state.source == "upload" and state.problem == ""


def test_reading_with_columns_before_any_file_says_so(state):
    state.read_with_columns({"group": "a", "value": "b"})
    assert "no file waiting" in state.problem


def test_sessions_do_not_share_a_file_waiting_for_its_columns():
    a, b = PoolingState(), PoolingState()
    assert not a.upload(UNNAMED, "clinics.csv")
    b.read_with_columns({"group": "clinic", "estimate": "m", "se": "s"})
    assert "no file waiting" in b.problem
    assert b.source == "simulated" and a.column_choices and not b.column_choices


def test_the_file_is_read_again_by_the_runner_and_the_button_spins_meanwhile(state):
    """On a served page the runner is `workers.off_the_loop`: the second read of a file (up to
    the upload limit) must not hold the server's event loop."""
    jobs = []
    state.run_with(lambda job, args, then, failed: jobs.append((job, args, then)))
    picker = ColumnPicker(state=state)
    state.show_upload(read_upload(UNNAMED, "clinics.csv"), UNNAMED)
    picker._layout.value = "estimate_se"
    picker._read.clicks += 1
    assert state.reading and picker._read.loading and state.source == "simulated"
    job, args, then = jobs.pop()
    assert job is read_upload and args[0] == UNNAMED
    then(job(*args))
    assert not state.reading and not picker._read.loading
    assert list(state.uploaded.labels) == ["A", "B", "C"] and state.source == "upload"
    job, args, then = jobs.pop()  # its comparison: by the runner too
    then(job(*args))
    assert list(state.data.labels) == ["A", "B", "C"]
