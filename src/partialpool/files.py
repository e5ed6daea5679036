"""Read grouped data from a CSV or Parquet file of any size, through DuckDB when it is installed.

Raw observations (one row per observation) are summarised by DuckDB, embedded in this process
(no server): one pass of ``GROUP BY`` gives each group's count, mean and sum of squared
deviations, and only those J rows reach Python, so memory is bounded by the number of groups,
not of rows. Groups come out in order of first appearance, as from `csvfile.read_csv`. DuckDB's
CSV reader takes "1_000" for 1000, which no CSV means: a file with an underscore anywhere has
its columns read as text and cast in the query, and a number with an underscore sends the file
to the strict reader.

A CSV file that DuckDB cannot read, or whose rows fail a check, is read again by the strict
reader (`csvfile.read_csv`), whose message names the line; the fast path never decides that a
file is bad. Files of one row per group, and every file when DuckDB is not installed, are read
by that reader alone. Parquet needs DuckDB; its messages name the group (raw observations) or
the row.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .columns import GROUP, LAYOUTS, TRUTH, ColumnMap, map_columns
from .csvfile import Columns, read_csv, read_header
from .groupdata import GroupData
from .tables import (
    MAX_ABS_VALUE,
    DataError,
    Places,
    check_finite,
    check_labels,
    check_unique,
    long_data,
    summary_data,
    summary_rows,
)

PARQUET_SUFFIXES = (".parquet", ".pq")
INSTALL = "pip install 'partialpool[data]'"


def _duckdb() -> Any | None:
    try:
        import duckdb
    except ImportError:
        return None
    return duckdb


def is_parquet(path: str | os.PathLike[str]) -> bool:
    """Whether the file is read as Parquet (by its suffix); anything else is read as CSV."""
    return Path(path).suffix.lower() in PARQUET_SUFFIXES


def file_columns(path: str | os.PathLike[str]) -> list[str]:
    """The column names of a CSV file (its header) or a Parquet file (its schema)."""
    path = Path(path)
    if not is_parquet(path):
        try:
            with path.open("rb") as stream:
                return read_header(stream.read(65_536))
        except OSError as err:
            raise DataError(f"cannot read {path}: {err.strerror or err}") from None
    duckdb = _duckdb()
    if duckdb is None:
        raise DataError(f"reading Parquet files needs DuckDB: {INSTALL}")
    try:
        return list(duckdb.connect().read_parquet(str(path)).columns)
    except (duckdb.Error, OSError) as err:
        raise DataError(f"cannot read {path} as Parquet: {_first_line(err)}") from None


def map_file(path: str | os.PathLike[str], columns: Columns | None = None) -> ColumnMap:
    """The layout and the column of each role of the file at `path` (`columns.map_columns`)."""
    return map_columns(file_columns(path), columns)


def read_data(
    path: str | os.PathLike[str], *, columns: Columns | None = None, title: str | None = None
) -> GroupData:
    """Read grouped data from a CSV or Parquet file (`.parquet`, `.pq`).

    columns : the file's column for some roles (group=, value=, estimate=, se=, variance=,
        mean=, sd=, n=, successes=, trials=, count=, exposure=, truth=); the rest are
        recognised by their names (`columns.NAMES`).
    Raises DataError (a ValueError) naming the line, row or group of the first problem, and
    `columns.ColumnError` when the columns cannot be told apart.
    """
    path = Path(path)
    title = title or path.name
    names = file_columns(path)
    mapping = map_columns(names, columns)
    duckdb = _duckdb()
    parquet = is_parquet(path)
    if duckdb is None or (not parquet and mapping.layout != "long"):
        return _strict(path, mapping, title)
    source = _source(path, names, mapping, parquet)
    try:
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")  # it would write to standard output
        if mapping.layout == "long":
            data = _read_long(con, source, mapping, title, parquet)
        else:
            data = _read_summary(con, source, mapping, title)
    except duckdb.Error as err:
        if parquet:
            raise DataError(f"cannot read {path.name}: {_first_line(err)}") from None
        data = None
    return data if data is not None else _strict(path, mapping, title)


def _strict(path: Path, mapping: ColumnMap, title: str) -> GroupData:
    data = read_csv(path, columns=mapping.columns)
    return data if title == path.name else replace(data, title=title)


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


class _Source:
    """A table function over the file with each used column renamed c<i> (so no name of the
    file is ever spliced into SQL) and its row number (1-based) as `row`."""

    def __init__(
        self,
        sql: str,
        parameters: dict[str, object],
        column: dict[str, str],
        text_numbers: bool = False,
    ):
        self.sql = sql
        self.parameters = parameters
        self.column = column
        self.text_numbers = text_numbers


def _source(path: Path, names: list[str], mapping: ColumnMap, parquet: bool) -> _Source:
    aliases = [f"c{i}" for i in range(len(names))]
    column = {role: aliases[names.index(name)] for role, name in mapping.columns.items()}
    renamed = f"t({', '.join(aliases)}, row)"
    if parquet:
        return _Source(
            f"read_parquet($path) WITH ORDINALITY AS {renamed}", {"path": str(path)}, column
        )
    # DuckDB's CSV reader takes "1_000" for 1000: a file with an underscore anywhere has its
    # numbers read as text and checked in the query (`_read_long`), about 1.4 times as slow
    text_numbers = _has_underscore(path)
    numeric = {name for role, name in mapping.columns.items() if role != GROUP}
    types = {
        name: "DOUBLE" if name in numeric and not text_numbers else "VARCHAR" for name in names
    }
    sql = (
        "read_csv($path, header = true, delim = ',', quote = '\"', escape = '\"', "
        "auto_detect = false, strict_mode = true, columns = $types) "
        f"WITH ORDINALITY AS {renamed}"
    )
    return _Source(sql, {"path": str(path), "types": types}, column, text_numbers)


def _has_underscore(path: Path) -> bool:
    """Whether the file holds an underscore anywhere (one scan of its bytes, 1 MB at a time: a
    mapped file would count as this process's memory)."""
    with path.open("rb") as f:
        return any(b"_" in block for block in iter(lambda: f.read(2**20), b""))


def _read_long(
    con: Any, source: _Source, mapping: ColumnMap, title: str, parquet: bool
) -> GroupData | None:
    """Summarise raw observations in DuckDB; None when a row needs the strict reader's word."""
    group, text = source.column[GROUP], source.column["value"]
    value = f"TRY_CAST({text} AS DOUBLE)"
    truth = f"TRY_CAST({source.column[TRUTH]} AS DOUBLE)" if TRUTH in source.column else "NULL"
    # a CSV number has no underscore: such a file goes to the strict reader, which says where
    checked = source.text_numbers
    underscored = f"count(*) FILTER (WHERE contains({text}, '_'))" if checked else "0"
    query = f"""
        SELECT CAST({group} AS VARCHAR) AS label, count(*) AS rows, count(x) AS n,
               avg(x) AS mean, var_pop(x) * count(x) AS m2, max(abs(x)) AS size,
               min(row) AS first, min(t) AS truth_low, max(t) AS truth_high,
               count(t) AS truths, {underscored} AS underscored
        FROM (SELECT {group}, {text}, {value} AS x, {truth} AS t, row FROM {source.sql})
        GROUP BY {group} ORDER BY first
    """
    table = con.execute(query, source.parameters).fetchnumpy()
    labels = [None if x is None else str(x) for x in table["label"].tolist()]
    rows, n = table["rows"].astype(float), table["n"].astype(float)
    mean, m2, size = (np.asarray(table[k], dtype=float) for k in ("mean", "m2", "size"))
    where = Places("group", [str(x) for x in labels])
    name = mapping.columns
    try:
        if any(x is None or x != x.strip() for x in labels):
            raise DataError("a group label is empty or has spaces around it")
        if table["underscored"].any():
            raise DataError("a number has an underscore")
        missing = n < rows
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise DataError(f"{where[i]}: {name['value']} is empty or not a number")
        check_finite(size, where, name["value"], limit=MAX_ABS_VALUE)
        check_finite(m2, where, name["value"], limit=np.inf)
        truth = None
        if TRUTH in name:
            low, high = (np.asarray(table[k], dtype=float) for k in ("truth_low", "truth_high"))
            odd = (table["truths"] < table["rows"]) | ~(low == high) | ~np.isfinite(low)
            if odd.any():
                i = int(np.flatnonzero(odd)[0])
                raise DataError(
                    f"{where[i]}: {name[TRUTH]} must be a finite number, the same on every "
                    "row of a group"
                )
            truth = low
        check_labels(labels, where)
    except DataError:
        if parquet:
            raise
        return None
    return long_data(mapping, labels, n, mean, m2, truth, title)


def _read_summary(con: Any, source: _Source, mapping: ColumnMap, title: str) -> GroupData:
    """One row per group of a Parquet file, checked row by row (`tables.summary_rows`)."""
    roles = [r for r in (*LAYOUTS[mapping.layout].roles, TRUTH) if r in source.column]
    cells = ", ".join(f"TRY_CAST({source.column[r]} AS DOUBLE) AS {r}" for r in roles)
    query = (
        f"SELECT CAST({source.column[GROUP]} AS VARCHAR) AS label, {cells}, row "
        f"FROM {source.sql} ORDER BY row"
    )
    table = con.execute(query, source.parameters).fetchnumpy()
    where = Places("row", table["row"].tolist())
    labels = table["label"].tolist()
    empty = [i for i, x in enumerate(labels) if x is None]
    if empty:
        raise DataError(f"{where[empty[0]]}: the group label is empty")
    labels = [x.strip() for x in labels]
    check_unique(labels, where, {})
    check_labels(labels, where)
    numbers = {}
    for role in roles:
        x = np.ma.filled(np.ma.asarray(table[role], dtype=float), np.nan)
        check_finite(x, where, mapping.columns[role])
        numbers[role] = x
    truth = numbers.pop(TRUTH, None)
    rows = summary_rows(mapping, numbers, where)
    return summary_data(mapping, labels, rows, truth, title)
