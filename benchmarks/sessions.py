"""Server CPU per session open, the app against a bare one-figure Panel page, in one run.

Run: python benchmarks/sessions.py [--sessions 20] [--cycles 200]

Serves `app.py` and `benchmarks/bare_page.py` from one `panel serve` process on 127.0.0.1 and
opens each in a new Chromium tab, alternating the two, until the page is whole (for the app:
its deferred part, the sidebar and the tabs, has arrived; the results table is built
only when scrolled to); the server's CPU time (all its threads, in nanoseconds) before and after,
the tab closed and the server idle again, gives its CPU per open. Goal: app / bare <= 3.
Then `--cycles` opens and closes of the app, reporting the server's resident memory after the
first 20 and at the end (goal: within 20 MB).

Prints the figures of this one run; nothing is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import time

from playwright.sync_api import sync_playwright

from partialpool.app.local_server import CHROMIUM, CHROMIUM_FLAGS, free_port, serve

WHOLE = {
    "app": ".views",
    "bare_page": ".bk-Canvas",
}
"""What shows that a page is whole."""


def cpu_seconds(pid: int) -> float:
    """The process's CPU time in seconds, all its threads (ended ones too), read in nanoseconds
    from Linux's CPU-time clock of the process (`(~pid << 3) | 2`, what clock_getcpuclockid
    returns); /proc/PID/stat counts in clock ticks of 10 ms, too coarse for a page's 60 to
    250 ms."""
    return time.clock_gettime((~pid << 3) | 2)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def open_once(browser, url: str, pid: int) -> float:
    """Server CPU seconds of opening one page in a new tab until it is whole, and closing it."""
    cpu = cpu_seconds(pid)
    page = browser.new_page()
    page.goto(url)
    page.wait_for_selector(WHOLE[url.rsplit("/", 1)[1]], state="attached", timeout=60_000)
    page.close()
    time.sleep(0.3)  # the server's share of the close, then idle
    return cpu_seconds(pid) - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--cycles", type=int, default=200)
    args = parser.parse_args()
    port = free_port()
    server = serve(port, "app.py", "benchmarks/bare_page.py")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            measure(browser, f"http://127.0.0.1:{port}", server.pid, args)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


def measure(browser, base: str, pid: int, args: argparse.Namespace) -> None:
    cpu: dict[str, list[float]] = {"app": [], "bare_page": []}
    for name in cpu:
        open_once(browser, f"{base}/{name}", pid)  # warm: imports, first compile
    for _ in range(args.sessions):
        for name in cpu:
            cpu[name].append(open_once(browser, f"{base}/{name}", pid))
    app, bare = (statistics.median(cpu[k]) for k in ("app", "bare_page"))
    print(f"server CPU per session open, median of {args.sessions}:")
    print(f"  app {app * 1000:.0f} ms, bare one-figure page {bare * 1000:.0f} ms")
    print(f"  ratio app / bare: {app / bare:.1f}")
    if args.cycles:
        level = []
        for k in range(args.cycles):
            open_once(browser, f"{base}/app", pid)
            if k + 1 in (20, args.cycles):
                level.append(rss_mb(pid))
        print(
            f"server resident memory after 20 app sessions opened and closed: "
            f"{level[0]:.0f} MB; after {args.cycles}: {level[-1]:.0f} MB "
            f"({level[-1] - level[0]:+.0f} MB)"
        )


if __name__ == "__main__":
    main()
