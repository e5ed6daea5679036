"""Large-file benchmark: `read_csv` and `partialpool fit` on a long CSV of 10^7 rows, 10^5 groups.

Run: python benchmarks/large_csv.py [--rows 10000000] [--groups 100000] [--tracemalloc-rows N]

Writes group,value rows to a temporary file (in a child process, so that this one stays small),
reads it with `partialpool.csvfile.read_csv` in a fresh process, reports that process's peak
memory (VmHWM, and ru_maxrss; on Linux the latter also counts the parent at spawn time), checks
the counts, means and pooled sigma against numpy's bincount on the generated arrays, and times
`partialpool fit FILE --format csv` end to end. Prints the figures measured in this one run;
nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

WRITE_ROWS = 1_000_000
INT_DIGITS = 3
"""Digits before the decimal point; values are drawn well inside +/-1000."""
DECIMALS = 6

CHILD = r"""
import json, resource, sys, time, tracemalloc
import numpy as np
from partialpool.csvfile import read_csv

def status_kib(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))

path, out, traced = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
after_imports = status_kib("VmRSS")
if traced:
    tracemalloc.start()
start = time.perf_counter()
data = read_csv(path)
seconds = time.perf_counter() - start
maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
hwm_kib = status_kib("VmHWM")
traced_peak = tracemalloc.get_traced_memory()[1] if traced else None
np.savez(out, labels=data.labels, y=data.y, v=data.v, n=data.n, sigma=data.sigma)
print(json.dumps({"seconds": seconds, "after_imports_kib": after_imports,
                  "maxrss_kib": maxrss_kib, "hwm_kib": hwm_kib,
                  "traced_peak": traced_peak}))
"""


def generate(rows: int, groups: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(group index 0..J-1, value in millionths) of each row; every group appears at least once."""
    rng = np.random.default_rng(seed)
    index = np.concatenate([np.arange(groups), rng.integers(0, groups, rows - groups)])
    rng.shuffle(index)
    theta = rng.normal(0.0, 0.5, groups)
    values = theta[index] + rng.standard_normal(rows)
    micro = np.rint(values * 10**DECIMALS).astype(np.int64)
    if np.abs(micro).max() >= 10 ** (INT_DIGITS + DECIMALS):
        raise SystemExit("a value does not fit the fixed number format")
    return index, micro


