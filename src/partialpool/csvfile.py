"""Read grouped data from a CSV file, strictly, in chunks of rows so that memory stays bounded.

The header names the columns; `columns.map_columns` tells which hold the group, the data and
the truth, by the names given or by well-known names (case-insensitive, in any order; other
columns are ignored). The layouts (`columns.LAYOUTS`):

- long, one row per observation (``group,value``): v_j = s^2 / n_j, where s^2 is the pooled
  within-group variance sum_j sum_i (y_ij - ybar_j)^2 / (N - J), the model's common sigma^2.
- summary, one row per group: ``group,estimate,se`` (v_j = se_j^2), ``group,estimate,variance``
  or ``group,mean,sd,n`` (v_j = sd_j^2 / n_j).
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
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TextIO

import numpy as np

from .columns import LAYOUTS, TRUTH, ColumnMap, map_columns
from .groupdata import GroupData
from .tables import (
    MAX_ABS_VALUE,
    DataError,
    Places,
    check_finite,
    check_labels,
    check_unique,
    long_data,
    shown,
    summary_data,
    summary_rows,
)

CSVError = DataError
"""The error of every reader of grouped data (`tables.DataError`), under its old name."""

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""The largest file the app accepts (20 MB); the command line reads files of any size."""

CHUNK_ROWS = 65_536
"""Rows parsed at a time. Memory is this many rows of text plus a few numbers per group."""

FORMAT_HELP = (
    "Columns are recognised by their names (group, study, school, ...; value; estimate, effect, "
    "yi; se, sei; variance, vi; mean, sd, n; successes, deaths, trials; count, events, exposure; "
    "truth) or named with options: one row per observation (group,value) or one row per group "
    "(group,estimate,se or group,estimate,variance or group,mean,sd,n or group,successes,trials "
    "or group,count,exposure), each optionally with a truth column."
)

Columns = Mapping[str, str | None]
"""Role -> the file's column for it, for the roles to name rather than recognise."""


def read_csv(
    path: str | os.PathLike[str], *, keep_values: bool = False, columns: Columns | None = None
) -> GroupData:
    """Read grouped data from the CSV file at `path`, streaming it in chunks of `CHUNK_ROWS`.

    `keep_values=False` (the default) keeps only per-group counts, means and sums of squares, so
    memory is bounded by the chunk and the number of groups, whatever the number of rows.
    `columns` names the column of some roles (`columns.map_columns`); the rest are recognised.
    Raises CSVError for anything that is not a valid file of one of the layouts.
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return _read(stream, path.name, keep_values, columns)
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
    columns: Columns | None = None,
    max_groups: int | None = None,
) -> GroupData:
    """Parse the text of a CSV file (bytes must be UTF-8; a byte-order mark is allowed).

    Files longer than `max_bytes` are refused before parsing; with `max_groups`, a file is
    refused at the line that starts one group more, before the rest is read. Raises CSVError
    with a message fit to show to the person who uploaded the file, or `columns.ColumnError`
    when the columns cannot be told apart.
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
    content = content.removeprefix("\ufeff")
    return _read(io.StringIO(content, newline=""), title, keep_values, columns, max_groups)


def read_header(content: bytes | str) -> list[str]:
    """The column names of a CSV file's text (its first non-blank line), as written."""
    if isinstance(content, bytes):
        start = content[:65_536]
        if len(content) > len(start) and b"\n" in start:
            start = start[: start.rindex(b"\n")]
        try:
            content = start.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise CSVError(_not_utf8(err)) from None
    try:
        return _header(
            csv.reader(io.StringIO(content.removeprefix("\ufeff"), newline=""), strict=True)
        )
    except csv.Error as err:
        raise CSVError(f"line 1: the CSV is malformed ({err})") from None


def _not_utf8(err: UnicodeDecodeError) -> str:
    byte = err.object[err.start : err.start + 1].hex()
    return (
        f"the file is not UTF-8 text (byte 0x{byte} at offset {err.start}); "
        "save it as 'CSV UTF-8' and try again"
    )


def _read(
    stream: TextIO,
    title: str,
    keep_values: bool,
    given: Columns | None,
    max_groups: int | None = None,
) -> GroupData:
    reader = csv.reader(stream, strict=True)
    try:
        header = _header(reader)
        columns = map_columns(header, given)
        rows = _chunks(reader, header, columns)
        if columns.layout == "long":
            return _read_long(rows, columns, title, keep_values, max_groups)
        return _read_summary(rows, columns, title, max_groups)
    except csv.Error as err:
        raise CSVError(f"line {reader.line_num}: the CSV is malformed ({err})") from None


def _header(reader: Iterator[list[str]]) -> list[str]:
    for fields in reader:
        if any(f.strip() for f in fields):
            return [f.strip() for f in fields]
    raise CSVError("the file is empty")


Chunk = tuple[list[int], dict[str, tuple[str, ...]]]


def _chunks(reader: csv.Reader, header: list[str], columns: ColumnMap) -> Iterator[Chunk]:
    """Yield (line numbers, {role: strings}) for up to CHUNK_ROWS non-blank rows at a time."""
    width = len(header)
    where = {role: header.index(name) for role, name in columns.columns.items()}
    lines: list[int] = []
    rows: list[list[str]] = []
    for fields in reader:
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != width:
            raise CSVError(
                f"line {reader.line_num}: expected {width} fields ({','.join(header)}), "
                f"found {len(fields)}"
            )
        lines.append(reader.line_num)
        rows.append(fields)
        if len(rows) == CHUNK_ROWS:
            yield lines, _by_role(rows, where)
            lines, rows = [], []
    if rows:
        yield lines, _by_role(rows, where)


