"""Where the groups come from: the data selector, the CSV upload and what is known of the data."""

from __future__ import annotations

import html

import panel as pn
import param

from ..csvfile import MAX_UPLOAD_BYTES
from .column_picker import ColumnPicker
from .css import CSS
from .lazy import when_shown
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
    """The data selector, the upload box with its format help, and the current data's note.

    A refused upload shows its message next to the box; the figure keeps the last good data.
    """

    state = param.ClassSelector(class_=PoolingState)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._upload = CsvUpload(sizing_mode="stretch_width", css_classes=["csv-upload"])
        self._status = pn.pane.HTML("", visible=False, css_classes=["upload-status"])
        self._problem = pn.pane.HTML(
            "",
            visible=False,
            css_classes=["upload-problem"],
            stylesheets=[CSS],
            sizing_mode="stretch_width",
        )
        self._note = pn.pane.HTML(
            "", css_classes=["data-note"], stylesheets=[CSS], sizing_mode="stretch_width"
        )
        self._picker = ColumnPicker(state=self.state)
        self._upload.param.watch(self._on_file, "value")
        self._upload.param.watch(self._on_too_large, "too_large")
        self.state.param.watch(self._show_problem, "problem")
        self.state.param.watch(self._on_comparison, "comparison")
        self._write_note()

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
        self._problem.param.update(
            object=f"<div class='problem' role='alert'>{html.escape(message)}</div>",
            visible=bool(message),
        )

    def _on_comparison(self, event: param.parameterized.Event) -> None:
        if event.old is None or event.new.data is not event.old.data:
            self._write_note()

    def _write_note(self) -> None:
        data = self.state.data
        used = self.state.columns_used if data is self.state.uploaded else ""
        columns = f" Columns read: {html.escape(used)}." if used else ""
        self._note.object = (
            f"<div class='caption'><b>{html.escape(data.title)}</b>: {data.J} groups. "
            f"{html.escape(data.note)}{columns}</div>"
        )

    def __panel__(self) -> pn.viewable.Viewable:
        uploading = self.state.param.source.rx() == "upload"
        return pn.Column(
            "### Data",
            pn.widgets.Select.from_param(
                self.state.param.source,
                options={label: key for key, label in SOURCES.items()},
                name="",
                sizing_mode="stretch_width",
                css_classes=["data-source"],
            ),
            self._note,
            when_shown(
                lambda: [
                    self._upload,
                    self._status,
                    pn.pane.Markdown(UPLOAD_HELP, css_classes=["upload-help"]),
                ],
                uploading,
                sizing_mode="stretch_width",
            ),
            self._problem,
            self._picker,
            sizing_mode="stretch_width",
        )
