"""The per-group results table (sortable), and its download as CSV.

A Bokeh `DataTable` (its code comes with every Panel page), not Panel's Tabulator, whose
library (half a megabyte of script and styles) every page would load before its first render.
"""

from __future__ import annotations

import html
import io
import math

import numpy as np
import pandas as pd
import panel as pn
import param
from bokeh.models import ColumnDataSource, DataTable, Div, StringFormatter, TableColumn

from ..results import GroupTable, fit_lines, to_csv
from .css import CSS
from .export import standalone_html
from .panel_private import BokehPane
from .state import PoolingState, tau_move
from .throttle import TEXT_DELAY_MS, Throttled

SIGNIFICANT_DIGITS = 4
GROUP_WIDTH, NUMBER_WIDTH = 160, 80
"""Column widths in pixels before the table fits them to its width."""

ROW_PIXELS = 25
SHOWN_ROWS = 15
"""The table shows this many rows and scrolls beyond them."""
HEADINGS = {
    "group": "group",
    "count": "y_j",
    "n": "n_j",
    "exposure": "t_j",
    "no_pool": "no pool",
    "se": "se_j",
    "partial_pool": "partial",
    "sd": "posterior sd",
    "lower_95": "95% from",
    "upper_95": "95% to",
    "shrinkage": "B_j",
    "truth": "truth",
}
"""Short column headings for the screen; the CSV download keeps the keys of results.COLUMNS."""


def _rounded(column: np.ndarray) -> np.ndarray:
    """Round a float column to SIGNIFICANT_DIGITS below its largest value's leading digit."""
    largest = float(np.max(np.abs(column))) if column.size else 0.0
    if not math.isfinite(largest) or largest == 0.0:
        return column
    return np.round(column, max(0, SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(largest))))


def table_frame(table: GroupTable) -> pd.DataFrame:
    """The table for the screen: headings in words, numbers rounded for reading."""
    return pd.DataFrame(
        {
            HEADINGS[key]: column if column.dtype.kind not in "f" else _rounded(column)
            for key, column in table.columns.items()
        }
    )


class ResultsTable(pn.viewable.Viewer):
    """One row per group at the slider's tau: estimates, posterior sd, 95% interval, B_j and
    the truth where known, sortable by any column; "Download CSV" saves it in full precision."""

    state = param.ClassSelector(class_=PoolingState)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._rows = ColumnDataSource(name="results_rows")
        self._table = DataTable(
            source=self._rows,
            index_position=None,
            sortable=True,
            reorderable=False,
            editable=False,
            row_height=ROW_PIXELS,
            sizing_mode="stretch_width",
            name="results_table",
            css_classes=["results-table"],
        )
        self._download = pn.widgets.FileDownload(
            callback=self._csv,
            filename="partialpool-results.csv",
            label="Download CSV",
            color="primary",
            width=170,
            css_classes=["download-csv"],
        )
        self._page = pn.widgets.FileDownload(
            callback=self._html,
            filename="partialpool-page.html",
            label="Download page (HTML)",
            color="light",
            width=190,
            css_classes=["download-html"],
            description="One file with the tau slider, Figure 1 and the MSE table for these "
            "data: it opens in any browser, with no server and no network.",
        )
        self._model = Div(
            sizing_mode="stretch_width",
            stylesheets=[CSS],
            css_classes=["results-model"],
        )
        self._draw()
        self._draw_later = Throttled(self._draw, TEXT_DELAY_MS)
        self.state.param.watch(self._on_comparison, ["comparison"])

    def _group_table(self) -> GroupTable:
        return self.state.comparison.table()

    def _on_comparison(self, event: param.parameterized.Event) -> None:
        """A tau move alone redraws at most every TEXT_DELAY_MS; anything else at once."""
        if tau_move(event):
            self._draw_later()
        else:
            self._draw()

    @staticmethod
    def _model_text(table: GroupTable) -> str:
        return f"<p class='caption results-model'>{html.escape('; '.join(fit_lines(table)))}.</p>"

    def _draw(self, *_: object) -> None:
        table = self._group_table()
        self.frame = table_frame(table)
        self._show(self.frame)
        self._model.text = self._model_text(table)

    def _show(self, frame: pd.DataFrame) -> None:
        """The frame into the table: new columns only when the headings change (new data)."""
        headings = list(frame.columns)
        if [c.field for c in self._table.columns] != headings:
            self._table.columns = [  # numbers as rounded by `table_frame`, right-aligned
                TableColumn(field=h, title=h, width=GROUP_WIDTH)
                if h == "group"
                else TableColumn(
                    field=h,
                    title=h,
                    width=NUMBER_WIDTH,
                    formatter=StringFormatter(text_align="right"),
                )
                for h in headings
            ]
        self._rows.data = {h: frame[h].to_numpy() for h in headings}
        shown = min(len(frame), SHOWN_ROWS)
        self._table.height = ROW_PIXELS * (shown + 1) + 4

    def _csv(self) -> io.StringIO:
        return io.StringIO(to_csv(self._group_table()))

    def _html(self) -> io.StringIO:
        return io.StringIO(standalone_html(self.state))

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            pn.Row(
                pn.pane.Markdown(
                    "#### Per group, at the slider's tau\nno pool: y_j, with its standard "
                    "error se_j; partial: theta_hat_j with its posterior sd given tau and the "
                    "95% interval theta_hat_j ± 1.96 sd; B_j: shrinkage.",
                    sizing_mode="stretch_width",
                ),
                pn.Column(self._download, self._page, width=200),
            ),
            BokehPane(self._model, sizing_mode="stretch_width"),
            BokehPane(self._table, sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
        )