def _by_role(rows: list[list[str]], where: dict[str, int]) -> dict[str, tuple[str, ...]]:
    cells = list(zip(*rows, strict=True))
    return {role: cells[i] for role, i in where.items()}


def _numbers(
    strings: tuple[str, ...], places: Places, column: str, limit: float = math.inf
) -> np.ndarray:
    """The column as floats; a CSVError names the first line that is not a finite number, or
    one beyond `limit` in absolute value. Numbers are written in ASCII without underscores
    (Python's float reads "1_000" and "١٢", numbers in no CSV)."""
    try:
        joined = "".join(strings)
        if "_" in joined or not joined.isascii():
            raise ValueError("not a CSV number")
        x = np.array(strings, dtype=float)
    except ValueError:
        for i, text in enumerate(strings):
            if not text.strip():
                raise CSVError(f"{places[i]}: {column} is empty") from None
            try:
                if "_" in text or not text.isascii():
                    raise ValueError(text)
                float(text)
            except ValueError:
                raise CSVError(f"{places[i]}: {column} {shown(text)} is not a number") from None
        x = np.array([float(s) for s in strings])
    check_finite(x, places, column, strings, limit)
    return x


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


def _check_group_limit(index: np.ndarray, lines: list[int], max_groups: int | None) -> None:
    """Refuse at the first line whose group (numbered from 0 in order of appearance) is one
    beyond `max_groups`."""
    if max_groups is None:
        return
    over = np.flatnonzero(index >= max_groups)
    if over.size:
        raise CSVError(
            f"line {lines[int(over[0])]}: group {max_groups + 1} starts here; the app draws up "
            f"to {max_groups} groups. For more groups use the command line: "
            "partialpool fit FILE.csv"
        )


def _read_long(
    chunks: Iterator[Chunk],
    columns: ColumnMap,
    title: str,
    keep_values: bool,
    max_groups: int | None = None,
) -> GroupData:
    ids: dict[str, int] = {}
    moments = _Moments()
    kept_values: list[np.ndarray] = []
    kept_groups: list[np.ndarray] = []
    name = columns.columns
    for lines, table in chunks:
        places = Places("line", lines)
        labels = [s.strip() for s in table["group"]]
        known = len(ids)
        index = np.array([ids.setdefault(label, len(ids)) for label in labels], dtype=np.intp)
        _check_group_limit(index, lines, max_groups)
        if len(ids) > known:
            new = np.flatnonzero(index >= known)
            check_labels([labels[i] for i in new], Places("line", [lines[i] for i in new]))
        x = _numbers(table["value"], places, name["value"], MAX_ABS_VALUE)
        moments.add(index, x, len(ids))
        if TRUTH in name:
            given = _numbers(table[TRUTH], places, name[TRUTH])
            _check_truth(moments.truth, index, given, places, name[TRUTH])
        if keep_values:
            kept_values.append(x)
            kept_groups.append(index)
    J = len(ids)
    return long_data(
        columns,
        list(ids),
        moments.n[:J],
        moments.mean[:J].copy(),
        moments.m2[:J],
        moments.truth[:J].copy() if TRUTH in name else None,
        title,
        values=np.concatenate(kept_values) if keep_values and kept_values else None,
        groups=np.concatenate(kept_groups) if keep_values and kept_groups else None,
    )


def _check_truth(
    truth: np.ndarray, index: np.ndarray, given: np.ndarray, places: Places, column: str
) -> None:
    """Record each group's truth from its first row; refuse a row that disagrees."""
    rows = np.flatnonzero(np.isnan(truth[index]))
    new, first = np.unique(index[rows], return_index=True)
    truth[new] = given[rows[first]]
    bad = truth[index] != given
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CSVError(
            f"{places[i]}: {column} is {given[i]:g} but an earlier row of this group gave "
            f"{truth[index[i]]:g}; {column} must be the same on every row of a group"
        )


def _read_summary(
    chunks: Iterator[Chunk], columns: ColumnMap, title: str, max_groups: int | None = None
) -> GroupData:
    seen: dict[str, str] = {}
    labels: list[str] = []
    parts: dict[str, list[np.ndarray]] = {}
    name = columns.columns
    for lines, table in chunks:
        places = Places("line", lines)
        chunk_labels = [s.strip() for s in table["group"]]
        _check_group_limit(len(labels) + np.arange(len(lines)), lines, max_groups)
        check_unique(chunk_labels, places, seen)
        check_labels(chunk_labels, places)
        numbers = {
            role: _numbers(table[role], places, name[role])
            for role in LAYOUTS[columns.layout].roles
        }
        rows = summary_rows(columns, numbers, places, table)
        if TRUTH in name:
            rows[TRUTH] = _numbers(table[TRUTH], places, name[TRUTH])
        for key, x in rows.items():
            parts.setdefault(key, []).append(x)
        labels.extend(chunk_labels)
    joined = {key: np.concatenate(x) for key, x in parts.items()}
    return summary_data(columns, labels, joined, joined.pop(TRUTH, None), title)
