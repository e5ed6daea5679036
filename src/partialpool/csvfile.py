"""Read grouped data from a CSV file, strictly, in chunks of rows so that memory stays bounded.

Two layouts, told apart by the header (column names are case-insensitive, in any order):

- long, one row per observation: ``group,value``. v_j = s^2 / n_j, where s^2 is the pooled
  within-group variance sum_j sum_i (y_ij - ybar_j)^2 / (N - J), the model's common sigma^2.
- summary, one row per group: ``group,estimate,se`` (v_j = se_j^2) or ``group,mean,sd,n``
  (v_j = sd_j^2 / n_j).
- counts, one row per group: ``group,successes,trials`` (binomial) or ``group,count,exposure``
  (Poisson); y_j is the rate and v_j its variance at the pooled rate (`groupdata.from_counts`).

Any of them may add a ``truth`` column (the true or held-out theta_j; in long files the same on
every row of a group), which enables the MSE. Every problem raises `CSVError`, a ValueError whose
message says what is wrong and on which line of the file (line 1 is the header).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import numpy as np

from ._validation import check_range
from .groupdata import GroupData, from_counts

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""The largest file the app accepts (20 MB); the command line reads files of any size."""

MAX_LABEL_LENGTH = 100
MAX_ABS_VALUE = 1e100
"""Raw observations (long layout) beyond this in absolute value are refused: their squares
would overflow. Summary layouts accept any finite number and then the core's range
(`_validation.check_range`), with its message."""

MIN_GROUPS = 2
CHUNK_ROWS = 65_536
"""Rows parsed at a time. Memory is this many rows of text plus a few numbers per group."""

LAYOUTS = {
    "long": ("group", "value"),
    "estimate_se": ("group", "estimate", "se"),
    "mean_sd_n": ("group", "mean", "sd", "n"),
    "successes_trials": ("group", "successes", "trials"),
    "count_exposure": ("group", "count", "exposure"),
}
COUNT_LAYOUTS = {"successes_trials": "binomial", "count_exposure": "poisson"}
"""Layouts of counts -> the kind of counts (`groupdata.Counts.kind`)."""
TRUTH = "truth"
FORMAT_HELP = (
    "Use group,value (one row per observation) or group,estimate,se or group,mean,sd,n or "
    "group,successes,trials or group,count,exposure (one row per group), each optionally "
    "with a truth column."
)


class CSVError(ValueError):
    """A CSV file that cannot be read as grouped data. The message says why and on which line."""


