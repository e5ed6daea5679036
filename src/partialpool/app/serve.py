"""Serve the app on one data set: what `partialpool serve FILE` runs."""

from __future__ import annotations

import panel as pn

from ..groupdata import GroupData
from .page import configure, template
from .state import PoolingState, check_drawable


def session_page(data: GroupData, columns_used: str = "") -> pn.template.BootstrapTemplate:
    """One session's page, showing `data` (read once, shared read-only by every session)."""
    configure()
    state = PoolingState()
    state.use(data, columns_used)
    return template(state)


def serve(data: GroupData, columns_used: str, address: str, port: int, show: bool) -> None:
    """Serve the app on `data` at http://address:port/app until interrupted; first a
    DataError when the app cannot draw them (`state.check_drawable`)."""
    check_drawable(data)
    pn.serve(
        {"app": lambda: session_page(data, columns_used)},
        address=address,
        port=port,
        websocket_origin=[f"{address}:{port}", f"localhost:{port}"],
        show=show,
        title="partialpool",
        print_url=True,
    )
