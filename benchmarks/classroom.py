"""A class on one server: many students open the app at once, drag tau, press Fit and switch
the data once; errors, latencies and the server's CPU per student, in one run.

Run: python benchmarks/classroom.py [--students 60] [--arrival 0.1] [--num-procs 1]
                                   [--panel-threads 0]

Serves the app with `partialpool serve --num-procs N` on 127.0.0.1 (with `--panel-threads M`,
`panel serve app.py --num-procs N --num-threads M` instead: Panel's threads, which the app
does not support, lose updates under load). Each
student is a client that does over HTTP and Bokeh's websocket protocol what the browser does
(so that the server gets the same requests and sends the same patches, without 60 Chromium
tabs rendering on the server's two cores: measured, those tabs did not finish loading in 120
s while the server was idle most of the time): it fetches the page, connects with the page's
session token, pulls the document and reports it ready, which makes the server send the
deferred part (the sidebar and the tabs); then it
drags tau (ten slider steps, then the release), presses "Fit tau from data" (timed from the
click until the server has moved the slider) and chooses the eight schools (timed from the
choice until the server has sent the figure's 8 rows). A student arrives every `--arrival`
seconds, and every student stays connected until all are done, so that the server holds all
the sessions at once. An error is an ERROR message from the server, a closed connection or a
step that took longer than 120 s. The server's CPU time is that of its process tree (its
worker processes included), from /proc, over the whole run.

Prints the figures of this one run; nothing is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable

import numpy as np
from tornado.httpclient import AsyncHTTPClient
from tornado.websocket import websocket_connect

from partialpool.app.local_server import free_port, start

STEP_TIMEOUT_S = 120.0
TICKS = os.sysconf("SC_CLK_TCK")
TOKEN = re.compile(r'"token":"([^"]+)"')
BUTTON, SELECT = "Button", "Select"  # Bokeh's own (app/bokeh_widgets.py)
Content = dict


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of `pid` and of every live process descended from it."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / TICKS
    tree, grown = {pid}, True
    while grown:
        more = {p for p, parent in parents.items() if parent in tree} - tree
        tree |= more
        grown = bool(more)
    return sum(times.get(p, 0.0) for p in tree)


def start_server(port: int, num_procs: int, panel_threads: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "partialpool.cli", "serve", "--port", str(port)]
    if panel_threads:
        command = [sys.executable, "-m", "panel", "serve", "app.py", "--port", str(port)]
        command += ["--allow-websocket-origin", f"127.0.0.1:{port}"]
        command += ["--num-threads", str(panel_threads)]
    command += ["--num-procs", str(num_procs)]
    return start(command, f"http://127.0.0.1:{port}/app")[0]


def entries(value: object) -> dict:
    """A serialized Bokeh map as a dict."""
    if isinstance(value, dict) and value.get("type") == "map":
        return dict(value.get("entries", []))
    return value if isinstance(value, dict) else {}


def length(column: object) -> int | None:
    """The length of a serialized column (a list or an ndarray)."""
    if isinstance(column, list):
        return len(column)
    if isinstance(column, dict) and "shape" in column:
        return int(column["shape"][0])
    return None


class Student:
    """One page of the app, as the browser speaks to the server."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.models: dict[str, tuple[str, dict]] = {}  # id -> (model type, attributes)
        self.waiting: list[tuple[Callable[[str, Content], bool], asyncio.Future]] = []
        self.errors: list[str] = []

    async def open(self) -> None:
        """Fetch the page, connect, pull the document and report it ready; return once the
        server has sent the deferred part (the Fit button and the data menu)."""
        page = await AsyncHTTPClient().fetch(self.url, request_timeout=STEP_TIMEOUT_S)
        token = TOKEN.search(page.body.decode()).group(1)
        self.ws = await websocket_connect(
            self.url.replace("http://", "ws://") + "/ws",
            subprotocols=["bokeh", token],
            max_message_size=2**30,
        )
        self.reader = asyncio.ensure_future(self.read())
        await self.wait(lambda kind, _: kind == "ACK")
        await self.send("PULL-DOC-REQ", {})
        await self.wait(lambda kind, _: kind == "PULL-DOC-REPLY")
        await self.event("document_ready", [])
        await self.wait(lambda *_: self.find(SELECT, "data-source") is not None)
        await self.wait(lambda *_: self.find(BUTTON, "Fit tau from data") is not None)

    async def send(self, kind: str, content: Content) -> None:
        for part in ({"msgid": uuid.uuid4().hex, "msgtype": kind}, {}, content):
            await self.ws.write_message(json.dumps(part))

    async def event(self, name: str, values: list) -> None:
        data = {"type": "event", "name": name, "values": {"type": "map", "entries": values}}
        message = {"kind": "MessageSent", "msg_type": "bokeh_event", "msg_data": data}
        await self.send("PATCH-DOC", {"events": [message]})

    async def change(self, model: str, attr: str, value: object) -> None:
        change = {"kind": "ModelChanged", "model": {"id": model}, "attr": attr, "new": value}
        await self.send("PATCH-DOC", {"events": [change]})

    def index(self, obj: object) -> None:
        if isinstance(obj, dict):
            if obj.get("type") == "object" and "id" in obj:
                self.models[obj["id"]] = (obj.get("name", ""), obj.get("attributes", {}))
            for value in obj.values():
                self.index(value)
        elif isinstance(obj, list):
            for value in obj:
                self.index(value)

    async def read(self) -> None:
        while True:
            header = await self.ws.read_message()
            if header is None:
                self.errors.append("the server closed the connection")
                return
            header = json.loads(header)
            await self.ws.read_message()  # metadata
            content = json.loads(await self.ws.read_message())
            for _ in range(2 * header.get("num_buffers", 0)):  # each: its header, its bytes
                await self.ws.read_message()
            kind = header["msgtype"]
            self.index(content)
            for event in content.get("events", []) if kind == "PATCH-DOC" else []:
                model = self.models.get(event.get("model", {}).get("id", ""))
                if event.get("kind") == "ModelChanged" and model is not None:
                    model[1][event["attr"]] = event["new"]
            if kind == "ERROR":
                self.errors.append(f"ERROR from the server: {str(content)[:100]}")
            for test, future in self.waiting:
                if not future.done() and test(kind, content):
                    future.set_result(None)

    async def wait(self, test: Callable[[str, Content], bool]) -> None:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((test, future))
        if test("", {}):
            future.set_result(None)
        await asyncio.wait_for(future, STEP_TIMEOUT_S)

    def find(self, kind: str, text: str) -> str | None:
        """The id of the first model of this type whose attributes mention `text`."""
        for model, (name, attributes) in self.models.items():
            if name == kind and text in json.dumps(attributes, default=str):
                return model
        return None

    def changed(self, model: str, test: Callable[[dict], bool]) -> Callable[[str, Content], bool]:
        """A test for a patch from the server that changes `model` and passes `test`."""

        def check(kind: str, content: Content) -> bool:
            return kind == "PATCH-DOC" and any(
                event.get("model", {}).get("id") == model and test(event)
                for event in content["events"]
            )

        return check

    async def lesson(self, results: dict[str, list]) -> None:
        start = time.perf_counter()
        await self.open()
        results["open"].append(time.perf_counter() - start)

        slider = self.find("Slider", '"title": "tau:')
        tau = self.models[slider][1]
        value, step = tau["value"], tau["step"]
        for k in range(1, 11):
            await self.change(slider, "value", value + k * step)
            await asyncio.sleep(0.016)
        await self.change(slider, "value_throttled", value + 10 * step)

        fit = self.find(BUTTON, "Fit tau from data")
        moved = self.changed(slider, lambda event: event.get("attr") == "value")
        start = time.perf_counter()
        await self.event("button_click", [["model", {"id": fit}]])
        await self.wait(moved)
        results["fit"].append(time.perf_counter() - start)

        groups = self.find("ColumnDataSource", '"name": "groups"')
        eight = self.changed(groups, lambda e: length(entries(e.get("data")).get("label")) == 8)
        start = time.perf_counter()
        await self.change(self.find(SELECT, "data-source"), "value", "eight_schools")
        await self.wait(eight)
        results["switch"].append(time.perf_counter() - start)


