"""`partialpool serve [FILE]`: the app opens on the file's groups, read with the columns named,
or on its simulated groups; a link too long to read gets the page and says so."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import numpy as np
import pytest
from playwright.sync_api import expect

from partialpool import estimate_tau2, partial_pool
from partialpool.app.local_server import start as start_server
from partialpool.csvfile import parse_csv

from .conftest import Session, free_port

pytestmark = pytest.mark.browser

CLINICS = "clinic,m,s\nA,1.5,0.5\nB,3.0,0.8\nC,2.0,0.4\nD,0.5,0.6\nE,2.5,0.9\n"
COLUMNS = {"group": "clinic", "estimate": "m", "se": "s"}


def start(*arguments: str) -> tuple[str, subprocess.Popen, object]:
    """`partialpool serve ARGUMENTS` on a free port, once its page answers: (url, process,
    its log file)."""
    port = free_port()
    command = [sys.executable, "-m", "partialpool.cli", "serve", *arguments, "--port", str(port)]
    url = f"http://127.0.0.1:{port}/app"
    server, log = start_server(command, url)
    return url, server, log


def stop(server: subprocess.Popen, log: object) -> None:
    server.terminate()
    server.wait(timeout=20)
    log.close()


@pytest.fixture
def served_file(tmp_path):
    path = tmp_path / "clinics.csv"
    path.write_text(CLINICS)
    options = [f"--{role}={column}" for role, column in COLUMNS.items()]
    url, server, log = start(str(path), *options)
    yield url, server, log
    stop(server, log)


@pytest.fixture
def served_app():
    url, server, log = start("--num-procs", "1")
    yield url
    stop(server, log)


def test_serve_opens_the_app_on_the_file(browser, served_file):
    url, server, log = served_file
    assert server.poll() is None, "the server stopped"
    log.seek(0)
    assert "partialpool: columns group=clinic, estimate=m, se=s" in log.read().decode()
    session = Session(browser, url).open()
    try:
        labels = session.column("groups", "label")
        assert labels == ["A", "B", "C", "D", "E"]
        data = parse_csv(CLINICS, columns=COLUMNS)
        fit = partial_pool(data.y, data.v, estimate_tau2(data.y, data.v, "HE"))
        np.testing.assert_allclose(session.column("groups", "theta_hat"), fit.theta, rtol=1e-9)
        expect(session.page.locator(".data-note")).to_contain_text(
            "Columns read: group=clinic, estimate=m, se=s"
        )
        assert session.errors == []
        hosts = {r.split("/")[2].split(":")[0] for r in session.requests if "//" in r}
        assert hosts == {"127.0.0.1"}  # nothing leaves the host
    finally:
        session.close()


def test_a_link_of_70_kb_gets_the_page_and_a_message(browser, served_app):
    query = "?x=" + "9" * 70_000  # Tornado's default limit (64 KB) dropped the connection
    with urllib.request.urlopen(served_app + query, timeout=60) as reply:
        assert reply.status == 200
    session = Session(browser, served_app).open(query)
    try:
        expect(session.page.locator(".problem").first).to_contain_text(
            "the link is 70,002 characters long; up to 4,096 are read"
        )
        assert session.column("groups", "label")[:2] == ["group 1", "group 2"]  # simulated
        assert session.errors == []
    finally:
        session.close()