def _digits(x: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """ASCII digits of non-negative ints x in `width` columns, and which are not leading zeros."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    keep = x[:, None] >= powers
    keep[:, -1] = True
    return (x[:, None] // powers % 10 + ord("0")).astype(np.uint8), keep


def format_rows(index: np.ndarray, micro: np.ndarray, label_width: int) -> bytes:
    """The rows 'g<j+1>,<value>' as CSV bytes, built as a byte matrix with numpy (no Python loop).

    Each row is laid out in fixed columns, then leading zeros and the '+' sign are masked out,
    so the file reads like any other: g17,-0.123456.
    """
    rows = index.size
    label, label_keep = _digits(index + 1, label_width)
    magnitude = np.abs(micro)
    whole, whole_keep = _digits(magnitude // 10**DECIMALS, INT_DIGITS)
    fraction, _ = _digits(magnitude % 10**DECIMALS, DECIMALS)
    width = 1 + label_width + 2 + INT_DIGITS + 1 + DECIMALS + 1
    text = np.empty((rows, width), dtype=np.uint8)
    keep = np.ones((rows, width), dtype=bool)
    at = 0
    for block, block_keep in (
        (np.full((rows, 1), ord("g"), np.uint8), None),
        (label, label_keep),
        (np.full((rows, 1), ord(","), np.uint8), None),
        (np.where(micro < 0, ord("-"), ord("+")).astype(np.uint8)[:, None], micro[:, None] < 0),
        (whole, whole_keep),
        (np.full((rows, 1), ord("."), np.uint8), None),
        (fraction, None),
        (np.full((rows, 1), ord("\n"), np.uint8), None),
    ):
        text[:, at : at + block.shape[1]] = block
        if block_keep is not None:
            keep[:, at : at + block.shape[1]] = block_keep
        at += block.shape[1]
    return text[keep].tobytes()


def write_csv(path: Path, index: np.ndarray, micro: np.ndarray, groups: int) -> None:
    label_width = len(str(groups))
    with path.open("wb") as f:
        f.write(b"group,value\n")
        for start in range(0, index.size, WRITE_ROWS):
            part = slice(start, start + WRITE_ROWS)
            f.write(format_rows(index[part], micro[part], label_width))


def reference(index: np.ndarray, x: np.ndarray, groups: int) -> dict[str, np.ndarray | float]:
    """Counts, means and the pooled within-group sigma by bincount, independent of csvfile."""
    n = np.bincount(index, minlength=groups)
    mean = np.bincount(index, weights=x, minlength=groups) / n
    ss = np.bincount(index, weights=(x - mean[index]) ** 2, minlength=groups)
    return {"n": n, "mean": mean, "sigma": float(np.sqrt(ss.sum() / (index.size - groups)))}


def run_child(argv: list[str], stdout: object) -> tuple[float, int, int]:
    """Run argv; return (wall seconds, exit status, the child's ru_maxrss in bytes).

    On Linux ru_maxrss also counts the parent's resident set at the moment of the spawn, so
    this is a fair figure only because the parent stays small (the data live in another child).
    """
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=stdout)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return seconds, child.returncode, usage.ru_maxrss * 1024


def read_in_child(path: Path, workdir: Path, traced: bool) -> tuple[dict, dict]:
    out = workdir / ("traced.npz" if traced else "result.npz")
    report = workdir / "report.json"
    with report.open("w") as f:
        _, status, _ = run_child(
            [sys.executable, "-c", CHILD, str(path), str(out), "1" if traced else "0"], f
        )
    if status != 0:
        raise SystemExit(f"the reading process failed with status {status}")
    with np.load(out) as result:
        arrays = {key: result[key] for key in result.files}
    return json.loads(report.read_text()), arrays


def check(result: dict, ref: dict, groups: int) -> str:
    """Compare read_csv's result with the bincount reference; raise SystemExit on a mismatch."""
    order = np.array([int(label[1:]) for label in result["labels"]]) - 1
    problems = []
    if sorted(order.tolist()) != list(range(groups)):
        problems.append("the labels are not g1..gJ")
    if not np.array_equal(result["n"], ref["n"][order]):
        problems.append("counts differ")
    mean_error = float(np.max(np.abs(result["y"] - ref["mean"][order])))
    if not mean_error < 1e-12:
        problems.append(f"means differ by up to {mean_error:.1e}")
    sigma_error = abs(float(result["sigma"]) / ref["sigma"] - 1)
    if not sigma_error < 1e-12:
        problems.append(f"sigma differs by {sigma_error:.1e} (relative)")
    v_error = float(np.max(np.abs(result["v"] * ref["n"][order] / ref["sigma"] ** 2 - 1)))
    if not v_error < 1e-12:
        problems.append(f"v_j differs from sigma^2 / n_j by {v_error:.1e} (relative)")
    if problems:
        raise SystemExit("MISMATCH: " + "; ".join(problems))
    return (
        f"counts exact; means within {mean_error:.1e}; sigma = {float(result['sigma']):.9f} "
        f"(relative error {sigma_error:.1e}); v_j within {v_error:.1e} of sigma^2 / n_j"
    )


def console_script() -> str:
    beside = Path(sys.executable).parent / "partialpool"
    if beside.exists():
        return str(beside)
    raise SystemExit(f"no partialpool console script beside {sys.executable}")


def generate_files(workdir: Path, rows: int, groups: int, seed: int, small_rows: int) -> None:
    """Write large.csv (and small.csv, its first `small_rows` rows) and reference.npz.

    Runs in its own process: a child started from a process that once held these arrays
    would inherit its peak in ru_maxrss (Linux carries the pre-exec high-water mark over).
    """
    start = time.perf_counter()
    index, micro = generate(rows, groups, seed)
    write_csv(workdir / "large.csv", index, micro, groups)
    seconds = time.perf_counter() - start
    if small_rows:
        write_csv(workdir / "small.csv", index[:small_rows], micro[:small_rows], groups)
    ref = reference(index, micro / 10**DECIMALS, groups)
    np.savez(
        workdir / "reference.npz",
        seconds=seconds,
        small_groups=np.unique(index[:small_rows]).size,
        **ref,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--groups", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--tracemalloc-rows",
        type=int,
        default=1_000_000,
        help="rows of the separate, slower tracemalloc run (0 to skip it)",
    )
    parser.add_argument("--generate-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 2 <= args.groups <= args.rows - 1:
        raise SystemExit("need 2 <= groups < rows")
    small_rows = min(args.tracemalloc_rows, args.rows)
    if args.generate_into:
        generate_files(args.generate_into, args.rows, args.groups, args.seed, small_rows)
        return
    MB = 1e6

    with tempfile.TemporaryDirectory(prefix="partialpool-bench-") as tmp:
        workdir = Path(tmp)
        path = workdir / "large.csv"
        subprocess.run(
            [sys.executable, __file__, *sys.argv[1:], "--generate-into", str(workdir)], check=True
        )
        with np.load(workdir / "reference.npz") as saved:
            ref = {key: saved[key] for key in saved.files}
        size = path.stat().st_size
        print(
            f"file: {args.rows:,} rows, {args.groups:,} groups, {size / MB:.1f} MB "
            f"(generated and written in {float(ref['seconds']):.1f} s)"
        )

        report, result = read_in_child(path, workdir, traced=False)
        base = report["after_imports_kib"] * 1024
        hwm, maxrss = report["hwm_kib"] * 1024, report["maxrss_kib"] * 1024
        print(
            f"read_csv: {report['seconds']:.1f} s wall, {args.rows / report['seconds'] / 1e6:.2f} "
            f"M rows/s, {size / MB / report['seconds']:.1f} MB/s"
        )
        print(
            f"read_csv peak memory: {(hwm - base) / MB:.1f} MB above the {base / MB:.1f} MB "
            f"resident after imports (peak RSS {hwm / MB:.1f} MB by VmHWM, "
            f"{maxrss / MB:.1f} MB by ru_maxrss)"
        )
        print(f"correctness: {check(result, ref, args.groups)}")

        if small_rows:
            report_small, _ = read_in_child(workdir / "small.csv", workdir, traced=True)
            print(
                f"tracemalloc peak (separate run, first {small_rows:,} rows, "
                f"{int(ref['small_groups']):,} groups): {report_small['traced_peak'] / MB:.1f} MB "
                f"of Python allocations ({report_small['seconds']:.1f} s under tracemalloc)"
            )

        with open(os.devnull, "w") as devnull:
            seconds, status, fit_peak = run_child(
                [console_script(), "fit", str(path), "--format", "csv"], devnull
            )
        if status != 0:
            raise SystemExit(f"partialpool fit failed with status {status}")
        print(
            f"partialpool fit FILE --format csv > /dev/null: {seconds:.1f} s wall end to end, "
            f"peak RSS {fit_peak / MB:.1f} MB (ru_maxrss of that process)"
        )


if __name__ == "__main__":
    main()
