"""The column picker: shown when an upload's columns cannot be told apart by their names, it
asks what a row is and which column holds what, then reads the file again (off the server's
event loop, the button spinning meanwhile)."""

from __future__ import annotations

import panel as pn
import param

from ..columns import GROUP, LAYOUTS, ROLES, TRUTH
from .state import PoolingState

NO_TRUTH = "(none)"
ROLE_LABELS = {
    GROUP: "Group label",
    "value": "Value (one per row)",
    "estimate": "Estimate",
    "se": "Standard error",
    "variance": "Sampling variance",
    "mean": "Mean",
    "sd": "Standard deviation",
    "n": "Group size n",
    "successes": "Successes",
    "trials": "Trials",
    "count": "Count",
    "exposure": "Exposure",
    TRUTH: "Truth (optional)",
}


class ColumnPicker(pn.viewable.Viewer):
    """A layout menu and one column menu per role of it (the others hidden, never rebuilt);
    "Read with these columns" calls `PoolingState.read_with_columns`."""

    state = param.ClassSelector(class_=PoolingState)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._box = pn.Column(
            pn.Spacer(height=0, margin=0),  # until `_build`: Bokeh warns of an empty layout
            visible=False,
            sizing_mode="stretch_width",
            css_classes=["column-picker"],
        )
        self._layout: pn.widgets.Select | None = None
        self._roles: dict[str, pn.widgets.Select] = {}
        self.state.param.watch(self._offer, "column_choices")
        self._offer()

    def _build(self) -> None:
        """The menus, made the first time a file needs them (most sessions never do: fourteen
        menus cost the server about 70 ms per session)."""
        self._layout = pn.widgets.Select(
            label="Each row is",
            options={layout.rows.capitalize(): key for key, layout in LAYOUTS.items()},
            sizing_mode="stretch_width",
            css_classes=["pick-layout"],
        )
        self._roles = {
            role: pn.widgets.Select(
                label=ROLE_LABELS[role], sizing_mode="stretch_width", css_classes=[f"pick-{role}"]
            )
            for role in ROLES
        }
        self._read = pn.widgets.Button(
            label="Read with these columns",
            color="primary",
            css_classes=["pick-read"],
            loading=self.state.param.reading,
        )
        self._read.on_click(self._on_read)
        self._layout.param.watch(self._show_roles, "value")
        self._box.objects = [
            pn.pane.Markdown("**Which column holds what?**", margin=(8, 10, 0, 10)),
            self._layout,
            *self._roles.values(),
            self._read,
        ]

    def _offer(self, *_: object) -> None:
        # no hold of its own: it runs inside the upload's (nested holds lose the document lock)
        columns = list(self.state.column_choices)
        if columns and not self._roles:
            self._build()
        for role, select in self._roles.items():
            if role == TRUTH:
                select.param.update(options=[NO_TRUTH, *columns], value=NO_TRUTH)
            elif columns:
                select.options = columns
        if self._roles:
            self._show_roles()
        self._box.visible = bool(columns)

    def _show_roles(self, *_: object) -> None:
        """Show the chosen layout's menus, preset to the file's columns in order (the group
        the first column, then one column per role)."""
        columns = list(self.state.column_choices)
        roles = (GROUP, *LAYOUTS[self._layout.value].roles)
        for role, select in self._roles.items():
            select.visible = role in roles or role == TRUTH
        if columns:
            for k, role in enumerate(roles):
                self._roles[role].value = columns[min(k, len(columns) - 1)]

    def chosen(self) -> dict[str, str]:
        """The column chosen for each role of the chosen layout (truth when one is chosen)."""
        roles = (GROUP, *LAYOUTS[self._layout.value].roles)
        columns = {role: self._roles[role].value for role in roles}
        if self._roles[TRUTH].value != NO_TRUTH:
            columns[TRUTH] = self._roles[TRUTH].value
        return columns

    def _on_read(self, *_: object) -> None:
        self.state.read_with_columns(self.chosen())

    def __panel__(self) -> pn.viewable.Viewable:
        return self._box
