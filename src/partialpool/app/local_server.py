"""Serve Panel scripts on 127.0.0.1 for the browser tests and the benchmarks, and the Chromium
they drive through Playwright. Not used by the app itself."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent.parent.parent
"""The repository's root: `panel serve` runs here, so script paths are relative to it."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: Sequence[str], url: str) -> tuple[subprocess.Popen, IO[bytes]]:
    """Start `command` in the repository's root, its output in a temporary file, and wait
    until `url` answers 200 (at most 90 s): (the process, the file). The caller terminates
    the server and closes the file."""
    # A file, not a pipe: an unread pipe fills up with the server's log and stalls it.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)
    server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"{' '.join(command)} exited:\n{log.read().decode()}")
        try:
            with urllib.request.urlopen(url, timeout=30) as reply:
                if reply.status == 200:
                    return server, log
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError(f"{' '.join(command)} did not answer within 90 s")


def serve(port: int, *scripts: str, options: Sequence[str] = ()) -> subprocess.Popen:
    """Start `panel serve SCRIPTS OPTIONS` on 127.0.0.1:port in the repository's root and wait
    until the first script's page answers 200 (at most 90 s). The caller terminates the
    server."""
    command = [
        sys.executable,
        "-m",
        "panel",
        "serve",
        *scripts,
        "--address",
        "127.0.0.1",
        "--port",
        str(port),
        "--allow-websocket-origin",
        f"127.0.0.1:{port}",
        *options,
    ]
    return start(command, f"http://127.0.0.1:{port}/{Path(scripts[0]).stem}")[0]
