"""`explore(data)`: the app's views on your own data, for Jupyter and for `panel serve`."""

from __future__ import annotations

import os
from typing import Any

import panel as pn
import param

from ..columns import ROLES
from ..files import map_file, read_data
from ..groupdata import GroupData
from .page import configure, contents
from .state import PoolingState


def as_group_data(source: Any, columns: dict[str, str]) -> tuple[GroupData, str]:
    """(the data, which column held what, or "") from a GroupData, a CSV or Parquet path
    (`files.read_data`) or a data frame of any engine (`frames.from_frame`), the columns of
    some roles named in `columns`."""
    unknown = sorted(set(columns) - set(ROLES))
    if unknown:
        raise TypeError(f"unknown column option {unknown[0]!r}; valid are {', '.join(ROLES)}")
    if isinstance(source, GroupData):
        if columns:
            raise TypeError("column options apply to files and frames, not to a GroupData")
        return source, ""
    if isinstance(source, str | os.PathLike):
        mapping = map_file(source, columns)
        return read_data(source, columns=mapping.columns), mapping.describe()
    from ..frames import from_frame

    return from_frame(source, **columns), ""


class Exploration(pn.viewable.Viewer):
    """The app's views (sidebar and main area) on one state, shown whole, not linked to a URL."""

    state = param.ClassSelector(class_=PoolingState)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        sidebar, figure = contents(self.state, served=False)
        self._layout = pn.Row(
            pn.Column(sidebar, width=300),
            figure,
            sizing_mode="stretch_width",
            css_classes=["partialpool-explore"],
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return self._layout


def explore(source: Any, **columns: str) -> Exploration:
    """The app on `source`: a GroupData, a CSV or Parquet path, or a data frame (pandas,
    polars, pyarrow, DuckDB, Spark), with the columns of some roles named (group=...,
    value=... or estimate=..., se=...; see `columns.map_columns`).

    In Jupyter, after `pn.extension()`, the returned view shows inline; in a script,
    `explore(...).servable()` serves it with `panel serve`; `.state` is the app's state.
    Bad data raise the readers' ValueError at once, before any view is built.
    """
    data, used = as_group_data(source, columns)
    configure(served=False)
    state = PoolingState()
    state.use(data, used)
    return Exploration(state=state)
