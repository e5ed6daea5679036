"""An upload's cost to the server and to everyone else on it, before and after, in one run.

Run: python benchmarks/upload.py

1. A 13 MB file of 10^6 groups (one row each, `group,value`): refused after a full parse and
   then the group limit (before: `parse_csv` then `check_drawable`), against refused at the
   line that starts group 1001 (after: `read_upload`, `parse_csv(max_groups=...)`).
2. A "victim" on the server's event loop while a large valid upload (10^6 rows in 1000 groups)
   is read: a callback due every 10 ms records how late it runs, with the file read on the
   loop (before: the app's upload ran on the loop's next tick) and in the app's reader
   processes (after: `data_source.read_off_the_loop`; a reader thread, tried first, still held
   the interpreter lock for up to 255 ms at a time).

Prints the figures of this one run; nothing is asserted by the test suite.
"""

from __future__ import annotations

import contextlib
import time

import numpy as np
from timing import victim_lateness

from partialpool.app.state import check_drawable, read_upload
from partialpool.app.workers import submit
from partialpool.csvfile import CSVError, parse_csv


def many_groups(rows: int = 1_000_000) -> bytes:
    return ("group,value\n" + "".join(f"g{j},{j % 97}.25\n" for j in range(rows))).encode()


def valid(rows: int = 1_000_000, groups: int = 1000) -> bytes:
    rng = np.random.default_rng(1)
    x = rng.normal(size=rows).round(4)
    return ("group,value\n" + "".join(f"g{i % groups},{v}\n" for i, v in enumerate(x))).encode()


def refuse_before(content: bytes) -> float:
    start = time.perf_counter()
    with contextlib.suppress(CSVError):
        check_drawable(parse_csv(content, title="many.csv"))
    return time.perf_counter() - start


def refuse_after(content: bytes) -> float:
    start = time.perf_counter()
    upload = read_upload(content, "many.csv")
    assert upload.data is None and "group 1001 starts here" in upload.problem
    return time.perf_counter() - start


def main() -> None:
    content = many_groups()
    print(f"1. {len(content) / 2**20:.1f} MB, 10^6 groups:")
    before, after = refuse_before(content), refuse_after(content)
    print(f"   refused after the full parse: {before:.2f} s; at group 1001: {after * 1000:.1f} ms")
    print(f"   ratio before / after: {before / after:.0f}")
    content = valid()
    print(f"2. a valid upload of {len(content) / 2**20:.1f} MB (10^6 rows, 1000 groups):")
    submit(read_upload, b"", "warm.csv").result()  # the processes start once per server
    for off, name in ((False, "on the event loop"), (True, "in a worker process")):
        took, worst, p95 = victim_lateness(read_upload, (content, "big.csv"), off)
        print(
            f"   read {name}: {took:.2f} s; a 10 ms callback ran late by at most "
            f"{worst:.0f} ms (p95 {p95:.1f} ms)"
        )


if __name__ == "__main__":
    main()
