"""The views beside the slider, linked so that the page moves them by itself (`live_tau`)."""

from __future__ import annotations

from dataclasses import dataclass

from .figure import ShrinkageFigure
from .live_tau import LiveTau
from .score_table import MSETable
from .state import PoolingState
from .tau_controls import TauControls


@dataclass(frozen=True, eq=False)
class MainViews:
    """The tau controls, Figure 1 and the MSE table of one session, and their tau rows."""

    controls: TauControls
    figure: ShrinkageFigure
    mse_table: MSETable
    live: LiveTau


def main_views(state: PoolingState) -> MainViews:
    """Build the three views on `state` and link them to the slider's rows."""
    controls = TauControls(state=state)
    figure = ShrinkageFigure(state=state)
    mse_table = MSETable(state=state)
    live = LiveTau(
        state=state,
        slider=controls.slider,
        groups=figure.groups,
        readout=(controls.readout, controls.readout_rows),
        mse=(mse_table.pane, mse_table.rows),
    )
    return MainViews(controls, figure, mse_table, live)