async def student(
    url: str,
    delay: float,
    done: asyncio.Event,
    waiting: list[int],
    results: dict[str, list],
    errors: list[str],
) -> None:
    await asyncio.sleep(delay)
    one = Student(url)
    try:
        await one.lesson(results)
    except Exception as err:  # a timeout or a broken session: counted, the class goes on
        errors.append(f"{type(err).__name__}: {str(err)[:100]}")
    waiting[0] -= 1
    if waiting[0] == 0:
        done.set()
    await done.wait()
    errors += one.errors
    if hasattr(one, "ws"):
        one.ws.close()


async def classroom(
    url: str, students: int, arrival: float
) -> tuple[dict[str, list], list[str], float]:
    results: dict[str, list] = {"open": [], "fit": [], "switch": []}
    errors: list[str] = []
    done, waiting = asyncio.Event(), [students]
    start = time.perf_counter()
    await asyncio.gather(
        *(student(url, k * arrival, done, waiting, results, errors) for k in range(students))
    )
    return results, errors, time.perf_counter() - start


def summary(seconds: list[float]) -> str:
    if not seconds:
        return "none finished"
    p95 = float(np.percentile(seconds, 95))
    return f"median {statistics.median(seconds):.2f} s, p95 {p95:.2f} s, n = {len(seconds)}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--arrival", type=float, default=0.1)
    parser.add_argument("--num-procs", type=int, default=1)
    parser.add_argument("--panel-threads", type=int, default=0)
    args = parser.parse_args()
    port = free_port()
    server = start_server(port, args.num_procs, args.panel_threads)
    try:
        time.sleep(3.0)  # the worker processes start
        cpu = tree_cpu_seconds(server.pid)
        url = f"http://127.0.0.1:{port}/app"
        results, errors, wall = asyncio.run(classroom(url, args.students, args.arrival))
        time.sleep(2.0)
        cpu = tree_cpu_seconds(server.pid) - cpu
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"{args.students} students arriving every {args.arrival} s, --num-procs "
        f"{args.num_procs}, threads {args.panel_threads}: all done in {wall:.0f} s"
    )
    print(f"   errors: {len(errors)}")
    for error, count in Counter(errors).most_common(10):
        print(f"      {count} x {error}")
    print(f"   open until whole: {summary(results['open'])}")
    print(f"   Fit (click until the server moved the slider): {summary(results['fit'])}")
    print(f"   data switch (choice until the server sent 8 rows): {summary(results['switch'])}")
    print(f"   server CPU: {cpu:.1f} s, {cpu / args.students:.2f} s per student")


if __name__ == "__main__":
    main()
