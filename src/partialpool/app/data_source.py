"""Where the groups come from: the data selector, the CSV upload and what is known of the data."""

from __future__ import annotations

import html
from functools import cached_property

import panel as pn
import param
from bokeh.models import Column

from ..csvfile import MAX_UPLOAD_BYTES
from .bokeh_widgets import heading, select
from .column_picker import ColumnPicker
from .css import CSS, text_box
from .lazy import when_shown
from .panel_private import BokehPane
from .state import SOURCES, PoolingState, Upload, read_upload
from .upload import CsvUpload
from .workers import off_the_loop

UPLOAD_HELP = f"""
**CSV, UTF-8, up to {MAX_UPLOAD_BYTES // 2**20} MB.** Columns are recognised by their names
(or you choose them):

- `group,value`: one row per observation
- `group,estimate,se` (or `study,yi,vi`): one row per group
- `group,mean,sd,n`: one row per group
- `group,successes,trials` or `group,count,exposure`: counts, one row per group

Add a `truth` column to score the estimators. Larger files: `partialpool fit FILE.csv`.
"""


class DataSource(pn.viewable.Viewer):
    """The data selector, the current data's note, and the upload box with its format help and
    the column picker (built when "Your CSV file" is first chosen). The selector and the texts
    are Bokeh models (`bokeh_widgets`), which cost the server less per session than Panel's.

    A refused upload shows its message under the note; the figure keeps the last good data.
    """

    state = param.ClassSelector(class_=PoolingState)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._problem = text_box("upload-problem", visible=False, stylesheet=CSS)
        self._note = text_box("data-note", stylesheet=CSS)
        self._source = select(
            self.state,
            "source",
            SOURCES,
            title="",
            sizing_mode="stretch_width",
            css_classes=["data-source"],
        )
        self.state.param.watch(self._show_problem, "problem")
        self.state.param.watch(self._on_comparison, "comparison")
        self._write_note()

    @cached_property
    def _upload(self) -> CsvUpload:
        """The upload box, made the first time it is shown (as are the status line and the
        column picker): most sessions never upload a file."""
        upload = CsvUpload(sizing_mode="stretch_width", css_classes=["csv-upload"])
        upload.param.watch(self._on_file, "value")
        upload.param.watch(self._on_too_large, "too_large")
        return upload

    @cached_property
    def _status(self) -> pn.pane.HTML:
        return pn.pane.HTML("", visible=False, css_classes=["upload-status"])

    @cached_property
    def _picker(self) -> ColumnPicker:
        return ColumnPicker(state=self.state)

    def _on_file(self, event: param.parameterized.Event) -> None:
        if not event.new:
            return
        name, content = next(iter(event.new.items()))
        self._upload.value = {}
        self._status.param.update(object=f"Reading {html.escape(name)}…", visible=True)

        def show(upload: Upload) -> None:
            with pn.io.hold():
                self.state.show_upload(upload, content)
                self._status.visible = False

        def failed(err: Exception) -> None:
            show(Upload.not_read(name, err))

        off_the_loop(read_upload, (content, name), show, failed)

    def _on_too_large(self, event: param.parameterized.Event) -> None:
        self.state.problem = (
            f"{event.new}: the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB, the app's "
            "limit. For larger files use the command line: partialpool fit FILE.csv"
        )

    def _show_problem(self, *_: object) -> None:
        message = self.state.problem
        self._problem.update(
            text=f"<div class='problem' role='alert'>{html.escape(message)}</div>",
            visible=bool(message),
        )

    def _on_comparison(self, event: param.parameterized.Event) -> None:
        if event.old is None or event.new.data is not event.old.data:
            self._write_note()

    def _write_note(self) -> None:
        data = self.state.data
        used = self.state.columns_used if data is self.state.uploaded else ""
        columns = f" Columns read: {html.escape(used)}." if used else ""
        self._note.text = (
            f"<div class='caption'><b>{html.escape(data.title)}</b>: {data.J} groups. "
            f"{html.escape(data.note)}{columns}</div>"
        )

    def parts(self) -> list[pn.viewable.Viewable]:
        """The selector with its texts, and the upload box's column (shown for uploads): two
        items of the sidebar's column, not a column of their own."""
        return [
            BokehPane(
                Column(
                    heading("Data"),
                    self._source,
                    self._note,
                    self._problem,
                    sizing_mode="stretch_width",
                ),
                sizing_mode="stretch_width",
            ),
            when_shown(
                lambda: [
                    self._upload,
                    self._status,
                    pn.pane.Markdown(UPLOAD_HELP, css_classes=["upload-help"]),
                    self._picker,
                ],
                self.state.param.source.rx() == "upload",
                sizing_mode="stretch_width",
            ),
        ]

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(*self.parts(), sizing_mode="stretch_width")
