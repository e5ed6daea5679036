"""`pp.explore`: the app's views on a GroupData, a file or a frame, for Jupyter and scripts."""

from __future__ import annotations

import numpy as np
import panel as pn
import panel.io.resources
import pytest
from panel.io.location import Location

import partialpool as pp
from partialpool.app.explore import Exploration
from partialpool.columns import ColumnError
from partialpool.datasets import load


@pytest.fixture(autouse=True)
def _keep_panel_as_it_was(monkeypatch):
    """`explore` configures Panel for the process (`page.configure`); undo it after each test so
    that tests of Panel's own behaviour see Panel as it ships."""
    monkeypatch.setattr(
        panel.io.resources, "_panel_use_mathjax", panel.io.resources._panel_use_mathjax
    )
    monkeypatch.setattr(Location, "_update_synced", Location._update_synced)


def test_explore_shows_a_group_data_as_your_data():
    data = load("surgical")
    view = pp.explore(data)
    assert isinstance(view, Exploration)
    assert view.state.data is data and view.state.source == "upload"
    assert view.state.comparison.model.key == "binomial"
    layout = view.__panel__()
    assert "partialpool-explore" in layout.css_classes
    # the whole page is built at once: no part waits for a server's onload
    assert not [p for p in layout.select(pn.param.ParamFunction) if p.defer_load]
    sidebar = layout.objects[0]
    assert not sidebar.select(pn.pane.Str)  # every part of it laid out, none shown as text
    names = {model.name for model in sidebar.get_root().references()}
    assert {"setting_source", "setting_J", "setting_outlier_n"} <= names
    assert pn.config.browser_info  # a notebook's Panel keeps its default


def test_explore_reads_a_file_with_the_columns_named(tmp_path):
    path = tmp_path / "clinics.csv"
    path.write_text("clinic,m,s\nA,1.5,0.5\nB,3.0,0.8\nC,2.0,0.4\n")
    view = pp.explore(path, group="clinic", estimate="m", se="s")
    np.testing.assert_allclose(view.state.data.v, [0.25, 0.64, 0.16])
    assert view.state.columns_used.startswith("group=clinic, estimate=m, se=s")
    with pytest.raises(ColumnError, match="The columns are: clinic, m, s"):
        pp.explore(path)


def test_explore_refuses_unknown_options_and_options_on_a_group_data():
    with pytest.raises(TypeError, match="unknown column option 'values'"):
        pp.explore(load("eight_schools"), values="x")
    with pytest.raises(TypeError, match="not to a GroupData"):
        pp.explore(load("eight_schools"), group="school")


def test_explore_takes_a_data_frame():
    pd = pytest.importorskip("pandas")
    pytest.importorskip("narwhals", reason="the data extra (narwhals) is not installed")
    frame = pd.DataFrame({"school": list("ABCD"), "effect": [28, 8, -3, 7], "se": [15, 10, 16, 11]})
    view = pp.explore(frame)
    np.testing.assert_array_equal(view.state.data.labels, ["A", "B", "C", "D"])
    np.testing.assert_allclose(view.state.data.v, [225, 100, 256, 121])