def read_csv(path: str | os.PathLike[str], *, keep_values: bool = False) -> GroupData:
    """Read grouped data from the CSV file at `path`, streaming it in chunks of `CHUNK_ROWS`.

    `keep_values=False` (the default) keeps only per-group counts, means and sums of squares, so
    memory is bounded by the chunk and the number of groups, whatever the number of rows.
    Raises CSVError for anything that is not a valid file of one of the layouts.
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return _read(stream, path.name, keep_values)
    except UnicodeDecodeError as err:
        raise CSVError(_not_utf8(err)) from None
    except OSError as err:
        raise CSVError(f"cannot read {path}: {err.strerror or err}") from None


def parse_csv(
    content: bytes | str,
    *,
    title: str = "Uploaded data",
    max_bytes: int | None = MAX_UPLOAD_BYTES,
    keep_values: bool = True,
) -> GroupData:
    """Parse the text of a CSV file (bytes must be UTF-8; a byte-order mark is allowed).

    Files longer than `max_bytes` are refused before parsing. Raises CSVError with a message
    fit to show to the person who uploaded the file.
    """
    size = len(content.encode() if isinstance(content, str) else content)
    if max_bytes is not None and size > max_bytes:
        raise CSVError(
            f"the file is {size / 2**20:.1f} MB; the app reads files up to "
            f"{max_bytes / 2**20:.0f} MB. For larger files use the command line: "
            "partialpool fit FILE.csv"
        )
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise CSVError(_not_utf8(err)) from None
    return _read(io.StringIO(content, newline=""), title, keep_values)


def _not_utf8(err: UnicodeDecodeError) -> str:
    byte = err.object[err.start : err.start + 1].hex()
    return (
        f"the file is not UTF-8 text (byte 0x{byte} at offset {err.start}); "
        "save it as 'CSV UTF-8' and try again"
    )


def _shown(text: str, limit: int = 40) -> str:
    text = text.strip()
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _read(stream: TextIO, title: str, keep_values: bool) -> GroupData:
    reader = csv.reader(stream, strict=True)
    try:
        header = _header(reader)
        layout, columns = _layout(header)
        rows = _chunks(reader, columns)
        if layout == "long":
            data = _read_long(rows, columns, title, keep_values)
        else:
            data = _read_summary(rows, columns, layout, title)
    except csv.Error as err:
        raise CSVError(f"line {reader.line_num}: the CSV is malformed ({err})") from None
    _check_estimable(data)
    return data


def _check_estimable(data: GroupData) -> None:
    """Refuse data outside the range the core accepts, with the core's own message (groups
    are numbered from 0 in the order they first appear in the file)."""
    try:
        check_range(data.y, data.v)
    except ValueError as err:
        j = next((int(i) for i in re.findall(r"\[(\d+)\]", str(err))), 0)
        raise CSVError(f"group {_shown(str(data.labels[j]))}: {err}") from None


def _header(reader: Iterator[list[str]]) -> list[str]:
    for fields in reader:
        if any(f.strip() for f in fields):
            return [f.strip().lower() for f in fields]
    raise CSVError("the file is empty")


def _layout(header: list[str]) -> tuple[str, list[str]]:
    shown = ",".join(header)
    shown = shown if len(shown) <= 80 else shown[:80] + "…"
    if len(set(header)) != len(header):
        raise CSVError(f"the header repeats a column name: {shown}")
    names = set(header) - {TRUTH}
    for layout, required in LAYOUTS.items():
        if names == set(required):
            return layout, header
    raise CSVError(f"the header {shown!r} is not a known layout. {FORMAT_HELP}")


def _chunks(
    reader: csv.Reader, columns: list[str]
) -> Iterator[tuple[list[int], dict[str, list[str]]]]:
    """Yield (line numbers, {column: strings}) for up to CHUNK_ROWS non-blank rows at a time."""
    width = len(columns)
    lines: list[int] = []
    rows: list[list[str]] = []
    for fields in reader:
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != width:
            raise CSVError(
                f"line {reader.line_num}: expected {width} fields ({','.join(columns)}), "
                f"found {len(fields)}"
            )
        lines.append(reader.line_num)
        rows.append(fields)
        if len(rows) == CHUNK_ROWS:
            yield lines, dict(zip(columns, zip(*rows, strict=True), strict=True))
            lines, rows = [], []
    if rows:
        yield lines, dict(zip(columns, zip(*rows, strict=True), strict=True))


def _numbers(
    strings: tuple[str, ...], lines: list[int], column: str, limit: float = math.inf
) -> np.ndarray:
    """The column as floats; a CSVError names the first line that is not a finite number, or
    one beyond `limit` in absolute value."""
    try:
        x = np.array(strings, dtype=float)
    except ValueError:
        for text, line in zip(strings, lines, strict=True):
            if not text.strip():
                raise CSVError(f"line {line}: {column} is empty") from None
            try:
                float(text)
            except ValueError:
                raise CSVError(f"line {line}: {column} {_shown(text)} is not a number") from None
        x = np.array([float(s) for s in strings])
    bad = ~(np.abs(x) <= limit) | ~np.isfinite(x)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        rule = "finite" if not np.isfinite(x[i]) else f"at most {limit:g} in size"
        raise CSVError(f"line {lines[i]}: {column} is {_shown(strings[i])}; it must be {rule}")
    return x


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _check_labels(new: list[str], labels: list[str], lines: list[int]) -> None:
    """Refuse empty, overlong or control-character labels, naming the first line with one."""
    for label in new:
        if not label or len(label) > MAX_LABEL_LENGTH or _CONTROL.search(label):
            line = lines[labels.index(label)]
            if not label:
                raise CSVError(f"line {line}: the group label is empty")
            if len(label) > MAX_LABEL_LENGTH:
                raise CSVError(
                    f"line {line}: the group label is longer than {MAX_LABEL_LENGTH} characters"
                )
            raise CSVError(f"line {line}: the group label contains a control character")


def _positive(x: np.ndarray, lines: list[int], column: str, strings: tuple[str, ...]) -> None:
    bad = ~(x > 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CSVError(f"line {lines[i]}: {column} must be > 0; got {_shown(strings[i])}")


def _whole(
    x: np.ndarray, lines: list[int], column: str, low: int, strings: tuple[str, ...]
) -> None:
    bad = (x < low) | (x != np.round(x))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CSVError(
            f"line {lines[i]}: {column} must be a whole number >= {low}; got {_shown(strings[i])}"
        )


def _counts(
    table: dict[str, tuple[str, ...]], lines: list[int], counts: str, size: str
) -> tuple[np.ndarray, np.ndarray]:
    """The counts and the trials or exposure of a chunk, each line checked: counts whole and
    >= 0; trials whole, >= 1 and at least the successes; an exposure > 0."""
    y = _numbers(table[counts], lines, counts)
    n = _numbers(table[size], lines, size)
    _whole(y, lines, counts, 0, table[counts])
    if size == "trials":
        _whole(n, lines, size, 1, table[size])
        over = y > n
        if over.any():
            i = int(np.flatnonzero(over)[0])
            raise CSVError(
                f"line {lines[i]}: successes {_shown(table[counts][i])} exceed trials "
                f"{_shown(table[size][i])}"
            )
    else:
        _positive(n, lines, size, table[size])
    return y, n


def _check_groups(labels: list[str]) -> None:
    if not labels:
        raise CSVError("the file has a header but no data rows")
    if len(labels) < MIN_GROUPS:
        raise CSVError(
            f"the file has one group ({_shown(labels[0])}); partial pooling needs at least "
            f"{MIN_GROUPS} groups"
        )


class _Moments:
    """Per-group count, mean and sum of squared deviations, merged chunk by chunk.

    Chan, Golub and LeVeque (1983): for parts a and b with delta = mean_b - mean_a,
    mean = mean_a + delta n_b / n and M2 = M2_a + M2_b + delta^2 n_a n_b / n.
    """

    def __init__(self) -> None:
        self.n = np.zeros(0)
        self.mean = np.zeros(0)
        self.m2 = np.zeros(0)
        self.truth = np.zeros(0)

    def add(self, index: np.ndarray, x: np.ndarray, J: int) -> None:
        if self.n.size < J:
            grow = max(J, 2 * self.n.size) - self.n.size
            self.n, self.mean, self.m2 = (
                np.append(a, np.zeros(grow)) for a in (self.n, self.mean, self.m2)
            )
            self.truth = np.append(self.truth, np.full(grow, np.nan))
        size = self.n.size
        n_b = np.bincount(index, minlength=size).astype(float)
        present = n_b > 0
        mean_b = np.divide(
            np.bincount(index, weights=x, minlength=size), n_b, out=np.zeros(size), where=present
        )
        m2_b = np.bincount(index, weights=(x - mean_b[index]) ** 2, minlength=size)
        n = self.n + n_b
        delta = mean_b - self.mean
        share = np.divide(n_b, n, out=np.zeros(size), where=present)
        self.m2 = self.m2 + m2_b + delta**2 * self.n * share
        self.mean = self.mean + delta * share
        self.n = n


def _read_long(
    chunks: Iterator[tuple[list[int], dict[str, list[str]]]],
    columns: list[str],
    title: str,
    keep_values: bool,
) -> GroupData:
    ids: dict[str, int] = {}
    moments = _Moments()
    kept_values: list[np.ndarray] = []
    kept_groups: list[np.ndarray] = []
    for lines, table in chunks:
        labels = [s.strip() for s in table["group"]]
        known = len(ids)
        index = np.array([ids.setdefault(label, len(ids)) for label in labels], dtype=np.intp)
        if len(ids) > known:
            _check_labels([labels[i] for i in np.flatnonzero(index >= known)], labels, lines)
        x = _numbers(table["value"], lines, "value", MAX_ABS_VALUE)
        moments.add(index, x, len(ids))
        if TRUTH in columns:
            _check_truth(moments.truth, index, _numbers(table[TRUTH], lines, TRUTH), lines)
        if keep_values:
            kept_values.append(x)
            kept_groups.append(index)
    labels = list(ids)
    _check_groups(labels)
    J = len(labels)
    n, mean, m2 = moments.n[:J], moments.mean[:J], moments.m2[:J]
    df = n.sum() - J
    if df < 1:
        raise CSVError(
            "every group has one observation, so the within-group sd cannot be estimated; "
            "give one row per group with its standard error (group,estimate,se) instead"
        )
    sigma2 = float(m2.sum() / df)
    if not sigma2 > 0:
        raise CSVError("every group's values are constant, so the within-group sd is 0")
    truth = moments.truth[:J].copy() if TRUTH in columns else None
    return GroupData(
        title=title,
        labels=np.array(labels),
        y=mean.copy(),
        v=sigma2 / n,
        n=n.astype(int),
        truth=truth,
        values=np.concatenate(kept_values) if keep_values else None,
        groups=np.concatenate(kept_groups) if keep_values else None,
        sigma=sigma2**0.5,
        note=(
            f"One row per observation: {int(n.sum())} observations in {J} groups; "
            f"v_j = s² / n_j with the pooled within-group sd s = {sigma2**0.5:.4g}."
        ),
    )


def _check_truth(truth: np.ndarray, index: np.ndarray, given: np.ndarray, lines: list[int]) -> None:
    """Record each group's truth from its first row; refuse a row that disagrees."""
    rows = np.flatnonzero(np.isnan(truth[index]))
    new, first = np.unique(index[rows], return_index=True)
    truth[new] = given[rows[first]]
    bad = truth[index] != given
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CSVError(
            f"line {lines[i]}: truth is {given[i]:g} but an earlier row of this group gave "
            f"{truth[index[i]]:g}; truth must be the same on every row of a group"
        )


