"""`read_data` on big CSV files against DuckDB's own GROUP BY on the same file, in one run.

Run: python benchmarks/read_data.py [--rows 10000000] [--groups 100000] [--peak-rows 100000000]
         [--strict]

Writes a file of `group,value` rows with DuckDB, then times, each in a fresh process (time
measured after imports): DuckDB's own `SELECT group, count(*), avg(value), var_samp(value) ...
GROUP BY group` on the file, `partialpool.read_data` on it (the ratio is the figure of merit;
the goal is <= 3), and with --strict the pure-Python reader `csvfile.read_csv` (the reader before
DuckDB). It checks that read_data's counts, means and pooled sigma agree with DuckDB's own
aggregates, then reads a file of --peak-rows rows and reports that process's peak resident
memory (VmHWM). Prints the figures of this one run; nothing is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WRITE = """
import duckdb, sys
duckdb.execute("SET enable_progress_bar = false")
rows, groups, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
duckdb.sql(f'''COPY (SELECT 'g' || j AS "group",
                      round(((i * 104729) % 1000003) / 1000.0 - 500 + j / 1000.0, 4) AS value
                    FROM (SELECT i, (i * 7919) % {groups} AS j FROM range({rows}) t(i)))
                 TO '{path}' (HEADER, DELIMITER ',')''')
"""

CHILD = """
import json, sys, time
import numpy as np
how, path = sys.argv[1], sys.argv[2]

def hwm():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) * 1024

if how == "duckdb":
    import duckdb
    start = time.perf_counter()
    table = duckdb.sql(
        f"SELECT \\"group\\", count(*) AS n, avg(value) AS mean, var_samp(value) AS var "
        f"FROM read_csv('{path}') GROUP BY \\"group\\""
    ).fetchnumpy()
    seconds = time.perf_counter() - start
    n, mean, var = table["n"], table["mean"], table["var"]
    order = np.argsort(table["group"])
    sigma2 = float(np.nansum(var * (n - 1)) / (n.sum() - n.size))
    result = {"labels": table["group"][order].tolist(), "n": n[order].tolist(),
              "mean": mean[order].tolist(), "sigma": sigma2 ** 0.5}
else:
    import duckdb  # imported before the clock starts, as in the DuckDB run
    from partialpool.csvfile import read_csv
    from partialpool.files import read_data
    start = time.perf_counter()
    data = (read_data if how == "read_data" else read_csv)(path)
    seconds = time.perf_counter() - start
    order = np.argsort(data.labels)
    result = {"labels": data.labels[order].tolist(), "n": data.n[order].tolist(),
              "mean": data.y[order].tolist(), "sigma": data.sigma}
print(json.dumps({"seconds": seconds, "hwm": hwm(), **result}))
"""


def child(how: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, how, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def write(path: Path, rows: int, groups: int) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", WRITE, str(rows), str(groups), str(path)], check=True)
    return time.perf_counter() - start


def agree(ours: dict, duck: dict) -> str:
    import numpy as np

    if ours["labels"] != duck["labels"] or ours["n"] != duck["n"]:
        raise SystemExit("MISMATCH: labels or counts differ from DuckDB's GROUP BY")
    mean = float(np.max(np.abs(np.array(ours["mean"]) - duck["mean"])))
    sigma = abs(ours["sigma"] / duck["sigma"] - 1)
    if not (mean < 1e-9 and sigma < 1e-9):
        raise SystemExit(f"MISMATCH: means differ by {mean:.1e}, sigma by {sigma:.1e}")
    return f"counts exact, means within {mean:.1e}, sigma within {sigma:.1e} (relative)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--groups", type=int, default=100_000)
    parser.add_argument("--peak-rows", type=int, default=100_000_000)
    parser.add_argument("--strict", action="store_true", help="also time the pure-Python reader")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        seconds = write(path, args.rows, args.groups)
        size = path.stat().st_size / 2**20
        print(f"{args.rows:,} rows in {args.groups:,} groups: {size:.0f} MB ({seconds:.1f} s)")
        duck = child("duckdb", path)
        ours = child("read_data", path)
        print(f"DuckDB's own GROUP BY: {duck['seconds']:.2f} s")
        print(f"read_data:             {ours['seconds']:.2f} s")
        print(f"ratio read_data / DuckDB GROUP BY: {ours['seconds'] / duck['seconds']:.2f}")
        print(f"agreement: {agree(ours, duck)}")
        if args.strict:
            strict = child("read_csv", path)
            print(
                f"pure-Python read_csv:  {strict['seconds']:.2f} s "
                f"({strict['seconds'] / duck['seconds']:.1f}x DuckDB's GROUP BY)"
            )
        if args.peak_rows:
            path.unlink()
            seconds = write(path, args.peak_rows, args.groups)
            size = path.stat().st_size / 2**30
            big = child("read_data", path)
            print(
                f"{args.peak_rows:,} rows ({size:.1f} GB, written in {seconds:.0f} s): read_data "
                f"{big['seconds']:.1f} s, peak resident memory {big['hwm'] / 2**20:.0f} MB"
            )


if __name__ == "__main__":
    main()
