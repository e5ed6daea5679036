"""Serve the app, on its simulated groups or on one data set: what `partialpool serve` runs."""

from __future__ import annotations

from collections.abc import Sequence

import panel as pn

from ..groupdata import GroupData
from .page import configure, serve_page, template
from .state import PoolingState, check_drawable

MAX_HEADER_BYTES = 4 * 2**20
"""The longest request head the server reads. Tornado's default, 64 KB, drops the connection
of a longer link without a word; Chromium sends links up to 2 MB, and the page then says that
it did not read a link that long (`link.MAX_LINK`)."""

UNUSED_SESSION_MS = 60_000
"""How long a session waits for its page to connect (Bokeh's default: 15 s). On a server busy
opening a class's pages the scripts can take longer to arrive; a session that expired first
is built a second time when the page connects."""


def session_page(data: GroupData | None = None, columns_used: str = "") -> None:
    """Serve one session's page, showing `data` (read once, shared read-only by every
    session), or the app's simulated groups."""
    configure()
    state = PoolingState()
    if data is not None:
        state.use(data, columns_used)
    serve_page(template(state))


def serve(
    data: GroupData | None,
    columns_used: str,
    address: str,
    port: int,
    show: bool = False,
    num_procs: int = 1,
    origins: Sequence[str] = (),
) -> None:
    """Serve the app on `data` (None: the simulated groups) at http://address:port/app until
    interrupted, in `num_procs` processes (0: one per core), to pages from address:port,
    localhost:port and `origins` (host or host:port); first a DataError when the app cannot
    draw the data (`state.check_drawable`).

    The sessions' callbacks run on each process's event loop, never in threads: the views
    update their Bokeh sources directly, which Panel's threads (`--num-threads`) would do
    without the document's lock (benchmarks/classroom.py: lost updates under load)."""
    if data is not None:
        check_drawable(data)
    pn.serve(
        {"app": lambda: session_page(data, columns_used)},
        address=address,
        port=port,
        websocket_origin=[f"{address}:{port}", f"localhost:{port}", *origins],
        show=show,
        title="partialpool",
        print_url=True,
        num_procs=num_procs,
        http_server_kwargs={"max_header_size": MAX_HEADER_BYTES},
        unused_session_lifetime_milliseconds=UNUSED_SESSION_MS,
    )