def _read_summary(
    chunks: Iterator[tuple[list[int], dict[str, list[str]]]],
    columns: list[str],
    layout: str,
    title: str,
) -> GroupData:
    first_line: dict[str, int] = {}
    parts: dict[str, list[np.ndarray]] = {"y": [], "v": [], "n": [], TRUTH: []}
    for lines, table in chunks:
        labels = [s.strip() for s in table["group"]]
        for label, line in zip(labels, lines, strict=True):
            if label in first_line:
                raise CSVError(
                    f"line {line}: group {_shown(label)} appears twice (lines "
                    f"{first_line[label]} and {line}); a summary file has one row per group"
                )
            first_line[label] = line
        _check_labels(labels, labels, lines)
        if layout in COUNT_LAYOUTS:
            y, n = _counts(table, lines, *LAYOUTS[layout][1:])
            parts["n"].append(n)
            v = np.ones_like(y)
        elif layout == "estimate_se":
            y = _numbers(table["estimate"], lines, "estimate")
            se = _numbers(table["se"], lines, "se")
            _positive(se, lines, "se", table["se"])
            v = se**2
        else:
            y = _numbers(table["mean"], lines, "mean")
            sd = _numbers(table["sd"], lines, "sd")
            _positive(sd, lines, "sd", table["sd"])
            n = _numbers(table["n"], lines, "n")
            _whole(n, lines, "n", 1, table["n"])
            parts["n"].append(n.astype(int))
            v = sd**2 / n
        tiny = ~(v > 0)
        if tiny.any():
            i = int(np.flatnonzero(tiny)[0])
            raise CSVError(f"line {lines[i]}: the standard error is too small to use (v_j == 0)")
        parts["y"].append(y)
        parts["v"].append(v)
        if TRUTH in columns:
            parts[TRUTH].append(_numbers(table[TRUTH], lines, TRUTH))
    labels = list(first_line)
    _check_groups(labels)
    truth = np.concatenate(parts[TRUTH]) if parts[TRUTH] else None
    if layout in COUNT_LAYOUTS:
        counts, size = LAYOUTS[layout][1:]
        return from_counts(
            COUNT_LAYOUTS[layout],
            labels,
            np.concatenate(parts["y"]),
            np.concatenate(parts["n"]),
            title,
            note=f"One row per group: {len(labels)} groups of {counts} and {size}.",
            truth=truth,
        )
    how = "se_j as given" if layout == "estimate_se" else "se_j² = sd_j² / n_j"
    return GroupData(
        title=title,
        labels=np.array(labels),
        y=np.concatenate(parts["y"]),
        v=np.concatenate(parts["v"]),
        n=np.concatenate(parts["n"]) if parts["n"] else None,
        truth=truth,
        note=f"One row per group: {len(labels)} groups; {how}.",
    )
